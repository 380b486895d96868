#include "batch_lu.hpp"

#include <algorithm>
#include <climits>

#include "kernels.hpp"
#include "spax/timer.hpp"

namespace spax::cuda_plugin {

BatchLu::BatchLu() {
  SPAX_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking));
}

BatchLu::~BatchLu() {
  release_graphs();
  if (s_) cudaStreamDestroy(s_);
}

void BatchLu::release_graphs() {
  if (factor_graph_) cudaGraphExecDestroy(factor_graph_);
  if (solve_graph_) cudaGraphExecDestroy(solve_graph_);
  factor_graph_ = solve_graph_ = nullptr;
  K_ = 0;
}

void BatchLu::setup(const SparseMatrix& a, const CsrFactors& f) {
  release_graphs();
  ready_ = false;
  p_ = lu_pattern(a, f);
  nnz_ = to_int32(a.nnz(), "cuda-rf: number of nonzeros");
  nnzM_ = p_.Mp.back();
  Mp_.upload(p_.Mp, s_);
  Mj_.upload(p_.Mj, s_);
  diag_.upload(p_.diag, s_);
  amap_.upload(p_.amap, s_);
  lrows_.upload(p_.lower_level_rows, s_);
  urows_.upload(p_.upper_level_rows, s_);
  P_d_.upload(f.P, s_);
  Q_d_.upload(f.Q, s_);
  pairs_ = !p_.pair_ptr.empty();
  if (pairs_) {
    std::vector<long long> ptr(p_.pair_ptr.begin(), p_.pair_ptr.end());
    pair_ptr_.upload(ptr, s_);
    pair_src_.upload(p_.pair_src, s_);
    pair_dst_.upload(p_.pair_dst, s_);
    SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
    // Host copies no longer needed.
    p_.pair_ptr = {};
    p_.pair_src = {};
    p_.pair_dst = {};
  }
  SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
  ready_ = true;
}

int BatchLu::max_batch() const {
  std::size_t free = 0, total = 0;
  SPAX_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  const double per = 8.0 * (static_cast<double>(nnz_) + nnzM_ + 2.0 * p_.n + 1.0);
  const double k = 0.5 * static_cast<double>(free) / per;
  return static_cast<int>(std::clamp(k, 1.0, static_cast<double>(INT_MAX / 2)));
}

void BatchLu::launch_factor() {
  const int K = K_;
  kernels::scatter_values(Av_.get(), amap_.get(), nnz_, nnzM_, K, Mv_.get(), s_);
  const auto& lp = p_.lower_level_ptr;
  for (std::size_t l = 0; l + 1 < lp.size(); ++l)
    kernels::factor_level(lrows_.get() + lp[l], lp[l + 1] - lp[l], Mp_.get(), Mj_.get(),
                          diag_.get(), pairs_ ? pair_ptr_.get() : nullptr, pair_src_.get(),
                          pair_dst_.get(), Mv_.get(), K, nnzM_, s_);
  kernels::pivot_ratio(diag_.get(), p_.n, Mv_.get(), K, nnzM_, ratio_.get(), s_);
}

void BatchLu::launch_solve() {
  const int K = K_, n = p_.n;
  kernels::permute_in(B_.get(), P_d_.get(), n, K, X_.get(), s_);
  const auto& lp = p_.lower_level_ptr;
  for (std::size_t l = 0; l + 1 < lp.size(); ++l)
    kernels::lower_level(lrows_.get() + lp[l], lp[l + 1] - lp[l], Mp_.get(), Mj_.get(), diag_.get(),
                         Mv_.get(), K, nnzM_, X_.get(), n, s_);
  const auto& up = p_.upper_level_ptr;
  for (std::size_t l = 0; l + 1 < up.size(); ++l)
    kernels::upper_level(urows_.get() + up[l], up[l + 1] - up[l], Mp_.get(), Mj_.get(), diag_.get(),
                         Mv_.get(), K, nnzM_, X_.get(), n, s_);
  kernels::permute_out(X_.get(), Q_d_.get(), n, K, B_.get(), s_);
}

void BatchLu::prepare(int K) {
  if (!ready_) throw_internal("cuda-rf: batched refactorization used before its setup");
  if (K == K_) return;
  release_graphs();
  const auto k = static_cast<std::size_t>(K);
  Av_.reserve(k * static_cast<std::size_t>(nnz_));
  Mv_.reserve(k * static_cast<std::size_t>(nnzM_));
  B_.reserve(k * static_cast<std::size_t>(p_.n));
  X_.reserve(k * static_cast<std::size_t>(p_.n));
  ratio_.reserve(k);
  K_ = K;
  // Thousands of small launches per call (one per level): captured once, replayed as a graph.
  auto capture = [&](void (BatchLu::*launch)(), cudaGraphExec_t* exec) {
    cudaGraph_t g = nullptr;
    SPAX_CUDA_CHECK(cudaStreamBeginCapture(s_, cudaStreamCaptureModeThreadLocal));
    (this->*launch)();
    SPAX_CUDA_CHECK(cudaStreamEndCapture(s_, &g));
    const cudaError_t e = cudaGraphInstantiate(exec, g, 0);
    cudaGraphDestroy(g);
    check(e, "cudaGraphInstantiate");
  };
  capture(&BatchLu::launch_factor, &factor_graph_);
  capture(&BatchLu::launch_solve, &solve_graph_);
}

void BatchLu::refactor(std::span<const double* const> values, std::vector<double>& ratio,
                       DeviceTimings& t) {
  const int K = static_cast<int>(values.size());
  prepare(K);
  const auto nnz = static_cast<std::size_t>(nnz_);
  Timer up;
  for (std::size_t k = 0; k < values.size(); ++k)
    SPAX_CUDA_CHECK(cudaMemcpyAsync(Av_.get() + k * nnz, values[k], nnz * sizeof(double),
                                    cudaMemcpyHostToDevice, s_));
  SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
  t.upload_seconds += up.seconds();
  Timer c;
  SPAX_CUDA_CHECK(cudaGraphLaunch(factor_graph_, s_));
  SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
  t.compute_seconds += c.seconds();
  Timer d;
  ratio.resize(values.size());
  ratio_.download(ratio.data(), ratio.size(), s_);
  SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
  t.download_seconds += d.seconds();
}

void BatchLu::solve(std::span<double* const> b, DeviceTimings& t) {
  const int K = static_cast<int>(b.size());
  if (K != K_) throw_internal("cuda-rf: batched solve of another batch size than the refactor");
  const auto n = static_cast<std::size_t>(p_.n);
  Timer up;
  for (std::size_t k = 0; k < b.size(); ++k)
    SPAX_CUDA_CHECK(
        cudaMemcpyAsync(B_.get() + k * n, b[k], n * sizeof(double), cudaMemcpyHostToDevice, s_));
  SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
  t.upload_seconds += up.seconds();
  Timer c;
  SPAX_CUDA_CHECK(cudaGraphLaunch(solve_graph_, s_));
  SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
  t.compute_seconds += c.seconds();
  Timer d;
  for (std::size_t k = 0; k < b.size(); ++k)
    SPAX_CUDA_CHECK(
        cudaMemcpyAsync(b[k], B_.get() + k * n, n * sizeof(double), cudaMemcpyDeviceToHost, s_));
  SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
  t.download_seconds += d.seconds();
}

}  // namespace spax::cuda_plugin
