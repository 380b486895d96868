// Sparse matrix types: compressed sparse column (CSC) with 64-bit indices, real or complex
// values or pattern only, and the operations every module needs on them.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "spax/common.hpp"

namespace spax {

using complex_t = std::complex<double>;

// The value field of the file a matrix came from. integer values are stored as doubles.
enum class Field { real, complex, integer, pattern };
// The symmetry the file declared. Storage is always full (both triangles): this is a memory of
// the source, not a storage scheme.
enum class Symmetry { general, symmetric, skew_symmetric, hermitian };

SPAX_API const char* to_string(Field f) noexcept;
SPAX_API const char* to_string(Symmetry s) noexcept;

// CSC matrix. Invariants (checked by validate()): colptr has ncols+1 non-decreasing entries
// from 0 to nnz; within a column, row indices are strictly increasing (sorted, no duplicates)
// and in [0, nrows). values holds nnz doubles for real/integer fields, zvalues nnz complex
// values for the complex field; both are empty for a pattern-only matrix.
struct SPAX_API SparseMatrix {
  index_t nrows = 0;
  index_t ncols = 0;
  std::vector<index_t> colptr{0};
  std::vector<index_t> rowind;
  std::vector<double> values;
  std::vector<complex_t> zvalues;
  Field field = Field::real;
  Symmetry symmetry = Symmetry::general;

  index_t nnz() const noexcept { return static_cast<index_t>(rowind.size()); }
  bool is_square() const noexcept { return nrows == ncols; }
  bool is_complex() const noexcept { return field == Field::complex; }
  bool has_values() const noexcept { return field != Field::pattern; }

  // Throws an internal error naming the first broken invariant.
  void validate() const;
};

// Coordinate (triplet) form, 0-based. Duplicates allowed; to_csc sums them.
struct SPAX_API TripletMatrix {
  index_t nrows = 0;
  index_t ncols = 0;
  std::vector<index_t> rows;
  std::vector<index_t> cols;
  std::vector<double> values;      // real/integer; empty for pattern or complex
  std::vector<complex_t> zvalues;  // complex
  Field field = Field::real;
  Symmetry symmetry = Symmetry::general;
};

// Builds a CSC matrix, summing duplicates. When `duplicates` is given it receives the number of
// entries that were merged into another (k copies of one position count k-1).
SPAX_API SparseMatrix to_csc(const TripletMatrix& t, index_t* duplicates = nullptr);

// Matrices as other libraries hold them (scipy.sparse, Eigen, a simulator's own arrays), 0-based,
// with 64- or 32-bit indices; `values` holds the real (and integer) values, `zvalues` the complex
// ones, neither for a pattern (`field` says which, and must agree with them). Checked before
// anything large is allocated: an input error names a dimension that is negative or above
// 2^31 - 1, arrays of the wrong length, a pointer that decreases or leaves [0, nnz], an index out
// of range. Indices may be unsorted and repeated: repeats are summed and counted in *duplicates.
//
// Compressed: `ptr` holds ncols + 1 pointers into `ind`, the row indices (by_rows: nrows + 1
// pointers and the column indices, CSR); ind and the values may be longer than ptr's last entry
// (the rest is ignored). Compressed by columns with sorted, unrepeated indices (scipy's canonical
// CSC), the arrays are copied (widened from 32 bits) in one pass; otherwise assembled once.
SPAX_API SparseMatrix matrix_from_compressed(index_t nrows, index_t ncols, bool by_rows,
                                             std::span<const std::int64_t> ptr,
                                             std::span<const std::int64_t> ind,
                                             std::span<const double> values,
                                             std::span<const complex_t> zvalues, Field field,
                                             index_t* duplicates = nullptr);
SPAX_API SparseMatrix matrix_from_compressed(index_t nrows, index_t ncols, bool by_rows,
                                             std::span<const std::int32_t> ptr,
                                             std::span<const std::int32_t> ind,
                                             std::span<const double> values,
                                             std::span<const complex_t> zvalues, Field field,
                                             index_t* duplicates = nullptr);
// Coordinates (COO): entry k at (rows[k], cols[k]).
SPAX_API SparseMatrix matrix_from_coordinates(index_t nrows, index_t ncols,
                                              std::span<const std::int64_t> rows,
                                              std::span<const std::int64_t> cols,
                                              std::span<const double> values,
                                              std::span<const complex_t> zvalues, Field field,
                                              index_t* duplicates = nullptr);
SPAX_API SparseMatrix matrix_from_coordinates(index_t nrows, index_t ncols,
                                              std::span<const std::int32_t> rows,
                                              std::span<const std::int32_t> cols,
                                              std::span<const double> values,
                                              std::span<const complex_t> zvalues, Field field,
                                              index_t* duplicates = nullptr);

// A^T, or A^H when conjugate is set (complex only).
SPAX_API SparseMatrix transpose(const SparseMatrix& a, bool conjugate = false);

// The pattern only (field = pattern, no values).
SPAX_API SparseMatrix pattern_of(const SparseMatrix& a);

// Pattern of A + A^T for a square A (pattern only, diagonal kept where present in A).
SPAX_API SparseMatrix symmetrized_pattern(const SparseMatrix& a);

// B = A(p, q): B(i, j) = A(p[i], q[j]). An empty span means the identity. Values are carried.
SPAX_API SparseMatrix permute(const SparseMatrix& a, std::span<const index_t> row_perm,
                              std::span<const index_t> col_perm);

// Symmetric permutation B = A(p, p).
SPAX_API SparseMatrix permute_symmetric(const SparseMatrix& a, std::span<const index_t> p);

// True when p is a permutation of 0..n-1.
SPAX_API bool is_permutation(std::span<const index_t> p, index_t n);
// inv[p[k]] = k. Throws an input error when p is not a permutation.
SPAX_API std::vector<index_t> invert_permutation(std::span<const index_t> p);

// Number of stored entries on the diagonal.
SPAX_API index_t diagonal_nnz(const SparseMatrix& a);
// Number of stored entries whose value is exactly zero (0 for a pattern matrix).
SPAX_API index_t explicit_zeros(const SparseMatrix& a);
// True when every stored value is finite (true for a pattern matrix).
SPAX_API bool all_finite(const SparseMatrix& a);
// The first stored entry (column by column) whose value is NaN or infinite, described for an
// error message as "VALUE at row R, column C" (1-based); empty when every value is finite.
SPAX_API std::string first_nonfinite_entry(const SparseMatrix& a);

// y = A x (real) and the complex counterpart. Pattern matrices act as all-ones.
SPAX_API void multiply(const SparseMatrix& a, std::span<const double> x, std::span<double> y);
SPAX_API void multiply(const SparseMatrix& a, std::span<const complex_t> x, std::span<complex_t> y);
// y = A^H x (A^T x for a real matrix), without forming the transpose.
SPAX_API void multiply_adjoint(const SparseMatrix& a, std::span<const double> x,
                               std::span<double> y);
SPAX_API void multiply_adjoint(const SparseMatrix& a, std::span<const complex_t> x,
                               std::span<complex_t> y);

// Pattern fingerprint: a 128-bit hash of (nrows, ncols, colptr, rowind) of the CSC form, so it
// is the same for one pattern whatever the file's entry order, symmetric storage, duplicates or
// values. Definition (stable across versions and machines): two 64-bit lanes, lane k starting at
// seed_k (seed_0 = 0x736761782D666E30, seed_1 = 0x736761782D666E31); each 64-bit word w of the
// sequence nrows, ncols, colptr[0..ncols], rowind[0..nnz-1] updates lane k as h = rotl(h ^ mix(w +
// k * 0x9E3779B97F4A7C15), 27) * 0x100000001B3 where mix is the splitmix64 finaliser; the sequence
// length is fed last, then each lane is finalised with mix. hex() prints lane 0 then lane 1 as 32
// lowercase hex digits.
struct SPAX_API Fingerprint {
  std::uint64_t lane[2] = {0, 0};
  std::string hex() const;
  bool operator==(const Fingerprint&) const = default;
};
SPAX_API Fingerprint pattern_fingerprint(const SparseMatrix& a);

}  // namespace spax

namespace spax {

// Deterministic values for a pattern-only matrix (e.g. rajat01), used wherever numbers are needed
// (LU fill, solving, bench): off-diagonal a_ij = -(0.5 + h{i, j}) with h a hash of the unordered
// pair {i, j} into [0, 1), so a_ij = a_ji wherever both are stored; diagonal a_jj = 1 + sum over
// the column of |a_ij| + sum over the row of |a_ji|, so the result is strictly diagonally
// dominant by rows and columns (missing diagonal entries are added). A structurally symmetric
// pattern (every symmetric or hermitian file) thus gets symmetric positive definite values. The
// returned matrix is real; its symmetry is symmetric when the pattern's was declared symmetric
// (or hermitian), else general.
SPAX_API SparseMatrix synthesize_values(const SparseMatrix& pattern);

}  // namespace spax
