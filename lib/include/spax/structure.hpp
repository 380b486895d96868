// What a matrix looks like before any ordering: structure statistics, LU fill under SuperLU's and
// KLU's orderings (each run in a child process under a timeout), and the stability of a pattern
// over a sequence of matrices (a Newton loop's Jacobians).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spax/check.hpp"
#include "spax/sparse.hpp"

namespace spax {

// ---------------------------------------------------------------------------------------------
// Structure statistics (the `matrix` section of `spax analyze`).
//
// Definitions (0-based i = row, j = column, over stored entries, explicit zeros included):
//   bandwidth        max |i - j| over the entries (0 for a diagonal or empty matrix);
//                    lower_bandwidth = max(i - j), upper_bandwidth = max(j - i).
//   profile          sum of |i - j| over the nonzero entries: the VAJAX script's definition
//                    (np.sum(np.abs(rows - cols)) over A.nonzero(), which skips stored entries
//                    whose value is exactly zero; every entry of a pattern matrix counts).
//   envelope         sum over rows i of (i - f_i), where f_i is the smallest column index of a
//                    stored entry of row i with f_i <= i (rows with no entry left of or on the
//                    diagonal contribute 0): the size of the lower envelope (explicit zeros
//                    included).
//   pattern_symmetry fraction of off-diagonal entries a_ij whose transpose position a_ji is also
//                    stored; numeric_symmetry: fraction with a_ji stored and a_ji == a_ij (the
//                    SuiteSparse Matrix Collection's definitions; 1 when there are no
//                    off-diagonal entries; pattern matrices count as numerically = structurally).
//   diagonal dominance: row i is dominant when a_ii != 0 and |a_ii| >= sum_{j != i} |a_ij|
//                    (pattern matrices are taken as all ones).
//   connected components: of the undirected graph of A + A^T (square matrices only).
//   structural_rank: size of a maximum transversal (BTF maximum matching).
//   scc_*: the strongly connected blocks of the block triangular form (BTF, square only).
struct SPAX_API DegreeStats {
  index_t row_min = 0, row_max = 0;
  double row_mean = 0.0;
  index_t col_min = 0, col_max = 0;
  double col_mean = 0.0;
};

struct SPAX_API MatrixStructure {
  index_t nrows = 0;
  index_t ncols = 0;
  index_t nnz = 0;
  bool square = true;
  bool has_values = true;
  double density_pct = 0.0;
  index_t bandwidth = 0;
  index_t lower_bandwidth = 0;
  index_t upper_bandwidth = 0;
  index_t profile = 0;
  index_t envelope = 0;
  bool is_structurally_symmetric = false;
  bool is_numerically_symmetric = false;
  double pattern_symmetry = 1.0;
  double numeric_symmetry = 1.0;
  // Square only (connected_components = -1 otherwise).
  index_t connected_components = -1;
  std::vector<index_t> component_sizes;  // largest first, at most 10
  index_t dominant_rows = 0;
  index_t total_rows = 0;
  double dominant_pct = 0.0;
  DegreeStats degrees;
  index_t nnz_diagonal = 0;
  index_t structural_rank = 0;
  index_t scc_blocks = -1;   // -1 when not square
  index_t scc_largest = -1;  // size of the largest strongly connected block
  index_t empty_rows = 0;
  index_t empty_cols = 0;
  index_t explicit_zeros = 0;
  index_t duplicates_summed = 0;
  std::vector<std::string> notes;  // what does not apply and why
};

// Computes every statistic above. `duplicates_summed` comes from the reader (ReadStats).
SPAX_API MatrixStructure analyze_structure(const SparseMatrix& a, index_t duplicates_summed = 0);

// ---------------------------------------------------------------------------------------------
// LU fill. SuperLU as scipy.sparse.linalg.splu runs it: column ordering from get_perm_c
// (MMD_AT_PLUS_A, COLAMD), sp_preorder, dgstrf with partial pivoting (diagonal pivot threshold
// 1.0, not symmetric mode, relax and panel size from sp_ienv, no equilibration); L counted with
// its unit diagonal, U with its diagonal, factor_nnz = L_nnz + U_nnz - n. KLU (klu_l_analyze with
// BTF, AMD or COLAMD, then klu_l_factor): L_nnz = lnz, U_nnz = unz (both per diagonal block with
// their diagonals, as KLU reports them), offdiag_nnz = nzoff (entries of the off-diagonal blocks),
// factor_nnz = lnz + unz - n + nzoff.
struct SPAX_API LuFillEntry {
  std::string name;     // "MMD_AT_PLUS_A", "COLAMD" (SuperLU), "AMD", "COLAMD" (KLU)
  std::string library;  // "superlu" or "klu"
  bool ok = false;
  std::string skipped;  // e.g. "timeout after 60 s" (ok = false)
  std::string error;    // e.g. "Factor is exactly singular" (ok = false)
  std::string method;   // SuperLU: how the counts were obtained (dgstrf relax, or structural)
  std::string note;
  index_t L_nnz = 0;
  index_t U_nnz = 0;
  index_t offdiag_nnz = 0;  // KLU only
  index_t factor_nnz = 0;
  double fill_ratio = 0.0;  // factor_nnz / original_nnz
  index_t fill_in = 0;      // factor_nnz - original_nnz
  double seconds = 0.0;     // wall time of ordering + factorization in the child
};

struct SPAX_API LuFillResult {
  bool applicable = false;  // false for rectangular or 0x0 matrices (see note)
  index_t n = 0;
  index_t original_nnz = 0;
  std::string values;  // "file", "synthesized" (pattern input) or "magnitude" (complex input)
  std::vector<LuFillEntry> superlu;
  std::vector<LuFillEntry> klu;
  std::string best_ordering;  // SuperLU ordering with the smallest factor_nnz ("" if none)
  std::string best_klu_ordering;
  std::string note;
};

struct SPAX_API LuFillOptions {
  bool superlu = true;
  bool klu = true;
  double timeout_seconds = 60.0;  // per factorization; <= 0: no limit
  int max_parallel = 1;           // child processes running at once
  // SuperLU's relaxed-supernode size for dgstrf. 0 (auto): scipy's (sp_ienv(2) = 10) when it
  // ends within 3x the time of a run without relaxation, else the counts of that run (noted).
  // Relaxed supernodes pad the factor with explicit zeros; on matrices with dense rows (circuit
  // supply nets) the padded dense updates cost 100x the real work. The counts drop zeros as
  // scipy does, so only ties in the pivot search and exact cancellation tell the two apart.
  int superlu_relax = 0;
  // The SuperLU MMD child sends get_perm_c's order to this process as soon as it has it (see
  // take_mmd_order), so that `spax analyze` computes that ordering once, not twice.
  bool share_mmd_order = false;
};

// Nonzeros of the LU factors of A(q, q) without pivoting (q[k] = column of A in position k),
// from the structure alone: L with its unit diagonal, U with its diagonal. zero_pivot is the
// first position whose diagonal is structurally zero (ok = false then).
struct SPAX_API LuCounts {
  bool ok = false;
  index_t L = 0;
  index_t U = 0;
  index_t zero_pivot = -1;
};
SPAX_API LuCounts lu_nopivot_counts(const SparseMatrix& a, const std::vector<index_t>& q);

// Runs the factorizations in forked child processes that report their counts through a pipe;
// a child past the timeout is killed and its entry says "timeout after T s". A singular matrix
// gives that ordering's error, not an exception. start_lu_fill forks the first children and
// returns at once (the caller can work meanwhile); finish_lu_fill waits for all of them.
// Call start_lu_fill while no other thread of the process is running.
class LuFillJob;
SPAX_API std::shared_ptr<LuFillJob> start_lu_fill(const SparseMatrix& a,
                                                  const LuFillOptions& options);
SPAX_API LuFillResult finish_lu_fill(std::shared_ptr<LuFillJob> job);
// Collects the children that have finished and starts the next ones, without waiting.
SPAX_API void poll_lu_fill(LuFillJob& job);
// With options.share_mmd_order: waits for the SuperLU MMD child's column order (SuperLU's
// get_perm_c(MMD_AT_PLUS_A) on the matrix's pattern, exactly as compute_ordering(a, "mmd")
// gives it; seconds = its time in the child) and returns true; false when there is none (no
// such child, it was stopped or failed first, or the order was already taken): the caller then
// computes it. Callable from any one thread while no other call on the job runs.
struct Ordering;
SPAX_API bool take_mmd_order(LuFillJob& job, Ordering& order);
// Both steps at once.
SPAX_API LuFillResult compute_lu_fill(const SparseMatrix& a, const LuFillOptions& options);

// The real matrix the LU runs on: synthesize_values for a pattern, |z| for complex, else a copy.
SPAX_API SparseMatrix lu_values_matrix(const SparseMatrix& a, std::string* values_kind = nullptr);

// ---------------------------------------------------------------------------------------------
// Measured factorization time under one ordering (`spax analyze --measure`): fill and flops
// alone mislead, so each ordering is factored once, in a child process under a timeout:
// CHOLMOD (cholmod_l_analyze_p with the ordering given, then cholmod_l_factorize) on the
// pattern of A+A^T + I with values that make it diagonally dominant (so SPD), and KLU
// (klu_l_analyze_given with P = Q = the ordering, BTF on, then klu_l_factor) on the LU values
// (lu_values_matrix). Only the numeric factorization is timed. Then, for the predictions of the
// schedule, CHOLMOD's supernodal factorization (forced supernodal, its OpenMP loops on one
// thread) with 1 and with 2 BLAS threads: rounds of one fresh factorization per thread count,
// the best of each kept; rounds continue while they took less than a quarter of the timeout (at
// most 5 rounds).
struct SPAX_API MeasuredFactorization {
  bool ok = false;
  std::string skipped;  // "timeout after T s"
  std::string error;
  double cholmod_seconds = 0.0;  // -1 when CHOLMOD was not measured (MeasureOptions)
  double klu_seconds = -1.0;     // -1: KLU failed or was not measured (klu_error says why)
  std::string klu_error;
  double cholmod_supernodal_1 = -1.0;  // seconds, 1 BLAS thread; -1 when not measured
  double cholmod_supernodal_2 = -1.0;  // seconds, 2 BLAS threads
  // CPU seconds of the 1-thread run (its only thread): equal to the wall time on an idle
  // machine, without the time the scheduler gave other processes on a busy one.
  double cholmod_supernodal_1_cpu = -1.0;
  int cholmod_rounds = 0;
  std::string cholmod_supernodal_error;  // why the threaded timing is missing
  // MUMPS's factorization (its JOB=2, median of the runs) on 1 and 2 MPI processes, each an MPI
  // job of its own (spax analyze --measure where the mumps backend is available); -1 when not
  // measured, mumps_error says why.
  double mumps_np1 = -1.0, mumps_np2 = -1.0;
  std::string mumps_error;
};
struct MeasureOptions {
  bool cholmod = true;  // the auto-mode factorization and the threaded supernodal timings
  bool klu = true;
  // MUMPS on 1 and 2 MPI processes, through the launcher of `spax bench --ranks` (mpirun, the
  // spax executable): analyze_files only, which has the file to give the MPI jobs.
  bool mumps = false;
};
// perm: p[k] = old index of pivot k (empty = natural); square A only.
SPAX_API MeasuredFactorization measure_factorization(const SparseMatrix& a,
                                                     const std::vector<index_t>& perm,
                                                     double timeout_seconds,
                                                     const MeasureOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Pattern stability over samples A_0, A_1, ... (added one at a time; only the first is kept).
struct SPAX_API PatternStability {
  bool is_fixed = true;
  index_t n_samples = 0;
  // First sample whose pattern differs from A_0: its index (0-based in the sample list) and the
  // entries it adds to / removes from A_0's pattern. Absent when fixed.
  bool has_mismatch = false;
  index_t mismatch_index = -1;
  index_t added_entries = 0;
  index_t removed_entries = 0;
  // Over the positions of A_0's pattern, among the samples that share it: per entry
  // std/|mean| (population std, Welford running statistics; entries with mean 0 skipped);
  // mean, max and median over entries. Absent for pattern-only samples.
  bool has_value_variation = false;
  double mean_relative_variation = 0.0;
  double max_relative_variation = 0.0;
  double median_relative_variation = 0.0;
  index_t samples_in_variation = 0;
  std::string note;
};

// Streams: memory is A_0's pattern plus running statistics per entry (ValueVariation).
class SPAX_API PatternStabilityAccumulator {
 public:
  void add(const SparseMatrix& a);
  PatternStability result() const;

 private:
  std::optional<ValueVariation> values_;  // A_0's pattern and the samples that share it
  index_t n_ = 0;
  bool has_mismatch_ = false;
  index_t mismatch_index_ = -1, added_ = 0, removed_ = 0;
};

}  // namespace spax
