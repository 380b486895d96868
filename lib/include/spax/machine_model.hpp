// The machine model behind the time predictions of `spax analyze`: the seconds one dense kernel
// call takes on q threads, as a function of its shape, measured by a short calibration through the
// BLAS the backends use (OpenBLAS), and cached per machine.
//
// For each kernel and each calibrated thread count the model holds a table of rates (work per
// second: kernel_work, i.e. flops for the BLAS kernels and entries for the scalar ones) on a grid
// of shapes (kernel_axes: one to three dimensions, grid values spaced by factors of 2 to 4). The
// seconds of a call are its work divided by the rate interpolated multilinearly in log(rate) over
// log(dimensions); a dimension outside the grid takes the rate of the nearest grid value (rates
// saturate for large blocks; every dimension is at least 1). Per-call overheads and the slow
// start of small blocks are in the rates of the small shapes.
//
// A thread count q that was not calibrated is served by the split model: with Q the largest
// calibrated count <= q and g = q / Q, the call is cut into g pieces (by its result: rows of trsm,
// rows and columns of gemm and syrk) that run side by side on Q threads each, plus a barrier among
// q threads; potrf and getrf of an n x n block are cut into panels of 128 columns whose trailing
// updates are split the same way (right-looking blocked factorization). The faster of that and
// the call on Q threads is taken, and never less than a q-th of the one-thread time.
//
// Nothing here prints; calibrate_machine changes OpenBLAS's thread count while it runs and
// restores it.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "spax/common.hpp"

namespace spax {

enum class Kernel : int { potrf = 0, trsm, syrk, gemm, getrf, assemble, stream, touch };
inline constexpr int kKernelCount = 8;
// "potrf", "trsm", "syrk", "gemm", "getrf", "assemble", "stream", "touch".
SPAX_API const char* kernel_name(Kernel k);

// One kernel call. Dimensions by kernel (unused ones 0); flops as kernel_flops counts them:
//   potrf  m = n: dpotrf 'L' of an n x n block                          n^3 / 3
//   getrf  m = n: dgetrf with partial pivoting of an n x n block         2 n^3 / 3
//   trsm   m, n: dtrsm 'R','L','T','N': an m x n block times L^-T        m n^2
//   syrk   m = n, k: dsyrk 'L','N': the n x n lower part of B B^T, B n x k   n (n + 1) k
//   gemm   m, n, k: dgemm 'N','T': an m x n result, inner dimension k    2 m n k
//   assemble  m = columns, n = entries, k = rows of the longest column: an update scattered into
//          a supernode through a relative map (x[map[i]] -= c[i]), as a supernodal
//          factorization assembles it
//   stream m = entries: zeroing a block and building index maps in memory already in use
//   touch  m = entries: zeroing memory freshly obtained from the system (a new factor's first
//          writes: page faults included); its table starts at 2^17 entries
// Dimensions are doubles so that the split model can use fractional pieces.
struct KernelCall {
  Kernel kernel = Kernel::gemm;
  double m = 0.0, n = 0.0, k = 0.0;
};

// The table dimensions of a call, in the order of the table's axes:
//   potrf, getrf (n); trsm (m, n); syrk (n, k); gemm (m, n, k); assemble (columns, rows);
//   stream, touch (entries).
SPAX_API std::vector<double> kernel_axes(const KernelCall& c);
// Floating-point operations of a BLAS call (table above); 0 for assemble and stream.
SPAX_API double kernel_flops(const KernelCall& c);
// The size measure of the correction factor: kernel_flops for the BLAS calls, entries for
// assemble and stream.
SPAX_API double kernel_work(const KernelCall& c);

struct KernelTable {
  std::vector<std::vector<double>> axes;  // grid values per dimension, increasing, all >= 1
  std::vector<double> rate;  // work per second at each grid point, first axis slowest; > 0
  int samples = 0;           // timed shapes behind the table
  // Median over the shapes of |t_a / t_b - 1| between the two fastest passes of the calibration
  // (how repeatable the timings were; 0 when fewer than two passes).
  double repeatability = 0.0;
  // Derived from axes and rate by prepare_table (fit_thread_model and parse_machine_model call
  // it); when out of date the logarithms are taken on the fly.
  std::vector<double> log_rate;
  std::vector<std::vector<double>> log_axes;
  bool empty() const { return rate.empty(); }
};
SPAX_API void prepare_table(KernelTable& t);

struct ThreadModel {
  int threads = 1;
  std::array<KernelTable, kKernelCount> kernels{};
  double barrier_seconds = 0.0;  // one barrier among `threads` threads (0 for one thread)
};

// What identifies the machine and the BLAS a model was measured on.
struct MachineIdentity {
  std::string host;          // hostname
  std::string cpu;           // "model name" of /proc/cpuinfo ("unknown" when unreadable)
  int hardware_threads = 0;  // std::thread::hardware_concurrency
  std::string blas;          // openblas_get_config()
};
SPAX_API MachineIdentity current_machine();

// What the supernodal code itself costs beyond the kernels (its loops over supernodes and
// descendants, OpenMP regions, bookkeeping): fitted during the calibration by timing CHOLMOD's
// supernodal factorization of a few generated matrices (one BLAS thread) and attributing the
// difference between measured and kernel time to these counts (non-negative least squares on
// relative errors).
struct BackendOverheadSample {
  std::string matrix;  // what was factored ("circuit 8000 nodes, amd", ...)
  index_t supernodes = 0, updates = 0, entries = 0;
  double measured_seconds = 0.0;
  double kernel_seconds = 0.0;  // the kernels' part of the prediction
};
struct BackendOverhead {
  std::string backend = "CHOLMOD supernodal";
  double per_supernode = 0.0;  // seconds per supernode
  double per_update = 0.0;     // seconds per (descendant, supernode) update
  double per_entry = 0.0;      // seconds per stored entry of A (permuting/transposing A)
  std::vector<BackendOverheadSample> fit;
};

struct SPAX_API MachineModel {
  std::string source = "default";  // "default" or "calibrated"
  int format = 1;                  // kMachineModelFormat of the writer
  std::string spax_version;
  std::string created;  // UTC, ISO 8601 ("2025-01-31T12:00:00Z"); empty for the default model
  MachineIdentity machine;
  double calibration_seconds = 0.0;
  std::vector<ThreadModel> threads;  // increasing thread counts; the first has 1 thread
  BackendOverhead backend;

  std::vector<int> thread_counts() const;
  int max_calibrated_threads() const;
  // Seconds of one call on q >= 1 threads (see the top); never below seconds(c, 1) / q, and
  // beyond the calibrated counts never above fewer threads' time (Q, 2Q, 4Q, ... < q).
  double seconds(const KernelCall& c, int q = 1) const;
  // The model at exactly q threads, without the minimum over fewer threads.
  double raw_seconds(const KernelCall& c, int q) const;
  // One barrier among q threads: the calibrated value, or for q above the largest calibrated
  // count Q, barrier(Q) * log2(q) / log2(Q) (1 microsecond per log2(q) when only one thread was
  // calibrated).
  double barrier_seconds(int q) const;
};

inline constexpr int kMachineModelFormat = 1;

// The documented default used without a calibration (source "default"): one thread, tables on
// the calibration grid filled from a simple form for a 2020-era x86-64 core with AVX2 and
// OpenBLAS: seconds = 0.3 us + 1 ns per entry written + 0.5 ns per entry read + flops at
// 2e10 flop/s (gemm, syrk), 1.5e10 (potrf, trsm) or 1.3e10 (getrf); potrf and getrf add 10 and
// 30 ns per column; an assembled entry costs 1.5 ns plus 2 ns per column, a streamed one 0.4 ns,
// a first-touched one 2 ns.
// Other thread counts come from the split model, with a barrier of 1 microsecond per log2(q).
// Backend overhead: 2 microseconds per supernode, 1 per update, 5 ns per entry of A.
SPAX_API MachineModel default_machine_model();

// ---------------------------------------------------------------------------------------------
// Calibration
// ---------------------------------------------------------------------------------------------

struct CalibrationOptions {
  // Thread counts to calibrate; empty: 1, 2, 4, ... up to the hardware threads, plus the
  // hardware thread count itself when it is no power of two (at most 6 counts).
  std::vector<int> threads;
  // Each call is timed in repetitions of at least this many seconds; the whole grid is measured
  // `passes` times, interleaved, and the fastest of all repetitions is kept (robust on a busy
  // machine: load only ever adds time).
  double min_seconds_per_sample = 2e-3;
  int passes = 2;
  // Largest dimension of the calibration grid (the biggest calls take a few ms).
  int max_dimension = 1024;
};

// One timed call of the calibration (kept in the result for reports and tests).
struct CalibrationSample {
  int threads = 1;
  KernelCall call;
  double seconds = 0.0;
};

// Times the kernels on a grid of shapes for each thread count, builds the tables, then fits the
// backend overhead (CHOLMOD on seven generated matrices, in a child process: a circuit of 8000
// nodes under AMD and METIS, 2D Laplacians of 80 x 80 under AMD and 120 x 120 under METIS, a 3D
// 14^3 Laplacian under METIS, 27-point stencils of 10^3 under AMD and 13^3 under METIS; CPU time
// of one BLAS thread). Takes a few seconds (about 1.5 s
// per thread count on a 2020-era core). Source "calibrated".
SPAX_API MachineModel calibrate_machine(const CalibrationOptions& options = {},
                                        std::vector<CalibrationSample>* samples = nullptr);

// Builds the tables of one thread count from timed calls: the shapes of each kernel form the
// grid (a shape missing from a full grid takes the rate of the nearest timed shape, by distance in
// log dimensions); several timings of one shape keep the fastest (exposed for tests).
SPAX_API ThreadModel fit_thread_model(int threads, const std::vector<CalibrationSample>& samples);

// What makes a calibration doubtful, one sentence each (none for a sound one): a BLAS kernel
// (potrf, trsm, syrk, gemm) whose best rate on several threads is below 80% of its best rate on
// one, which on an idle machine does not happen at the calibration's largest shapes; its usual
// cause is other work on the machine while it was calibrated. Predictions for several workers
// from such a model come out too pessimistic.
SPAX_API std::vector<std::string> machine_model_warnings(const MachineModel& m);

// ---------------------------------------------------------------------------------------------
// The per-machine cache
// ---------------------------------------------------------------------------------------------

// $XDG_CACHE_HOME/spax (or $HOME/.cache/spax when XDG_CACHE_HOME is unset or empty, or
// ./.spax-cache when neither is set) / machine-model-HOST.json, HOST = the hostname with
// characters other than [A-Za-z0-9._-] replaced by '_'.
SPAX_API std::string machine_model_cache_path();

// The model as JSON text (keys: format, source, spax_version, created, machine {host, cpu,
// hardware_threads, blas}, calibration_seconds, threads [{threads, barrier_seconds,
// kernels {NAME: {axes, rate, samples, repeatability}}}], backend {backend, per_supernode_seconds,
// per_update_seconds, per_entry_seconds, fit [{matrix, supernodes, updates, entries,
// measured_seconds, kernel_seconds}]}).
SPAX_API std::string machine_model_json(const MachineModel& m, int indent = 2);
// Parses and validates such a document; a malformed one (not JSON, a missing or wrong-typed key,
// axes not increasing or below 1, a rate table of the wrong size or with a rate that is not
// positive and finite, thread counts not increasing from 1) is an input error naming `path` and
// the key.
SPAX_API MachineModel parse_machine_model(const std::string& text, const std::string& path);

// Writes the model atomically (the directory is created when missing).
SPAX_API void save_machine_model(const MachineModel& m, const std::string& path);

struct LoadedMachineModel {
  MachineModel model;  // the cached model, or the default model
  // "calibrated" (a valid cache file), "absent" (none: default model), "refused" (malformed,
  // foreign, stale or from another format: default model, `warning` says why)
  std::string status;
  std::string path;
  std::string warning;
};
// Loads the cache at `path`. A file is refused when it cannot be parsed, has another format, was
// made on another machine or with another BLAS (MachineIdentity differs from `here`), or is
// older than max_age_days (or dated in the future). Never throws for a bad file. With
// check_identity = false (a file the user named, say calibrated on the machine the job will run
// on), another machine, BLAS or age only adds a warning.
SPAX_API LoadedMachineModel load_machine_model(const std::string& path,
                                               const MachineIdentity& here = current_machine(),
                                               double max_age_days = 90.0,
                                               bool check_identity = true);

}  // namespace spax
