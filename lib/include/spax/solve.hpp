// Direct and iterative solvers behind one interface: analyze (ordering + symbolic) -> factor ->
// refactor (same pattern, new values) -> solve / solve_transpose, for real and complex matrices,
// created by name from the registry (spax/backend.hpp: klu, umfpack, cholmod, superlu, eigen-lu,
// dense; the Krylov methods cg, bicgstab, gmres and BoomerAMG as amg, each with a preconditioner:
// "gmres+ilut"; plugins add more), a sequence runner with refactor safety, and an on-disk cache
// of symbolic and numeric work.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "spax/common.hpp"
#include "spax/sparse.hpp"

namespace spax {

// Options shared by every backend.
struct SPAX_API SolverOptions {
  // "default" (the backend's own choice), or one of the orderings the backend declares (amd,
  // colamd, metis, natural, given, ...: spax/backend.hpp). With "given", `permutation` holds the
  // column ordering, perm[k] = the column eliminated k-th.
  std::string ordering = "default";
  std::vector<index_t> permutation;
  int threads = 0;
  // The backend's own options (key=value), validated against the keys it declares; create_solver
  // fills in the defaults of the keys not given. Iterative backends: tol, max_iter, rebuild_iters,
  // precond (and restart for gmres) plus their preconditioner's keys; spax solvers lists them.
  std::map<std::string, std::string> options;

  SolverOptions& set(const std::string& key, const std::string& value);
  SolverOptions& set(const std::string& key, double value);
};

// The defaults every caller shares.
inline constexpr double kDefaultTolerance = 1e-8;  // backward error (direct), residual (iterative)
inline constexpr int kDefaultMaxIterations = 1000;
inline constexpr int kDefaultRestart = 30;

// "key=value,key=value" into a map; a malformed item or a repeated key is a usage error.
SPAX_API std::map<std::string, std::string> parse_option_list(const std::string& text);
// Adds `more` to `into`; a key in both with different values is a usage error.
SPAX_API void merge_options(std::map<std::string, std::string>& into,
                            const std::map<std::string, std::string>& more);
// A resolved option (create_solver filled every declared key) as a number in [lo, hi], or as one
// of `choices`; anything else is a usage error naming the backend (`owner`) and the key.
SPAX_API double option_number(const std::map<std::string, std::string>& options,
                              const std::string& owner, const std::string& key, double lo,
                              double hi);
SPAX_API std::string option_choice(const std::map<std::string, std::string>& options,
                                   const std::string& owner, const std::string& key,
                                   const std::vector<std::string>& choices);

// Statistics every backend reports the same way. NaN (or -1 for counts) when not available.
struct SPAX_API SolverStats {
  index_t nnz_L = -1;
  index_t nnz_U = -1;
  // Entries outside the diagonal blocks (backends that factor the BTF blocks apart: klu).
  index_t nnz_offdiag = -1;
  double flops = std::numeric_limits<double>::quiet_NaN();
  // Reciprocal condition estimate (1-norm) of the last fresh factorization.
  double rcond = std::numeric_limits<double>::quiet_NaN();
  double pivot_growth = std::numeric_limits<double>::quiet_NaN();
  double analyze_seconds = 0.0;
  double factor_seconds = 0.0;
  double refactor_seconds = 0.0;
  double solve_seconds = 0.0;
  std::string ordering;  // the ordering actually used

  // Iterative backends: the last solve (over all its right-hand sides).
  bool iterative = false;
  index_t iterations = -1;  // the most any right-hand side needed
  // max over right-hand sides of ||b - A x||_2 / ||b||_2, recomputed from the matrix.
  double relative_residual = std::numeric_limits<double>::quiet_NaN();
  double setup_seconds = 0.0;  // preconditioner setups done by the last factor or solve
  bool rebuilt = false;        // the last solve found the kept setup too weak and rebuilt it
  // Per right-hand side, the relative residual per iteration (entry 0: the initial guess x = 0);
  // the last entry is the recomputed final residual.
  std::vector<std::vector<double>> residual_history;
  // Bytes the numeric factorization is predicted to need, known after analyze (NaN: the
  // backend gives no estimate). --max-memory refuses a factorization whose estimate is above it.
  double factor_bytes_estimate = std::numeric_limits<double>::quiet_NaN();

  // Multi-process backends (under mpirun): the processes they ran on, and per process (index =
  // rank) the memory in bytes that the backend reports: MUMPS's own count for its factorization
  // (INFO(22)), the peak resident memory of each process for hypre's distributed solvers.
  int processes = 1;
  std::vector<double> memory_per_process;
  // Backend-specific figures by name (MUMPS: its memory estimates, analyses, SYM, ...), reported
  // as they are under "backend" in the JSON report.
  std::map<std::string, double> details;
  // What the backend wants the user to see (a workspace retry); the sequence runner adds them to
  // its warnings.
  std::vector<std::string> warnings;
};

class SPAX_API Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string name() const = 0;
  // Ordering and symbolic analysis of a square matrix (values may be absent or ignored).
  virtual void analyze(const SparseMatrix& a) = 0;
  // Numeric factorization with fresh pivoting (after analyze on the same pattern).
  virtual void factor(const SparseMatrix& a) = 0;
  // New values on the analysed pattern. Backends that can keep the previous pivot order do so
  // (cheaper, possibly unstable: see refactor_suspect); the default calls factor.
  virtual void refactor(const SparseMatrix& a) { factor(a); }
  // True when the last refactor's cheap indicators (pivot growth, rcond) say the kept pivots
  // turned unstable and a fresh factor is advisable.
  virtual bool refactor_suspect() const { return false; }
  // Solves A X = B (or A^T X = B; A^H for complex) in place; B is n x nrhs column-major.
  virtual void solve(std::span<double> b, index_t nrhs, bool transpose) = 0;
  virtual void solve(std::span<complex_t> b, index_t nrhs, bool transpose) = 0;
  const SolverStats& stats() const { return stats_; }
  // True when the backend's own rcond is no condition estimate (only min/max |diag|, or none):
  // the caller then estimates it from the factorization's solves (Hager/Higham 1-norm).
  virtual bool wants_rcond_estimate() const { return false; }

  // Symbolic work as bytes for the cache (empty: nothing to store) and back; import returns
  // false when the bytes do not fit this matrix (then the caller runs analyze).
  virtual std::string export_symbolic() const { return {}; }
  virtual bool import_symbolic(const SparseMatrix&, const std::string&) { return false; }
  // Numeric factorization as bytes (empty: unsupported).
  virtual bool supports_numeric_cache() const { return false; }
  virtual std::string export_numeric() const { return {}; }
  virtual bool import_numeric(const SparseMatrix&, const std::string&) { return false; }

 protected:
  SolverStats stats_;
};

// Where a device backend's time went, accumulated since the last reset.
struct SPAX_API DeviceTimings {
  double upload_seconds = 0.0;    // host-to-device copies
  double compute_seconds = 0.0;   // refactorization and solve kernels on the device
  double download_seconds = 0.0;  // device-to-host copies
  double host_seconds = 0.0;      // the backend's host work (fresh factorizations, set-ups)
};

// Optional extension of a Solver computing on an accelerator (find it with dynamic_cast).
class SPAX_API DeviceSolver {
 public:
  virtual ~DeviceSolver();
  virtual std::string device_name() const = 0;
  virtual DeviceTimings device_timings() const = 0;
  virtual void reset_device_timings() = 0;
};

// Conveniences over the registry (spax/backend.hpp): every registered backend's name (without
// "auto"), the direct ones only, and whether a solver name ("gmres+ilut") is an iterative one.
SPAX_API std::vector<std::string> solver_names();
SPAX_API std::vector<std::string> direct_solver_names();
SPAX_API bool is_iterative_solver(const std::string& name);
// Creates a backend by name ("klu", "gmres+ilut"): resolve_solver validates the name, the
// ordering and the options (usage errors), then the backend's factory runs. "auto" is resolved
// by choose_solver.
SPAX_API std::unique_ptr<Solver> create_solver(const std::string& name,
                                               const SolverOptions& options = {});

// What --solver auto picks for this matrix, and why.
struct SPAX_API SolverChoice {
  std::string name;
  std::string because;
};
SPAX_API SolverChoice choose_solver(const SparseMatrix& a, const SolverOptions& options = {});

// ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf) (op(A) = A^T / A^H when transpose).
// `anorm` >= 0 gives ||op(A)||_inf already known (matrix_norm_inf), saving a pass.
SPAX_API double backward_error(const SparseMatrix& a, std::span<const double> x,
                               std::span<const double> b, bool transpose = false,
                               double anorm = -1.0);
SPAX_API double backward_error(const SparseMatrix& a, std::span<const complex_t> x,
                               std::span<const complex_t> b, bool transpose = false,
                               double anorm = -1.0);
// ||op(A)||_inf: the largest row sum of |A| (column sum when transpose).
SPAX_API double matrix_norm_inf(const SparseMatrix& a, bool transpose = false);

// Throws a SingularError (spax/common.hpp) for a singular matrix, naming the column and whether
// the singularity is structural (maximum transversal, BTF: the first unmatched column) or
// numerical (`column` from the backend, -1 unknown).
[[noreturn]] SPAX_API void throw_singular(const SparseMatrix& a, index_t column);
// Structural rank by maximum transversal; `unmatched_column` receives the first column without a
// match (-1 when full rank).
SPAX_API index_t structural_rank(const SparseMatrix& a, index_t* unmatched_column = nullptr);

// A sequence of matrices with one pattern (a Newton loop), each with its right-hand side(s).
struct SPAX_API SequenceOptions {
  std::string solver = "klu";  // or "auto"
  SolverOptions solver_options;
  bool transpose = false;
  int refine = 0;               // iterative refinement steps at most
  bool strict_pattern = false;  // a pattern change is an error instead of a re-analysis
  std::string cache_dir;        // empty: no cache
  // Cap on the factorization's memory in MB (2^20 bytes; 0: none): an estimate above it, or an
  // allocation past it, is a numerical error naming the cap. klu, umfpack, cholmod, dense only.
  double max_memory_mb = 0;
  // A refactor is redone with fresh pivoting when its backward error exceeds this.
  double refactor_backward_limit = 1e-10;
  // A warning names every solve whose forward-error bound (backward error / rcond) is above
  // this: the answer may have fewer correct digits than -log10 of it.
  double warn_error_bound = 1e-2;
  // > 0: a condition estimate (1 / rcond) above it is a numerical error (after the warning).
  double max_condition = 0;
  // Names of the matrices (file names) for messages; empty: "matrix K".
  std::vector<std::string> names;
  // A numerical failure after the input checks (singular, not converged, the memory cap, the
  // condition limit) is recorded in SequenceResult::error with every result obtained before it,
  // instead of thrown.
  bool keep_partial_results = false;
};

struct SPAX_API SolveRecord {
  index_t matrix = 0;  // index in the sequence
  double backward_error = 0.0;
  double forward_error = std::numeric_limits<double>::quiet_NaN();  // when b = A * ones
  int refinement_steps = 0;
  double seconds = 0.0;
  // Iterative backends: iterations, recomputed relative residual, the preconditioner setup
  // time spent for this matrix (the first setup, or a rebuild) and whether it was rebuilt.
  index_t iterations = -1;
  double relative_residual = std::numeric_limits<double>::quiet_NaN();
  double setup_seconds = 0.0;
  bool rebuilt = false;
  std::vector<std::vector<double>> residual_history;  // per right-hand side
  // The reciprocal condition estimate of the factorization this solve used (NaN: none), and the
  // forward-error bound backward_error / rcond (NaN without rcond).
  double rcond = std::numeric_limits<double>::quiet_NaN();
  double error_bound = std::numeric_limits<double>::quiet_NaN();
};

// One pattern of a sequence (a new one starts at each re-analysis): its matrices and sizes, and
// the last factorization's figures on it.
struct SPAX_API PatternRecord {
  index_t first_matrix = 0, last_matrix = 0;
  index_t n = 0, nnz = 0;
  index_t nnz_L = -1, nnz_U = -1;
  double flops = std::numeric_limits<double>::quiet_NaN();
  std::string ordering;
};

// A failure recorded with keep_partial_results: its category, the message, and the matrix being
// solved (-1: before the first).
struct SPAX_API SequenceFailure {
  ErrorKind kind = ErrorKind::numerical;
  std::string message;
  index_t matrix = -1;
};

struct SPAX_API SequenceResult {
  std::string solver;
  std::string ordering;
  std::string chosen_because;
  // The backend's options with every default filled in (empty for a caller's own solver).
  std::map<std::string, std::string> options;
  index_t n = 0;  // of the last pattern (patterns holds each)
  index_t nnz = 0;
  std::vector<PatternRecord> patterns;
  SolverStats stats;  // of the last factorization
  double analyze_seconds = 0.0;
  double factor_seconds = 0.0;
  std::vector<double> refactor_seconds;
  std::vector<SolveRecord> solves;
  std::vector<index_t> refactor_fallbacks;  // matrix indices where a fresh factor was needed
  std::vector<index_t> reanalysed;          // matrix indices whose pattern differed
  // With strict_pattern: the first matrix whose pattern differed (the run stopped before it).
  index_t pattern_mismatch = -1;
  std::string cache_symbolic = "off";  // hit, miss, unsupported, off
  std::string cache_numeric = "off";
  std::vector<std::string> warnings;
  // Solutions, one dense block per matrix (n x nrhs column-major), real or complex.
  std::vector<std::vector<double>> x;
  std::vector<std::vector<complex_t>> zx;
  std::vector<index_t> nrhs;
  std::optional<SequenceFailure> failure;  // with keep_partial_results
  // A backend computing on an accelerator (DeviceSolver): its device, and where its time went
  // over the whole sequence.
  std::string device;
  DeviceTimings device_timings;
};

// Right-hand sides for one matrix: n x nrhs column-major; empty means b = A * ones.
struct SPAX_API RightHandSide {
  index_t nrhs = 0;
  std::vector<double> values;
  std::vector<complex_t> zvalues;
};

// Runs the sequence: analyze once (or take it from the cache), factor the first matrix, refactor
// the rest, solve each. Matrices must have values (synthesize them for pattern files) and be
// finite and square. rhs is empty (all b = A * ones), or has one entry per matrix, or one shared.
// A pattern change re-analyses (a warning) or, with strict_pattern, stops the run there and sets
// pattern_mismatch.
SPAX_API SequenceResult run_sequence(const std::vector<SparseMatrix>& matrices,
                                     const std::vector<RightHandSide>& rhs,
                                     const SequenceOptions& options);
// The same with a solver the caller made (a backend of its own, or one configured beyond
// SolverOptions): every check above applies; options.solver and solver_options are not used.
SPAX_API SequenceResult run_sequence(const std::vector<SparseMatrix>& matrices,
                                     const std::vector<RightHandSide>& rhs,
                                     const SequenceOptions& options, Solver& solver);

// --- One matrix at a time: the rules of a sequence -------------------------------------------
// run_sequence and SolverSession apply the same rules through these functions.

// What a solver needs of a matrix before any numeric work: square (an input error), values (a
// usage error) and finite values (an input error naming the entry). `what` names the matrix in
// the message ("matrix 3").
// With `file`, the input errors name it (FILE: what ...).
SPAX_API void check_solver_input(const SparseMatrix& a, const std::string& what,
                                 const std::string& file = {});
// A square matrix with an empty row or column (an empty matrix among them) is structurally
// singular: throws the SingularError here, before any backend sees it (some report only a status
// code for it, and hypre's AMG aborts the process).
SPAX_API void check_no_empty_line(const SparseMatrix& a);

// New values on the analysed pattern: s.refactor(a), then a fresh s.factor(a) when the
// backend's cheap indicators (pivot growth, rcond, a zero pivot) say the kept pivots failed.
struct SPAX_API NumericUpdate {
  bool fresh = false;      // the factorization is fresh (pivots chosen for these values)
  bool fell_back = false;  // a refactor replaced by a fresh factorization
};
SPAX_API NumericUpdate refactor_or_factor(Solver& s, const SparseMatrix& a);
// Whether an answer must be computed again after a fresh factorization: it came from kept pivots
// (`fresh` false) of a direct backend (iterative ones judge their own answers) and its backward
// error is above `limit` (or NaN).
SPAX_API bool refactor_answer_rejected(const Solver& s, bool fresh, double backward_error,
                                       double limit);
// spax's reciprocal 1-norm condition estimate from the factorization's solves (Hager's method
// with Higham's extra vector, as LAPACK's xLACON), for backends whose own rcond is no estimate
// (wants_rcond_estimate: UMFPACK, CHOLMOD, Eigen); NaN when not applicable (complex, or the
// backend's own is one).
SPAX_API double estimate_rcond(Solver& s, const SparseMatrix& a);

// A solver across a Newton loop, driven one call at a time (the Python module's Solver), with
// run_sequence's rules: each matrix checked (check_solver_input, check_no_empty_line); a pattern
// change analysed again (recorded in `reanalysed`); a refactor whose cheap indicators fail
// factored afresh; and, with `safe`, a solve on kept pivots whose backward error is above
// `refactor_backward_limit` solved again after a fresh factorization. Both fallbacks are
// recorded in `refactor_fallbacks` by matrix index (the first factored matrix is 0, each later
// factor or refactor the next), as run_sequence records them. The session owns its matrix: its
// pattern is kept across refactors, so new values alone (refactor_values) need no pattern.
// Not thread-safe: one thread at a time per session (sessions are independent).
struct SPAX_API SessionOptions {
  std::string solver = "klu";  // a registered backend, METHOD+PRECOND, or "auto" (chosen at
                               // the first analysis)
  SolverOptions solver_options;
  bool safe = true;
  double refactor_backward_limit = 1e-10;
};

struct SPAX_API SessionStats {
  std::string solver;          // resolved ("auto" becomes the backend chosen)
  std::string chosen_because;  // auto only
  std::string ordering;
  index_t n = 0;
  index_t nnz = 0;
  SolverStats stats;     // the backend's after the last numeric step (rcond: last fresh factor's)
  index_t matrices = 0;  // matrices factored or refactored so far
  index_t solves = 0;
  double analyze_seconds = 0.0;   // the last analysis
  double factor_seconds = 0.0;    // the last fresh factorization (fallbacks included)
  double refactor_seconds = 0.0;  // the last refactor (with its fallback, if any)
  double solve_seconds = 0.0;     // the last solve (with its fallback, if any)
  // The last solve's backward error (worst over its right-hand sides); NaN when not checked
  // (safe off) or none yet.
  double backward_error = std::numeric_limits<double>::quiet_NaN();
  std::vector<index_t> refactor_fallbacks;
  std::vector<index_t> reanalysed;
};

class SPAX_API SolverSession {
 public:
  // Creates the backend (usage errors for an unknown name, ordering or option), unless "auto".
  explicit SolverSession(SessionOptions options);
  ~SolverSession();
  SolverSession(const SolverSession&) = delete;
  SolverSession& operator=(const SolverSession&) = delete;

  // Takes the matrix, checks it and analyses its pattern; drops any factorization.
  void analyze(SparseMatrix a);
  // A fresh factorization; analyses first when there is no analysis or the pattern differs.
  void factor(SparseMatrix a);
  // New values: on the analysed pattern a refactor (refactor_or_factor), on another pattern (or a
  // change between real and complex) a fresh analysis and factorization; before any
  // factorization, a factor.
  void refactor(SparseMatrix a);
  // New values on the kept pattern, nnz of them in its storage order (checked: length, kind,
  // finite); then as refactor.
  void refactor_values(std::span<const double> values);
  void refactor_values(std::span<const complex_t> values);
  // Solves op(A) X = B in place (B: n x nrhs, column-major; op(A) = A^T, A^H for complex). B must
  // be finite. A complex B with a real factorization is solved as its real and imaginary parts;
  // a real B needs a real factorization (usage error otherwise).
  void solve(std::span<double> b, index_t nrhs, bool transpose);
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose);

  bool analyzed() const noexcept { return analyzed_; }
  bool factored() const noexcept { return factored_; }
  const SparseMatrix& matrix() const noexcept { return a_; }
  const SessionStats& stats() const noexcept { return st_; }
  const SessionOptions& options() const noexcept { return o_; }

 private:
  void create(const SparseMatrix& a);
  void do_analyze();
  void do_factor(bool fallback);
  void numeric_update();
  void check_ready(std::size_t size, index_t nrhs, bool complex_rhs) const;
  template <class T>
  void check_rhs(std::span<const T> b) const;
  template <class T>
  void safe_solve(std::span<T> b, index_t nrhs, bool transpose);
  template <class T>
  void take_values(std::span<const T> values);

  SessionOptions o_;
  std::unique_ptr<Solver> s_;
  SparseMatrix a_;
  bool analyzed_ = false;
  bool factored_ = false;
  bool fresh_ = false;  // the factorization's pivots were chosen for the current values
  SessionStats st_;
};

// The cache file format: magic "SPAXCACH", format version, payload size, payload, checksum
// (hash64_words seeded with the file's name: a file copied under another matrix's name is
// rejected like a damaged one).
// read returns nullopt (and a reason) for a missing, corrupt, truncated or stale file.
SPAX_API std::optional<std::string> read_cache_file(const std::string& path,
                                                    std::string* reason = nullptr);
SPAX_API void write_cache_file(const std::string& path, const std::string& payload);
// 64-bit FNV-1a over bytes (the checksum and the values fingerprint).
SPAX_API std::uint64_t fnv1a64(const void* data, std::size_t size,
                               std::uint64_t h = 1469598103934665603ULL);
// A faster 64-bit hash over 8-byte words (the cache checksum and values key): per word w,
// h = ((h ^ w) * 0x100000001B3) ^ (that >> 29), trailing bytes FNV-1a style, then the length is
// mixed in and the splitmix64 finaliser applied.
SPAX_API std::uint64_t hash64_words(const void* data, std::size_t size,
                                    std::uint64_t h = 1469598103934665603ULL);

}  // namespace spax
