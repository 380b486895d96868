// Symbolic analysis for direct solvers: fill-reducing orderings, the elimination tree of the
// pattern of A+A^T, column counts of its Cholesky factor, level sets, the flop-weighted critical
// path and supernodes, per ordering.
//
// Conventions used throughout this header:
// - Everything is 0-based and uses spax::index_t.
// - A permutation p (an "ordering") lists pivots: p[k] = the old (original) index of the k-th
//   pivot, so the analysed matrix is A(p, p). An empty span means the identity (natural order).
// - The analysed pattern is always the pattern of A+A^T of a SQUARE matrix A (values are
//   ignored; the diagonal is implied: the Cholesky factor L always has its diagonal).
//   Functions that need a square matrix throw spax::Error of kind usage (throw_usage) with the
//   message "analysis needs a square matrix (got R x C)" for a rectangular one; callers that
//   build a report catch it (ErrorKind::usage) and turn it into a note.
// - Tree arrays are indexed by the position in the permuted matrix (column k of A(p,p)), not by
//   the original index. parent[k] = -1 for a root.
// - Flop convention (the one CHOLMOD uses for Common->fl): the Cholesky flop count is
//   sum over columns j of colcount(j)^2, where colcount(j) counts the nonzeros of column j of L
//   INCLUDING the diagonal. The per-column weight w_j = colcount(j)^2 uses the same convention.
// - Nothing here prints; all functions are thread-safe on distinct inputs.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "spax/common.hpp"
#include "spax/machine_model.hpp"
#include "spax/predict.hpp"
#include "spax/sparse.hpp"

namespace spax {

// ---------------------------------------------------------------------------------------------
// Orderings
// ---------------------------------------------------------------------------------------------

// A fill-reducing ordering: p[k] = old index of the k-th pivot, and the wall time to compute it
// (seconds; includes forming A+A^T or library input where the method needs it).
struct SPAX_API Ordering {
  std::string name;
  std::vector<index_t> perm;
  double seconds = 0.0;
};

// The registered ordering names, in this order:
//   "natural"  identity
//   "amd"      AMD (SuiteSparse amd_l_order) on the pattern of A+A^T
//   "metis"    METIS_NodeND nested dissection on the graph of A+A^T without its diagonal
//   "colamd"   COLAMD column ordering of A (colamd_l), applied as a symmetric permutation
//   "mmd"      SuperLU's get_perm_c(MMD_AT_PLUS_A) (multiple minimum degree on A^T+A)
//   "rcm"      reverse Cuthill-McKee on A+A^T (see rcm_ordering)
SPAX_API std::vector<std::string> ordering_names();
SPAX_API bool is_ordering_name(const std::string& name);
// "natural, amd, metis, colamd, mmd, rcm" (for usage messages).
SPAX_API std::string ordering_names_joined();
// An --orderings list as every command takes it: "all" (every registered name, in the order
// above), or names separated by commas (blanks around them ignored, repeats kept once). An
// unknown name or an empty list is a usage error naming `option`.
SPAX_API std::vector<std::string> parse_ordering_list(const std::string& list,
                                                      const std::string& option = "--orderings");

// Computes the named ordering of a square matrix. Unknown name: usage error
// "unknown ordering 'X' (known: natural, amd, metis, colamd, mmd, rcm)". Rectangular: usage
// error (see top). n = 0 gives an empty permutation. Library failures: internal error.
SPAX_API Ordering compute_ordering(const SparseMatrix& a, const std::string& name);

// Reverse Cuthill-McKee on the graph of A+A^T (diagonal ignored), square A only. Every
// connected component is ordered in turn (components taken in order of their smallest original
// index); each starts at a pseudo-peripheral node found by the George-Liu iteration (start at a
// minimum-degree node of the component, BFS, move to a minimum-degree node of the last level
// while the eccentricity grows); the BFS visits neighbours by increasing degree (ties: smaller
// index); the whole sequence is reversed at the end.
SPAX_API std::vector<index_t> rcm_ordering(const SparseMatrix& a);

// Bandwidth of A(p, p) for square A (max |i - j| over stored entries of the permuted matrix;
// 0 for a diagonal or empty matrix). Empty p = identity. For a rectangular matrix (p must be
// empty) it is max |i - j| over stored entries of A.
SPAX_API index_t bandwidth(const SparseMatrix& a, std::span<const index_t> p = {});

// ---------------------------------------------------------------------------------------------
// Elimination tree, postorder, column counts
// ---------------------------------------------------------------------------------------------

// Elimination tree of the pattern of C = A(p,p) + A(p,p)^T (Liu's algorithm with path
// compression, O(nnz * alpha)). parent[k] = min{ i > k : L(i,k) != 0 } or -1 for a root.
SPAX_API std::vector<index_t> elimination_tree(const SparseMatrix& a,
                                               std::span<const index_t> p = {});

// A postorder of the forest given by `parent` (children visited in increasing index order,
// roots in increasing order): post[k] = the k-th node visited.
SPAX_API std::vector<index_t> tree_postorder(std::span<const index_t> parent);

// Symbolic Cholesky of C = A(p,p) + A(p,p)^T: etree, postorder, column counts of L.
struct SPAX_API SymbolicCholesky {
  index_t n = 0;
  std::vector<index_t> parent;     // etree, -1 for roots
  std::vector<index_t> postorder;  // tree_postorder(parent)
  std::vector<index_t> colcount;   // nonzeros in column k of L, diagonal included (>= 1)
  index_t nnz_l = 0;               // sum of colcount
  double flops = 0.0;              // sum of colcount^2 (CHOLMOD's Common->fl convention)
};
// Column counts come from CHOLMOD (cholmod_l_analyze on the permuted upper pattern, natural
// order, no postordering); the etree from elimination_tree. nnz_l and flops equal CHOLMOD's
// Common->lnz and Common->fl for the same ordering (tested). Square A only.
SPAX_API SymbolicCholesky symbolic_cholesky(const SparseMatrix& a, std::span<const index_t> p = {});

// ---------------------------------------------------------------------------------------------
// Level sets and tree statistics (on any forest given by a parent array)
// ---------------------------------------------------------------------------------------------

struct SPAX_API SummaryStats {
  double min = 0.0, max = 0.0, mean = 0.0, median = 0.0;  // all 0 for an empty set
};
// Median of an even-sized set is the mean of the two middle values.
SPAX_API SummaryStats summary_stats(std::vector<double> values);

struct SPAX_API TreeLevels {
  index_t n = 0;
  // ASAP level: level[k] = 0 for a leaf, else 1 + max level of its children (the schedule a
  // level-scheduled factorization runs). widths[l] = number of nodes with level l.
  std::vector<index_t> level;
  std::vector<index_t> widths;
  // ALAP widths counted as the VAJAX script does: depth from the root (a root has depth 0, a
  // child depth(parent) + 1); widths_alap[d] = number of nodes at depth d, listed root first
  // (d = 0, 1, ...). Same length as widths (both equal height).
  std::vector<index_t> widths_alap;
  index_t height = 0;    // number of levels (0 for n = 0); a diagonal matrix has height 1
  index_t n_leaves = 0;  // nodes without children
  index_t n_roots = 0;
  // Width statistics over the ASAP levels: max, min and mean (= n / height) of widths.
  index_t max_width = 0, min_width = 0;
  double avg_width = 0.0;
  // subtree_size[k] = number of nodes in the subtree rooted at k (itself included).
  std::vector<index_t> subtree_size;
  SummaryStats subtree_stats;  // over all n subtree sizes
};
// One pass, O(n). Requires parent[k] > k or -1 (true for every elimination tree); throws an
// internal error otherwise.
SPAX_API TreeLevels tree_levels(std::span<const index_t> parent);

// Flop-weighted critical path: w_k = colcount(k)^2; critical path = max over leaf-to-root paths
// of the sum of w along the path (both ends included). work_span = total / critical_path (1 for
// an empty matrix).
struct SPAX_API CriticalPath {
  double total_flops = 0.0;
  double critical_path = 0.0;
  double work_span = 1.0;
};
SPAX_API CriticalPath critical_path(std::span<const index_t> parent,
                                    std::span<const index_t> colcount);

// ---------------------------------------------------------------------------------------------
// Supernodes
// ---------------------------------------------------------------------------------------------

// Sizes of a partition of the columns into supernodes (contiguous column ranges) and the
// supernodal tree (a supernode's parent is the supernode holding parent(last column)).
struct SPAX_API SupernodeStats {
  index_t count = 0;
  index_t largest = 0;
  double mean_size = 0.0;
  double median_size = 0.0;
  // Buckets "1", "2-4", "5-10", "11-50", "51+" (supernode_bucket_names()).
  std::array<index_t, 5> histogram{};
  std::vector<index_t> first;   // first column of each supernode, plus n at the end (count+1)
  std::vector<index_t> parent;  // supernodal tree, -1 for roots
  index_t tree_height = 0;      // number of ASAP levels of the supernodal tree
  index_t tree_max_width = 0;   // largest ASAP level width of the supernodal tree
};
SPAX_API const std::array<const char*, 5>& supernode_bucket_names();

// Builds the statistics from supernode boundaries `first` (count+1 entries, first[0] = 0,
// last = n, strictly increasing) and the column etree.
SPAX_API SupernodeStats supernode_stats(std::span<const index_t> first,
                                        std::span<const index_t> parent);

// (a) The VAJAX script's chain count: columns k and k+1 are in one supernode when
// parent(k) = k+1 and k+1 has exactly one child.
SPAX_API SupernodeStats chain_supernodes(std::span<const index_t> parent);
// (b) Fundamental supernodes: k and k+1 merge when parent(k) = k+1, k+1 has exactly one child
// and colcount(k) = colcount(k+1) + 1.
SPAX_API SupernodeStats fundamental_supernodes(std::span<const index_t> parent,
                                               std::span<const index_t> colcount);
// (c) Relaxed supernodes exactly as CHOLMOD amalgamates them: cholmod_l_analyze with
// Common->supernodal = CHOLMOD_SUPERNODAL on A(p,p)+A(p,p)^T, the given ordering, default
// relaxation parameters, no postordering; L->super gives the boundaries. Costs a supernodal
// symbolic factorization (memory about the number of row indices of the supernodes).
SPAX_API SupernodeStats relaxed_supernodes(const SparseMatrix& a, std::span<const index_t> p,
                                           std::span<const index_t> parent);

// ---------------------------------------------------------------------------------------------
// Per-ordering analysis
// ---------------------------------------------------------------------------------------------

struct SPAX_API OrderingAnalysis {
  std::string ordering;           // the ordering's name
  std::vector<index_t> perm;      // p[k] = old index of pivot k
  double seconds = 0.0;           // time to compute the ordering only
  double analysis_seconds = 0.0;  // time for everything below
  index_t bandwidth = 0;          // bandwidth(A, perm)
  std::vector<index_t> parent;    // etree of A(p,p)+A(p,p)^T, -1 for roots
  std::vector<index_t> colcount;  // column counts of L (diagonal included)
  index_t height = 0;
  index_t n_leaves = 0;
  std::vector<index_t> level_widths;  // ASAP widths (TreeLevels::widths)
  index_t max_width = 0;
  double avg_width = 0.0;
  index_t nnz_l = 0;   // sum of colcount, diagonal included
  double flops = 0.0;  // sum of colcount^2
  double critical_path = 0.0;
  double work_span = 1.0;
  index_t fundamental_supernodes = 0;
  index_t relaxed_supernodes = 0;         // -1 when not computed (options.relaxed = false)
  index_t supernodal_tree_height = 0;     // of the relaxed supernodal tree (fundamental when
  index_t supernodal_tree_max_width = 0;  // relaxed supernodes were not computed)
  // Predicted memory of L in bytes, as a CSC factor with double values and 64-bit indices:
  // nnz_l * (8 + 8) + (n + 1) * 8  (values + row indices + column pointers).
  double memory_bytes = 0.0;
  // With AnalysisOptions::model: the predicted times of the supernodal factorization on p
  // workers, the triangular solves, the GPU batch plan and the memory per process (predict.hpp).
  std::optional<SchedulePrediction> schedule;
};

struct SPAX_API AnalysisOptions {
  int threads = 1;      // orderings analysed concurrently (resolve_threads semantics: 0 = all)
  bool relaxed = true;  // compute CHOLMOD's relaxed supernodes
  // analyze_orderings asks this first for each name; when it returns true with the ordering
  // (already computed elsewhere), that one is analysed instead of computing it again.
  std::function<bool(const std::string& name, Ordering& out)> provided;
  // analyze_orderings calls this after each ordering is analysed, from the thread that analysed
  // it (so it must be thread-safe); for progress reports.
  std::function<void(const std::string& name)> on_ordering_done;
  // When set (and relaxed), each ordering also gets its schedule prediction (predict_schedule
  // on CHOLMOD's relaxed supernodes, computed from the same supernodal analysis).
  const MachineModel* model = nullptr;
  PredictOptions predict;
  // When set, only the orderings it accepts get a prediction.
  std::function<bool(const std::string& name)> predict_ordering;
};

// Predicted bytes of L: nnz_l * 16 + (n + 1) * 8.
SPAX_API double predicted_factor_bytes(index_t n, index_t nnz_l);

// Analyses A under one given ordering (name and perm from compute_ordering or the caller).
// Square A only (usage error otherwise); perm must be a permutation of 0..n-1 (usage error) or
// empty (the natural order; the result's perm is then the identity).
SPAX_API OrderingAnalysis analyze_ordering(const SparseMatrix& a, const Ordering& ordering,
                                           const AnalysisOptions& options = {});

// Computes and analyses each named ordering; results in the order of `names`. With
// options.threads > 1 the orderings run concurrently (each on one thread). Unknown names throw
// the usage error of compute_ordering before any work starts. Square A only.
SPAX_API std::vector<OrderingAnalysis> analyze_orderings(const SparseMatrix& a,
                                                         const std::vector<std::string>& names,
                                                         const AnalysisOptions& options = {});

}  // namespace spax
