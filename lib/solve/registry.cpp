// The solver registry: the built-in backends (one explicit list below), backends added by plugins
// and library users, name resolution ("gmres+ilut"), option validation against the declared keys,
// and `auto`.
#include <algorithm>
#include <filesystem>
#include <mutex>

#include "solve/backends.hpp"
#include "solve/iterative.hpp"
#include "solve/plugins.hpp"
#include "spax/backend.hpp"
#include "spax/config.hpp"

namespace spax {

const char* to_string(BackendKind kind) noexcept {
  return kind == BackendKind::direct ? "direct" : "iterative";
}

namespace {

struct Registry {
  std::recursive_mutex mutex;
  // Deques would do; vectors of unique_ptr keep the addresses find_backend hands out stable.
  std::vector<std::unique_ptr<BackendInfo>> backends;
  std::vector<std::unique_ptr<PreconditionerInfo>> preconditioners;
  std::vector<std::unique_ptr<DistributedVariant>> variants;
  bool builtins_done = false;
};

Registry& registry_storage() {
  static Registry r;
  return r;
}

// The one list of built-in backends and preconditioners, in the order spax lists them.
void register_builtins(Registry& r) {
  if (r.builtins_done) return;
  r.builtins_done = true;
  using namespace solve_detail;
  for (auto* make :
       {klu_backend, umfpack_backend, cholmod_backend, superlu_backend, eigen_lu_backend,
        dense_backend, cg_backend, bicgstab_backend, gmres_backend, amg_backend}) {
    BackendInfo info = make();
    info.provider = "built-in";
    r.backends.push_back(std::make_unique<BackendInfo>(std::move(info)));
  }
  for (auto& p : builtin_preconditioners()) {
    p.provider = "built-in";
    r.preconditioners.push_back(std::make_unique<PreconditionerInfo>(std::move(p)));
  }
}

Registry& registry() {
  Registry& r = registry_storage();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  register_builtins(r);
  return r;
}

template <class T>
T* find_in(std::vector<std::unique_ptr<T>>& list, const std::string& name) {
  for (auto& p : list)
    if (p->name == name) return p.get();
  return nullptr;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::pair<std::string, std::string> split_name(const std::string& name) {
  const auto plus = name.find('+');
  if (plus == std::string::npos) return {name, ""};
  return {name.substr(0, plus), name.substr(plus + 1)};
}

std::vector<std::string> keys_of(const std::vector<BackendOption>& options) {
  std::vector<std::string> k;
  for (const auto& o : options) k.push_back(o.key);
  return k;
}

}  // namespace

void register_backend(BackendInfo info) {
  Registry& r = registry();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  if (info.name.empty() || info.name.find_first_of("+,= ") != std::string::npos)
    throw_usage("backend name '" + info.name + "' is empty or holds one of '+', ',', '=', ' '");
  if (info.name == "auto" || find_in(r.backends, info.name))
    throw_usage("a backend named '" + info.name + "' is already registered");
  if (!info.factory) throw_usage("backend '" + info.name + "' has no factory");
  if (info.provider.empty()) info.provider = solve_detail::current_plugin_provider();
  r.backends.push_back(std::make_unique<BackendInfo>(std::move(info)));
}

void register_preconditioner(PreconditionerInfo info) {
  Registry& r = registry();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  if (info.name.empty() || find_in(r.preconditioners, info.name))
    throw_usage("a preconditioner named '" + info.name + "' is already registered");
  if (!info.factory) throw_usage("preconditioner '" + info.name + "' has no factory");
  if (info.provider.empty()) info.provider = solve_detail::current_plugin_provider();
  r.preconditioners.push_back(std::make_unique<PreconditionerInfo>(std::move(info)));
}

void register_distributed_variant(DistributedVariant v) {
  Registry& r = registry();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  if (!v.factory) throw_usage("the distributed variant of '" + v.backend + "' has no factory");
  for (const auto& o : r.variants)
    if (o->backend == v.backend)
      for (const auto& p : v.preconditioners)
        if (std::find(o->preconditioners.begin(), o->preconditioners.end(), p) !=
            o->preconditioners.end())
          throw_usage("a distributed variant of '" + v.backend + "+" + p +
                      "' is already registered");
  if (v.provider.empty()) v.provider = solve_detail::current_plugin_provider();
  r.variants.push_back(std::make_unique<DistributedVariant>(std::move(v)));
}

std::vector<DistributedVariant> registered_distributed_variants(bool load_plugins) {
  if (load_plugins) solve_detail::load_all_plugins();
  Registry& r = registry();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  std::vector<DistributedVariant> out;
  for (const auto& v : r.variants) out.push_back(*v);
  return out;
}

namespace {
// The variant of backend `b` for preconditioner `pre` ("" for none), or null.
const DistributedVariant* find_variant(const std::string& b, const std::string& pre) {
  solve_detail::load_all_plugins();
  Registry& r = registry();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  for (const auto& v : r.variants)
    if (v->backend == b && (v->preconditioners.empty()
                                ? pre.empty()
                                : std::find(v->preconditioners.begin(), v->preconditioners.end(),
                                            pre) != v->preconditioners.end()))
      return v.get();
  return nullptr;
}

// Every solver name that runs across processes: the multi_process backends and the variants.
std::vector<std::string> multi_process_names() {
  std::vector<std::string> out;
  for (const auto& b : registered_backends())
    if (b.caps.multi_process) out.push_back(b.name);
  for (const auto& v : registered_distributed_variants()) {
    if (v.preconditioners.empty()) out.push_back(v.backend);
    for (const auto& p : v.preconditioners) {
      const BackendInfo* b = find_backend(v.backend);
      // A backend with one preconditioner is named alone ("amg").
      out.push_back(b && b->preconditioners.size() == 1 ? v.backend : v.backend + "+" + p);
    }
  }
  return out;
}
}  // namespace

std::vector<BackendInfo> registered_backends(bool load_plugins) {
  if (load_plugins) solve_detail::load_all_plugins();
  Registry& r = registry();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  std::vector<BackendInfo> out;
  for (const auto& b : r.backends) out.push_back(*b);
  return out;
}

std::vector<PreconditionerInfo> registered_preconditioners(bool load_plugins) {
  if (load_plugins) solve_detail::load_all_plugins();
  Registry& r = registry();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  std::vector<PreconditionerInfo> out;
  for (const auto& p : r.preconditioners) out.push_back(*p);
  return out;
}

const BackendInfo* find_backend(const std::string& full) {
  const std::string name = split_name(full).first;
  Registry& r = registry();
  {
    std::lock_guard<std::recursive_mutex> lock(r.mutex);
    if (auto* b = find_in(r.backends, name)) return b;
  }
  solve_detail::load_all_plugins();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  return find_in(r.backends, name);
}

const PreconditionerInfo* find_preconditioner(const std::string& name) {
  Registry& r = registry();
  {
    std::lock_guard<std::recursive_mutex> lock(r.mutex);
    if (auto* p = find_in(r.preconditioners, name)) return p;
  }
  solve_detail::load_all_plugins();
  std::lock_guard<std::recursive_mutex> lock(r.mutex);
  return find_in(r.preconditioners, name);
}

namespace {
std::string missing_reason(const std::string& name) {
  for (const auto& m : missing_backends())
    if (m.name == name) return m.reason;
  return "";
}
}  // namespace

const BackendInfo& require_backend(const std::string& full) {
  const std::string name = split_name(full).first;
  if (const BackendInfo* b = find_backend(name)) return *b;
  if (std::string why = missing_reason(name); !why.empty())
    throw_usage("solver '" + name + "' is not available: " + why);
  std::vector<std::string> names;
  for (const auto& b : registered_backends()) names.push_back(b.name);
  names.emplace_back("auto");
  throw_usage("unknown solver '" + full + "' (known: " + join(names) +
              "; iterative ones take a preconditioner as METHOD+PRECOND, e.g. gmres+ilut)");
}

ResolvedSolver resolve_solver(const std::string& full, const SolverOptions& o) {
  ResolvedSolver r;
  const auto [base, variant] = split_name(full);
  const BackendInfo& b = require_backend(base);
  r.backend = &b;
  if (b.unavailable_reason)
    if (std::string why = b.unavailable_reason(); !why.empty())
      throw_usage("solver '" + b.name + "' is not available: " + why);
  std::vector<std::string> keys = keys_of(b.options);
  r.name = b.name;
  if (b.caps.needs_preconditioner) {
    // The preconditioner: from the name, or the precond option, or the backend's default.
    std::string pre = variant;
    auto it = o.options.find("precond");
    if (it != o.options.end() && it->second != "default") {
      if (!pre.empty() && pre != it->second)
        throw_usage("solver '" + full + "' and precond=" + it->second + " disagree");
      pre = it->second;
    }
    const auto dflt = std::find_if(b.options.begin(), b.options.end(),
                                   [](const auto& x) { return x.key == "precond"; });
    if ((pre.empty() || pre == "default") && dflt != b.options.end()) pre = dflt->default_value;
    if (!b.preconditioners.empty() && std::find(b.preconditioners.begin(), b.preconditioners.end(),
                                                pre) == b.preconditioners.end())
      throw_usage(b.name + " takes the preconditioner" +
                  (b.preconditioners.size() > 1 ? "s " : " ") + join(b.preconditioners) +
                  " only, not " + pre +
                  (b.name == "amg"
                       ? " (amg is a solver on its own: use cg+" + pre + " or gmres+" + pre + ")"
                       : std::string()));
    const PreconditionerInfo* p = find_preconditioner(pre);
    if (!p) {
      std::vector<std::string> names;
      for (const auto& q : registered_preconditioners()) names.push_back(q.name);
      std::string why = solve_detail::preconditioner_missing_reason(pre);
      throw_usage(why.empty() ? "unknown preconditioner '" + pre + "' (known: " + join(names) + ")"
                              : "preconditioner '" + pre + "' is not available: " + why);
    }
    r.preconditioner = p;
    for (const auto& k : keys_of(p->options)) keys.push_back(k);
    if (b.preconditioners.size() != 1) r.name = b.name + "+" + p->name;
  } else if (!variant.empty()) {
    throw_usage("solver '" + b.name + "' takes no preconditioner ('" + full + "')");
  }
  for (const auto& [key, value] : o.options) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw_usage("option '" + key + "' does not apply to " + r.name +
                  " (its options: " + (keys.empty() ? std::string("none") : join(keys)) + ")");
    r.options[key] = value;
  }
  auto fill = [&](const std::vector<BackendOption>& decl) {
    for (const auto& d : decl) r.options.emplace(d.key, d.default_value);
  };
  fill(b.options);
  if (r.preconditioner) {
    fill(r.preconditioner->options);
    r.options["precond"] = r.preconditioner->name;
  }
  if (o.ordering != "default" &&
      std::find(b.orderings.begin(), b.orderings.end(), o.ordering) == b.orderings.end())
    throw_usage(
        b.name + " does not take the ordering '" + o.ordering + "' (it takes: " +
        (b.orderings.empty() ? std::string("none, it orders by itself") : join(b.orderings)) + ")");
  if (in_multi_process_job() && !b.caps.multi_process) {
    // Under mpirun -np N only what runs across the processes makes sense.
    r.distributed = find_variant(b.name, r.preconditioner ? r.preconditioner->name : "");
    if (!r.distributed) {
      const auto multi = multi_process_names();
      throw_usage("solver '" + r.name + "' runs in one process, and this job has " +
                  std::to_string(process_count()) + " processes: " +
                  (multi.empty() ? std::string("no solver of this build runs across processes")
                                 : "use " + join(multi, ", ")));
    }
  }
  return r;
}

bool runs_across_processes(const std::string& name, const SolverOptions& options) {
  const BackendInfo* b = find_backend(name);
  if (!b) return false;
  if (b->caps.multi_process) return true;
  // The preconditioner as resolve_solver would pick it, without the multi-process check.
  std::string pre;
  if (b->caps.needs_preconditioner) {
    const auto plus = name.find('+');
    pre = plus == std::string::npos ? std::string() : name.substr(plus + 1);
    auto it = options.options.find("precond");
    if (pre.empty() && it != options.options.end() && it->second != "default") pre = it->second;
    if (pre.empty())
      for (const auto& d : b->options)
        if (d.key == "precond") pre = d.default_value;
  }
  return find_variant(b->name, pre) != nullptr;
}

std::unique_ptr<Solver> create_solver(const std::string& name, const SolverOptions& options) {
  if (name == "auto") throw_usage("'auto' is resolved by choose_solver, not create_solver");
  ResolvedSolver r = resolve_solver(name, options);
  SolverOptions o = options;
  o.options = std::move(r.options);
  return r.distributed ? r.distributed->factory(o) : r.backend->factory(o);
}

std::vector<std::string> solver_names() {
  std::vector<std::string> names;
  for (const auto& b : registered_backends()) names.push_back(b.name);
  return names;
}

std::vector<std::string> direct_solver_names() {
  std::vector<std::string> names;
  for (const auto& b : registered_backends())
    if (b.kind == BackendKind::direct) names.push_back(b.name);
  return names;
}

bool is_iterative_solver(const std::string& name) {
  const BackendInfo* b = find_backend(name);
  return b && b->kind == BackendKind::iterative;
}

SolverChoice choose_solver(const SparseMatrix& a, const SolverOptions& options) {
  // Plugins are loaded for `auto` only when this build has one that may offer a candidate (a GPU
  // backend): every other run of auto maps none.
  std::vector<BackendInfo> candidates;
  for (auto& b : registered_backends(SPAX_HAS_CUDA != 0))
    if (b.auto_priority > 0 && b.auto_fit &&
        !(b.unavailable_reason && !b.unavailable_reason().empty()) &&
        (b.caps.multi_process || !in_multi_process_job()))
      candidates.push_back(std::move(b));
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& x, const auto& y) { return x.auto_priority < y.auto_priority; });
  for (const auto& b : candidates)
    if (std::string why = b.auto_fit(a, options); !why.empty()) return {b.name, why};
  if (in_multi_process_job())
    throw_usage("'auto' found no backend that runs across the " + std::to_string(process_count()) +
                " processes of this job for this matrix");
  throw_internal("no backend fits this matrix for 'auto'");
}

std::string plugin_missing_reason(const std::string& plugin, bool built,
                                  const std::string& how_to_build) {
  if (!built) return "not built: " + how_to_build;
  for (const auto& p : plugin_records())
    if (std::filesystem::path(p.path).filename() == plugin)
      return "built, but its plugin " + p.path + " was " + p.status + ": " + p.message;
  return "built, but its plugin " + plugin + " is not in " + join(plugin_directories(), ":") +
         " (SPAX_PLUGIN_PATH adds directories)";
}

std::vector<MissingBackend> missing_backends() {
  struct Known {
    const char* name;
    BackendKind kind;
    const char* summary;
    const char* plugin;
    bool built;
    const char* how;
  };
  const Known known[] = {
      {"mumps", BackendKind::direct, "MUMPS: distributed multifrontal LU/LDL^T under MPI",
       "libspax-mumps.so", SPAX_HAS_MUMPS != 0,
       "configure with -DSPAX_WITH_MUMPS=ON (Debian package libmumps-dev)"},
      {"cuda-rf", BackendKind::direct, "cusolverRf refactorization on an NVIDIA GPU",
       "libspax-cuda.so", SPAX_HAS_CUDA != 0,
       "configure with -DSPAX_WITH_CUDA=ON where the CUDA toolkit is installed"},
      {"cuda-dense", BackendKind::direct, "cuSOLVER dense LU/Cholesky on an NVIDIA GPU",
       "libspax-cuda.so", SPAX_HAS_CUDA != 0,
       "configure with -DSPAX_WITH_CUDA=ON where the CUDA toolkit is installed"},
  };
  std::vector<MissingBackend> out;
  for (const auto& k : known)
    if (!find_backend(k.name))
      out.push_back({k.name, k.kind, k.summary, plugin_missing_reason(k.plugin, k.built, k.how)});
  return out;
}

}  // namespace spax
