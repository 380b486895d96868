// Slow, obviously correct references for the symbolic analysis: the elimination tree and the
// column counts of L by plain symbolic elimination of A(p,p) + A(p,p)^T, plus small matrix
// builders for tests.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "spax/sparse.hpp"

namespace spax::test {

struct ReferenceSymbolic {
  std::vector<index_t> parent;    // parent(j) = min{ i > j : L(i,j) != 0 }, -1 when none
  std::vector<index_t> colcount;  // |L(:,j)| with the diagonal
  index_t nnz_l = 0;
  double flops = 0.0;  // sum colcount^2
};

// Symbolic elimination: struct L(:,j) = {i > j : C(i,j) != 0} union the structs of every
// earlier column k with L(j,k) != 0, restricted to rows > j. Work is about the Cholesky flop
// count; returns nullopt when it would exceed max_work set insertions. Empty p = identity.
std::optional<ReferenceSymbolic> reference_symbolic(const SparseMatrix& a,
                                                    std::span<const index_t> p = {},
                                                    double max_work = 3e8);

// Square pattern matrix from 0-based (row, col) pairs (duplicates allowed).
SparseMatrix pattern_matrix(index_t n, const std::vector<std::pair<index_t, index_t>>& entries);
// n x n tridiagonal.
SparseMatrix tridiagonal(index_t n);
// Diagonal plus a dense last row and column (the arrow pointing at the last node).
SparseMatrix arrow_last(index_t n);
// Diagonal only.
SparseMatrix diagonal_matrix(index_t n);
// Dense n x n.
SparseMatrix dense_pattern(index_t n);
// k x k 2D grid, 5-point stencil, natural (row by row) numbering: node (r, c) = r * k + c.
SparseMatrix grid2d(index_t k);

}  // namespace spax::test
