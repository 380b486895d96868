// The plugin's own kernels (kernels.cu), callable from host C++. The batched ones hold K matrices
// of one pattern one after the other (matrix b's value t at [b * nnzM + t], its vector entry i at
// [b * n + i]); a warp works on one row of one matrix, its lanes along the row.
#pragma once

#include <cuda_runtime.h>

namespace spax::cuda_plugin::kernels {

// dst[t] = src[index[t]], t < count.
void gather(const double* src, const int* index, int count, double* dst, cudaStream_t s);

// diag[i] = position of (i, i) in the CSR pattern (Mp, Mj), -1 when absent.
void diagonal_positions(const int* Mp, const int* Mj, int n, int* diag, cudaStream_t s);

// Per matrix b: min |M(i,i)| / max |M(i,i)| over i, 0 when a pivot is zero or not finite.
void pivot_ratio(const int* diag, int n, const double* Mv, int K, int nnzM, double* ratio,
                 cudaStream_t s);

// Mv[b * nnzM + amap[p]] = Av[b * nnz + p]; the rest of Mv (fill-in) is set to zero first.
void scatter_values(const double* Av, const int* amap, int nnz, int nnzM, int K, double* Mv,
                    cudaStream_t s);

// The rows of one level of the up-looking LU (rows[0..count)), for all K matrices: row i of M
// becomes row i of L (strictly lower, divided by the pivots) and of U.
// With the update list (pair_ptr non-null: LuPattern's pairs) the positions are read from it,
// else found by walking both rows.
void factor_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                  const long long* pair_ptr, const int* pair_src, const int* pair_dst, double* Mv,
                  int K, int nnzM, cudaStream_t s);

// X[b * n + i] = B[b * n + P[i]]  and back: B[b * n + Q[i]] = X[b * n + i].
void permute_in(const double* B, const int* P, int n, int K, double* X, cudaStream_t s);
void permute_out(const double* X, const int* Q, int n, int K, double* B, cudaStream_t s);

// One level of L's forward solve (unit diagonal) and of U's backward solve, in place on X.
void lower_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                 const double* Mv, int K, int nnzM, double* X, int n, cudaStream_t s);
void upper_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                 const double* Mv, int K, int nnzM, double* X, int n, cudaStream_t s);

}  // namespace spax::cuda_plugin::kernels
