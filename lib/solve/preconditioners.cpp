// Preconditioners of the iterative backends: none, jacobi (the inverse diagonal), block-jacobi
// (BTF's diagonal blocks or fixed-size blocks, each factorized densely with partial pivoting),
// ilut (Eigen::IncompleteLUT); amg (hypre's BoomerAMG) comes from the hypre plugin.
#include <btf.h>

#include <Eigen/Dense>
#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>

#include "solve/eigen_csc.hpp"
#include "solve/iterative.hpp"

namespace spax::solve_detail {
namespace {

class NoPreconditioner final : public Preconditioner {
 public:
  void setup(const SparseMatrix& a, const Csr&) override { n_ = a.nrows; }
  void apply(const double* r, double* z) override { std::copy(r, r + n_, z); }

 private:
  index_t n_ = 0;
};

// The inverse of the diagonal; a zero (or absent) diagonal entry counts as 1, as in Eigen's
// DiagonalPreconditioner.
class JacobiPreconditioner final : public Preconditioner {
 public:
  void setup(const SparseMatrix& a, const Csr&) override {
    inv_.assign(static_cast<std::size_t>(a.nrows), 1.0);
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
        if (a.rowind[p] == j && a.values[p] != 0.0) inv_[j] = 1.0 / a.values[p];
  }
  void apply(const double* r, double* z) override {
    for (std::size_t i = 0; i < inv_.size(); ++i) z[i] = inv_[i] * r[i];
  }

 private:
  std::vector<double> inv_;
};

// Block k holds rows row_[start_k..start_{k+1}) and columns col_[...] of A: the diagonal blocks
// of P A Q, with P, Q from BTF (then the diagonal is zero-free) or the identity.
class BlockJacobiPreconditioner final : public Preconditioner {
 public:
  BlockJacobiPreconditioner(index_t block, index_t max_block)
      : block_(block), max_block_(max_block) {}

  void setup(const SparseMatrix& a, const Csr&) override {
    if (row_.empty() && a.nrows > 0) partition(a);
    const std::size_t nb = start_.size() - 1;
    lu_.assign(nb, {});
    inv_diag_.assign(nb, {});
    rb_.resize(nb);
    zb_.resize(nb);
    for (std::size_t b = 0; b < nb; ++b) {
      const index_t s = start_[b], e = start_[b + 1], m = e - s;
      Eigen::MatrixXd d = Eigen::MatrixXd::Zero(m, m);
      for (index_t k = s; k < e; ++k) {
        const index_t j = col_[k];
        for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
          const index_t i = pinv_[static_cast<std::size_t>(a.rowind[p])];
          if (i >= s && i < e) d(i - s, k - s) = a.values[p];
        }
      }
      bool diagonal_only = m == 1;
      if (!diagonal_only) {
        lu_[b].compute(d);
        const auto diag = lu_[b].matrixLU().diagonal();
        for (index_t q = 0; q < m; ++q)
          if (!(std::fabs(diag(q)) > 0.0) || !std::isfinite(diag(q))) diagonal_only = true;
      }
      if (diagonal_only) {
        // A 1x1 block, or a singular one: its diagonal only (zero entries count as 1).
        Eigen::VectorXd inv(m);
        for (index_t q = 0; q < m; ++q) inv(q) = d(q, q) != 0.0 ? 1.0 / d(q, q) : 1.0;
        inv_diag_[b] = inv;
        rb_[b].resize(0);
        zb_[b].resize(0);
      } else {
        rb_[b].resize(m);  // scratch for apply, which then allocates nothing
        zb_[b].resize(m);
      }
    }
  }

  void apply(const double* r, double* z) override {
    for (std::size_t b = 0; b + 1 < start_.size(); ++b) {
      const index_t s = start_[b], m = start_[b + 1] - s;
      if (inv_diag_[b].size() > 0) {
        for (index_t q = 0; q < m; ++q) z[col_[s + q]] = inv_diag_[b](q) * r[row_[s + q]];
        continue;
      }
      Eigen::VectorXd& rb = rb_[b];
      Eigen::VectorXd& zb = zb_[b];
      for (index_t q = 0; q < m; ++q) rb(q) = r[row_[s + q]];
      zb.noalias() = lu_[b].solve(rb);
      for (index_t q = 0; q < m; ++q) z[col_[s + q]] = zb(q);
    }
  }

 private:
  void partition(const SparseMatrix& a) {
    const index_t n = a.nrows;
    row_.resize(static_cast<std::size_t>(n));
    col_.resize(static_cast<std::size_t>(n));
    std::vector<index_t> cuts;  // block starts, before the cut by max_block
    if (block_ > 0) {
      for (index_t k = 0; k < n; ++k) row_[k] = col_[k] = k;
      for (index_t k = 0; k < n; k += block_) cuts.push_back(k);
    } else {
      std::vector<SuiteSparse_long> p(static_cast<std::size_t>(n)), q(static_cast<std::size_t>(n)),
          r(static_cast<std::size_t>(n) + 1), work(5 * static_cast<std::size_t>(n));
      double flops = 0.0;
      SuiteSparse_long nmatch = 0;
      const SuiteSparse_long nblocks = btf_l_order(
          n, const_cast<index_t*>(a.colptr.data()), const_cast<index_t*>(a.rowind.data()), 0.0,
          &flops, p.data(), q.data(), r.data(), &nmatch, work.data());
      for (index_t k = 0; k < n; ++k) {
        row_[k] = p[k];
        col_[k] = BTF_UNFLIP(q[k]);  // flipped: a structurally singular column
      }
      cuts.assign(r.begin(), r.begin() + nblocks);
    }
    // Every block is cut into pieces of at most max_block.
    start_.clear();
    for (std::size_t c = 0; c < cuts.size(); ++c) {
      const index_t end = c + 1 < cuts.size() ? cuts[c + 1] : n;
      for (index_t k = cuts[c]; k < end; k += max_block_) start_.push_back(k);
    }
    start_.push_back(n);
    pinv_ = invert_permutation(row_);
  }

  index_t block_, max_block_;
  std::vector<index_t> row_, col_, start_, pinv_;
  std::vector<Eigen::PartialPivLU<Eigen::MatrixXd>> lu_;
  std::vector<Eigen::VectorXd> inv_diag_, rb_, zb_;
};

class IlutPreconditioner final : public Preconditioner {
 public:
  IlutPreconditioner(double droptol, int fillfactor) {
    ilu_.setDroptol(droptol);
    ilu_.setFillfactor(fillfactor);
  }
  void setup(const SparseMatrix& a, const Csr&) override {
    Eigen::SparseMatrix<double, Eigen::ColMajor, int> m;
    copy_to_eigen(a, m, "ilut");
    ilu_.compute(m);
    if (ilu_.info() != Eigen::Success)
      throw_numerical("ilut: the incomplete factorization failed (Eigen::IncompleteLUT)");
    n_ = m.rows();
  }
  void apply(const double* r, double* z) override {
    Eigen::Map<const Eigen::VectorXd> rv(r, n_);
    Eigen::Map<Eigen::VectorXd> zv(z, n_);
    zv = ilu_.solve(rv);
  }

 private:
  Eigen::IncompleteLUT<double, int> ilu_;
  Eigen::Index n_ = 0;
};

}  // namespace

std::vector<PreconditionerInfo> builtin_preconditioners() {
  using Options = std::map<std::string, std::string>;
  std::vector<PreconditionerInfo> list;
  list.push_back(
      {"none",
       "the identity",
       {},
       [](const Options&) { return std::unique_ptr<Preconditioner>(new NoPreconditioner()); },
       ""});
  list.push_back(
      {"jacobi",
       "the inverse diagonal (a zero diagonal entry counts as 1)",
       {},
       [](const Options&) { return std::unique_ptr<Preconditioner>(new JacobiPreconditioner()); },
       ""});
  list.push_back(
      {"block-jacobi",
       "diagonal blocks factorized densely with partial pivoting (BTF's blocks by default)",
       {{"block", "0", "rows per block; 0: BTF's diagonal blocks"},
        {"max_block", "128", "larger blocks are cut to this size"}},
       [](const Options& o) {
         return std::unique_ptr<Preconditioner>(new BlockJacobiPreconditioner(
             static_cast<index_t>(option_number(o, "block-jacobi", "block", 0, 1e6)),
             static_cast<index_t>(option_number(o, "block-jacobi", "max_block", 1, 4096))));
       },
       ""});
  list.push_back({"ilut",
                  "Eigen's IncompleteLUT (threshold incomplete LU)",
                  {{"droptol", "1e-4", "entries below droptol * the row's norm are dropped"},
                   {"fillfactor", "10", "fill allowed per row, as a multiple of the row's nnz"}},
                  [](const Options& o) {
                    return std::unique_ptr<Preconditioner>(new IlutPreconditioner(
                        option_number(o, "ilut", "droptol", 0.0, 1.0),
                        static_cast<int>(option_number(o, "ilut", "fillfactor", 1, 1000))));
                  },
                  ""});
  return list;
}

}  // namespace spax::solve_detail
