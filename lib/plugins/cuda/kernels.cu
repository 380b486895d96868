// The plugin's kernels: value gathers, pivot indicators, and the batched refactorization and
// triangular solves of K matrices of one pattern with one pivot order (KLU's), level by level.
#include <cstddef>

#include "kernels.hpp"

namespace spax::cuda_plugin::kernels {
namespace {

constexpr int kThreads = 256;

inline unsigned blocks_for(long long work) {
  return static_cast<unsigned>((work + kThreads - 1) / kThreads);
}

__global__ void gather_k(const double* __restrict__ src, const int* __restrict__ index, int count,
                         double* __restrict__ dst) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t < count) dst[t] = src[index[t]];
}

__global__ void diagonal_positions_k(const int* __restrict__ Mp, const int* __restrict__ Mj, int n,
                                     int* __restrict__ diag) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int lo = Mp[i], hi = Mp[i + 1];
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (Mj[mid] < i)
      lo = mid + 1;
    else
      hi = mid;
  }
  diag[i] = lo < Mp[i + 1] && Mj[lo] == i ? lo : -1;
}

// One block per matrix: min and max |pivot| and whether any is not finite.
__global__ void pivot_ratio_k(const int* __restrict__ diag, int n, const double* __restrict__ Mv,
                              int K, double* __restrict__ ratio) {
  __shared__ double lo_s[kThreads], hi_s[kThreads];
  __shared__ int bad_s[kThreads];
  const int b = blockIdx.x;
  double lo = 1.0 / 0.0, hi = 0.0;
  int bad = 0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const int d = diag[i];
    if (d < 0) {
      bad = 1;
      continue;
    }
    const double v = fabs(Mv[static_cast<std::size_t>(d) * K + b]);
    if (!isfinite(v)) bad = 1;
    lo = fmin(lo, v);
    hi = fmax(hi, v);
  }
  lo_s[threadIdx.x] = lo;
  hi_s[threadIdx.x] = hi;
  bad_s[threadIdx.x] = bad;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s /= 2) {
    if (threadIdx.x < s) {
      lo_s[threadIdx.x] = fmin(lo_s[threadIdx.x], lo_s[threadIdx.x + s]);
      hi_s[threadIdx.x] = fmax(hi_s[threadIdx.x], hi_s[threadIdx.x + s]);
      bad_s[threadIdx.x] |= bad_s[threadIdx.x + s];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0)
    ratio[b] = bad_s[0] || !(hi_s[0] > 0.0) ? 0.0 : (n == 0 ? 1.0 : lo_s[0] / hi_s[0]);
}

__global__ void scatter_values_k(const double* __restrict__ Av, const int* __restrict__ amap,
                                 int nnz, int K, double* __restrict__ Mv) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(nnz) * K) return;
  const int b = static_cast<int>(t / nnz), p = static_cast<int>(t % nnz);
  Mv[static_cast<std::size_t>(amap[p]) * K + b] = Av[t];
}

// Thread (row r of the level, matrix b): row i of M, left to right. For each L entry (i, k):
// L(i,k) = M(i,k) / U(k,k), then M(i,j) -= L(i,k) U(k,j) for U's entries (k, j > k), whose
// positions in row i are found by walking both sorted rows (row i's pattern holds row k's U part:
// the factors' pattern is closed under elimination).
__global__ void factor_level_k(const int* __restrict__ rows, int count, const int* __restrict__ Mp,
                               const int* __restrict__ Mj, const int* __restrict__ diag,
                               double* __restrict__ Mv, int K) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(count) * K) return;
  const int i = rows[t / K];
  const std::size_t b = static_cast<std::size_t>(t % K), k_ = static_cast<std::size_t>(K);
  const int end = Mp[i + 1], di = diag[i];
  for (int p = Mp[i]; p < di; ++p) {
    const int k = Mj[p];
    const int dk = diag[k];
    const double lik = Mv[p * k_ + b] / Mv[dk * k_ + b];
    Mv[p * k_ + b] = lik;
    if (lik == 0.0) continue;
    const int kend = Mp[k + 1];
    int w = p + 1;
    for (int q = dk + 1; q < kend; ++q) {
      const int j = Mj[q];
      while (w < end && Mj[w] < j) ++w;
      if (w >= end) break;  // cannot happen for a closed pattern
      Mv[w * k_ + b] -= lik * Mv[q * k_ + b];
    }
  }
}

// The same with the update list: no search, one multiply-add per listed pair.
__global__ void factor_level_pairs_k(const int* __restrict__ rows, int count,
                                     const int* __restrict__ Mp, const int* __restrict__ Mj,
                                     const int* __restrict__ diag,
                                     const long long* __restrict__ pair_ptr,
                                     const int* __restrict__ pair_src,
                                     const int* __restrict__ pair_dst, double* __restrict__ Mv,
                                     int K) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(count) * K) return;
  const int i = rows[t / K];
  const std::size_t b = static_cast<std::size_t>(t % K), k_ = static_cast<std::size_t>(K);
  const int di = diag[i];
  for (int p = Mp[i]; p < di; ++p) {
    const double lik = Mv[p * k_ + b] / Mv[diag[Mj[p]] * k_ + b];
    Mv[p * k_ + b] = lik;
    if (lik == 0.0) continue;
    const long long e = pair_ptr[p + 1];
    for (long long u = pair_ptr[p]; u < e; ++u)
      Mv[pair_dst[u] * k_ + b] -= lik * Mv[pair_src[u] * k_ + b];
  }
}

__global__ void permute_in_k(const double* __restrict__ B, const int* __restrict__ P, int n, int K,
                             double* __restrict__ X) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(n) * K) return;
  const int i = static_cast<int>(t / K), b = static_cast<int>(t % K);
  X[t] = B[static_cast<std::size_t>(b) * n + P[i]];
}

__global__ void permute_out_k(const double* __restrict__ X, const int* __restrict__ Q, int n, int K,
                              double* __restrict__ B) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(n) * K) return;
  const int i = static_cast<int>(t / K), b = static_cast<int>(t % K);
  B[static_cast<std::size_t>(b) * n + Q[i]] = X[t];
}

__global__ void lower_level_k(const int* __restrict__ rows, int count, const int* __restrict__ Mp,
                              const int* __restrict__ Mj, const int* __restrict__ diag,
                              const double* __restrict__ Mv, int K, double* __restrict__ X) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(count) * K) return;
  const int i = rows[t / K];
  const std::size_t b = static_cast<std::size_t>(t % K), k_ = static_cast<std::size_t>(K);
  double s = X[i * k_ + b];
  for (int p = Mp[i]; p < diag[i]; ++p) s -= Mv[p * k_ + b] * X[Mj[p] * k_ + b];
  X[i * k_ + b] = s;
}

__global__ void upper_level_k(const int* __restrict__ rows, int count, const int* __restrict__ Mp,
                              const int* __restrict__ Mj, const int* __restrict__ diag,
                              const double* __restrict__ Mv, int K, double* __restrict__ X) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(count) * K) return;
  const int i = rows[t / K];
  const std::size_t b = static_cast<std::size_t>(t % K), k_ = static_cast<std::size_t>(K);
  const int di = diag[i];
  double s = X[i * k_ + b];
  for (int p = di + 1; p < Mp[i + 1]; ++p) s -= Mv[p * k_ + b] * X[Mj[p] * k_ + b];
  X[i * k_ + b] = s / Mv[di * k_ + b];
}

}  // namespace

void gather(const double* src, const int* index, int count, double* dst, cudaStream_t s) {
  if (count > 0) gather_k<<<blocks_for(count), kThreads, 0, s>>>(src, index, count, dst);
}

void diagonal_positions(const int* Mp, const int* Mj, int n, int* diag, cudaStream_t s) {
  if (n > 0) diagonal_positions_k<<<blocks_for(n), kThreads, 0, s>>>(Mp, Mj, n, diag);
}

void pivot_ratio(const int* diag, int n, const double* Mv, int K, double* ratio, cudaStream_t s) {
  if (K > 0) pivot_ratio_k<<<K, kThreads, 0, s>>>(diag, n, Mv, K, ratio);
}

void scatter_values(const double* Av, const int* amap, int nnz, int nnzM, int K, double* Mv,
                    cudaStream_t s) {
  cudaMemsetAsync(Mv, 0, sizeof(double) * static_cast<std::size_t>(nnzM) * K, s);
  const long long work = static_cast<long long>(nnz) * K;
  if (work > 0) scatter_values_k<<<blocks_for(work), kThreads, 0, s>>>(Av, amap, nnz, K, Mv);
}

void factor_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                  const long long* pair_ptr, const int* pair_src, const int* pair_dst, double* Mv,
                  int K, cudaStream_t s) {
  const long long work = static_cast<long long>(count) * K;
  if (work <= 0) return;
  if (pair_ptr)
    factor_level_pairs_k<<<blocks_for(work), kThreads, 0, s>>>(rows, count, Mp, Mj, diag, pair_ptr,
                                                               pair_src, pair_dst, Mv, K);
  else
    factor_level_k<<<blocks_for(work), kThreads, 0, s>>>(rows, count, Mp, Mj, diag, Mv, K);
}

void permute_in(const double* B, const int* P, int n, int K, double* X, cudaStream_t s) {
  const long long work = static_cast<long long>(n) * K;
  if (work > 0) permute_in_k<<<blocks_for(work), kThreads, 0, s>>>(B, P, n, K, X);
}

void permute_out(const double* X, const int* Q, int n, int K, double* B, cudaStream_t s) {
  const long long work = static_cast<long long>(n) * K;
  if (work > 0) permute_out_k<<<blocks_for(work), kThreads, 0, s>>>(X, Q, n, K, B);
}

void lower_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                 const double* Mv, int K, double* X, cudaStream_t s) {
  const long long work = static_cast<long long>(count) * K;
  if (work > 0)
    lower_level_k<<<blocks_for(work), kThreads, 0, s>>>(rows, count, Mp, Mj, diag, Mv, K, X);
}

void upper_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                 const double* Mv, int K, double* X, cudaStream_t s) {
  const long long work = static_cast<long long>(count) * K;
  if (work > 0)
    upper_level_k<<<blocks_for(work), kThreads, 0, s>>>(rows, count, Mp, Mj, diag, Mv, K, X);
}

}  // namespace spax::cuda_plugin::kernels
