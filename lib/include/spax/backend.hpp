// The solver registry: one description per backend (name, kind, capabilities, orderings, option
// keys with defaults and help, factory). Everything that lists, validates or documents backends
// reads it: --solver and --ordering validation, --solver-options keys, help texts, `spax solvers`,
// `bench --solvers all`, `auto`'s candidates, the memory cap, and the tests, which run every
// generic test over every registered backend that claims the capability.
//
// The built-in backends are registered by one explicit list (lib/solve/registry.cpp); a plugin (a
// MODULE library exporting spax_plugin_init, see spax/plugin.hpp) or a library user adds more with
// register_backend(). Plugins are loaded on the first lookup that needs them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "spax/common.hpp"
#include "spax/solve.hpp"

namespace spax {

enum class BackendKind { direct, iterative };
SPAX_API const char* to_string(BackendKind kind) noexcept;

// What a backend can do; generic tests and callers read these instead of lists of names.
struct SPAX_API BackendCapabilities {
  bool real = true;
  bool complex = false;
  bool transpose = false;             // solve with A^T (A^H for complex)
  bool keeps_pivots = false;          // refactor reuses the last factorization's pivot order
  bool symbolic_cache = false;        // export_symbolic / import_symbolic
  bool numeric_cache = false;         // export_numeric / import_numeric
  bool memory_cap = false;            // --max-memory can hold its factorization
  bool spd_only = false;              // symmetric (Hermitian) positive definite matrices only
  bool in_process_only = false;       // must not run in a forked child, nor fork (MPI, GPU state)
  bool multi_process = false;         // runs across the ranks of an MPI job (mpirun -np N)
  bool gpu = false;                   // computes on a GPU
  bool needs_preconditioner = false;  // iterative: takes a preconditioner ("METHOD+PRECOND")
};

// One key of --solver-options (key=value): its default ("" = none) and one line of help.
struct SPAX_API BackendOption {
  std::string key;
  std::string default_value;
  std::string help;
};

struct SolverOptions;
using SolverFactory = std::function<std::unique_ptr<Solver>(const SolverOptions&)>;

struct SPAX_API BackendInfo {
  std::string name;
  BackendKind kind = BackendKind::direct;
  std::string summary;  // one line: what it is
  BackendCapabilities caps;
  // The --ordering values it accepts besides "default" (amd, colamd, metis, natural, given, ...).
  std::vector<std::string> orderings;
  std::vector<BackendOption> options;
  // Backends that take a preconditioner (caps.needs_preconditioner): the ones they accept
  // (empty: every registered one); the default is the declared option "precond".
  std::vector<std::string> preconditioners;
  SolverFactory factory;
  // `auto`: candidates are tried by ascending priority (0: never chosen); `auto_fit` returns why
  // the backend suits the matrix, or "" when it does not.
  int auto_priority = 0;
  std::function<std::string(const SparseMatrix&, const SolverOptions&)> auto_fit;
  // Why the backend cannot run on this machine now ("" = it can), asked at run time (a plugin
  // whose device is absent, say).
  std::function<std::string()> unavailable_reason;
  // Filled by the registry: "built-in", or the plugin file that registered it.
  std::string provider;
};

// A preconditioner of the iterative backends (none, jacobi, block-jacobi, ilut; amg from the
// hypre plugin): its option keys and how to make it.
class Preconditioner;
struct SPAX_API PreconditionerInfo {
  std::string name;
  std::string summary;
  std::vector<BackendOption> options;
  std::function<std::unique_ptr<Preconditioner>(const std::map<std::string, std::string>&)> factory;
  std::string provider;
};

// Adds a backend; a name already registered is a usage error. Thread-safe.
SPAX_API void register_backend(BackendInfo info);
SPAX_API void register_preconditioner(PreconditionerInfo info);

// Every registered backend in registration order (built-ins first). `load_plugins` loads every
// plugin first, so that their backends are listed too.
SPAX_API std::vector<BackendInfo> registered_backends(bool load_plugins = true);
SPAX_API std::vector<PreconditionerInfo> registered_preconditioners(bool load_plugins = true);
// The backend of a solver name ("gmres+ilut" is gmres), loading plugins when it is not built in;
// nullptr when no backend has that name.
SPAX_API const BackendInfo* find_backend(const std::string& name);
SPAX_API const PreconditionerInfo* find_preconditioner(const std::string& name);
// The same, or a usage error naming the registered backends (and, for a known backend that is not
// available, why).
SPAX_API const BackendInfo& require_backend(const std::string& name);

// A solver name resolved: the backend, its preconditioner (iterative backends that take one), and
// every option with its default filled in, validated against the declared keys. Unknown keys,
// orderings the backend does not accept and options that do not apply are usage errors.
struct SPAX_API ResolvedSolver {
  const BackendInfo* backend = nullptr;
  const PreconditionerInfo* preconditioner = nullptr;  // null for direct backends
  std::string name;                                    // canonical: "klu", "gmres+ilut"
  std::map<std::string, std::string> options;  // every declared key of backend + preconditioner
};
SPAX_API ResolvedSolver resolve_solver(const std::string& name, const SolverOptions& options);

// Why an optional piece provided by `plugin` (a file name such as libspax-hypre.so) is absent:
// "not built: ..." naming the CMake option and the package, or "built, but ..." naming what the
// plugin loader found. `built` is the build's SPAX_HAS_* macro.
SPAX_API std::string plugin_missing_reason(const std::string& plugin, bool built,
                                           const std::string& how_to_build);

// Backends that exist in some build but are not registered here, and why (`spax solvers`).
struct SPAX_API MissingBackend {
  std::string name;
  BackendKind kind = BackendKind::direct;
  std::string summary;
  std::string reason;  // "not built: ..." or "built, but ..."
};
SPAX_API std::vector<MissingBackend> missing_backends();

// The plugins found (path, status: loaded, refused or failed, with the reason; and what each
// registered). Loads them when they were not yet.
struct SPAX_API PluginRecord {
  std::string path;
  std::string status;  // loaded, refused, failed
  std::string message;
  std::vector<std::string> registered;
};
SPAX_API std::vector<PluginRecord> plugin_records();
// The directories searched for plugins: SPAX_PLUGIN_PATH (colon-separated), then the directory
// holding libspax itself.
SPAX_API std::vector<std::string> plugin_directories();

}  // namespace spax
