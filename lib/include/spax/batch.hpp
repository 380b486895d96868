// Many matrices of one pattern solved at once (corner and Monte-Carlo analyses, a vmap over the
// values): the pattern is analysed and the first matrix factored once, then every matrix is
// refactored with that pivot order and solved, and every answer is checked (backward error). A
// backend that can do the whole batch in one call (the GPU's batched refactorization) says so by
// also deriving from BatchRefactorSolver; every other backend is run by a loop on the host, so the
// same command compares both.
//
// Backends that compute on an accelerator also derive from DeviceSolver: the device's name and
// where their time went (copies to and from the device, kernels, host work).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "spax/solve.hpp"

namespace spax {

// Optional extension of a Solver that refactors and solves many matrices of the analysed pattern
// in one call (find it with dynamic_cast).
class SPAX_API BatchRefactorSolver {
 public:
  virtual ~BatchRefactorSolver();
  // After analyze and factor on a matrix of the pattern: each matrix is refactored with the
  // current pivot order and A_k x = b solved, x overwriting b[k] (n x nrhs, column-major). The
  // factorization that solve() uses afterwards is not specified. suspect[k] is set to 1 when the
  // backend's cheap indicators (a zero or tiny pivot, non-finite values) say that the kept pivots
  // failed on matrix k; the caller checks every answer anyway.
  virtual void refactor_solve_batch(std::span<const SparseMatrix* const> matrices,
                                    std::span<double* const> b, index_t nrhs,
                                    std::vector<char>& suspect) = 0;
  // A short description of how the batch runs ("cusolverRfBatch", "batched kernel", ...).
  virtual std::string batch_method() const = 0;
  // Optional set-up for batches of `count` matrices with the current pivot order (device
  // buffers, schedules), timed apart from the batch itself (BatchResult::batch_setup_seconds):
  // it is done once per fresh factorization, however many batches follow.
  virtual void prepare_batch(const SparseMatrix&, index_t) {}
};

struct SPAX_API BatchOptions {
  std::string solver = "klu";  // or "auto" (chosen on the first matrix)
  SolverOptions solver_options;
  // An answer whose backward error exceeds this is redone with a fresh factorization of its
  // matrix (counted in refactor_fallbacks), as the sequence runner does after a refactor.
  double refactor_backward_limit = 1e-10;
  // Run the host loop even when the backend batches by itself (for comparisons).
  bool host_loop = false;
  int threads = 0;  // for the checks (0: all hardware threads)
};

struct SPAX_API BatchResult {
  std::string solver;
  std::string ordering;
  std::string chosen_because;
  std::string method;  // the backend's batch method, or "host loop"
  std::string device;  // the accelerator's name ("" for host backends)
  index_t n = 0;
  index_t nnz = 0;
  index_t count = 0;  // matrices in the batch
  SolverStats stats;  // after the first factorization
  double analyze_seconds = 0.0;
  double factor_seconds = 0.0;         // the first matrix, fresh
  double batch_setup_seconds = 0.0;    // BatchRefactorSolver::prepare_batch (0: host loop)
  double batch_seconds = 0.0;          // refactor + solve of every matrix, copies included
  double check_seconds = 0.0;          // every answer's backward error, on the host
  double fallback_seconds = 0.0;       // fresh factorizations and solves of the answers that failed
  DeviceTimings device_timings;        // of the batch call (device backends only)
  std::vector<double> backward_error;  // per matrix (worst right-hand side), after fallbacks
  std::vector<double> forward_error;   // per matrix when b = A * ones (else empty)
  std::vector<index_t> refactor_fallbacks;
  std::vector<std::vector<double>> x;  // per matrix, n x nrhs column-major
  std::vector<index_t> nrhs;
};

// Solves every matrix (real, square, one pattern, finite values; checked first) with its
// right-hand side (rhs empty: b = A * ones; one shared; or one per matrix).
SPAX_API BatchResult run_batch(const std::vector<SparseMatrix>& matrices,
                               const std::vector<RightHandSide>& rhs, const BatchOptions& options);

// `spax bench --batch K`: K perturbed copies of a matrix (perturbed_values, as --sequence makes
// them) solved as one batch per solver, warm-up and timed runs of the batch (refactor + solve of
// all K, copies included), every answer checked.
struct SPAX_API BatchBenchCase {
  std::string matrix, solver;
  std::string status = "ok";  // ok, failed, timeout
  std::string reason;
  std::string method, device;
  index_t n = 0, nnz = 0, count = 0;
  std::vector<double> batch_seconds;  // one per timed run
  double analyze_seconds = 0.0, factor_seconds = 0.0, check_seconds = 0.0;
  double batch_setup_seconds = 0.0;  // of the last timed run
  DeviceTimings device_timings;      // of the last timed run
  double worst_backward_error = std::numeric_limits<double>::quiet_NaN();
  index_t fallbacks = 0;  // answers redone with a fresh factorization (last run)
  bool values_synthesized = false;
};
// Runs one case; host backends in a child process (a timeout ends only that case), GPU ones
// (in_process_only) in this process. Never throws for the case's own failure.
// `solver` may carry backend options after colons ("cuda-rf:engine=kernel"), host_loop=1 for
// run_batch's host loop instead of the backend's own batch (BatchOptions::host_loop), and
// ordering=NAME.
SPAX_API BatchBenchCase run_batch_bench_case(const SparseMatrix& a, const std::string& matrix_name,
                                             const std::string& solver, int count, int warmup,
                                             int runs, double timeout, std::uint64_t seed,
                                             int threads);
// "name:key=value:key=value" -> the name and the options (a malformed item is a usage error).
SPAX_API std::pair<std::string, std::map<std::string, std::string>> split_solver_spec(
    const std::string& spec);

}  // namespace spax
