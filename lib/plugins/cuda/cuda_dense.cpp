// cuda-dense: the matrix as a dense array on the GPU, cuSOLVER's Cholesky (potrf/potrs) when it
// is symmetric with a positive diagonal and turns out positive definite, else LU with partial
// pivoting (getrf/getrs). For small and medium systems (option max_n).
#include <cusolverDn.h>

#include <cmath>
#include <limits>

#include "backends.hpp"
#include "cuda_common.hpp"
#include "spax/batch.hpp"
#include "spax/timer.hpp"

namespace spax::cuda_plugin {
namespace {

bool symmetric_positive_diagonal(const SparseMatrix& a) {
  const SparseMatrix t = transpose(a);
  if (t.colptr != a.colptr || t.rowind != a.rowind || t.values != a.values) return false;
  for (index_t j = 0; j < a.ncols; ++j) {
    bool positive = false;
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      if (a.rowind[p] == j) positive = a.values[p] > 0;
    if (!positive) return false;
  }
  return true;
}

class CudaDenseSolver final : public Solver, public DeviceSolver {
 public:
  explicit CudaDenseSolver(const SolverOptions& o)
      : max_n_(static_cast<index_t>(option_number(o.options, "cuda-dense", "max_n", 0, 1e6))),
        cholesky_(option_choice(o.options, "cuda-dense", "cholesky", {"auto", "yes", "no"})) {
    if (std::string why = gpu_unavailable_reason(); !why.empty())
      throw_usage("cuda-dense is not available: " + why);
    SPAX_CUDA_CHECK(cudaStreamCreate(&s_));
    check(cusolverDnCreate(&h_), "cusolverDnCreate");
    check(cusolverDnSetStream(h_, s_), "cusolverDnSetStream");
    check(cusolverDnCreateParams(&params_), "cusolverDnCreateParams");
  }
  ~CudaDenseSolver() override {
    if (params_) cusolverDnDestroyParams(params_);
    if (h_) cusolverDnDestroy(h_);
    a_.release();
    work_.release();
    b_.release();
    ipiv_.release();
    info_.release();
    if (s_) cudaStreamDestroy(s_);
  }
  std::string name() const override { return "cuda-dense"; }

  void analyze(const SparseMatrix& a) override {
    if (a.is_complex()) throw_usage("cuda-dense: real matrices only");
    if (a.nrows > max_n_)
      throw_usage("cuda-dense: n = " + std::to_string(a.nrows) + " is above its limit of " +
                  std::to_string(max_n_) + " (option max_n)");
    n_ = a.nrows;
    const double nn = static_cast<double>(n_) * static_cast<double>(n_);
    stats_.factor_bytes_estimate = nn * 8.0;
    stats_.ordering = "natural";
    stats_.analyze_seconds = 0.0;
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    const auto n = static_cast<std::size_t>(n_);
    Timer host;
    std::vector<double> dense(n * n, 0.0);
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
        dense[static_cast<std::size_t>(j) * n + static_cast<std::size_t>(a.rowind[p])] =
            a.values[static_cast<std::size_t>(p)];
    const bool try_cholesky =
        cholesky_ == "yes" || (cholesky_ == "auto" && symmetric_positive_diagonal(a));
    timings_.host_seconds += host.seconds();
    chol_ = false;
    if (n_ > 0 && try_cholesky) {
      upload(dense);
      if (run_potrf() == 0) {
        chol_ = true;
      } else if (cholesky_ == "yes") {
        throw_numerical("cuda-dense: the matrix is not positive definite (cholesky=yes)");
      }
    }
    if (n_ > 0 && !chol_) {
      upload(dense);
      const int info = run_getrf();
      if (info > 0) throw_singular(a, info - 1);
    }
    const double nd = static_cast<double>(n_);
    stats_.nnz_L = n_ * (n_ + 1) / 2;
    stats_.nnz_U = chol_ ? 0 : stats_.nnz_L;
    stats_.flops = chol_ ? nd * nd * nd / 3.0 : 2.0 * nd * nd * nd / 3.0;
    stats_.ordering = chol_ ? "natural (Cholesky)" : "natural (LU)";
    stats_.factor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    Timer t;
    if (n_ == 0 || nrhs == 0) return;
    const auto count = static_cast<std::size_t>(n_) * static_cast<std::size_t>(nrhs);
    Timer up;
    b_.upload(b.data(), count, s_);
    SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
    timings_.upload_seconds += up.seconds();
    Timer c;
    if (chol_)
      check(cusolverDnXpotrs(h_, params_, CUBLAS_FILL_MODE_LOWER, n_, nrhs, CUDA_R_64F, a_.get(),
                             n_, CUDA_R_64F, b_.get(), n_, info_.get()),
            "cusolverDnXpotrs");
    else
      check(
          cusolverDnXgetrs(h_, params_, transpose ? CUBLAS_OP_T : CUBLAS_OP_N, n_, nrhs, CUDA_R_64F,
                           a_.get(), n_, ipiv_.get(), CUDA_R_64F, b_.get(), n_, info_.get()),
          "cusolverDnXgetrs");
    SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
    timings_.compute_seconds += c.seconds();
    Timer d;
    b_.download(b.data(), count, s_);
    SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
    timings_.download_seconds += d.seconds();
    stats_.solve_seconds = t.seconds();
  }
  void solve(std::span<complex_t>, index_t, bool) override {
    throw_usage("cuda-dense: real matrices only");
  }
  // cuSOLVER gives no condition estimate: the caller estimates it from solves.
  bool wants_rcond_estimate() const override { return true; }

  std::string device_name() const override { return gpu_name(); }
  DeviceTimings device_timings() const override { return timings_; }
  void reset_device_timings() override { timings_ = {}; }

 private:
  void upload(const std::vector<double>& dense) {
    Timer up;
    a_.upload(dense, s_);
    SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
    timings_.upload_seconds += up.seconds();
  }
  int read_info() {
    int info = 0;
    info_.download(&info, 1, s_);
    SPAX_CUDA_CHECK(cudaStreamSynchronize(s_));
    return info;
  }
  void reserve_work(std::size_t device_bytes, std::size_t host_bytes) {
    work_.reserve(device_bytes + 1);
    host_work_.resize(host_bytes + 1);
    info_.reserve(1);
  }
  int run_potrf() {
    Timer c;
    std::size_t dev = 0, host = 0;
    check(cusolverDnXpotrf_bufferSize(h_, params_, CUBLAS_FILL_MODE_LOWER, n_, CUDA_R_64F, a_.get(),
                                      n_, CUDA_R_64F, &dev, &host),
          "cusolverDnXpotrf_bufferSize");
    reserve_work(dev, host);
    check(cusolverDnXpotrf(h_, params_, CUBLAS_FILL_MODE_LOWER, n_, CUDA_R_64F, a_.get(), n_,
                           CUDA_R_64F, work_.get(), dev, host_work_.data(), host, info_.get()),
          "cusolverDnXpotrf");
    const int info = read_info();
    timings_.compute_seconds += c.seconds();
    return info;
  }
  int run_getrf() {
    Timer c;
    std::size_t dev = 0, host = 0;
    check(cusolverDnXgetrf_bufferSize(h_, params_, n_, n_, CUDA_R_64F, a_.get(), n_, CUDA_R_64F,
                                      &dev, &host),
          "cusolverDnXgetrf_bufferSize");
    reserve_work(dev, host);
    ipiv_.reserve(static_cast<std::size_t>(n_));
    check(cusolverDnXgetrf(h_, params_, n_, n_, CUDA_R_64F, a_.get(), n_, ipiv_.get(), CUDA_R_64F,
                           work_.get(), dev, host_work_.data(), host, info_.get()),
          "cusolverDnXgetrf");
    const int info = read_info();
    timings_.compute_seconds += c.seconds();
    return info;
  }

  index_t max_n_;
  std::string cholesky_;
  cudaStream_t s_ = nullptr;
  cusolverDnHandle_t h_ = nullptr;
  cusolverDnParams_t params_ = nullptr;
  index_t n_ = 0;
  bool chol_ = false;
  DeviceArray<double> a_, b_;
  DeviceArray<char> work_;
  std::vector<char> host_work_;
  DeviceArray<std::int64_t> ipiv_;
  DeviceArray<int> info_;
  DeviceTimings timings_;
};

}  // namespace

BackendInfo cuda_dense_backend() {
  BackendInfo b;
  b.name = "cuda-dense";
  b.summary = "cuSOLVER dense Cholesky (SPD) or LU on an NVIDIA GPU, small and medium systems";
  b.caps.transpose = true;
  b.caps.gpu = true;
  b.caps.in_process_only = true;
  b.options = {{"max_n", "32768", "refuse matrices with more rows than this"},
               {"cholesky", "auto",
                "auto (Cholesky when symmetric with a positive diagonal, LU when that fails), "
                "yes, no"}};
  b.factory = [](const SolverOptions& o) {
    return std::unique_ptr<Solver>(new CudaDenseSolver(o));
  };
  b.unavailable_reason = gpu_unavailable_reason;
  return b;
}

}  // namespace spax::cuda_plugin
