// The plugin's own kernels (kernels.cu), callable from host C++. The batched ones hold K matrices
// of one pattern side by side: value t of matrix b at [t * K + b], so that the threads of a warp
// (consecutive b) touch consecutive addresses.
#pragma once

#include <cuda_runtime.h>

namespace spax::cuda_plugin::kernels {

// dst[t] = src[index[t]], t < count.
void gather(const double* src, const int* index, int count, double* dst, cudaStream_t s);

// diag[i] = position of (i, i) in the CSR pattern (Mp, Mj), -1 when absent.
void diagonal_positions(const int* Mp, const int* Mj, int n, int* diag, cudaStream_t s);

// Per matrix b: min |M(i,i)| / max |M(i,i)| over i, 0 when a pivot is zero or not finite.
void pivot_ratio(const int* diag, int n, const double* Mv, int K, double* ratio, cudaStream_t s);

// Mv[amap[p] * K + b] = Av[b * nnz + p]; the rest of Mv (fill-in) is set to zero first.
void scatter_values(const double* Av, const int* amap, int nnz, int nnzM, int K, double* Mv,
                    cudaStream_t s);

// The rows of one level of the up-looking LU (rows[0..count)), for all K matrices: row i of M
// becomes row i of L (strictly lower, divided by the pivots) and of U.
// With the update list (pair_ptr non-null: LuPattern's pairs) the positions are read from it,
// else found by walking both rows.
void factor_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                  const long long* pair_ptr, const int* pair_src, const int* pair_dst, double* Mv,
                  int K, cudaStream_t s);

// X[i * K + b] = B[b * n + P[i]]  and back: B[b * n + Q[i]] = X[i * K + b].
void permute_in(const double* B, const int* P, int n, int K, double* X, cudaStream_t s);
void permute_out(const double* X, const int* Q, int n, int K, double* B, cudaStream_t s);

// One level of L's forward solve (unit diagonal) and of U's backward solve, in place on X.
void lower_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                 const double* Mv, int K, double* X, cudaStream_t s);
void upper_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                 const double* Mv, int K, double* X, cudaStream_t s);

}  // namespace spax::cuda_plugin::kernels
