// The registry and a solver session as JSON documents (spax/solve_report.hpp).
#include "spax/solve_report.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "spax/backend.hpp"
#include "spax/report/json_text.hpp"

namespace spax {
namespace {

using json = nlohmann::json;

json num(double v) {
  return std::isfinite(v) ? json(v) : json();
}

std::vector<std::string> capability_names(const BackendCapabilities& c) {
  std::vector<std::string> out;
  auto add = [&](bool on, const char* name) {
    if (on) out.emplace_back(name);
  };
  add(c.real, "real");
  add(c.complex, "complex");
  add(c.transpose, "transpose");
  add(c.keeps_pivots, "keeps-pivots");
  add(c.symbolic_cache, "symbolic-cache");
  add(c.numeric_cache, "numeric-cache");
  add(c.memory_cap, "memory-cap");
  add(c.spd_only, "spd-only");
  add(c.in_process_only, "in-process-only");
  add(c.multi_process, "multi-process");
  add(c.gpu, "gpu");
  add(c.needs_preconditioner, "preconditioned");
  return out;
}

json options_json(const std::vector<BackendOption>& options) {
  json a = json::array();
  for (const auto& o : options)
    a.push_back({{"key", o.key}, {"default", o.default_value}, {"help", o.help}});
  return a;
}

}  // namespace

std::string solvers_json(const std::string& only, int indent) {
  const auto backends = registered_backends();
  const auto preconditioners = registered_preconditioners();
  const auto missing = missing_backends();
  if (!only.empty()) require_backend(only);  // an unknown name is a usage error
  json j = {
      {"backends", json::array()}, {"preconditioners", json::array()}, {"plugins", json::array()}};
  const auto variants = registered_distributed_variants();
  for (const auto& b : backends) {
    if (!only.empty() && b.name != only) continue;
    const std::string why = b.unavailable_reason ? b.unavailable_reason() : std::string();
    // Under mpirun -np N: the preconditioners of the backend's variants across processes.
    json across = json::array();
    for (const auto& v : variants)
      if (v.backend == b.name)
        for (const auto& p : v.preconditioners) across.push_back(p);
    j["backends"].push_back({{"name", b.name},
                             {"kind", to_string(b.kind)},
                             {"summary", b.summary},
                             {"available", why.empty()},
                             {"unavailable_reason", why.empty() ? json() : json(why)},
                             {"provider", b.provider},
                             {"capabilities", capability_names(b.caps)},
                             {"orderings", b.orderings},
                             {"options", options_json(b.options)},
                             {"preconditioners", b.preconditioners},
                             {"multi_process_preconditioners", across}});
  }
  for (const auto& m : missing) {
    if (!only.empty() && m.name != only) continue;
    j["backends"].push_back({{"name", m.name},
                             {"kind", to_string(m.kind)},
                             {"summary", m.summary},
                             {"available", false},
                             {"unavailable_reason", m.reason},
                             {"provider", nullptr},
                             {"capabilities", json::array()},
                             {"orderings", json::array()},
                             {"options", json::array()},
                             {"preconditioners", json::array()},
                             {"multi_process_preconditioners", json::array()}});
  }
  for (const auto& p : preconditioners)
    j["preconditioners"].push_back({{"name", p.name},
                                    {"summary", p.summary},
                                    {"provider", p.provider},
                                    {"options", options_json(p.options)}});
  for (const auto& p : plugin_records())
    j["plugins"].push_back({{"path", p.path},
                            {"status", p.status},
                            {"message", p.message},
                            {"registered", p.registered}});
  return json_text(j, indent);
}

std::string session_json(const SolverSession& session, int indent) {
  const SessionStats& s = session.stats();
  const SolverStats& st = s.stats;
  json j = {
      {"solver", s.solver},
      {"ordering", s.ordering},
      {"n", s.n},
      {"nnz", s.nnz},
      {"matrices", s.matrices},
      {"solves", s.solves},
      {"nnz_L", st.nnz_L >= 0 ? json(st.nnz_L) : json()},
      {"nnz_U", st.nnz_U >= 0 ? json(st.nnz_U) : json()},
      {"flops", num(st.flops)},
      {"rcond", num(st.rcond)},
      {"pivot_growth", num(st.pivot_growth)},
      {"factor_bytes_estimate", num(st.factor_bytes_estimate)},
      {"backward_error", num(s.backward_error)},
      {"chosen_because", s.chosen_because.empty() ? json() : json(s.chosen_because)},
      {"timings",
       {{"analyze", s.analyze_seconds},
        {"factor", s.factor_seconds},
        {"refactor", s.refactor_seconds},
        {"solve", s.solve_seconds}}},
      {"refactor_fallbacks", s.refactor_fallbacks},
      {"reanalysed", s.reanalysed},
      {"safe", session.options().safe},
      {"refactor_backward_limit", session.options().refactor_backward_limit},
  };
  if (st.iterative) {
    j["iterative"] = {{"iterations", st.iterations},
                      {"relative_residual", num(st.relative_residual)},
                      {"rebuilt", st.rebuilt}};
    j["timings"]["setup"] = st.setup_seconds;
  }
  return json_text(j, indent);
}

}  // namespace spax
