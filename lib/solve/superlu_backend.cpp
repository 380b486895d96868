// SuperLU backend (dgstrf/zgstrf, 32-bit index interface via to_int32): the column ordering and
// elimination tree are kept across refactors (Fact = SamePattern, fresh row pivoting).
// Orderings: the one asked for. colamd (the default) and mmd (multiple minimum degree on A^T+A)
// are SuperLU's get_perm_c; amd and metis are computed by spax on A+A^T (amd_l_order,
// METIS_NodeND) as the other backends' are; natural; given. dgstrf runs without relaxed
// supernodes (relax 1), as analyze's LU fill does: scipy's relaxation (sp_ienv(2)) pads dense
// blocks around circuits' dense rows and cost 100x the real work there (circuit50k: 17 s and
// 1 GB against 0.3 s).
#include <slu_ddefs.h>
#include <slu_zdefs.h>

#include <cmath>

#include "solve/backends.hpp"
#include "spax/analysis.hpp"
#include "spax/timer.hpp"

namespace spax::solve_detail {
namespace {

// dgstrf's relaxation parameter: 1 amalgamates nothing.
constexpr int kRelax = 1;

class SuperluSolver final : public Solver {
 public:
  explicit SuperluSolver(const SolverOptions& o) : opt_(o) {}
  ~SuperluSolver() override { release(); }
  std::string name() const override { return "superlu"; }

  void analyze(const SparseMatrix& a) override {
    structure_checked_ = false;
    Timer t;
    release();
    n_ = to_int32(a.nrows, "superlu: matrix dimension");
    to_int32(a.nnz(), "superlu: number of nonzeros");
    complex_ = a.is_complex();
    wrap(a);
    std::string ord = opt_.ordering == "default" ? "colamd" : opt_.ordering;
    perm_c_.assign(n_, 0);
    perm_r_.assign(n_, 0);
    etree_.assign(n_, 0);
    if (ord == "given") {
      check_given(opt_, n_);
      for (int k = 0; k < n_; ++k) perm_c_[opt_.permutation[k]] = k;
    } else if (ord == "amd" || ord == "metis") {
      // p[k] = original column of pivot k; SuperLU's perm_c[j] = position of column j.
      const Ordering o = compute_ordering(a, ord);
      for (int k = 0; k < n_; ++k) perm_c_[static_cast<std::size_t>(o.perm[k])] = k;
    } else {
      int spec;
      if (ord == "colamd")
        spec = COLAMD;
      else if (ord == "mmd")
        spec = MMD_AT_PLUS_A;  // SuperLU's multiple minimum degree on A^T + A
      else if (ord == "natural")
        spec = NATURAL;
      else
        throw_usage("superlu: unknown ordering '" + ord +
                    "' (colamd, amd, metis, mmd, natural, given)");
      get_perm_c(spec, &a_, perm_c_.data());
    }
    stats_.ordering = ord;
    fact_ = DOFACT;
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    // SuperLU's dgstrf can write out of bounds on a structurally singular matrix (an empty
    // column): refuse it first, naming the column (the check is O(nnz), once per pattern).
    if (!structure_checked_) {
      index_t unmatched = -1;
      if (structural_rank(a, &unmatched) < a.ncols) throw_singular(a, unmatched);
      structure_checked_ = true;
    }
    run(a, DOFACT);
  }
  void refactor(const SparseMatrix& a) override {
    if (!have_lu_) return factor(a);
    run(a, SamePattern);
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    Timer t;
    SuperMatrix B;
    dCreate_Dense_Matrix(&B, n_, static_cast<int>(nrhs), b.data(), n_, SLU_DN, SLU_D, SLU_GE);
    SuperLUStat_t stat;
    StatInit(&stat);
    int info = 0;
    dgstrs(transpose ? TRANS : NOTRANS, &l_, &u_, perm_c_.data(), perm_r_.data(), &B, &stat, &info);
    StatFree(&stat);
    Destroy_SuperMatrix_Store(&B);
    if (info != 0) throw_internal("superlu dgstrs failed (info " + std::to_string(info) + ")");
    stats_.solve_seconds = t.seconds();
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    Timer t;
    SuperMatrix B;
    zCreate_Dense_Matrix(&B, n_, static_cast<int>(nrhs), reinterpret_cast<doublecomplex*>(b.data()),
                         n_, SLU_DN, SLU_Z, SLU_GE);
    SuperLUStat_t stat;
    StatInit(&stat);
    int info = 0;
    zgstrs(transpose ? CONJ : NOTRANS, &l_, &u_, perm_c_.data(), perm_r_.data(), &B, &stat, &info);
    StatFree(&stat);
    Destroy_SuperMatrix_Store(&B);
    if (info != 0) throw_internal("superlu zgstrs failed (info " + std::to_string(info) + ")");
    stats_.solve_seconds = t.seconds();
  }

  std::string export_symbolic() const override {
    if (perm_c_.empty()) return {};
    std::string s;
    put_array(s, perm_c_.data(), perm_c_.size());
    s += stats_.ordering;
    return s;
  }
  bool import_symbolic(const SparseMatrix& a, const std::string& bytes) override {
    Reader r{bytes};
    auto p = r.get_array<int>();
    const std::vector<index_t> p64(p.begin(), p.end());
    if (!r.ok || !is_permutation(p64, a.nrows)) return false;
    reanalyze_with_ordering(opt_, stats_, invert_permutation(p64), bytes.substr(r.pos),
                            [&] { analyze(a); });
    return true;
  }

 private:
  void wrap(const SparseMatrix& a) {
    if (have_a_) Destroy_SuperMatrix_Store(&a_);
    cp_.assign(a.colptr.begin(), a.colptr.end());
    ri_.assign(a.rowind.begin(), a.rowind.end());
    if (a.is_complex()) {
      zx_.assign(a.zvalues.begin(), a.zvalues.end());
      zCreate_CompCol_Matrix(&a_, n_, n_, static_cast<int>(a.nnz()),
                             reinterpret_cast<doublecomplex*>(zx_.data()), ri_.data(), cp_.data(),
                             SLU_NC, SLU_Z, SLU_GE);
    } else {
      x_ = a.values;
      if (x_.empty()) x_.assign(static_cast<std::size_t>(a.nnz()), 1.0);
      dCreate_CompCol_Matrix(&a_, n_, n_, static_cast<int>(a.nnz()), x_.data(), ri_.data(),
                             cp_.data(), SLU_NC, SLU_D, SLU_GE);
    }
    have_a_ = true;
  }

  void run(const SparseMatrix& a, fact_t fact) {
    Timer t;
    if (a.is_complex() != complex_) throw_internal("superlu: field changed after analyze");
    wrap(a);
    free_lu();
    superlu_options_t options;
    set_default_options(&options);
    options.Fact = fact;
    options.ColPerm = MY_PERMC;
    SuperMatrix ac;
    sp_preorder(&options, &a_, perm_c_.data(), etree_.data(), &ac);
    // No relaxed supernodes (see the top of this file).
    int panel = sp_ienv(1), relax = kRelax, info = 0;
    SuperLUStat_t stat;
    StatInit(&stat);
    if (complex_)
      zgstrf(&options, &ac, relax, panel, etree_.data(), nullptr, 0, perm_c_.data(), perm_r_.data(),
             &l_, &u_, &zglu_, &stat, &info);
    else
      dgstrf(&options, &ac, relax, panel, etree_.data(), nullptr, 0, perm_c_.data(), perm_r_.data(),
             &l_, &u_, &dglu_, &stat, &info);
    double flops = stat.ops[FACT];
    StatFree(&stat);
    Destroy_CompCol_Permuted(&ac);
    if (info > 0 && info <= n_) {
      have_lu_ = true;
      free_lu();
      // Position info-1 of A*Pc holds original column j with perm_c[j] == info-1.
      index_t col = -1;
      for (int j = 0; j < n_; ++j)
        if (perm_c_[j] == info - 1) col = j;
      throw_singular(a, col);
    }
    if (info != 0)
      throw_internal("superlu factorization failed (info " + std::to_string(info) + ")");
    have_lu_ = true;
    stats_.nnz_L = static_cast<SCformat*>(l_.Store)->nnz;
    stats_.nnz_U = static_cast<NCformat*>(u_.Store)->nnz;
    stats_.flops = flops;
    // 1-norm of A for the condition estimate.
    const double anorm = matrix_norm_inf(a, true);  // max column sum = ||A||_1
    double rc = 0.0;
    char norm[] = "1";
    StatInit(&stat);
    if (complex_) {
      zgscon(norm, &l_, &u_, anorm, &rc, &stat, &info);
      stats_.pivot_growth = 1.0 / zPivotGrowth(n_, &a_, perm_c_.data(), &l_, &u_);
    } else {
      dgscon(norm, &l_, &u_, anorm, &rc, &stat, &info);
      stats_.pivot_growth = 1.0 / dPivotGrowth(n_, &a_, perm_c_.data(), &l_, &u_);
    }
    StatFree(&stat);
    stats_.rcond = rc;
    (fact == DOFACT ? stats_.factor_seconds : stats_.refactor_seconds) = t.seconds();
  }

  void free_lu() {
    if (!have_lu_) return;
    Destroy_SuperNode_Matrix(&l_);
    Destroy_CompCol_Matrix(&u_);
    have_lu_ = false;
  }
  void release() {
    free_lu();
    if (have_a_) Destroy_SuperMatrix_Store(&a_);
    have_a_ = false;
  }

  SolverOptions opt_;
  int n_ = 0;
  bool complex_ = false;
  fact_t fact_ = DOFACT;
  std::vector<int> cp_, ri_, perm_c_, perm_r_, etree_;
  std::vector<double> x_;
  std::vector<complex_t> zx_;
  SuperMatrix a_{}, l_{}, u_{};
  bool have_a_ = false, have_lu_ = false;
  bool structure_checked_ = false;
  GlobalLU_t dglu_{}, zglu_{};
};

}  // namespace

BackendInfo superlu_backend() {
  BackendInfo b;
  b.name = "superlu";
  b.summary = "SuperLU: supernodal LU with partial pivoting";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.caps.keeps_pivots = true;
  b.caps.symbolic_cache = true;
  b.orderings = {"colamd", "amd", "metis", "mmd", "natural", "given"};
  b.factory = [](const SolverOptions& o) { return std::unique_ptr<Solver>(new SuperluSolver(o)); };
  return b;
}

}  // namespace spax::solve_detail
