// spax solvers: every backend this build knows, usable or not, with its capabilities, orderings
// and options; for one that cannot run here, why.
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "report/json_text.hpp"
#include "spax/backend.hpp"

namespace spax::app {
namespace {

struct SolversOptions {
  bool json = false;
  std::string name;
};

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

nlohmann::json options_json(const std::vector<BackendOption>& options) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& o : options)
    a.push_back({{"key", o.key}, {"default", o.default_value}, {"help", o.help}});
  return a;
}

void run_solvers(const SolversOptions& o) {
  const auto backends = registered_backends();
  const auto preconditioners = registered_preconditioners();
  const auto missing = missing_backends();
  if (!o.name.empty()) require_backend(o.name);  // an unknown name is a usage error
  nlohmann::json j = {{"backends", nlohmann::json::array()},
                      {"preconditioners", nlohmann::json::array()},
                      {"plugins", nlohmann::json::array()}};
  const auto variants = registered_distributed_variants();
  for (const auto& b : backends) {
    if (!o.name.empty() && b.name != o.name) continue;
    const std::string why = b.unavailable_reason ? b.unavailable_reason() : std::string();
    // Under mpirun -np N: the backend itself, or its distributed variants' preconditioners.
    nlohmann::json across = nlohmann::json::array();
    for (const auto& v : variants)
      if (v.backend == b.name)
        for (const auto& p : v.preconditioners) across.push_back(p);
    j["backends"].push_back(
        {{"name", b.name},
         {"kind", to_string(b.kind)},
         {"summary", b.summary},
         {"available", why.empty()},
         {"unavailable_reason", why.empty() ? nlohmann::json() : nlohmann::json(why)},
         {"provider", b.provider},
         {"capabilities", capability_names(b.caps)},
         {"orderings", b.orderings},
         {"options", options_json(b.options)},
         {"preconditioners", b.preconditioners},
         {"multi_process_preconditioners", across}});
  }
  for (const auto& m : missing) {
    if (!o.name.empty() && m.name != o.name) continue;
    j["backends"].push_back({{"name", m.name},
                             {"kind", to_string(m.kind)},
                             {"summary", m.summary},
                             {"available", false},
                             {"unavailable_reason", m.reason},
                             {"provider", nullptr},
                             {"capabilities", nlohmann::json::array()},
                             {"orderings", nlohmann::json::array()},
                             {"options", nlohmann::json::array()},
                             {"preconditioners", nlohmann::json::array()}});
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
  if (o.json) {
    std::cout << json_text(j, 2) << '\n';
    return;
  }
  for (const auto& b : j["backends"]) {
    std::cout << b["name"].get<std::string>() << "  (" << b["kind"].get<std::string>() << ", "
              << (b["available"].get<bool>()
                      ? "available, " + b["provider"].get<std::string>()
                      : "not available: " + b["unavailable_reason"].get<std::string>())
              << ")\n  " << b["summary"].get<std::string>() << "\n";
    if (!b["capabilities"].empty())
      std::cout << "  can:        " << join_names(b["capabilities"].get<std::vector<std::string>>())
                << "\n";
    if (!b["orderings"].empty())
      std::cout << "  orderings:  default, "
                << join_names(b["orderings"].get<std::vector<std::string>>()) << "\n";
    if (!b["preconditioners"].empty())
      std::cout << "  precond:    "
                << join_names(b["preconditioners"].get<std::vector<std::string>>()) << " only\n";
    if (b.contains("multi_process_preconditioners") && !b["multi_process_preconditioners"].empty())
      std::cout << "  processes:  across MPI processes with "
                << join_names(b["multi_process_preconditioners"].get<std::vector<std::string>>())
                << " (hypre's own solvers), on one process with every preconditioner\n";
    for (const auto& opt : b["options"])
      std::cout << "  option      " << opt["key"].get<std::string>() << "="
                << opt["default"].get<std::string>() << "  " << opt["help"].get<std::string>()
                << "\n";
  }
  if (o.name.empty()) {
    std::cout << "\npreconditioners of the iterative solvers (METHOD+PRECOND):\n";
    for (const auto& p : j["preconditioners"]) {
      std::cout << p["name"].get<std::string>() << "  (" << p["provider"].get<std::string>()
                << ")\n  " << p["summary"].get<std::string>() << "\n";
      for (const auto& opt : p["options"])
        std::cout << "  option      " << opt["key"].get<std::string>() << "="
                  << opt["default"].get<std::string>() << "  " << opt["help"].get<std::string>()
                  << "\n";
    }
  }
}

const Registration reg("solvers", [](CLI::App& app) {
  auto o = std::make_shared<SolversOptions>();
  auto* sub = app.add_subcommand(
      "solvers",
      "List every solver backend this build knows, usable here or not: kind, capabilities,\n"
      "orderings and options (the keys of --solver-options, with their defaults), and for one\n"
      "that cannot run here, why (not built: the CMake option and package; built but its plugin\n"
      "or device is missing). Also the preconditioners of the iterative solvers and the plugins\n"
      "found.");
  sub->add_option("name", o->name, "Only this backend");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->callback([o] { run_solvers(*o); });
});

}  // namespace
}  // namespace spax::app
