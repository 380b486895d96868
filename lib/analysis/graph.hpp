// Internal building blocks of the symbolic analysis: the patterns of A+A^T that the orderings and
// the elimination tree work on.
#pragma once

#include <span>
#include <vector>

#include "spax/common.hpp"
#include "spax/sparse.hpp"

namespace spax::detail {

// Throws the usage error of analysis.hpp for a rectangular matrix.
void require_square(const SparseMatrix& a);
// Throws a usage error unless p is empty or a permutation of 0..n-1.
void require_permutation(std::span<const index_t> p, index_t n);

// Upper triangle of C = A(p,p) + A(p,p)^T in CSC form: column k holds the rows i < k with
// C(i,k) != 0 in increasing order, then always the diagonal k (so it is valid input for
// CHOLMOD with stype = 1). Empty p = identity.
struct UpperPattern {
  index_t n = 0;
  std::vector<index_t> colptr;
  std::vector<index_t> rowind;
};
UpperPattern upper_pattern(const SparseMatrix& a, std::span<const index_t> p);

// Adjacency of the graph of A+A^T without the diagonal: the neighbours of v are
// adj[xadj[v] .. xadj[v+1]) in increasing order.
struct Graph {
  index_t n = 0;
  std::vector<index_t> xadj;
  std::vector<index_t> adj;
};
Graph adjacency_graph(const SparseMatrix& a);

}  // namespace spax::detail
