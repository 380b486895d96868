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

// A multi-process implementation of a registered backend for some of its preconditioners, used in
// its place when the job has several processes (the hypre plugin's ParCSR PCG, GMRES, BiCGSTAB
// and BoomerAMG for cg, gmres, bicgstab and amg with the amg preconditioner). On one process the
// backend's own factory runs, as always.
struct DistributedVariant {
  std::string backend;                       // the backend it stands in for
  std::vector<std::string> preconditioners;  // those it covers (empty: the backend takes none)
  std::string summary;
  SolverFactory factory;  // receives the resolved options, as the backend's would
  std::string provider;   // filled by the registry
};

// Adds a backend; a name already registered is a usage error. Thread-safe.
SPAX_API void register_backend(BackendInfo info);
SPAX_API void register_preconditioner(PreconditionerInfo info);
SPAX_API void register_distributed_variant(DistributedVariant variant);
SPAX_API std::vector<DistributedVariant> registered_distributed_variants(bool load_plugins = true);

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
  // Inside a multi-process job, the variant that runs it across the processes (null for a
  // multi_process backend, which runs across them itself).
  const DistributedVariant* distributed = nullptr;
};
// Inside a multi-process job (in_multi_process_job), a solver that cannot run across the
// processes is a usage error naming those that can.
SPAX_API ResolvedSolver resolve_solver(const std::string& name, const SolverOptions& options);
// Whether a solver name ("mumps", "cg+amg") runs across the processes of an MPI job: a
// multi_process backend, or one with a distributed variant for its preconditioner.
SPAX_API bool runs_across_processes(const std::string& name, const SolverOptions& options = {});

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

// ---- Several processes (mpirun -np N) ----
// The same command runs on 1 process or on N. spax itself knows no MPI: the runtime shared by the
// MPI plugins registers a process service, and the calls below reach it. Rank 0 reads, decides,
// prints and writes; the other ranks serve the collective calls rank 0 announces and print
// nothing. Whether this process is one of several comes from the launcher's environment
// (OMPI_COMM_WORLD_SIZE/RANK, PMI_SIZE/RANK, PMIX_RANK), before MPI is started.

// This process's rank in the job and the number of processes (0 and 1 outside a launcher; a
// PMIx job that does not say its size counts as several).
SPAX_API int process_rank() noexcept;
SPAX_API int process_count() noexcept;
// More than one process: nothing may fork (bench cases and analyze's LU-fill measurements run in
// the process), and only multi_process backends can be chosen.
SPAX_API bool in_multi_process_job() noexcept;

// What an MPI runtime offers spax (each member may be empty).
struct ProcessService {
  // Rank 0 of a multi-process job, at start-up: join the job (start MPI), so that the other
  // ranks, which start it in serve, are never left waiting. Returns the job's size.
  std::function<int()> start;
  // Every other rank: start MPI and serve rank 0's announcements until it finishes; returns the
  // exit code rank 0 finished with.
  std::function<int()> serve;
  // Rank 0 (or a single process): tell the other ranks to finish with `code`, then end MPI if
  // spax started it. Safe to call when MPI was never started.
  std::function<void(int code)> finish;
  // Collective: every rank's peak resident memory in bytes (index = rank); empty when MPI is not
  // up.
  std::function<std::vector<double>()> peak_memory;
};
// Registers the service under a name; a second registration of the same name is ignored (every
// MPI plugin installs the one runtime they share).
SPAX_API void register_process_service(const std::string& name, ProcessService service);

// The first thing main() does. In a multi-process job, loads the plugins; on a rank other than 0
// serves rank 0 and returns the exit code to end with; on rank 0 joins the job and returns -1.
// Outside a multi-process job returns -1 at once. -1: go on with the command.
SPAX_API int run_as_worker_if_needed();
// The last thing main() does with its exit code (rank 0 and single processes): ends the other
// ranks with the same code and MPI where spax started it; returns `code`.
SPAX_API int finish_process(int code);
// Peak resident memory (bytes) of every process of the job, rank by rank (collective across the
// ranks when MPI is up; this process alone otherwise).
SPAX_API std::vector<double> peak_memory_per_process();

// The cap on the factorization running now in this process, in bytes (0: none): set by spax
// solve's and bench's memory cap while a factorization runs, for backends that allocate outside
// spax's accounting and hold the cap themselves (MUMPS: ICNTL(23)).
SPAX_API double memory_cap_bytes() noexcept;

}  // namespace spax
