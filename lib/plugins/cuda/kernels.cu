// The plugin's kernels: value gathers, pivot indicators, and the batched refactorization and
// triangular solves of K matrices of one pattern with one pivot order (KLU's), level by level.
// Layout: matrix b's values at Mv + b * nnzM, its vectors at X + b * n. A warp takes one row of
// one matrix; its lanes share the row's work (the updates of one L entry, a dot product), so
// the long rows of circuit matrices (high fan-out nets) are not one thread's serial chain.
#include <cstddef>

#include "kernels.hpp"

namespace spax::cuda_plugin::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarp = 32;

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
                              int nnzM, double* __restrict__ ratio) {
  __shared__ double lo_s[kThreads], hi_s[kThreads];
  __shared__ int bad_s[kThreads];
  const int b = blockIdx.x;
  const double* M = Mv + static_cast<std::size_t>(b) * nnzM;
  double lo = 1.0 / 0.0, hi = 0.0;
  int bad = 0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const int d = diag[i];
    if (d < 0) {
      bad = 1;
      continue;
    }
    const double v = fabs(M[d]);
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
                                 int nnz, int nnzM, int K, double* __restrict__ Mv) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(nnz) * K) return;
  const long long b = t / nnz;
  const int p = static_cast<int>(t % nnz);
  Mv[b * nnzM + amap[p]] = Av[t];
}

// Warp (row r of the level, matrix b), row i of M left to right: for each L entry (i, k),
// L(i,k) = M(i,k) / U(k,k), then the lanes share M(i,j) -= L(i,k) U(k,j) over the listed pairs.
// One entry's updates write distinct positions of row i and read row k (final since an earlier
// level); __syncwarp orders them before the next entry reads row i.
__global__ void factor_level_pairs_k(const int* __restrict__ rows, int count,
                                     const int* __restrict__ Mp, const int* __restrict__ Mj,
                                     const int* __restrict__ diag,
                                     const long long* __restrict__ pair_ptr,
                                     const int* __restrict__ pair_src,
                                     const int* __restrict__ pair_dst, double* __restrict__ Mv,
                                     int K, int nnzM) {
  const long long w = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (w >= static_cast<long long>(count) * K) return;  // the whole warp leaves together
  const int i = rows[w / K];
  double* M = Mv + (w % K) * static_cast<long long>(nnzM);
  const int di = diag[i];
  for (int p = Mp[i]; p < di; ++p) {
    const double lik = M[p] / M[diag[Mj[p]]];
    __syncwarp();
    if (lane == 0) M[p] = lik;
    if (lik != 0.0) {
      const long long e = pair_ptr[p + 1];
      for (long long u = pair_ptr[p] + lane; u < e; u += kWarp)
        M[pair_dst[u]] -= lik * M[pair_src[u]];
    }
    __syncwarp();
  }
}

// Without the update list (too large to keep): one thread per (row, matrix) finds the positions
// by walking both sorted rows (row i's pattern holds row k's U part: the pattern is closed).
__global__ void factor_level_walk_k(const int* __restrict__ rows, int count,
                                    const int* __restrict__ Mp, const int* __restrict__ Mj,
                                    const int* __restrict__ diag, double* __restrict__ Mv, int K,
                                    int nnzM) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(count) * K) return;
  const int i = rows[t / K];
  double* M = Mv + (t % K) * static_cast<long long>(nnzM);
  const int end = Mp[i + 1], di = diag[i];
  for (int p = Mp[i]; p < di; ++p) {
    const int k = Mj[p];
    const int dk = diag[k];
    const double lik = M[p] / M[dk];
    M[p] = lik;
    if (lik == 0.0) continue;
    const int kend = Mp[k + 1];
    int x = p + 1;
    for (int q = dk + 1; q < kend; ++q) {
      const int j = Mj[q];
      while (x < end && Mj[x] < j) ++x;
      if (x >= end) break;  // cannot happen for a closed pattern
      M[x] -= lik * M[q];
    }
  }
}

__global__ void permute_in_k(const double* __restrict__ B, const int* __restrict__ P, int n, int K,
                             double* __restrict__ X) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(n) * K) return;
  const long long b = t / n;
  X[t] = B[b * n + P[t % n]];
}

__global__ void permute_out_k(const double* __restrict__ X, const int* __restrict__ Q, int n, int K,
                              double* __restrict__ B) {
  const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= static_cast<long long>(n) * K) return;
  const long long b = t / n;
  B[b * n + Q[t % n]] = X[t];
}

__device__ double warp_sum(double v) {
  for (int o = kWarp / 2; o > 0; o /= 2) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

// Warp (row, matrix): x_i -= sum_k L(i,k) x_k (unit diagonal).
__global__ void lower_level_k(const int* __restrict__ rows, int count, const int* __restrict__ Mp,
                              const int* __restrict__ Mj, const int* __restrict__ diag,
                              const double* __restrict__ Mv, int K, int nnzM,
                              double* __restrict__ X, int n) {
  const long long w = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (w >= static_cast<long long>(count) * K) return;
  const int i = rows[w / K];
  const long long b = w % K;
  const double* M = Mv + b * nnzM;
  double* x = X + b * n;
  double s = 0.0;
  for (int p = Mp[i] + lane; p < diag[i]; p += kWarp) s += M[p] * x[Mj[p]];
  s = warp_sum(s);
  if (lane == 0) x[i] -= s;
}

// Warp (row, matrix): x_i = (x_i - sum_j U(i,j) x_j) / U(i,i).
__global__ void upper_level_k(const int* __restrict__ rows, int count, const int* __restrict__ Mp,
                              const int* __restrict__ Mj, const int* __restrict__ diag,
                              const double* __restrict__ Mv, int K, int nnzM,
                              double* __restrict__ X, int n) {
  const long long w = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (w >= static_cast<long long>(count) * K) return;
  const int i = rows[w / K];
  const long long b = w % K;
  const double* M = Mv + b * nnzM;
  double* x = X + b * n;
  const int di = diag[i];
  double s = 0.0;
  for (int p = di + 1 + lane; p < Mp[i + 1]; p += kWarp) s += M[p] * x[Mj[p]];
  s = warp_sum(s);
  if (lane == 0) x[i] = (x[i] - s) / M[di];
}

}  // namespace

void gather(const double* src, const int* index, int count, double* dst, cudaStream_t s) {
  if (count > 0) gather_k<<<blocks_for(count), kThreads, 0, s>>>(src, index, count, dst);
}

void diagonal_positions(const int* Mp, const int* Mj, int n, int* diag, cudaStream_t s) {
  if (n > 0) diagonal_positions_k<<<blocks_for(n), kThreads, 0, s>>>(Mp, Mj, n, diag);
}

void pivot_ratio(const int* diag, int n, const double* Mv, int K, int nnzM, double* ratio,
                 cudaStream_t s) {
  if (K > 0) pivot_ratio_k<<<K, kThreads, 0, s>>>(diag, n, Mv, nnzM, ratio);
}

void scatter_values(const double* Av, const int* amap, int nnz, int nnzM, int K, double* Mv,
                    cudaStream_t s) {
  cudaMemsetAsync(Mv, 0, sizeof(double) * static_cast<std::size_t>(nnzM) * K, s);
  const long long work = static_cast<long long>(nnz) * K;
  if (work > 0) scatter_values_k<<<blocks_for(work), kThreads, 0, s>>>(Av, amap, nnz, nnzM, K, Mv);
}

void factor_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                  const long long* pair_ptr, const int* pair_src, const int* pair_dst, double* Mv,
                  int K, int nnzM, cudaStream_t s) {
  const long long work = static_cast<long long>(count) * K;
  if (work <= 0) return;
  if (pair_ptr)
    factor_level_pairs_k<<<blocks_for(work * kWarp), kThreads, 0, s>>>(
        rows, count, Mp, Mj, diag, pair_ptr, pair_src, pair_dst, Mv, K, nnzM);
  else
    factor_level_walk_k<<<blocks_for(work), kThreads, 0, s>>>(rows, count, Mp, Mj, diag, Mv, K,
                                                              nnzM);
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
                 const double* Mv, int K, int nnzM, double* X, int n, cudaStream_t s) {
  const long long work = static_cast<long long>(count) * K * kWarp;
  if (work > 0)
    lower_level_k<<<blocks_for(work), kThreads, 0, s>>>(rows, count, Mp, Mj, diag, Mv, K, nnzM, X,
                                                        n);
}

void upper_level(const int* rows, int count, const int* Mp, const int* Mj, const int* diag,
                 const double* Mv, int K, int nnzM, double* X, int n, cudaStream_t s) {
  const long long work = static_cast<long long>(count) * K * kWarp;
  if (work > 0)
    upper_level_k<<<blocks_for(work), kThreads, 0, s>>>(rows, count, Mp, Mj, diag, Mv, K, nnzM, X,
                                                        n);
}

}  // namespace spax::cuda_plugin::kernels
