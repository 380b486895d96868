// Benchmarking solver backends and orderings on a matrix, hyperfine style: warm-up runs, then
// timed runs per phase (analyze, factor, refactor, solve, and a Newton-like sequence), each case
// isolated in a child process so that a timeout, a memory cap or a crash ends only that case.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "spax/sparse.hpp"

namespace spax {

struct SPAX_API BenchOptions {
  int warmup = 1;            // untimed runs before the timed ones
  int runs = 5;              // timed runs per phase
  int sequence = 0;          // K > 0: K Newton-like iterations (refactor + solve) after a factor
  double timeout = 60.0;     // seconds per case; past it the case is stopped and recorded
  double max_memory_mb = 0;  // cap on the factorization per case, as solve's (0: none)
  int threads = 0;
  std::uint64_t seed = 1;  // perturbation of the values in the sequence
  // Iterative solvers (cg+amg, gmres+ilut, ...).
  double tol = 1e-8;
  int max_iter = 1000;
  std::string precond_options;
  // Backends that run across processes (caps.multi_process, e.g. mumps): one case per process
  // count K, each run by the MPI launcher as `MPIRUN [--oversubscribe] -np K PROGRAM bench-case
  // ...` (--oversubscribe when K exceeds the cores). Empty: such backends run in this process.
  std::vector<int> ranks;
  std::string mpirun = "mpirun";  // the launcher command, split at spaces ("mpirun --hostfile h")
  std::string program;            // the spax executable; empty: this process's own executable
};

struct SPAX_API SampleStats {
  std::size_t n = 0;
  double mean = 0, sigma = 0, min = 0, max = 0, median = 0;  // sigma: sample std (n - 1)
  // Samples more than 10 robust standard deviations from the median, as hyperfine flags them:
  // |x - median| > 10 * 1.4826 * MAD (MAD = median absolute deviation; 1.4826 MAD estimates
  // sigma for normal data). With MAD = 0, 1.2533 times the mean absolute deviation stands in
  // for 1.4826 MAD; with fewer than 3 samples there are none.
  std::size_t outliers = 0;
};
SPAX_API SampleStats sample_stats(const std::vector<double>& samples);

struct SPAX_API PhaseSamples {
  std::string phase;  // analyze, factor, refactor, solve, iteration
  std::vector<double> seconds;
};

struct SPAX_API BenchCase {
  std::string matrix, solver, ordering;
  std::string status = "ok";  // ok, failed, timeout, out-of-memory
  std::string reason;
  std::vector<PhaseSamples> phases;
  index_t n = 0, nnz = 0;  // n: columns
  index_t nrows = 0;
  index_t nnz_L = -1, nnz_U = -1;
  double flops = std::numeric_limits<double>::quiet_NaN();
  double peak_memory_bytes = std::numeric_limits<double>::quiet_NaN();
  double backward_error = std::numeric_limits<double>::quiet_NaN();
  // Iterative solvers: iterations of the last timed solve and its recomputed relative residual.
  index_t iterations = -1;
  double relative_residual = std::numeric_limits<double>::quiet_NaN();
  bool values_synthesized = false;
  double wall_seconds = 0.0;
  // --sequence: the worst backward error over its iterations, the refactors replaced by a fresh
  // factorization (refactor_suspect), and for a GPU backend (DeviceSolver) its device and where
  // the iterations' time went (seconds, summed over the iterations).
  double sequence_worst_backward_error = std::numeric_limits<double>::quiet_NaN();
  index_t sequence_fallbacks = 0;
  std::string device;
  double device_upload = 0.0, device_compute = 0.0, device_download = 0.0, device_host = 0.0;
  // The processes the case ran on (an MPI job of that size for multi-process backends), whether
  // that was more than the cores (the launcher was told to oversubscribe), and each process's
  // peak resident memory in bytes (index = rank; multi-process cases).
  int processes = 1;
  bool mpi_job = false;  // run through the MPI launcher (bench --ranks)
  bool oversubscribed = false;
  std::vector<double> peak_memory_per_process;
  // bench --ranks: the analysis' prediction for this process count (add_rank_predictions): the
  // speedup over one worker of the supernodal factorization (tree + within-front schedule of
  // CHOLMOD's supernodal tree of A + A^T under AMD), NaN when none was made.
  double predicted_speedup = std::numeric_limits<double>::quiet_NaN();
};

// The phases a case reports, in table order.
SPAX_API const std::vector<std::string>& bench_phases();

// Runs one case (solver x ordering on `a`) in a child process. Never throws for a failure of
// the case itself: it is recorded in status/reason.
SPAX_API BenchCase run_bench_case(const SparseMatrix& a, const std::string& matrix_name,
                                  const std::string& solver, const std::string& ordering,
                                  const BenchOptions& options);

// Runs one case here, in this process (inside an MPI job: on every rank, rank 0 deciding), and
// returns its result as the JSON text that run_bench_case_mpi reads (`spax bench-case` prints
// it). Never throws for a failure of the case itself.
SPAX_API std::string bench_case_here(const SparseMatrix& a, const std::string& solver,
                                     const std::string& ordering, const BenchOptions& options);

// Runs one case of a multi-process backend on `processes` MPI processes through the launcher
// (options.mpirun, options.program), reading the matrix from `matrix_path`; the launcher is
// stopped after options.timeout seconds. Never throws for a failure of the case itself.
SPAX_API BenchCase run_bench_case_mpi(const std::string& matrix_path, const SparseMatrix& a,
                                      const std::string& matrix_name, const std::string& solver,
                                      const std::string& ordering, int processes,
                                      const BenchOptions& options);

// The deterministic k-th value perturbation used by the sequence: each value times
// (1 + 0.05 * u) with u in [-1, 1) from a hash of (seed, k, {i, j}); the unordered pair keeps a
// symmetric (Hermitian) matrix symmetric (Hermitian).
SPAX_API SparseMatrix perturbed_values(const SparseMatrix& a, std::uint64_t seed, index_t k);

// Machine and library facts for the JSON export.
struct SPAX_API MachineInfo {
  std::string cpu_model;
  int cores = 0;
  std::string spax_version, suitesparse_version, metis_version, superlu_version, eigen_version;
};
SPAX_API MachineInfo machine_info();

}  // namespace spax
