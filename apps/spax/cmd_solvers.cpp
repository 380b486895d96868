// spax solvers: every backend this build knows, usable or not, with its capabilities, orderings
// and options; for one that cannot run here, why.
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "spax/solve_report.hpp"

namespace spax::app {
namespace {

struct SolversOptions {
  bool json = false;
  std::string name;
};

void run_solvers(const SolversOptions& o) {
  const std::string text = solvers_json(o.name, 2);
  if (o.json) {
    std::cout << text << '\n';
    return;
  }
  const nlohmann::json j = nlohmann::json::parse(text);
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
