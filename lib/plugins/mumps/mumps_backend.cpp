// The MUMPS plugin (libspax-mumps.so): MUMPS 5.x through its C interface (dmumps_c for real,
// zmumps_c for complex matrices) as the backend `mumps`, on one process (MPI as a singleton) or
// on every process of an MPI job. The matrix is given centralized on rank 0 (ICNTL(18) = 0); the
// factors are distributed over the ranks.
//
// Rank 0 holds the Solver; every MUMPS call is a collective operation that rank 0 announces on
// the runtime's channel "mumps" (spax_mpi.hpp), so the other ranks, in their service loop, take
// part in it with the same code: create (JOB=-1), analyze (JOB=1), factor (JOB=2), solve (JOB=3),
// save and restore (JOB=7/8, the cache), destroy (JOB=-2). Decisions (retries, fallbacks, errors)
// are made on rank 0 from INFOG, which MUMPS makes identical on every rank.
//
// This file: the backend's registration, its options (parsed and validated) and the phases; the
// rest of the Solver is in the files mumps_solver.hpp names, the ranks' side in mumps_service.cpp.
#include <filesystem>
#include <memory>

#include "mumps_solver.hpp"
#include "spax/timer.hpp"

namespace spax::mumps_plugin {
namespace detail {

namespace fs = std::filesystem;

MumpsSolver::MumpsSolver(const SolverOptions& o) : options_(o) {
  const auto& k = o.options;
  ooc_ = option_choice(k, "mumps", "ooc", {"0", "1"}) == "1";
  ooc_dir_ = k.at("ooc_dir");
  if (k.at("relax") != "auto")
    relax_ = static_cast<int>(option_number(k, "mumps", "relax", 0, 1e6));
  if (k.at("threshold") != "auto") threshold_ = option_number(k, "mumps", "threshold", 0.0, 1.0);
  std::vector<std::string> names;
  for (const auto& c : kOrderings) names.emplace_back(c.name);
  ordering_ = option_choice(k, "mumps", "ordering", names);
  if (o.ordering != "default") {
    if (ordering_ != "auto" && ordering_ != o.ordering)
      throw_usage("mumps: the ordering '" + o.ordering + "' and the option ordering=" + ordering_ +
                  " disagree");
    ordering_ = o.ordering;
  }
  if (ordering_ == "given" && o.permutation.empty())
    throw_usage("mumps: the ordering 'given' needs a permutation");
  const std::string analysis =
      option_choice(k, "mumps", "analysis", {"auto", "sequential", "parallel"});
  analysis_ = analysis == "sequential" ? 1 : analysis == "parallel" ? 2 : 0;
  verbose_ = static_cast<int>(option_number(k, "mumps", "verbose", 0, 4));
  if (ooc_ && !ooc_dir_.empty()) {
    std::error_code ec;
    if (!fs::is_directory(ooc_dir_, ec))
      throw_usage("mumps: ooc_dir '" + ooc_dir_ + "' is not a directory");
    if (ooc_dir_.size() >= 255) throw_usage("mumps: ooc_dir is longer than 255 characters");
  }
  // MPI's start-up (a singleton: about 0.1 s) is not part of the timed phases.
  mpi::ensure_started();
}

MumpsSolver::~MumpsSolver() {
  try {
    destroy();
  } catch (...) {
  }
}

void MumpsSolver::analyze(const SparseMatrix& a) {
  Timer t;
  setup_pattern(a);
  recreate(sym_for(a));
  analyze_here(a);
  stats_.analyze_seconds = t.seconds();
}

void MumpsSolver::factor(const SparseMatrix& a) {
  Timer t;
  factor_here(a);
  stats_.factor_seconds = t.seconds();
}

// JOB=2 on the kept analysis: MUMPS pivots afresh within it (threshold partial pivoting).
void MumpsSolver::refactor(const SparseMatrix& a) {
  Timer t;
  factor_here(a);
  stats_.refactor_seconds = t.seconds();
}

}  // namespace detail

namespace {

void register_mumps() {
  mpi::install();
  mpi::register_channel(detail::kChannel, detail::channel);
  mpi::at_finalize(detail::destroy_all_instances);
  BackendInfo b;
  b.name = "mumps";
  b.kind = BackendKind::direct;
  b.summary =
      "MUMPS: multifrontal LU (LDL^T for symmetric matrices) with threshold pivoting, on one "
      "process or distributed over the processes of an MPI job";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.caps.keeps_pivots = false;
  b.caps.symbolic_cache = true;
  b.caps.numeric_cache = true;
  b.caps.memory_cap = true;
  b.caps.in_process_only = true;
  b.caps.multi_process = true;
  b.orderings = {"amd", "amf", "qamd", "pord", "metis", "given"};
  b.options = {
      {"ordering", "auto",
       "auto (MUMPS's choice), amd, amf, qamd, pord, metis (spax's METIS given to MUMPS), given "
       "(as --ordering)"},
      {"analysis", "auto",
       "auto, sequential, parallel (ICNTL(28); parallel needs PT-SCOTCH or "
       "ParMETIS in the MUMPS build)"},
      {"relax", "auto", "percentage added to the estimated workspace (ICNTL(14)); auto: MUMPS's"},
      {"threshold", "auto", "relative pivoting threshold in [0, 1] (CNTL(1)); auto: MUMPS's"},
      {"ooc", "0", "1: out-of-core factors, written to files (ICNTL(22))"},
      {"ooc_dir", "", "directory of the out-of-core files (default: the temporary directory)"},
      {"verbose", "0", "MUMPS's own output on stderr, level 0..4 (ICNTL(4))"},
  };
  b.factory = [](const SolverOptions& o) { return std::make_unique<detail::MumpsSolver>(o); };
  // Under mpirun -np N, `auto` picks the only kind of backend that runs across the processes.
  b.auto_priority = 90;
  b.auto_fit = [](const SparseMatrix&, const SolverOptions&) -> std::string {
    if (!in_multi_process_job()) return "";
    return "the job has " + std::to_string(process_count()) +
           " processes and mumps is the direct solver that runs across them";
  };
  register_backend(std::move(b));
}

}  // namespace
}  // namespace spax::mumps_plugin

SPAX_PLUGIN_ENTRY(spax::mumps_plugin::register_mumps)
