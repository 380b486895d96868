// Dense backend: LAPACK getrf/getrs/gecon through OpenBLAS, for small systems only (n at most
// the option max_n, 5000 by default).
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

// One name per LAPACK routine for both value types.
void getrf(int n, double* a, int* ipiv, int* info) {
  dgetrf_(&n, &n, a, &n, ipiv, info);
}
void getrf(int n, complex_t* a, int* ipiv, int* info) {
  zgetrf_(&n, &n, a, &n, ipiv, info);
}
void getrs(bool transpose, int n, int nrhs, const double* a, const int* ipiv, double* b,
           int* info) {
  dgetrs_(transpose ? "T" : "N", &n, &nrhs, a, &n, ipiv, b, &n, info, 1);
}
void getrs(bool transpose, int n, int nrhs, const complex_t* a, const int* ipiv, complex_t* b,
           int* info) {
  zgetrs_(transpose ? "C" : "N", &n, &nrhs, a, &n, ipiv, b, &n, info, 1);
}
double gecon(int n, const double* a, double anorm, int* info) {
  double rc = 1.0;
  std::vector<double> work(4 * static_cast<std::size_t>(n));
  std::vector<int> iwork(static_cast<std::size_t>(n));
  dgecon_("1", &n, a, &n, &anorm, &rc, work.data(), iwork.data(), info, 1);
  return rc;
}
double gecon(int n, const complex_t* a, double anorm, int* info) {
  double rc = 1.0;
  std::vector<complex_t> work(2 * static_cast<std::size_t>(n));
  std::vector<double> rwork(2 * static_cast<std::size_t>(n));
  zgecon_("1", &n, a, &n, &anorm, &rc, work.data(), rwork.data(), info, 1);
  return rc;
}

const std::vector<double>& values_of(const SparseMatrix& a, const double*) {
  return a.values;
}
const std::vector<complex_t>& values_of(const SparseMatrix& a, const complex_t*) {
  return a.zvalues;
}

class DenseSolver final : public Solver {
 public:
  explicit DenseSolver(const SolverOptions& o)
      : max_n_(static_cast<index_t>(option_number(o.options, "dense", "max_n", 0, 1e9))) {}
  std::string name() const override { return "dense"; }

  void analyze(const SparseMatrix& a) override {
    if (a.nrows > max_n_)
      throw_usage("dense: n = " + std::to_string(a.nrows) + " is above the dense limit of " +
                  std::to_string(max_n_) + " (option max_n)");
    n_ = to_int32(a.nrows, "dense: matrix dimension");
    const double nn = static_cast<double>(n_) * static_cast<double>(n_);
    stats_.factor_bytes_estimate = nn * (a.is_complex() ? 16.0 : 8.0) + 4.0 * n_;
    stats_.ordering = "natural";
    stats_.analyze_seconds = 0.0;
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    if (a.is_complex()) {
      d_.clear();
      factor_dense(a, z_);
    } else {
      z_.clear();
      factor_dense(a, d_);
    }
    stats_.nnz_L = static_cast<index_t>(n_) * (n_ + 1) / 2;
    stats_.nnz_U = stats_.nnz_L;
    stats_.flops = 2.0 / 3.0 * std::pow(static_cast<double>(n_), 3);
    stats_.factor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    solve_dense(d_, b, nrhs, transpose);
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    solve_dense(z_, b, nrhs, transpose);
  }

 private:
  // A as a dense column-major matrix, LU with partial pivoting in place, and its 1-norm
  // condition estimate.
  template <typename T>
  void factor_dense(const SparseMatrix& a, std::vector<T>& lu) {
    const double anorm = matrix_norm_inf(a, true);  // max column sum = ||A||_1
    const std::vector<T>& values = values_of(a, static_cast<const T*>(nullptr));
    lu.assign(static_cast<std::size_t>(n_) * static_cast<std::size_t>(n_), T(0.0));
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
        lu[static_cast<std::size_t>(j * n_ + a.rowind[p])] = values[static_cast<std::size_t>(p)];
    ipiv_.assign(static_cast<std::size_t>(n_), 0);
    int info = 0;
    if (n_ > 0) getrf(n_, lu.data(), ipiv_.data(), &info);
    if (info > 0) throw_singular(a, info - 1);
    if (info < 0) throw_internal("getrf failed (info " + std::to_string(info) + ")");
    stats_.rcond = n_ > 0 ? gecon(n_, lu.data(), anorm, &info) : 1.0;
  }

  template <typename T>
  void solve_dense(const std::vector<T>& lu, std::span<T> b, index_t nrhs, bool transpose) {
    Timer t;
    int nr = to_int32(nrhs, "dense: right-hand sides"), info = 0;
    if (n_ > 0 && nr > 0) {
      if (lu.empty()) throw_internal("dense: solve with the other value type than the factor");
      getrs(transpose, n_, nr, lu.data(), ipiv_.data(), b.data(), &info);
    }
    if (info != 0) throw_internal("getrs failed");
    stats_.solve_seconds = t.seconds();
  }

  index_t max_n_;
  int n_ = 0;
  std::vector<double> d_;
  std::vector<complex_t> z_;
  std::vector<int> ipiv_;
};

}  // namespace

BackendInfo dense_backend() {
  BackendInfo b;
  b.name = "dense";
  b.summary = "LAPACK dense LU (getrf/getrs) for small systems";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.caps.memory_cap = true;
  b.options = {{"max_n", "5000", "refuse matrices with more rows than this"}};
  b.factory = [](const SolverOptions& o) { return std::unique_ptr<Solver>(new DenseSolver(o)); };
  b.auto_priority = 10;
  b.auto_fit = [](const SparseMatrix& a, const SolverOptions& o) {
    // Small systems only: 200 rows, or less when max_n is set lower.
    index_t small = 200;
    if (auto it = o.options.find("max_n"); it != o.options.end())
      small = std::min<index_t>(
          small, static_cast<index_t>(option_number(o.options, "dense", "max_n", 0, 1e9)));
    if (a.nrows > small) return std::string();
    return "n = " + std::to_string(a.nrows) + " <= " + std::to_string(small) +
           ": dense LAPACK LU is fastest for small systems";
  };
  return b;
}

}  // namespace spax::solve_detail
