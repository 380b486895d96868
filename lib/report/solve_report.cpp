#include "spax/solve_report.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "spax/io.hpp"
#include "spax/report/json_text.hpp"
#include "spax/report/text_format.hpp"

namespace spax {
namespace {

using json = nlohmann::json;

json num(double v) {
  return std::isfinite(v) ? json(v) : json();
}

json count(index_t v) {
  return v >= 0 ? json(v) : json();
}

// The worst of a per-solve figure (NaN counts as the worst).
template <class F>
double worst(const SequenceResult& r, F&& field) {
  double w = 0.0;
  for (const auto& s : r.solves)
    if (!(field(s) <= w)) w = field(s);
  return w;
}

json error_json(const SolveVerdict& v) {
  return {{"category", to_string(v.kind)}, {"message", v.message}, {"exit_code", v.exit_code}};
}

}  // namespace

SolveVerdict solve_verdict(const Error& e) {
  return {exit_code_for(e.kind()), e.kind(), e.what()};
}

SolveVerdict solve_verdict(const SequenceResult& r, const SequenceOptions& o,
                           const SolveReportContext& c) {
  if (r.failure) return {exit_code_for(r.failure->kind), r.failure->kind, r.failure->message};
  if (r.pattern_mismatch >= 0) {
    const auto name = [&](index_t i) {
      return static_cast<std::size_t>(i) < c.files.size() ? c.files[static_cast<std::size_t>(i)]
                                                          : "matrix " + std::to_string(i + 1);
    };
    return {1, ErrorKind::input,
            "pattern mismatch: " + name(r.pattern_mismatch) + " differs from " +
                name(r.pattern_mismatch - 1) + " (strict pattern)"};
  }
  (void)o;
  std::ostringstream msg;
  if (r.stats.iterative) {
    // The iterative backends stop with an error below tolerance; this guards the report.
    const double w = worst(r, [](const SolveRecord& s) { return s.relative_residual; });
    if (w > c.tolerance) {
      msg << "relative residual " << format_double(w) << " is above the tolerance "
          << format_double(c.tolerance);
      return {3, ErrorKind::numerical, msg.str()};
    }
  } else {
    const double w = worst(r, [](const SolveRecord& s) { return s.backward_error; });
    if (w > c.tolerance) {
      msg << "backward error " << format_double(w) << " is above the tolerance "
          << format_double(c.tolerance);
      return {3, ErrorKind::numerical, msg.str()};
    }
  }
  return {};
}

std::string solve_report_json(const SequenceResult& r, const SequenceOptions& o,
                              const SolveReportContext& c, const SolveVerdict& v) {
  json be = json::array(), fe = json::array(), steps = json::array(), solve_t = json::array(),
       bound = json::array();
  json iters = json::array(), relres = json::array(), setup_t = json::array(),
       rebuilt = json::array();
  for (const auto& s : r.solves) {
    be.push_back(num(s.backward_error));
    if (!std::isnan(s.forward_error)) fe.push_back(num(s.forward_error));
    steps.push_back(s.refinement_steps);
    solve_t.push_back(s.seconds);
    bound.push_back(num(s.error_bound));
    iters.push_back(s.iterations);
    relres.push_back(num(s.relative_residual));
    setup_t.push_back(s.setup_seconds);
    rebuilt.push_back(s.rebuilt);
  }
  const auto& st = r.stats;
  json patterns = json::array();
  for (const auto& p : r.patterns)
    patterns.push_back({{"matrices", {p.first_matrix, p.last_matrix}},
                        {"n", p.n},
                        {"nnz", p.nnz},
                        {"nnz_L", count(p.nnz_L)},
                        {"nnz_U", count(p.nnz_U)},
                        {"flops", num(p.flops)},
                        {"ordering", p.ordering}});
  json j = {
      {"solver", r.solver},
      {"ordering", r.ordering},
      {"n", r.n},
      {"nnz", r.nnz},
      {"matrices", c.files.empty() ? r.solves.size() : c.files.size()},
      {"nnz_L", count(st.nnz_L)},
      {"nnz_U", count(st.nnz_U)},
      {"flops", num(st.flops)},
      {"rcond", num(st.rcond)},
      {"pivot_growth", num(st.pivot_growth)},
      {"factor_bytes_estimate", num(st.factor_bytes_estimate)},
      {"transpose", o.transpose},
      {"values_synthesized", c.values_synthesized},
      {"backward_error", be},
      {"forward_error", fe},
      {"forward_error_bound", bound},
      {"refinement_steps", steps},
      {"chosen_because", r.chosen_because.empty() ? json() : json(r.chosen_because)},
      {"options", r.options},
      {"timings",
       {{"read", c.read_seconds},
        {"analyze", r.analyze_seconds},
        {"factor", r.factor_seconds},
        {"refactor", r.refactor_seconds},
        {"solve", solve_t}}},
      {"cache", {{"symbolic", r.cache_symbolic}, {"numeric", r.cache_numeric}}},
      {"refactor_fallbacks", r.refactor_fallbacks},
      {"reanalysed", r.reanalysed},
      {"patterns", patterns},
      {"warnings", r.warnings},
  };
  if (st.iterative) {
    // precond_options: the preconditioner's keys as resolved (defaults filled in).
    std::string pre;
    for (const auto& [k, val] : r.options)
      if (k != "precond" && k != "tol" && k != "max_iter" && k != "rebuild_iters" && k != "restart")
        pre += (pre.empty() ? "" : ",") + k + "=" + val;
    const auto opt = [&](const char* k) {
      auto it = r.options.find(k);
      if (it == r.options.end()) return json();
      const double v = std::stod(it->second);
      return v == std::floor(v) && std::fabs(v) < 9e15 ? json(static_cast<long long>(v)) : json(v);
    };
    j["iterative"] = {{"precond_options", pre},      {"tol", opt("tol")},
                      {"max_iter", opt("max_iter")}, {"iterations", iters},
                      {"relative_residual", relres}, {"rebuilt", rebuilt}};
    j["timings"]["setup"] = setup_t;
  }
  // Multi-process backends (mumps, hypre under mpirun): the processes, each one's memory for the
  // factorization, and the backend's own figures.
  j["processes"] = st.processes;
  j["memory_per_process"] = st.memory_per_process;  // empty: the backend gives none
  if (!st.details.empty()) j["backend"] = st.details;
  if (!r.device.empty()) {
    const auto& d = r.device_timings;
    j["device"] = {{"name", r.device},
                   {"upload_seconds", d.upload_seconds},
                   {"compute_seconds", d.compute_seconds},
                   {"download_seconds", d.download_seconds},
                   {"host_seconds", d.host_seconds}};
  }
  if (v.exit_code != 0) j["error"] = error_json(v);
  return json_text(j, 2);
}

std::string solve_error_json(const SolveVerdict& v) {
  return json_text(json{{"error", error_json(v)}}, 2);
}

std::string solve_report_text(const SequenceResult& r, const SequenceOptions& o,
                              const SolveReportContext& c) {
  const auto& st = r.stats;
  // Numbers for people: 4 significant digits, times with a unit, counts with k/M/G; one value per
  // matrix, comma-separated (JSON keeps every digit).
  auto num_text = [](double v) { return std::isfinite(v) ? format_number(v) : std::string("n/a"); };
  auto count_text = [](double v) { return v >= 0 ? format_count(v) : std::string("n/a"); };
  auto per_solve = [&](auto&& field, auto&& fmt) {
    std::string s;
    for (const auto& rec : r.solves) s += (s.empty() ? "" : ", ") + fmt(field(rec));
    return s;
  };
  auto seconds_list = [](const std::vector<double>& v) {
    std::string s;
    for (double x : v) s += (s.empty() ? "" : ", ") + format_seconds(x);
    return s;
  };
  std::ostringstream out;
  out << "solver          " << r.solver << "\n";
  if (!r.chosen_because.empty()) out << "chosen because  " << r.chosen_because << "\n";
  out << "ordering        " << r.ordering << "\n";
  if (r.patterns.size() > 1) {
    for (const auto& p : r.patterns)
      out << "pattern         matrices " << p.first_matrix + 1 << ".." << p.last_matrix + 1
          << ": n, nnz " << p.n << ", " << p.nnz << "; nnz(L), nnz(U) "
          << count_text(static_cast<double>(p.nnz_L)) << ", "
          << count_text(static_cast<double>(p.nnz_U)) << "\n";
  } else {
    out << "n, nnz          " << r.n << ", " << r.nnz << "\n"
        << "nnz(L), nnz(U)  " << count_text(static_cast<double>(st.nnz_L)) << ", "
        << count_text(static_cast<double>(st.nnz_U)) << "\n";
  }
  out << "flops           " << (std::isfinite(st.flops) ? format_count(st.flops) : "n/a") << "\n"
      << "rcond estimate  " << num_text(st.rcond) << "\n"
      << "pivot growth    " << num_text(st.pivot_growth) << "\n"
      << "backward error  "
      << per_solve([](const SolveRecord& s) { return s.backward_error; }, num_text) << "\n";
  std::string fe;
  for (const auto& s : r.solves)
    if (!std::isnan(s.forward_error)) fe += (fe.empty() ? "" : ", ") + num_text(s.forward_error);
  if (!fe.empty()) out << "forward error   " << fe << "\n";
  if (o.refine > 0)
    out << "refinement      "
        << per_solve([](const SolveRecord& s) { return s.refinement_steps; },
                     [](int k) { return std::to_string(k); })
        << "\n";
  out << "time read       " << format_seconds(c.read_seconds) << "\n"
      << "time analyze    " << format_seconds(r.analyze_seconds) << "\n"
      << "time factor     " << format_seconds(r.factor_seconds) << "\n";
  if (!r.refactor_seconds.empty())
    out << "time refactor   " << seconds_list(r.refactor_seconds) << "\n";
  if (st.iterative)
    out << "iterations      "
        << per_solve([](const SolveRecord& s) { return s.iterations; },
                     [](index_t k) { return std::to_string(k); })
        << "\n"
        << "rel. residual   "
        << per_solve([](const SolveRecord& s) { return s.relative_residual; }, num_text) << "\n"
        << "setup rebuilt   "
        << per_solve([](const SolveRecord& s) { return s.rebuilt; },
                     [](bool b) { return std::string(b ? "yes" : "no"); })
        << "\n"
        << "time setup      "
        << per_solve([](const SolveRecord& s) { return s.setup_seconds; }, format_seconds) << "\n";
  if (st.processes > 1) out << "processes       " << st.processes << "\n";
  if (!st.memory_per_process.empty()) {
    std::string m;
    for (double b : st.memory_per_process) m += (m.empty() ? "" : ", ") + format_bytes(b);
    out << "memory/process  " << m << "\n";
  }
  if (!r.device.empty()) {
    const auto& d = r.device_timings;
    out << "device          " << r.device << ": upload " << format_seconds(d.upload_seconds)
        << ", compute " << format_seconds(d.compute_seconds) << ", download "
        << format_seconds(d.download_seconds) << ", host " << format_seconds(d.host_seconds)
        << "\n";
  }
  out << "time solve      "
      << per_solve([](const SolveRecord& s) { return s.seconds; }, format_seconds) << "\n"
      << "cache           symbolic " << r.cache_symbolic << ", numeric " << r.cache_numeric << "\n";
  if (!r.refactor_fallbacks.empty()) {
    std::string m;
    for (index_t k : r.refactor_fallbacks) m += (m.empty() ? "" : ", ") + std::to_string(k + 1);
    out << "refactored afresh at matrices " << m << "\n";
  }
  return out.str();
}

}  // namespace spax
