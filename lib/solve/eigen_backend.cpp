// Eigen::SparseLU backend (32-bit indices), orderings COLAMD, AMD (on A^T + A), natural or given.
#include <Eigen/OrderingMethods>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include "solve/backends.hpp"
#include "solve/eigen_csc.hpp"
#include "spax/timer.hpp"

namespace spax::solve_detail {
namespace {

using Perm = Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int>;

// The ordering the next analyzePattern uses (SparseLU constructs its OrderingType itself).
thread_local std::string t_ordering;
thread_local const std::vector<index_t>* t_given = nullptr;

struct RuntimeOrdering {
  template <class M>
  void operator()(const M& mat, Perm& perm) {
    if (t_ordering == "colamd") {
      Eigen::COLAMDOrdering<int>()(mat, perm);
    } else if (t_ordering == "amd") {
      Eigen::AMDOrdering<int>()(mat, perm);
    } else if (t_ordering == "given") {
      perm.resize(static_cast<int>(mat.cols()));
      for (std::size_t k = 0; k < t_given->size(); ++k)
        perm.indices()((*t_given)[k]) = static_cast<int>(k);
    } else {
      perm.resize(0);  // natural
    }
  }
};

template <class Scalar>
class Impl {
 public:
  using Mat = Eigen::SparseMatrix<Scalar, Eigen::ColMajor, int>;
  Eigen::SparseLU<Mat, RuntimeOrdering> lu;
  Mat m;

  void load(const SparseMatrix& a) { copy_to_eigen(a, m, "eigen-lu"); }
  void solve(Scalar* b, index_t n, index_t nrhs, bool transpose) {
    Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>> bm(b, n, nrhs);
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> x;
    if (transpose)
      x = lu.adjoint().solve(bm);
    else
      x = lu.solve(bm);
    bm = x;
  }
};

class EigenSolver final : public Solver {
 public:
  explicit EigenSolver(const SolverOptions& o) : opt_(o) {}
  std::string name() const override { return "eigen-lu"; }
  bool wants_rcond_estimate() const override { return true; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    complex_ = a.is_complex();
    std::string ord = opt_.ordering == "default" ? "colamd" : opt_.ordering;
    if (ord != "colamd" && ord != "amd" && ord != "natural" && ord != "given")
      throw_usage("eigen-lu: unknown ordering '" + ord + "' (colamd, amd, natural, given)");
    if (ord == "given") check_given(opt_, a.nrows);
    t_ordering = ord;
    t_given = &opt_.permutation;
    if (complex_) {
      z_ = std::make_unique<Impl<complex_t>>();
      z_->load(a);
      z_->lu.analyzePattern(z_->m);
    } else {
      d_ = std::make_unique<Impl<double>>();
      d_->load(a);
      d_->lu.analyzePattern(d_->m);
    }
    stats_.ordering = ord;
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    bool ok;
    if (complex_) {
      z_->load(a);
      z_->lu.factorize(z_->m);
      ok = z_->lu.info() == Eigen::Success;
      if (ok) {
        stats_.nnz_L = z_->lu.nnzL();
        stats_.nnz_U = z_->lu.nnzU();
      }
    } else {
      d_->load(a);
      d_->lu.factorize(d_->m);
      ok = d_->lu.info() == Eigen::Success;
      if (ok) {
        stats_.nnz_L = d_->lu.nnzL();
        stats_.nnz_U = d_->lu.nnzU();
      }
    }
    if (!ok) throw_singular(a, -1);
    stats_.factor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    Timer t;
    d_->solve(b.data(), static_cast<index_t>(b.size()) / std::max<index_t>(nrhs, 1), nrhs,
              transpose);
    stats_.solve_seconds = t.seconds();
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    Timer t;
    z_->solve(b.data(), static_cast<index_t>(b.size()) / std::max<index_t>(nrhs, 1), nrhs,
              transpose);
    stats_.solve_seconds = t.seconds();
  }

 private:
  SolverOptions opt_;
  bool complex_ = false;
  std::unique_ptr<Impl<double>> d_;
  std::unique_ptr<Impl<complex_t>> z_;
};

}  // namespace

BackendInfo eigen_lu_backend() {
  BackendInfo b;
  b.name = "eigen-lu";
  b.summary = "Eigen's SparseLU: supernodal LU with partial pivoting";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.orderings = {"colamd", "amd", "natural", "given"};
  b.factory = [](const SolverOptions& o) { return std::unique_ptr<Solver>(new EigenSolver(o)); };
  return b;
}

}  // namespace spax::solve_detail
