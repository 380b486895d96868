// Dense backend: LAPACK getrf/getrs/gecon through OpenBLAS, for small systems only (n at most
// SolverOptions::dense_limit).
#include <cmath>
#include <cstddef>

#include "solve/backends.hpp"
#include "spax/timer.hpp"

extern "C" {
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void zgetrf_(const int* m, const int* n, void* a, const int* lda, int* ipiv, int* info);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda,
             const int* ipiv, double* b, const int* ldb, int* info, std::size_t len);
void zgetrs_(const char* trans, const int* n, const int* nrhs, const void* a, const int* lda,
             const int* ipiv, void* b, const int* ldb, int* info, std::size_t len);
void dgecon_(const char* norm, const int* n, const double* a, const int* lda, const double* anorm,
             double* rcond, double* work, int* iwork, int* info, std::size_t len);
void zgecon_(const char* norm, const int* n, const void* a, const int* lda, const double* anorm,
             double* rcond, void* work, double* rwork, int* info, std::size_t len);
}

namespace spax::solve_detail {
namespace {

class DenseSolver final : public Solver {
 public:
  explicit DenseSolver(const SolverOptions& o) : opt_(o) {}
  std::string name() const override { return "dense"; }

  void analyze(const SparseMatrix& a) override {
    if (a.nrows > opt_.dense_limit)
      throw_usage("dense: n = " + std::to_string(a.nrows) + " is above the dense limit of " +
                  std::to_string(opt_.dense_limit));
    n_ = to_int32(a.nrows, "dense: matrix dimension");
    const double nn = static_cast<double>(n_) * static_cast<double>(n_);
    stats_.factor_bytes_estimate = nn * (a.is_complex() ? 16.0 : 8.0) + 4.0 * n_;
    stats_.ordering = "natural";
    stats_.analyze_seconds = 0.0;
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    complex_ = a.is_complex();
    std::size_t nn = static_cast<std::size_t>(n_) * static_cast<std::size_t>(n_);
    const double anorm = matrix_norm_inf(a, true);  // max column sum = ||A||_1
    ipiv_.assign(static_cast<std::size_t>(n_), 0);
    int info = 0;
    if (complex_) {
      z_.assign(nn, complex_t(0.0));
      for (index_t j = 0; j < a.ncols; ++j)
        for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
          z_[j * n_ + a.rowind[p]] = a.zvalues[p];
      if (n_ > 0) zgetrf_(&n_, &n_, z_.data(), &n_, ipiv_.data(), &info);
    } else {
      d_.assign(nn, 0.0);
      for (index_t j = 0; j < a.ncols; ++j)
        for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
          d_[j * n_ + a.rowind[p]] = a.values[p];
      if (n_ > 0) dgetrf_(&n_, &n_, d_.data(), &n_, ipiv_.data(), &info);
    }
    if (info > 0) throw_singular(a, info - 1);
    if (info < 0) throw_internal("getrf failed (info " + std::to_string(info) + ")");
    double rc = 1.0;
    if (n_ > 0) {
      if (complex_) {
        std::vector<complex_t> work(2 * static_cast<std::size_t>(n_));
        std::vector<double> rwork(2 * static_cast<std::size_t>(n_));
        zgecon_("1", &n_, z_.data(), &n_, &anorm, &rc, work.data(), rwork.data(), &info, 1);
      } else {
        std::vector<double> work(4 * static_cast<std::size_t>(n_));
        std::vector<int> iwork(static_cast<std::size_t>(n_));
        dgecon_("1", &n_, d_.data(), &n_, &anorm, &rc, work.data(), iwork.data(), &info, 1);
      }
    }
    stats_.rcond = rc;
    stats_.nnz_L = static_cast<index_t>(n_) * (n_ + 1) / 2;
    stats_.nnz_U = stats_.nnz_L;
    stats_.flops = 2.0 / 3.0 * std::pow(static_cast<double>(n_), 3);
    stats_.factor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    Timer t;
    int nr = to_int32(nrhs, "dense: right-hand sides"), info = 0;
    if (n_ > 0 && nr > 0)
      dgetrs_(transpose ? "T" : "N", &n_, &nr, d_.data(), &n_, ipiv_.data(), b.data(), &n_, &info,
              1);
    if (info != 0) throw_internal("dgetrs failed");
    stats_.solve_seconds = t.seconds();
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    Timer t;
    int nr = to_int32(nrhs, "dense: right-hand sides"), info = 0;
    if (n_ > 0 && nr > 0)
      zgetrs_(transpose ? "C" : "N", &n_, &nr, z_.data(), &n_, ipiv_.data(), b.data(), &n_, &info,
              1);
    if (info != 0) throw_internal("zgetrs failed");
    stats_.solve_seconds = t.seconds();
  }

 private:
  SolverOptions opt_;
  int n_ = 0;
  bool complex_ = false;
  std::vector<double> d_;
  std::vector<complex_t> z_;
  std::vector<int> ipiv_;
};

}  // namespace

std::unique_ptr<Solver> make_dense(const SolverOptions& o) {
  return std::make_unique<DenseSolver>(o);
}

}  // namespace spax::solve_detail
