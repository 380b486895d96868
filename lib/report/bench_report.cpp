#include "report/bench_report.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace spax {

namespace {

std::vector<std::string> matrices_in_order(const BenchReport& r) {
  std::vector<std::string> m;
  for (const auto& c : r.cases)
    if (std::find(m.begin(), m.end(), c.matrix) == m.end()) m.push_back(c.matrix);
  return m;
}

const PhaseSamples* find_phase(const BenchCase& c, const std::string& phase) {
  for (const auto& p : c.phases)
    if (p.phase == phase && !p.seconds.empty()) return &p;
  return nullptr;
}

std::vector<std::string> phases_present(const BenchReport& r) {
  std::vector<std::string> out;
  for (const auto& ph : bench_phases())
    for (const auto& c : r.cases)
      if (find_phase(c, ph)) {
        out.push_back(ph);
        break;
      }
  return out;
}

std::string human_time(double s) {
  char buf[32];
  if (s < 1e-3) {
    std::snprintf(buf, sizeof buf, "%.1f us", s * 1e6);
  } else if (s < 1.0) {
    std::snprintf(buf, sizeof buf, "%.3f ms", s * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f s", s);
  }
  return buf;
}

std::string cell(const BenchReport& r, const BenchCase& c, const std::string& phase) {
  const PhaseSamples* p = find_phase(c, phase);
  if (!p) return "-";
  SampleStats s = sample_stats(p->seconds);
  double best = fastest_mean(r, c.matrix, phase);
  std::string out = human_time(s.mean) + " +- " + human_time(s.sigma);
  char ratio[32];
  if (s.mean == best) {
    std::snprintf(ratio, sizeof ratio, " *");
  } else {
    std::snprintf(ratio, sizeof ratio, " x%.2f", best > 0 ? s.mean / best : 0.0);
  }
  return out + ratio;
}

std::string fmt_count(index_t v) {
  return v < 0 ? "-" : std::to_string(v);
}
std::string fmt_sci(double v) {
  if (std::isnan(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1e", v);
  return b;
}
std::string fmt_mb(double bytes) {
  if (std::isnan(bytes)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MB", bytes / 1e6);
  return b;
}

}  // namespace

double fastest_mean(const BenchReport& r, const std::string& matrix, const std::string& phase) {
  double best = std::nan("");
  for (const auto& c : r.cases) {
    if (c.matrix != matrix || c.status != "ok") continue;
    const PhaseSamples* p = find_phase(c, phase);
    if (!p) continue;
    double m = sample_stats(p->seconds).mean;
    if (std::isnan(best) || m < best) best = m;
  }
  return best;
}

namespace {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

std::vector<Table> build_tables(const BenchReport& r, std::vector<std::string>* titles) {
  std::vector<Table> tables;
  const auto phases = phases_present(r);
  bool iterative = false;  // an iterations column only when an iterative solver ran
  for (const auto& c : r.cases) iterative = iterative || c.iterations >= 0;
  for (const auto& m : matrices_in_order(r)) {
    Table t;
    t.header = {"solver", "ordering"};
    for (const auto& ph : phases) t.header.push_back(ph);
    t.header.insert(t.header.end(), {"nnz(L+U)", "flops", "peak mem", "backward err"});
    if (iterative) t.header.push_back("iters");
    t.header.push_back("status");
    index_t n = 0, nnz = 0;
    bool synth = false;
    for (const auto& c : r.cases) {
      if (c.matrix != m) continue;
      n = c.n;
      nnz = c.nnz;
      synth = synth || c.values_synthesized;
      std::vector<std::string> row = {c.solver, c.ordering};
      for (const auto& ph : phases) row.push_back(c.status == "ok" ? cell(r, c, ph) : "-");
      index_t lu = (c.nnz_L >= 0 && c.nnz_U >= 0) ? c.nnz_L + c.nnz_U : c.nnz_L;
      row.push_back(fmt_count(lu));
      row.push_back(fmt_sci(c.flops));
      row.push_back(fmt_mb(c.peak_memory_bytes));
      row.push_back(fmt_sci(c.backward_error));
      if (iterative) row.push_back(fmt_count(c.iterations));
      row.push_back(c.status == "ok" ? "ok" : c.status + ": " + c.reason);
      t.rows.push_back(row);
    }
    tables.push_back(t);
    titles->push_back(m + " (n " + std::to_string(n) + ", nnz " + std::to_string(nnz) +
                      (synth ? ", values synthesized" : "") + ")");
  }
  return tables;
}

}  // namespace

std::string bench_text_table(const BenchReport& r) {
  std::vector<std::string> titles;
  auto tables = build_tables(r, &titles);
  std::ostringstream out;
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const auto& t = tables[k];
    std::vector<std::size_t> w(t.header.size(), 0);
    for (std::size_t c = 0; c < t.header.size(); ++c) w[c] = t.header[c].size();
    for (const auto& row : t.rows)
      for (std::size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], row[c].size());
    if (k) out << '\n';
    out << titles[k] << '\n';
    auto line = [&](const std::vector<std::string>& cells) {
      for (std::size_t c = 0; c < cells.size(); ++c) {
        out << cells[c];
        if (c + 1 < cells.size()) out << std::string(w[c] - cells[c].size() + 2, ' ');
      }
      out << '\n';
    };
    line(t.header);
    for (const auto& row : t.rows) line(row);
  }
  out << "\n* fastest mean for that phase; xN: mean time relative to the fastest. "
      << r.options.runs << " runs after " << r.options.warmup << " warm-up per phase.\n";
  for (const auto& c : r.cases) {
    if (c.status != "ok") continue;
    if (r.options.sequence > 0 && c.sequence_fallbacks > 0)
      out << c.matrix << " " << c.solver << ": " << c.sequence_fallbacks << " of "
          << r.options.sequence << " iterations refactored afresh (kept pivots unstable)\n";
    if (c.device.empty()) continue;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s %s on %s, the %d iterations: upload %.3f ms, kernels %.3f ms, download "
                  "%.3f ms, host %.3f ms\n",
                  c.matrix.c_str(), c.solver.c_str(), c.device.c_str(), r.options.sequence,
                  c.device_upload * 1e3, c.device_compute * 1e3, c.device_download * 1e3,
                  c.device_host * 1e3);
    out << buf;
  }
  return out.str();
}

std::string bench_markdown(const BenchReport& r) {
  std::vector<std::string> titles;
  auto tables = build_tables(r, &titles);
  std::ostringstream out;
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const auto& t = tables[k];
    out << "### " << titles[k] << "\n\n|";
    for (const auto& h : t.header) out << ' ' << h << " |";
    out << "\n|";
    for (std::size_t c = 0; c < t.header.size(); ++c) out << (c < 2 ? "---|" : "--:|");
    out << '\n';
    for (const auto& row : t.rows) {
      out << '|';
      for (const auto& cellv : row) {
        std::string e = cellv;
        for (std::size_t p = 0; (p = e.find('|', p)) != std::string::npos; p += 2)
          e.replace(p, 1, "\\|");
        for (std::size_t p = 0; (p = e.find('*', p)) != std::string::npos; p += 2)
          e.replace(p, 1, "\\*");
        out << ' ' << e << " |";
      }
      out << '\n';
    }
    out << '\n';
  }
  out << "\\* fastest mean for that phase; xN: mean time relative to the fastest. "
      << r.options.runs << " runs after " << r.options.warmup << " warm-up per phase.\n";
  return out.str();
}

std::string bench_csv(const BenchReport& r) {
  std::ostringstream out;
  out.precision(17);
  out << "matrix,solver,ordering,status,phase,runs,mean_s,sigma_s,min_s,max_s,median_s,"
         "ratio_to_fastest,nnz_L,nnz_U,flops,peak_memory_bytes,backward_error,reason\n";
  auto q = [](const std::string& s) {
    std::string e = "\"";
    for (char c : s) e += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return e + "\"";
  };
  auto num = [](double v) {
    if (std::isnan(v)) return std::string();
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
  };
  for (const auto& c : r.cases) {
    auto tail = [&] {
      return "," + (c.nnz_L >= 0 ? std::to_string(c.nnz_L) : std::string()) + "," +
             (c.nnz_U >= 0 ? std::to_string(c.nnz_U) : std::string()) + "," + num(c.flops) + "," +
             num(c.peak_memory_bytes) + "," + num(c.backward_error) + "," + q(c.reason) + "\n";
    };
    if (c.status != "ok" || c.phases.empty()) {
      out << q(c.matrix) << ',' << q(c.solver) << ',' << q(c.ordering) << ',' << c.status
          << ",,0,,,,,,," << tail().substr(1);
      continue;
    }
    for (const auto& p : c.phases) {
      SampleStats s = sample_stats(p.seconds);
      double best = fastest_mean(r, c.matrix, p.phase);
      out << q(c.matrix) << ',' << q(c.solver) << ',' << q(c.ordering) << ',' << c.status << ','
          << p.phase << ',' << s.n << ',' << num(s.mean) << ',' << num(s.sigma) << ',' << num(s.min)
          << ',' << num(s.max) << ',' << num(s.median) << ','
          << num(best > 0 ? s.mean / best : std::nan("")) << tail();
    }
  }
  return out.str();
}

nlohmann::json bench_json(const BenchReport& r) {
  nlohmann::json j;
  j["spax_version"] = r.machine.spax_version;
  j["machine"] = {{"cpu_model", r.machine.cpu_model}, {"cores", r.machine.cores}};
  j["libraries"] = {{"suitesparse", r.machine.suitesparse_version},
                    {"metis", r.machine.metis_version},
                    {"superlu", r.machine.superlu_version},
                    {"eigen", r.machine.eigen_version}};
  j["options"] = {{"warmup", r.options.warmup},     {"runs", r.options.runs},
                  {"sequence", r.options.sequence}, {"timeout", r.options.timeout},
                  {"threads", r.options.threads},   {"max_memory_mb", r.options.max_memory_mb},
                  {"seed", r.options.seed}};
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  j["cases"] = nlohmann::json::array();
  for (const auto& c : r.cases) {
    nlohmann::json cj = {
        {"matrix", c.matrix},
        {"solver", c.solver},
        {"ordering", c.ordering},
        {"status", c.status},
        {"reason", c.reason},
        {"n", c.n},
        {"nnz", c.nnz},
        {"values_synthesized", c.values_synthesized},
        {"nnz_L", c.nnz_L >= 0 ? nlohmann::json(c.nnz_L) : nlohmann::json(nullptr)},
        {"nnz_U", c.nnz_U >= 0 ? nlohmann::json(c.nnz_U) : nlohmann::json(nullptr)},
        {"flops", num(c.flops)},
        {"peak_memory_bytes", num(c.peak_memory_bytes)},
        {"backward_error", num(c.backward_error)},
        {"wall_seconds", c.wall_seconds}};
    if (c.iterations >= 0) {
      cj["iterations"] = c.iterations;
      cj["relative_residual"] = num(c.relative_residual);
    }
    if (r.options.sequence > 0 && c.status == "ok") {
      cj["sequence_worst_backward_error"] = num(c.sequence_worst_backward_error);
      cj["sequence_fallbacks"] = c.sequence_fallbacks;
    }
    if (!c.device.empty())
      cj["device"] = {{"name", c.device},
                      {"upload", c.device_upload},
                      {"compute", c.device_compute},
                      {"download", c.device_download},
                      {"host", c.device_host}};
    cj["phases"] = nlohmann::json::object();
    for (const auto& p : c.phases) {
      SampleStats s = sample_stats(p.seconds);
      double best = fastest_mean(r, c.matrix, p.phase);
      cj["phases"][p.phase] = {{"samples", p.seconds},
                               {"mean", s.mean},
                               {"sigma", s.sigma},
                               {"min", s.min},
                               {"max", s.max},
                               {"median", s.median},
                               {"ratio_to_fastest", num(best > 0 ? s.mean / best : std::nan(""))}};
    }
    j["cases"].push_back(cj);
  }
  j["warnings"] = bench_noise_warnings(r);
  return j;
}

std::vector<std::string> bench_noise_warnings(const BenchReport& r) {
  std::vector<std::string> w;
  for (const auto& c : r.cases)
    for (const auto& p : c.phases) {
      SampleStats s = sample_stats(p.seconds);
      if (s.n > 1 && s.mean > 0 && s.sigma / s.mean > 0.10) {
        char b[256];
        std::snprintf(b, sizeof b, "%s %s/%s %s: sigma/mean = %.0f%% (noisy; more --runs?)",
                      c.matrix.c_str(), c.solver.c_str(), c.ordering.c_str(), p.phase.c_str(),
                      100.0 * s.sigma / s.mean);
        w.push_back(b);
      }
    }
  return w;
}

}  // namespace spax
