// Slow, obviously correct reference versions of the structure statistics of spax analyze,
// computed from a std::map of entries (no CSC tricks), used to check the fast code.
#pragma once

#include <complex>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "spax/sparse.hpp"

namespace spax::test {

struct ReferenceStructure {
  std::int64_t bandwidth = 0;
  std::int64_t profile = 0;   // sum of |i - j| over entries whose value is not zero
  std::int64_t envelope = 0;  // sum over rows of (i - first stored column <= i)
  bool structurally_symmetric = false;
  bool numerically_symmetric = false;
  double pattern_symmetry = 1.0;
  double numeric_symmetry = 1.0;
  std::int64_t components = 0;
  std::vector<std::int64_t> component_sizes;  // all, largest first
  std::int64_t nnz_diagonal = 0;
  std::int64_t dominant_rows = 0;
  std::int64_t empty_rows = 0, empty_cols = 0;
  std::int64_t row_min = 0, row_max = 0, col_min = 0, col_max = 0;
  std::int64_t structural_rank = 0;  // Kuhn's augmenting paths
};

// Entries by (row, col) -> value (complex; pattern entries are 1).
std::map<std::pair<std::int64_t, std::int64_t>, std::complex<double>> reference_entries(
    const SparseMatrix& a);

ReferenceStructure reference_structure(const SparseMatrix& a);

// Nonzeros of L (with its unit diagonal) and U (with its diagonal) of the LU factorization of
// A(q, q) without pivoting, by Gaussian elimination on a dense boolean matrix: entry (i, j)
// becomes nonzero when (i, k) and (k, j) are for a pivot k before both. {-1, -1} when a pivot is
// structurally zero. O(n^3): for small matrices.
std::pair<std::int64_t, std::int64_t> reference_lu_nopivot_counts(const SparseMatrix& a,
                                                                  const std::vector<index_t>& q);

}  // namespace spax::test
