// The plugin's own refactorization on the GPU: one pivot order (the host factorization's), the
// values of K matrices side by side, the up-looking LU and both triangular solves level by level
// (kernels.cu), each sequence of launches captured once into a CUDA graph and replayed.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <span>
#include <vector>

#include "cuda_common.hpp"
#include "klu_lu.hpp"
#include "spax/batch.hpp"

namespace spax::cuda_plugin {

class BatchLu {
 public:
  BatchLu();  // on a stream of its own (non-blocking: graphs are captured on it)
  ~BatchLu();
  BatchLu(const BatchLu&) = delete;
  BatchLu& operator=(const BatchLu&) = delete;

  // The pattern of L + U, where A's entries land, the level sets (host work), and their upload.
  void setup(const SparseMatrix& a, const CsrFactors& f);
  bool ready() const { return ready_; }
  // Device buffers and graphs for K matrices at once (K <= max_batch()).
  void prepare(int K);
  int max_batch() const;  // how many matrices fit in half the free device memory
  int levels() const { return static_cast<int>(p_.lower_level_ptr.size()) - 1; }
  std::int64_t update_count() const { return p_.update_count; }

  // Refactors matrices k = 0..K-1 (their CSC values, in A's pattern) and gives each one's
  // min/max |pivot| ratio (0 when a pivot is zero or not finite).
  void refactor(std::span<const double* const> values, std::vector<double>& ratio,
                DeviceTimings& t);
  // Solves matrix k's system for one right-hand side b[k] (n values, overwritten by x).
  void solve(std::span<double* const> b, DeviceTimings& t);

 private:
  void release_graphs();
  void launch_factor();
  void launch_solve();

  cudaStream_t s_ = nullptr;
  bool ready_ = false;
  LuPattern p_;
  int nnz_ = 0, nnzM_ = 0;
  std::vector<int> P_, Q_;
  DeviceArray<int> Mp_, Mj_, diag_, amap_, lrows_, urows_, P_d_, Q_d_, pair_src_, pair_dst_;
  DeviceArray<long long> pair_ptr_;
  bool pairs_ = false;
  int K_ = 0;
  DeviceArray<double> Av_, Mv_, B_, X_, ratio_;
  cudaGraphExec_t factor_graph_ = nullptr, solve_graph_ = nullptr;
};

}  // namespace spax::cuda_plugin
