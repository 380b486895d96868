// CHOLMOD backend (cholmod_l_*): symmetric (Hermitian) positive definite matrices only; CHOLMOD
// chooses supernodal or simplicial. A matrix that is not positive definite is a numerical error.
#include <cholmod.h>

#include <cmath>
#include <cstring>

#include "solve/backends.hpp"
#include "spax/timer.hpp"

namespace spax::solve_detail {
namespace {

class CholmodSolver final : public Solver {
 public:
  explicit CholmodSolver(const SolverOptions& o) : opt_(o) {
    cholmod_l_start(&c_);
    c_.print = 0;
    c_.error_handler = nullptr;
  }
  ~CholmodSolver() override {
    if (l_) cholmod_l_free_factor(&l_, &c_);
    cholmod_l_finish(&c_);
  }
  std::string name() const override { return "cholmod"; }
  bool wants_rcond_estimate() const override { return true; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    if (l_) cholmod_l_free_factor(&l_, &c_);
    n_ = a.nrows;
    complex_ = a.is_complex();
    std::string ord = opt_.ordering == "default" ? "amd" : opt_.ordering;
    std::vector<SuiteSparse_long> perm;
    c_.nmethods = 1;
    c_.postorder = 1;
    if (ord == "amd" || ord == "colamd") {
      c_.method[0].ordering = CHOLMOD_AMD;
      ord = "amd";
    } else if (ord == "metis") {
      c_.method[0].ordering = CHOLMOD_METIS;
    } else if (ord == "natural") {
      c_.method[0].ordering = CHOLMOD_NATURAL;
    } else if (ord == "given") {
      check_given(opt_, n_);
      perm.assign(opt_.permutation.begin(), opt_.permutation.end());
      c_.method[0].ordering = CHOLMOD_GIVEN;
    } else {
      throw_usage("cholmod: unknown ordering '" + ord + "' (amd, metis, natural, given)");
    }
    cholmod_sparse view = wrap(a);
    l_ = perm.empty() ? cholmod_l_analyze(&view, &c_)
                      : cholmod_l_analyze_p(&view, perm.data(), nullptr, 0, &c_);
    if (!l_) throw_internal("cholmod_l_analyze failed (status " + std::to_string(c_.status) + ")");
    // L's size from the column counts: supernodal values and indices, or simplicial entries.
    const double v = complex_ ? 16.0 : 8.0, i = sizeof(SuiteSparse_long);
    stats_.factor_bytes_estimate =
        l_->is_super ? static_cast<double>(l_->xsize) * v + static_cast<double>(l_->ssize) * i
                     : c_.lnz * (v + i) + static_cast<double>(n_) * 4.0 * i;
    stats_.ordering = ord;
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    if (!is_hermitian(a))
      throw_numerical(std::string("cholmod: the matrix is not ") +
                      (a.is_complex() ? "Hermitian" : "symmetric") + ", so not positive definite");
    cholmod_sparse view = wrap(a);
    cholmod_l_factorize(&view, l_, &c_);
    std::size_t minor = l_->minor;
    if (!l_->is_super && !l_->is_ll && minor >= l_->n) {
      // Simplicial LDL^T succeeds on indefinite matrices: D must be positive.
      const auto* lp = static_cast<const SuiteSparse_long*>(l_->p);
      const auto* lx = static_cast<const double*>(l_->x);
      for (std::size_t j = 0; j < l_->n; ++j) {
        double d = lx[(complex_ ? 2 : 1) * lp[j]];
        if (!(d > 0)) {
          minor = j;
          break;
        }
      }
    }
    if (c_.status == CHOLMOD_NOT_POSDEF || minor < l_->n) {
      index_t col = static_cast<index_t>(minor);
      if (l_->Perm && col < n_) col = static_cast<const SuiteSparse_long*>(l_->Perm)[col];
      throw_numerical("cholmod: matrix is not positive definite (failed at column " +
                      std::to_string(col + 1) + ")");
    }
    if (c_.status < CHOLMOD_OK)
      throw_internal("cholmod_l_factorize failed (status " + std::to_string(c_.status) + ")");
    stats_.nnz_L = static_cast<index_t>(c_.lnz);
    stats_.nnz_U = stats_.nnz_L;
    stats_.flops = c_.fl;
    stats_.rcond = cholmod_l_rcond(l_, &c_);
    stats_.factor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool) override {
    Timer t;
    run_solve(b.data(), nrhs, CHOLMOD_REAL);
    stats_.solve_seconds = t.seconds();
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool) override {
    // A = A^H: the transposed solve is the same solve.
    Timer t;
    run_solve(b.data(), nrhs, CHOLMOD_COMPLEX);
    stats_.solve_seconds = t.seconds();
  }

  std::string export_symbolic() const override {
    if (!l_ || !l_->Perm) return {};
    std::string s;
    put_array(s, static_cast<const SuiteSparse_long*>(l_->Perm), l_->n);
    s += stats_.ordering;
    return s;
  }
  bool import_symbolic(const SparseMatrix& a, const std::string& bytes) override {
    Reader r{bytes};
    auto p = r.get_array<index_t>();
    if (!r.ok || !is_permutation(p, a.nrows)) return false;
    reanalyze_with_ordering(opt_, stats_, std::move(p), bytes.substr(r.pos), [&] { analyze(a); });
    return true;
  }

 private:
  cholmod_sparse wrap(const SparseMatrix& a) const {
    cholmod_sparse s{};
    s.nrow = a.nrows;
    s.ncol = a.ncols;
    s.nzmax = a.nnz();
    s.p = const_cast<index_t*>(a.colptr.data());
    s.i = const_cast<index_t*>(a.rowind.data());
    s.x = a.is_complex() ? static_cast<void*>(const_cast<complex_t*>(a.zvalues.data()))
                         : static_cast<void*>(const_cast<double*>(a.values.data()));
    s.stype = 1;  // use the upper triangle of the full storage
    s.itype = CHOLMOD_LONG;
    s.xtype = a.is_complex() ? CHOLMOD_COMPLEX : CHOLMOD_REAL;
    s.dtype = CHOLMOD_DOUBLE;
    s.sorted = 1;
    s.packed = 1;
    return s;
  }
  void run_solve(void* data, index_t nrhs, int xtype) {
    cholmod_dense bd{};
    bd.nrow = n_;
    bd.ncol = nrhs;
    bd.nzmax = n_ * nrhs;
    bd.d = n_;
    bd.x = data;
    bd.xtype = xtype;
    bd.dtype = CHOLMOD_DOUBLE;
    cholmod_dense* x = cholmod_l_solve(CHOLMOD_A, l_, &bd, &c_);
    if (!x) throw_internal("cholmod_l_solve failed (status " + std::to_string(c_.status) + ")");
    std::memcpy(
        data, x->x,
        static_cast<std::size_t>(n_ * nrhs) * (xtype == CHOLMOD_COMPLEX ? 2 : 1) * sizeof(double));
    cholmod_l_free_dense(&x, &c_);
  }

  SolverOptions opt_;
  cholmod_common c_{};
  cholmod_factor* l_ = nullptr;
  index_t n_ = 0;
  bool complex_ = false;
};

}  // namespace

BackendInfo cholmod_backend() {
  BackendInfo b;
  b.name = "cholmod";
  b.summary = "CHOLMOD: supernodal Cholesky, symmetric (Hermitian) positive definite only";
  b.caps.complex = true;
  b.caps.transpose = true;  // A = A^H: the transposed solve is the same solve
  b.caps.spd_only = true;
  b.caps.symbolic_cache = true;
  b.caps.memory_cap = true;
  b.orderings = {"amd", "metis", "natural", "given"};
  b.factory = [](const SolverOptions& o) { return std::unique_ptr<Solver>(new CholmodSolver(o)); };
  b.auto_priority = 20;
  b.auto_fit = [](const SparseMatrix& a, const SolverOptions&) {
    if (!looks_positive_definite(a)) return std::string();
    return std::string(a.is_complex() ? "Hermitian" : "symmetric") +
           " with a positive diagonal: looks positive definite, Cholesky (CHOLMOD)";
  };
  return b;
}

}  // namespace spax::solve_detail
