// The host side of cuda-rf: KLU's ordering and LU with partial pivoting on the whole matrix (no
// BTF: cusolverRf wants one L and one U of the whole matrix), and the factors as cusolverRf takes
// them: P A Q = L U in CSR with 0-based 32-bit indices, L unit lower triangular (its diagonal not
// stored), U upper triangular with its diagonal, KLU's row scaling folded into both. Plain C++
// over KLU and spax's public headers: the unit tests check it without a GPU.
#pragma once

#include <klu.h>

#include <cstdint>
#include <string>
#include <vector>

#include "spax/solve.hpp"
#include "spax/sparse.hpp"

namespace spax::cuda_plugin {

// P A Q = L U with (P A Q)(i, j) = A(P[i], Q[j]). L holds its strictly lower part only (its unit
// diagonal is implied), U its upper part with the diagonal; rows sorted by column.
struct CsrFactors {
  int n = 0;
  std::vector<int> Lp, Lj;
  std::vector<double> Lx;
  std::vector<int> Up, Uj;
  std::vector<double> Ux;
  std::vector<int> P, Q;
};

// A in CSR (0-based, int32) and, per CSR entry, the index of the same entry in A's CSC arrays.
struct CsrPattern {
  int n = 0;
  std::vector<int> rowptr, colind, from_csc;
};
CsrPattern csr_pattern(const SparseMatrix& a);

// The pattern of M = L + U (strict L, then the diagonal, then U per row; sorted), where each of
// A's CSC entries lands in it, and the level sets of the row-by-row (up-looking) factorization
// and of the two triangular solves: row i of the factorization (and of L's solve) waits for the
// rows k < i with L(i, k) != 0; row i of U's solve for the rows j > i with U(i, j) != 0.
struct LuPattern {
  int n = 0;
  std::vector<int> Mp, Mj, diag;                       // diag[i]: position of (i, i) in M
  std::vector<int> amap;                               // CSC entry p of A -> its position in M
  std::vector<int> lower_level_ptr, lower_level_rows;  // levels ascending
  std::vector<int> upper_level_ptr, upper_level_rows;  // levels of U's solve, first = last rows
  std::int64_t update_count = 0;                       // multiply-adds of one refactorization
  // The updates listed, when they fit (update_count <= max_pairs): for the L entry at position p
  // of M, the updates t in [pair_ptr[p], pair_ptr[p + 1]) are M[pair_dst[t]] -= L * M[pair_src[t]]
  // (pair_ptr is empty otherwise, and the kernels find the positions by walking the rows).
  std::vector<std::int64_t> pair_ptr;
  std::vector<int> pair_src, pair_dst;
};
// Throws an internal error when an entry of P A Q lies outside the pattern of L + U (the factors
// then do not belong to A: cusolverRf would index outside its arrays).
LuPattern lu_pattern(const SparseMatrix& a, const CsrFactors& f,
                     std::int64_t max_pairs = 200000000);

// KLU (64-bit) with BTF off, as cuda-rf's analysis and fresh factorization.
class KluLu {
 public:
  KluLu();
  ~KluLu();
  KluLu(const KluLu&) = delete;
  KluLu& operator=(const KluLu&) = delete;

  // ordering: amd, colamd, natural, or given (then `given` holds the column order). `btf` turns
  // KLU's block triangular form on: only the batch probe does that, to show what it breaks.
  void analyze(const SparseMatrix& a, const std::string& ordering,
               const std::vector<index_t>& given = {}, bool btf = false);
  // Fresh factorization with partial pivoting; a singular matrix throws spax's numerical error
  // naming the column.
  void factor(const SparseMatrix& a);
  // The factors of the last factor() as cusolverRf takes them. With BTF on, the off-diagonal
  // blocks are dropped (what a caller that ignores KLU's F gets): for the probe only.
  CsrFactors extract() const;

  index_t lnz() const;  // entries of L (with its diagonal) and U, as KLU counts them
  index_t unz() const;
  double flops() const;
  double condest(const SparseMatrix& a);  // 1 / KLU's 1-norm condition estimate
  index_t n() const { return n_; }
  bool has_numeric() const { return num_ != nullptr; }

 private:
  void free_numeric();
  klu_l_common c_{};
  klu_l_symbolic* sym_ = nullptr;
  klu_l_numeric* num_ = nullptr;
  index_t n_ = 0;
};

// min |U(i,i)| / max |U(i,i)| (0 when a pivot is zero or not finite): the cheap indicator that
// the refactorizations compare with the fresh factorization's.
double pivot_ratio(const CsrFactors& f);

}  // namespace spax::cuda_plugin
