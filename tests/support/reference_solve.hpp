// A simple, obviously correct dense LU with partial pivoting (real and complex), used by the
// solve tests as the independent reference for A x = b and A^H x = b on small matrices.
#pragma once

#include <tuple>
#include <vector>

#include "spax/sparse.hpp"

namespace spax::test {

// Solves op(A) x = b with op(A) = A, or A^T (A^H for complex) when transpose is set, by Gaussian
// elimination with partial pivoting on a dense copy. Returns false when a pivot is exactly zero.
bool reference_solve(const SparseMatrix& a, const std::vector<double>& b, bool transpose,
                     std::vector<double>& x);
bool reference_solve(const SparseMatrix& a, const std::vector<complex_t>& b, bool transpose,
                     std::vector<complex_t>& x);

// max_i |x_i - y_i| / max(max_i |y_i|, tiny)
double relative_difference(const std::vector<double>& x, const std::vector<double>& y);
double relative_difference(const std::vector<complex_t>& x, const std::vector<complex_t>& y);

// A x for a real matrix (a pattern matrix counts as all ones), by the definition.
std::vector<double> times(const SparseMatrix& a, const std::vector<double>& x);
// Normwise backward error ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf), by the definition.
double backward_error(const SparseMatrix& a, const std::vector<double>& x,
                      const std::vector<double>& b);

// Dense LU without pivoting of a row-major n x n matrix (Doolittle: L unit lower triangular, U
// upper triangular, both row-major n x n). Returns false when a pivot is exactly zero. The
// factorization is unique when it exists, so it checks factors computed any other way.
bool reference_lu_nopivot(std::size_t n, const std::vector<double>& rowmajor,
                          std::vector<double>& L, std::vector<double>& U);

// A square CSC matrix from a dense row-major array (zeros are not stored).
SparseMatrix from_dense(index_t n, const std::vector<double>& rowmajor);

// An m x n CSC matrix from (row, col, value) entries (duplicates summed, as to_csc does).
using Entries = std::vector<std::tuple<index_t, index_t, double>>;
SparseMatrix from_triplets(index_t m, index_t n, const Entries& entries);

}  // namespace spax::test
