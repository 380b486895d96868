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

// A case's solver as the tables show it: with its process count when it ran as an MPI job.
std::string solver_label(const BenchCase& c) {
  return c.mpi_job ? c.solver + " -np " + std::to_string(c.processes) : c.solver;
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
      std::vector<std::string> row = {solver_label(c), c.ordering};
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

// The case of the same matrix, solver and ordering on one process (the MPI job of size 1).
const BenchCase* one_process_case(const BenchReport& r, const BenchCase& c) {
  for (const auto& o : r.cases)
    if (o.mpi_job && o.processes == 1 && o.status == "ok" && o.matrix == c.matrix &&
        o.solver == c.solver && o.ordering == c.ordering)
      return &o;
  return nullptr;
}

// Speedup over one process for a phase (NaN when either is missing).
double speedup(const BenchReport& r, const BenchCase& c, const std::string& phase) {
  const BenchCase* one = one_process_case(r, c);
  const PhaseSamples* p = find_phase(c, phase);
  const PhaseSamples* q = one ? find_phase(*one, phase) : nullptr;
  if (!p || !q || c.status != "ok") return std::nan("");
  const double t = sample_stats(p->seconds).mean, t1 = sample_stats(q->seconds).mean;
  return t > 0 ? t1 / t : std::nan("");
}

// Per matrix with MPI cases: per process count, each phase's mean time with its speedup over
// one process and the parallel efficiency (speedup / processes), and the processes' peak memory.
std::vector<Table> build_scaling_tables(const BenchReport& r, std::vector<std::string>* titles) {
  std::vector<Table> tables;
  const auto phases = phases_present(r);
  for (const auto& m : matrices_in_order(r)) {
    Table t;
    t.header = {"solver", "ordering", "processes"};
    for (const auto& ph : phases) t.header.push_back(ph + " (speedup, efficiency)");
    t.header.insert(t.header.end(), {"peak mem/process (max)", "peak mem (all)", "status"});
    for (const auto& c : r.cases) {
      if (c.matrix != m || !c.mpi_job) continue;
      std::vector<std::string> row = {
          c.solver, c.ordering,
          std::to_string(c.processes) + (c.oversubscribed ? " (oversubscribed)" : "")};
      for (const auto& ph : phases) {
        const PhaseSamples* p = c.status == "ok" ? find_phase(c, ph) : nullptr;
        if (!p) {
          row.push_back("-");
          continue;
        }
        std::string cellv = human_time(sample_stats(p->seconds).mean);
        const double s = speedup(r, c, ph);
        if (!std::isnan(s)) {
          char b[64];
          std::snprintf(b, sizeof b, " (x%.2f, %.0f%%)", s, 100.0 * s / c.processes);
          cellv += b;
        }
        row.push_back(cellv);
      }
      double mx = std::nan(""), sum = 0;
      for (double b : c.peak_memory_per_process) {
        if (std::isnan(mx) || b > mx) mx = b;
        sum += b;
      }
      row.push_back(fmt_mb(mx));
      row.push_back(c.peak_memory_per_process.empty() ? "-" : fmt_mb(sum));
      row.push_back(c.status == "ok" ? "ok" : c.status + ": " + c.reason);
      t.rows.push_back(row);
    }
    if (t.rows.empty()) continue;
    tables.push_back(t);
    titles->push_back(m + ": across MPI processes (speedup over 1 process, parallel efficiency)");
  }
  return tables;
}

}  // namespace

std::string bench_text_table(const BenchReport& r) {
  std::vector<std::string> titles;
  auto tables = build_tables(r, &titles);
  auto scaling = build_scaling_tables(r, &titles);
  tables.insert(tables.end(), scaling.begin(), scaling.end());
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
  return out.str();
}

std::string bench_markdown(const BenchReport& r) {
  std::vector<std::string> titles;
  auto tables = build_tables(r, &titles);
  auto scaling = build_scaling_tables(r, &titles);
  tables.insert(tables.end(), scaling.begin(), scaling.end());
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
         "ratio_to_fastest,nnz_L,nnz_U,flops,peak_memory_bytes,backward_error,reason,processes,"
         "speedup\n";
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
             num(c.peak_memory_bytes) + "," + num(c.backward_error) + "," + q(c.reason) + "," +
             std::to_string(c.processes);
    };
    if (c.status != "ok" || c.phases.empty()) {
      out << q(c.matrix) << ',' << q(c.solver) << ',' << q(c.ordering) << ',' << c.status
          << ",,0,,,,,,," << tail().substr(1) << ",\n";
      continue;
    }
    for (const auto& p : c.phases) {
      SampleStats s = sample_stats(p.seconds);
      double best = fastest_mean(r, c.matrix, p.phase);
      out << q(c.matrix) << ',' << q(c.solver) << ',' << q(c.ordering) << ',' << c.status << ','
          << p.phase << ',' << s.n << ',' << num(s.mean) << ',' << num(s.sigma) << ',' << num(s.min)
          << ',' << num(s.max) << ',' << num(s.median) << ','
          << num(best > 0 ? s.mean / best : std::nan("")) << tail() << ','
          << (c.mpi_job ? num(speedup(r, c, p.phase)) : std::string()) << '\n';
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
                  {"seed", r.options.seed},         {"ranks", r.options.ranks},
                  {"mpirun", r.options.mpirun}};
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
        {"wall_seconds", c.wall_seconds},
        {"processes", c.processes},
        {"mpi_job", c.mpi_job}};
    if (c.mpi_job) {
      cj["oversubscribed"] = c.oversubscribed;
      cj["peak_memory_per_process"] = c.peak_memory_per_process;
    }
    if (c.iterations >= 0) {
      cj["iterations"] = c.iterations;
      cj["relative_residual"] = num(c.relative_residual);
    }
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
      if (c.mpi_job) {
        const double sp = speedup(r, c, p.phase);
        cj["phases"][p.phase]["speedup"] = num(sp);
        cj["phases"][p.phase]["efficiency"] = num(sp / c.processes);
      }
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
