// The flags that name backends and their options (--solver, --ordering, --solver-options and the
// iterative shorthands), shared by solve and bench, validated against the registry.
#include <algorithm>

#include "command.hpp"
#include "spax/config.hpp"
#include "spax/solve.hpp"

namespace spax::app {

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::vector<std::string> backend_names(BackendKind kind) {
  std::vector<std::string> out;
  for (const auto& b : registered_backends(false))
    if (b.kind == kind) out.push_back(b.name);
  return out;
}

std::string solver_flag_help() {
  return join_names(backend_names(BackendKind::direct)) +
         ", or auto (default: picks one and says why); iterative " +
         join_names(backend_names(BackendKind::iterative)) +
         ", optionally METHOD+PRECOND (cg+amg, gmres+ilut); plugins add more (spax solvers)";
}

std::string ordering_flag_help() {
  std::string s;
  for (const auto& b : registered_backends(false))
    if (!b.orderings.empty())
      s += (s.empty() ? "" : "; ") + b.name + ": " + join_names(b.orderings);
  return "the backend's column ordering (default: its own choice); " + s;
}

void add_iterative_flags(CLI::App& sub, BackendFlags& f, std::string& precond,
                         std::string& precond_options, int& max_iter, int& restart,
                         int& rebuild_iters) {
  std::vector<std::string> pre;
  for (const auto& p : registered_preconditioners(false)) pre.push_back(p.name);
  if (SPAX_HAS_HYPRE) pre.emplace_back("amg");
  f.precond = sub.add_option("--precond", precond,
                             "iterative: the preconditioner, " + join_names(pre) +
                                 " (default: amg for cg, ilut for bicgstab and gmres)");
  f.precond_options = sub.add_option(
      "--precond-options", precond_options,
      "iterative: the preconditioner's key=value,... (as --solver-options; spax solvers lists "
      "the keys)");
  f.max_iter = sub.add_option("--max-iter", max_iter,
                              "iterative: iterations at most; not converging exits 3 (default " +
                                  std::to_string(kDefaultMaxIterations) + ")")
                   ->check(positive(NumberKind::integer));
  f.restart =
      sub.add_option("--restart", restart,
                     "gmres: restart length (default " + std::to_string(kDefaultRestart) + ")")
          ->check(positive(NumberKind::integer));
  f.rebuild_iters = sub.add_option("--rebuild-iters", rebuild_iters,
                                   "iterative sequence: rebuild the kept preconditioner setup when "
                                   "a solve needs more iterations (default 0: twice the first "
                                   "count, plus 5)")
                        ->check(non_negative(NumberKind::integer));
}

std::map<std::string, std::string> bind_backend_flags(const std::string& solver,
                                                      const std::string& solver_options,
                                                      const BackendFlags& f) {
  std::map<std::string, std::string> opts = parse_option_list(solver_options);
  if (f.precond_options && f.precond_options->count() > 0)
    merge_options(opts, parse_option_list(f.precond_options->as<std::string>()));
  struct Given {
    const char* flag;
    const char* key;
    CLI::Option* option;
  };
  const Given shorthands[] = {{"--precond", "precond", f.precond},
                              {"--max-iter", "max_iter", f.max_iter},
                              {"--restart", "restart", f.restart},
                              {"--rebuild-iters", "rebuild_iters", f.rebuild_iters}};
  const std::string iterative = join_names(backend_names(BackendKind::iterative));
  auto given = [](CLI::Option* o) { return o && o->count() > 0; };
  if (solver == "auto") {
    for (const auto& g : shorthands)
      if (given(g.option))
        throw_usage(std::string(g.flag) + " applies to the iterative solvers (" + iterative +
                    "); --solver auto picks a direct one");
    if (given(f.precond_options))
      throw_usage("--precond-options applies to the iterative solvers (" + iterative +
                  "); --solver auto picks a direct one");
    return opts;
  }
  const BackendInfo& b = require_backend(solver);
  if (b.kind == BackendKind::direct) {
    for (const auto& g : shorthands)
      if (given(g.option))
        throw_usage(std::string(g.flag) + " does not apply to " + b.name +
                    ", a direct solver (it applies to " + iterative + ")");
    if (given(f.precond_options))
      throw_usage("--precond-options does not apply to " + b.name + ", a direct solver");
    return opts;
  }
  // An iterative backend: each shorthand given becomes its key, when the backend declares it.
  SolverOptions probe;
  probe.options = opts;
  if (given(f.precond)) probe.options["precond"] = f.precond->as<std::string>();
  const ResolvedSolver r = resolve_solver(solver, probe);
  for (const auto& g : shorthands) {
    if (!given(g.option)) continue;
    if (!r.options.count(g.key))
      throw_usage(std::string(g.flag) + " does not apply to " + r.name + " (its options: " + [&] {
        std::vector<std::string> k;
        for (const auto& [key, v] : r.options) k.push_back(key);
        return join_names(k);
      }() + ")");
    merge_options(opts, {{g.key, g.option->as<std::string>()}});
  }
  if (given(f.tol)) merge_options(opts, {{"tol", f.tol->as<std::string>()}});
  return opts;
}

}  // namespace spax::app
