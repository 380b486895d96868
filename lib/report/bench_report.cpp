// `spax bench` results as tables: the timings and results per matrix, the scaling across MPI
// processes, as aligned text or Markdown (the CSV and JSON exports: bench_export.cpp).
#include "spax/report/bench_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/bench_cases.hpp"
#include "spax/report/text_format.hpp"

namespace spax {

using detail::bench::speedup;

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

// A case's solver as the tables show it: with its process count when it ran as an MPI job.
std::string solver_label(const BenchCase& c) {
  return c.mpi_job ? c.solver + " -np " + std::to_string(c.processes) : c.solver;
}

std::string fmt_count(index_t v) {
  return v < 0 ? "-" : format_count(static_cast<double>(v));
}
std::string fmt_sci(double v) {
  if (std::isnan(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1e", v);
  return b;
}

// The case of the same matrix, solver and ordering on one process (the MPI job of size 1).
const BenchCase* one_process_case(const BenchReport& r, const BenchCase& c) {
  for (const auto& o : r.cases)
    if (o.mpi_job && o.processes == 1 && o.status == "ok" && o.matrix == c.matrix &&
        o.solver == c.solver && o.ordering == c.ordering)
      return &o;
  return nullptr;
}

}  // namespace

namespace detail::bench {

double speedup(const BenchReport& r, const BenchCase& c, const std::string& phase) {
  const BenchCase* one = one_process_case(r, c);
  const PhaseSamples* p = find_phase(c, phase);
  const PhaseSamples* q = one ? find_phase(*one, phase) : nullptr;
  if (!p || !q || c.status != "ok") return std::nan("");
  const double t = sample_stats(p->seconds).median, t1 = sample_stats(q->seconds).median;
  return t > 0 ? t1 / t : std::nan("");
}

}  // namespace detail::bench

double fastest_median(const BenchReport& r, const std::string& matrix, const std::string& phase) {
  double best = std::nan("");
  for (const auto& c : r.cases) {
    if (c.matrix != matrix || c.status != "ok") continue;
    const PhaseSamples* p = find_phase(c, phase);
    if (!p) continue;
    double m = sample_stats(p->seconds).median;
    if (std::isnan(best) || m < best) best = m;
  }
  return best;
}

namespace {

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;  // right-aligned columns
};

std::string ratio_text(double median, double best) {
  if (std::isnan(best)) return "-";
  if (median == best) return "*";
  char b[32];
  std::snprintf(b, sizeof b, "x%.2f", best > 0 ? median / best : 0.0);
  return b;
}

std::string matrix_title(const BenchReport& r, const std::string& m) {
  index_t rows = 0, cols = 0, nnz = 0;
  bool synth = false;
  for (const auto& c : r.cases) {
    if (c.matrix != m) continue;
    rows = c.nrows;
    cols = c.n;
    nnz = c.nnz;
    synth = synth || c.values_synthesized;
  }
  return m + " (" + std::to_string(rows) + " x " + std::to_string(cols) + ", nnz " +
         with_commas(nnz) + (synth ? ", values synthesized" : "") + ")";
}

// Per matrix: the timings, one row per case and phase (median, mean +- sigma, min..max, ratio of
// the median to the fastest case's median, outliers), then the results, one row per case.
std::vector<Table> build_tables(const BenchReport& r) {
  std::vector<Table> tables;
  const auto phases = phases_present(r);
  bool iterative = false;  // an iterations column only when an iterative solver ran
  for (const auto& c : r.cases) iterative = iterative || c.iterations >= 0;
  // With one run per phase there is no spread to show: no mean, sigma or range columns.
  std::size_t most_runs = 0;
  for (const auto& c : r.cases)
    for (const auto& p : c.phases) most_runs = std::max(most_runs, p.seconds.size());
  const bool spread = most_runs > 1;
  for (const auto& m : matrices_in_order(r)) {
    Table t;
    t.title = matrix_title(r, m);
    t.header = {"solver", "ordering", "phase", spread ? "median" : "time", "vs fastest"};
    if (spread) t.header.insert(t.header.end(), {"mean +- sigma", "min .. max", "outliers"});
    t.numeric = {false, false, false, true, true, true, true, true};
    t.numeric.resize(t.header.size());
    Table res;
    res.header = {"solver", "ordering", "nnz(L+U)", "flops", "peak mem", "backward err"};
    if (iterative) res.header.push_back("iters");
    res.header.push_back("status");
    res.numeric.assign(res.header.size(), true);
    res.numeric[0] = res.numeric[1] = res.numeric.back() = false;
    for (const auto& c : r.cases) {
      if (c.matrix != m) continue;
      if (c.status != "ok") {
        std::vector<std::string> row(t.header.size(), "-");
        row[0] = solver_label(c);
        row[1] = c.ordering;
        t.rows.push_back(row);
      } else {
        bool first = true;
        for (const auto& ph : phases) {
          const PhaseSamples* p = find_phase(c, ph);
          if (!p) continue;
          const SampleStats s = sample_stats(p->seconds);
          std::vector<std::string> row = {first ? solver_label(c) : "", first ? c.ordering : "",
                                          ph};
          first = false;
          row.push_back(format_seconds(s.median));
          row.push_back(ratio_text(s.median, fastest_median(r, c.matrix, ph)));
          if (spread) {
            // One run has no spread: no "+- 0 s", no range.
            row.push_back(s.n > 1 ? format_seconds(s.mean) + " +- " + format_seconds(s.sigma)
                                  : format_seconds(s.mean));
            row.push_back(s.n > 1 ? format_seconds(s.min) + " .. " + format_seconds(s.max) : "-");
            row.push_back(s.outliers ? std::to_string(s.outliers) + " !" : "");
          }
          t.rows.push_back(row);
        }
      }
      index_t lu = (c.nnz_L >= 0 && c.nnz_U >= 0) ? c.nnz_L + c.nnz_U : c.nnz_L;
      std::vector<std::string> rr = {
          solver_label(c),
          c.ordering,
          fmt_count(lu),
          std::isnan(c.flops) ? "-" : format_count(c.flops),
          std::isnan(c.peak_memory_bytes) ? "-" : format_bytes(c.peak_memory_bytes),
          fmt_sci(c.backward_error)};
      if (iterative) rr.push_back(fmt_count(c.iterations));
      rr.push_back(c.status == "ok" ? "ok" : c.status + ": " + c.reason);
      res.rows.push_back(rr);
    }
    tables.push_back(t);
    tables.push_back(res);
  }
  return tables;
}

std::string legend(const BenchReport& r, bool markdown) {
  std::string star = markdown ? "\\*" : "*";
  std::ostringstream out;
  out << star
      << " fastest median of that phase; xN: median relative to the fastest (cases are ranked "
         "by median, which one slow run does not move). "
      << r.options.runs << (r.options.runs == 1 ? " run" : " runs") << " after " << r.options.warmup
      << " warm-up per phase.";
  std::size_t outliers = 0;
  for (const auto& c : r.cases)
    for (const auto& p : c.phases) outliers += sample_stats(p.seconds).outliers ? 1 : 0;
  if (outliers)
    out << " !: outliers, runs more than 10 robust sigmas (1.4826 MAD) from the median, which "
           "the mean and sigma include; rerun on a quieter machine or with more --runs.";
  out << "\n";
  return out.str();
}

// Per matrix with MPI cases: per process count, each phase's median time with its speedup over
// one process and the parallel efficiency (speedup / processes), and the processes' peak memory.
std::vector<Table> build_scaling_tables(const BenchReport& r) {
  std::vector<Table> tables;
  const auto phases = phases_present(r);
  for (const auto& m : matrices_in_order(r)) {
    Table t;
    t.title = m + ": across MPI processes (speedup over 1 process, parallel efficiency)";
    t.header = {"solver", "ordering", "processes"};
    for (const auto& ph : phases) t.header.push_back(ph + " (speedup, efficiency)");
    t.header.insert(t.header.end(),
                    {"predicted speedup", "peak mem/process (max)", "peak mem (all)", "status"});
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
        std::string cellv = format_seconds(sample_stats(p->seconds).median);
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
      if (std::isnan(c.predicted_speedup)) {
        row.push_back("-");
      } else {
        char b[32];
        std::snprintf(b, sizeof b, "x%.2f", c.predicted_speedup);
        row.push_back(b);
      }
      row.push_back(std::isnan(mx) ? "-" : format_bytes(mx));
      row.push_back(c.peak_memory_per_process.empty() ? "-" : format_bytes(sum));
      row.push_back(c.status == "ok" ? "ok" : c.status + ": " + c.reason);
      t.rows.push_back(row);
    }
    if (t.rows.empty()) continue;
    t.numeric.assign(t.header.size(), false);
    tables.push_back(t);
  }
  return tables;
}

}  // namespace

std::string bench_text_table(const BenchReport& r) {
  auto tables = build_tables(r);
  auto scaling = build_scaling_tables(r);
  tables.insert(tables.end(), scaling.begin(), scaling.end());
  std::ostringstream out;
  for (std::size_t k = 0; k < tables.size(); ++k) {
    const auto& t = tables[k];
    std::vector<std::size_t> w(t.header.size(), 0);
    for (std::size_t c = 0; c < t.header.size(); ++c) w[c] = t.header[c].size();
    for (const auto& row : t.rows)
      for (std::size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], row[c].size());
    if (k) out << '\n';
    if (!t.title.empty()) out << t.title << '\n';
    auto line = [&](const std::vector<std::string>& cells) {
      std::string l;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        const std::size_t pad = w[c] - cells[c].size();
        if (t.numeric[c]) l += std::string(pad, ' ');
        l += cells[c];
        if (c + 1 < cells.size()) l += std::string((t.numeric[c] ? 0 : pad) + 2, ' ');
      }
      while (!l.empty() && l.back() == ' ') l.pop_back();
      out << l << '\n';
    };
    line(t.header);
    for (const auto& row : t.rows) line(row);
  }
  out << '\n' << legend(r, false);
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
  auto tables = build_tables(r);
  auto scaling = build_scaling_tables(r);
  tables.insert(tables.end(), scaling.begin(), scaling.end());
  std::ostringstream out;
  for (const auto& t : tables) {
    if (!t.title.empty()) out << "### " << t.title << "\n\n";
    out << '|';
    for (const auto& h : t.header) out << ' ' << h << " |";
    out << "\n|";
    for (std::size_t c = 0; c < t.header.size(); ++c) out << (t.numeric[c] ? "--:|" : "---|");
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
  out << legend(r, true);
  return out.str();
}

}  // namespace spax
