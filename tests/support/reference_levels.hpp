// A slow, obviously correct reference for the triangular-solve level sets: the patterns of L and
// U of A(p,p) + I factored without pivoting, by dense boolean Gaussian elimination, and the
// longest-path levels of the forward solve with L and the backward solve with U.
#pragma once

#include <span>
#include <vector>

#include "spax/sparse.hpp"

namespace spax::test {

struct ReferenceLevels {
  // Forward solve: level of row i = 1 + the largest level of the rows j < i with L(i,j) != 0
  // (0 when none); backward solve: level of row k = 1 + the largest level of the rows j > k
  // with U(k,j) != 0, counted from the last row.
  std::vector<index_t> lower_level, upper_level;
  index_t lower_levels = 0, upper_levels = 0;  // number of distinct levels (longest path)
  // Off-diagonal entries of each row of L and of U.
  std::vector<index_t> lower_row_count, upper_row_count;
};

// Dense: n x n booleans, for small n only. Empty p = identity.
ReferenceLevels reference_levels(const SparseMatrix& a, std::span<const index_t> p = {});

// A deterministic random square pattern with a full diagonal and about `per_col` entries per
// column off it (seed selects the pattern).
SparseMatrix random_pattern(index_t n, index_t per_col, unsigned seed);

}  // namespace spax::test
