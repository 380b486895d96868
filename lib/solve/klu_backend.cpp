// KLU backend (64-bit klu_l_* / klu_zl_*): BTF + AMD/COLAMD/METIS/given ordering, klu_l_refactor
// keeping the pivot order, with rgrowth/rcond checks after each refactor.
#include <klu.h>
#include <metis.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "solve/backends.hpp"
#include "spax/timer.hpp"

namespace spax::solve_detail {
namespace {

// METIS nested dissection on the pattern of B + B^T of one BTF block (KLU user ordering).
SuiteSparse_long metis_order(SuiteSparse_long n, SuiteSparse_long* Ap, SuiteSparse_long* Ai,
                             SuiteSparse_long* Perm, klu_l_common*) {
  std::vector<std::vector<idx_t>> adj(static_cast<std::size_t>(n));
  for (SuiteSparse_long j = 0; j < n; ++j)
    for (SuiteSparse_long p = Ap[j]; p < Ap[j + 1]; ++p) {
      SuiteSparse_long i = Ai[p];
      if (i == j) continue;
      adj[i].push_back(static_cast<idx_t>(j));
      adj[j].push_back(static_cast<idx_t>(i));
    }
  std::vector<idx_t> xadj(static_cast<std::size_t>(n) + 1, 0), adjncy;
  for (SuiteSparse_long j = 0; j < n; ++j) {
    auto& v = adj[j];
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    adjncy.insert(adjncy.end(), v.begin(), v.end());
    xadj[j + 1] = static_cast<idx_t>(adjncy.size());
  }
  idx_t nv = static_cast<idx_t>(n);
  std::vector<idx_t> perm(n), iperm(n);
  if (adjncy.empty()) {
    for (SuiteSparse_long k = 0; k < n; ++k) Perm[k] = k;
    return 1;
  }
  idx_t opts[METIS_NOPTIONS];
  METIS_SetDefaultOptions(opts);
  if (METIS_NodeND(&nv, xadj.data(), adjncy.data(), nullptr, opts, perm.data(), iperm.data()) !=
      METIS_OK)
    return 0;
  for (SuiteSparse_long k = 0; k < n; ++k) Perm[k] = perm[k];
  return 1;
}

class KluSolver final : public Solver {
 public:
  explicit KluSolver(const SolverOptions& o) : opt_(o) {
    klu_l_defaults(&c_);
    c_.halt_if_singular = 1;
  }
  ~KluSolver() override { release(); }
  std::string name() const override { return "klu"; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    release_numeric();
    if (sym_) klu_l_free_symbolic(&sym_, &c_);
    n_ = a.nrows;
    auto* Ap = const_cast<SuiteSparse_long*>(a.colptr.data());
    auto* Ai = const_cast<SuiteSparse_long*>(a.rowind.data());
    std::string ord = opt_.ordering == "default" ? "amd" : opt_.ordering;
    if (ord == "amd" || ord == "colamd") {
      c_.ordering = ord == "amd" ? 0 : 1;
      sym_ = klu_l_analyze(n_, Ap, Ai, &c_);
    } else if (ord == "metis") {
      c_.ordering = 3;
      c_.user_order = metis_order;
      sym_ = klu_l_analyze(n_, Ap, Ai, &c_);
    } else if (ord == "natural") {
      sym_ = klu_l_analyze_given(n_, Ap, Ai, nullptr, nullptr, &c_);
    } else if (ord == "given") {
      check_given(opt_, n_);
      std::vector<SuiteSparse_long> q(opt_.permutation.begin(), opt_.permutation.end());
      sym_ = klu_l_analyze_given(n_, Ap, Ai, nullptr, q.data(), &c_);
    } else {
      throw_usage("klu: unknown ordering '" + ord + "' (amd, colamd, metis, natural, given)");
    }
    if (!sym_) throw_internal("klu_l_analyze failed (status " + std::to_string(c_.status) + ")");
    estimate_memory(a.is_complex());
    stats_.ordering = ord;
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    release_numeric();
    complex_ = a.is_complex();
    auto* Ap = const_cast<SuiteSparse_long*>(a.colptr.data());
    auto* Ai = const_cast<SuiteSparse_long*>(a.rowind.data());
    num_ = complex_ ? klu_zl_factor(Ap, Ai, zx(a), sym_, &c_)
                    : klu_l_factor(Ap, Ai, const_cast<double*>(a.values.data()), sym_, &c_);
    if (!num_) {
      if (c_.status == KLU_SINGULAR) throw_singular(a, c_.singular_col < n_ ? c_.singular_col : -1);
      throw_internal("klu_l_factor failed (status " + std::to_string(c_.status) + ")");
    }
    update_stats(a, true);
    stats_.factor_seconds = t.seconds();
  }

  void refactor(const SparseMatrix& a) override {
    if (!num_ || a.is_complex() != complex_) return factor(a);
    Timer t;
    auto* Ap = const_cast<SuiteSparse_long*>(a.colptr.data());
    auto* Ai = const_cast<SuiteSparse_long*>(a.rowind.data());
    int ok = complex_
                 ? klu_zl_refactor(Ap, Ai, zx(a), sym_, num_, &c_)
                 : klu_l_refactor(Ap, Ai, const_cast<double*>(a.values.data()), sym_, num_, &c_);
    if (!ok) {
      // A zero pivot in the kept order: fresh pivoting.
      suspect_ = true;
      stats_.refactor_seconds = t.seconds();
      return;
    }
    // Cheap check first: KLU's rcond (min/max |diag U|, O(n)). Only when it dropped does the
    // reciprocal pivot growth (a pass over A and U) confirm; the caller's backward error check
    // catches the rest.
    if (complex_)
      klu_zl_rcond(sym_, num_, &c_);
    else
      klu_l_rcond(sym_, num_, &c_);
    // stats_.rcond stays the condition estimate of the last fresh factorization: KLU's rcond
    // (min/max |diag U|) only serves the cheap comparison below.
    stats_.nnz_L = num_->lnz;
    stats_.nnz_U = num_->unz;
    suspect_ = !(c_.rcond > 1e-14) || !(c_.rcond >= 1e-3 * rcond0_);
    if (!suspect_ && c_.rcond < 1e-1 * rcond0_) {
      if (complex_)
        klu_zl_rgrowth(Ap, Ai, zx(a), sym_, num_, &c_);
      else
        klu_l_rgrowth(Ap, Ai, const_cast<double*>(a.values.data()), sym_, num_, &c_);
      stats_.pivot_growth = c_.rgrowth > 0 ? 1.0 / c_.rgrowth : INFINITY;
      suspect_ = !(c_.rgrowth >= 1e-3 * rgrowth0_);
    }
    stats_.refactor_seconds = t.seconds();
  }
  bool refactor_suspect() const override { return suspect_; }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    if (complex_) throw_internal("klu: real right-hand side for a complex factorization");
    Timer t;
    int ok = transpose ? klu_l_tsolve(sym_, num_, n_, nrhs, b.data(), &c_)
                       : klu_l_solve(sym_, num_, n_, nrhs, b.data(), &c_);
    if (!ok) throw_internal("klu_l_solve failed");
    stats_.solve_seconds = t.seconds();
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    if (!complex_) throw_internal("klu: complex right-hand side for a real factorization");
    Timer t;
    auto* bx = reinterpret_cast<double*>(b.data());
    int ok = transpose ? klu_zl_tsolve(sym_, num_, n_, nrhs, bx, 1, &c_)
                       : klu_zl_solve(sym_, num_, n_, nrhs, bx, &c_);
    if (!ok) throw_internal("klu_zl_solve failed");
    stats_.solve_seconds = t.seconds();
  }

  std::string export_symbolic() const override {
    std::string s;
    if (!sym_) return s;
    const auto* y = sym_;
    put(s, y->symmetry);
    put(s, y->est_flops);
    put(s, y->lnz);
    put(s, y->unz);
    for (SuiteSparse_long v : {y->n, y->nz, y->nzoff, y->nblocks, y->maxblock, y->ordering,
                               y->do_btf, y->structural_rank})
      put(s, v);
    // KLU fills Lnz for its first nblocks entries only; the rest is uninitialised memory, which
    // must not reach the file (the cache would differ from run to run, and hold heap bytes).
    std::vector<double> lnz(static_cast<std::size_t>(y->n), 0.0);
    std::copy(y->Lnz, y->Lnz + std::min(y->nblocks, y->n), lnz.begin());
    put_array(s, lnz.data(), lnz.size());
    put_array(s, y->P, static_cast<std::size_t>(y->n));
    put_array(s, y->Q, static_cast<std::size_t>(y->n));
    // R (block boundaries) likewise holds nblocks + 1 entries of n + 1.
    std::vector<SuiteSparse_long> r(static_cast<std::size_t>(y->n) + 1, 0);
    std::copy(y->R, y->R + std::min(y->nblocks, y->n) + 1, r.begin());
    put_array(s, r.data(), r.size());
    s += stats_.ordering;
    return s;
  }

  bool import_symbolic(const SparseMatrix& a, const std::string& bytes) override {
    Reader r{bytes};
    double sy = r.get<double>(), fl = r.get<double>(), lnz = r.get<double>(), unz = r.get<double>();
    SuiteSparse_long f[8];
    for (auto& v : f) v = r.get<SuiteSparse_long>();
    auto Lnz = r.get_array<double>();
    auto P = r.get_array<SuiteSparse_long>();
    auto Q = r.get_array<SuiteSparse_long>();
    auto R = r.get_array<SuiteSparse_long>();
    if (!r.ok || f[0] != a.nrows || f[1] != a.nnz()) return false;
    auto n = static_cast<std::size_t>(f[0]);
    if (Lnz.size() != n || P.size() != n || Q.size() != n || R.size() != n + 1) return false;
    if (!is_permutation(P, a.nrows) || !is_permutation(Q, a.nrows)) return false;
    if (f[3] < 1 || f[3] > f[0] || R[0] != 0 || R[f[3]] != f[0]) return false;
    release_numeric();
    if (sym_) klu_l_free_symbolic(&sym_, &c_);
    n_ = a.nrows;
    auto* y = static_cast<klu_l_symbolic*>(klu_l_malloc(1, sizeof(klu_l_symbolic), &c_));
    if (!y) return false;
    y->symmetry = sy;
    y->est_flops = fl;
    y->lnz = lnz;
    y->unz = unz;
    y->n = f[0];
    y->nz = f[1];
    y->nzoff = f[2];
    y->nblocks = f[3];
    y->maxblock = f[4];
    y->ordering = f[5];
    y->do_btf = f[6];
    y->structural_rank = f[7];
    auto copy = [&](auto& dst, const auto& src) {
      using T = std::remove_reference_t<decltype(src[0])>;
      dst = static_cast<std::remove_reference_t<decltype(dst)>>(
          klu_l_malloc(src.size() + 1, sizeof(T), &c_));
      std::memcpy(dst, src.data(), src.size() * sizeof(T));
    };
    copy(y->Lnz, Lnz);
    copy(y->P, P);
    copy(y->Q, Q);
    copy(y->R, R);
    sym_ = y;
    estimate_memory(a.is_complex());
    stats_.ordering = bytes.substr(r.pos);
    stats_.analyze_seconds = 0.0;
    return true;
  }

 private:
  static double* zx(const SparseMatrix& a) {
    return reinterpret_cast<double*>(const_cast<complex_t*>(a.zvalues.data()));
  }
  // The numeric factorization's size from the symbolic estimates: L and U entries (value +
  // index, with KLU's initial 1.2 head room), the off-diagonal blocks and the O(n) arrays.
  void estimate_memory(bool complex) {
    const double v = complex ? 16.0 : 8.0, i = sizeof(SuiteSparse_long);
    stats_.factor_bytes_estimate = 1.2 * (sym_->lnz + sym_->unz) * (v + i) +
                                   static_cast<double>(sym_->nzoff) * (v + i) +
                                   static_cast<double>(sym_->n) * (4.0 * v + 8.0 * i);
  }
  void update_stats(const SparseMatrix& a, bool fresh) {
    auto* Ap = const_cast<SuiteSparse_long*>(a.colptr.data());
    auto* Ai = const_cast<SuiteSparse_long*>(a.rowind.data());
    if (complex_) {
      klu_zl_rcond(sym_, num_, &c_);
      klu_zl_rgrowth(Ap, Ai, zx(a), sym_, num_, &c_);
    } else {
      klu_l_rcond(sym_, num_, &c_);
      klu_l_rgrowth(Ap, Ai, const_cast<double*>(a.values.data()), sym_, num_, &c_);
    }
    stats_.pivot_growth = c_.rgrowth > 0 ? 1.0 / c_.rgrowth : INFINITY;
    stats_.nnz_L = num_->lnz;
    stats_.nnz_U = num_->unz;
    stats_.nnz_offdiag = num_->nzoff;
    if (fresh) {
      // The reported rcond: 1 / KLU's 1-norm condition estimate (Hager/Higham, a few solves),
      // which sees the ill-conditioning that min/max |diag U| misses after row scaling.
      const int ok = complex_
                         ? klu_zl_condest(Ap, zx(a), sym_, num_, &c_)
                         : klu_l_condest(Ap, const_cast<double*>(a.values.data()), sym_, num_, &c_);
      stats_.rcond = ok && c_.condest > 0 ? 1.0 / c_.condest : c_.rcond;
      if (complex_)
        klu_zl_flops(sym_, num_, &c_);
      else
        klu_l_flops(sym_, num_, &c_);
      stats_.flops = c_.flops;
      rcond0_ = c_.rcond;
      rgrowth0_ = c_.rgrowth;
      suspect_ = false;
    }
  }
  void release_numeric() {
    if (num_) {
      if (complex_)
        klu_zl_free_numeric(&num_, &c_);
      else
        klu_l_free_numeric(&num_, &c_);
    }
  }
  void release() {
    release_numeric();
    if (sym_) klu_l_free_symbolic(&sym_, &c_);
  }

  SolverOptions opt_;
  klu_l_common c_{};
  klu_l_symbolic* sym_ = nullptr;
  klu_l_numeric* num_ = nullptr;
  index_t n_ = 0;
  bool complex_ = false;
  bool suspect_ = false;
  double rcond0_ = 0.0, rgrowth0_ = 0.0;
};

}  // namespace

BackendInfo klu_backend() {
  BackendInfo b;
  b.name = "klu";
  b.summary = "KLU: BTF + sparse LU for circuit matrices, refactor keeps the pivot order";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.caps.keeps_pivots = true;
  b.caps.symbolic_cache = true;
  b.caps.memory_cap = true;
  b.orderings = {"amd", "colamd", "metis", "natural", "given"};
  b.factory = [](const SolverOptions& o) { return std::unique_ptr<Solver>(new KluSolver(o)); };
  b.auto_priority = 30;
  b.auto_fit = [](const SparseMatrix& a, const SolverOptions&) {
    const double per_col = entries_per_column(a);
    if (per_col > 8.0) return std::string();
    char buf[96];
    std::snprintf(buf, sizeof buf, "unsymmetric and very sparse (%.1f entries per column)",
                  per_col);
    return std::string(buf) + ": circuit-like, low fill, KLU with BTF";
  };
  return b;
}

}  // namespace spax::solve_detail
