// run_sequence: analyze once (or from the cache), factor the first matrix, refactor the rest with
// a safety net (cheap indicators + backward error -> fresh factor), solve and refine each.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/worker.hpp"
#include "solve/backends.hpp"
#include "solve/memory_cap.hpp"
#include "solve/sequence_checks.hpp"
#include "solve/solve_cache.hpp"
#include "spax/timer.hpp"

namespace spax {
namespace {

bool same_pattern(const SparseMatrix& a, const SparseMatrix& b) {
  return a.nrows == b.nrows && a.ncols == b.ncols && a.colptr == b.colptr && a.rowind == b.rowind;
}

template <class T>
std::vector<T>& solution_slot(SequenceResult& r);
template <>
std::vector<double>& solution_slot<double>(SequenceResult& r) {
  return r.x.emplace_back();
}
template <>
std::vector<complex_t>& solution_slot<complex_t>(SequenceResult& r) {
  return r.zx.emplace_back();
}

template <class T>
const std::vector<T>& rhs_values(const RightHandSide& b);
template <>
const std::vector<double>& rhs_values<double>(const RightHandSide& b) {
  return b.values;
}
template <>
const std::vector<complex_t>& rhs_values<complex_t>(const RightHandSide& b) {
  return b.zvalues;
}

class Runner {
 public:
  Runner(const std::vector<SparseMatrix>& ms, const std::vector<RightHandSide>& rhs,
         const SequenceOptions& o, Solver* given)
      : ms_(ms), rhs_(rhs), o_(o), s_(given) {}

  SequenceResult run() {
    validate();
    const SparseMatrix& a0 = ms_[0];
    std::string name = s_ ? s_->name() : o_.solver;
    if (!s_ && name == "auto") {
      auto c = choose_solver(a0, o_.solver_options);
      name = c.name;
      res_.chosen_because = c.because;
    }
    res_.solver = name;
    if (a0.nrows == 0) {
      solve_detail::fill_empty_system_result(res_, ms_, rhs_);
      return res_;
    }
    if (!s_) res_.options = resolve_solver(name, o_.solver_options).options;
    solve_detail::require_memory_cap_support(name, o_.max_memory_mb);
    cap_.emplace(o_.max_memory_mb);
    cache_.emplace(o_.cache_dir, o_.solver_options, res_.warnings);
    try {
      try {
        if (!s_) {
          solver_ = create_solver(name, o_.solver_options);
          s_ = solver_.get();
        }
        start(a0);
      } catch (const Error& e) {
        if (!solver_ || o_.solver != "auto" || name != "cholmod" ||
            e.kind() != ErrorKind::numerical || cap_->refused())
          throw;
        // Looked positive definite but is not: LU instead.
        res_.chosen_because += "; Cholesky failed (" + e.message() + "), using KLU";
        name = "klu";
        res_.options = resolve_solver(name, o_.solver_options).options;
        solver_ = create_solver(name, o_.solver_options);
        s_ = solver_.get();
        start(a0);
      }
      res_.solver = name;
      res_.ordering = s_->stats().ordering;
      check_condition();
      if (a0.is_complex())
        loop<complex_t>();
      else
        loop<double>();
    } catch (const Error& e) {
      // A SuiteSparse allocation refused by the memory cap surfaces as the backend's own failure.
      const Error err =
          cap_->refused() ? Error(ErrorKind::numerical, cap_->refusal_message(name)) : e;
      if (!o_.keep_partial_results || err.kind() != ErrorKind::numerical) throw err;
      res_.failure =
          SequenceFailure{err.kind(), err.message(), static_cast<index_t>(res_.solves.size())};
      record_failed_iterative_solve();
    }
    finish();
    return res_;
  }

 private:
  std::string label(std::size_t i) const {
    return i < o_.names.size() ? o_.names[i] : "matrix " + std::to_string(i + 1);
  }

  void validate() {
    solve_detail::validate_sequence_input(ms_, rhs_, o_);
    same_as_previous_.assign(ms_.size(), 0);
    norms_.assign(ms_.size(), 0.0);
    for (std::size_t i = 0; i < ms_.size(); ++i) {
      if (i > 0) same_as_previous_[i] = same_pattern(ms_[i], ms_[i - 1]) ? 1 : 0;
      norms_[i] = matrix_norm_inf(ms_[i], o_.transpose);
    }
  }

  // With a condition limit, a factorization whose estimate passes it stops the run.
  void check_condition() const {
    solve_detail::check_condition_limit(current_rcond(), o_.max_condition);
  }

  // The report's last figures, and the warnings about the answers' accuracy.
  void finish() {
    if (s_) {
      res_.stats = s_->stats();
      if (!std::isnan(rcond_)) res_.stats.rcond = rcond_;
      // What the backend wants said (MUMPS: a workspace retry).
      for (const auto& w : res_.stats.warnings) res_.warnings.push_back(w);
      if (const auto* d = dynamic_cast<const DeviceSolver*>(s_)) {
        res_.device = d->device_name();
        res_.device_timings = d->device_timings();
      }
    }
    res_.cache_symbolic = cache_ ? cache_->symbolic_status() : "off";
    res_.cache_numeric = cache_ ? cache_->numeric_status() : "off";
    if (!res_.patterns.empty()) {
      res_.n = res_.patterns.back().n;
      res_.nnz = res_.patterns.back().nnz;
    }
    for (auto& w : solve_detail::accuracy_warnings(res_.solves, o_.warn_error_bound))
      res_.warnings.push_back(std::move(w));
  }

  // An iterative solve that failed keeps its residual history (what shows why): recorded.
  void record_failed_iterative_solve() {
    if (!s_ || res_.solves.size() >= ms_.size()) return;
    if (auto rec = solve_detail::failed_iterative_record(s_->stats(), res_.solves.size()))
      res_.solves.push_back(std::move(*rec));
  }

  // The reciprocal condition estimate of the current factorization: spax's own where the
  // backend's is none, else the backend's.
  double current_rcond() const { return std::isnan(rcond_) ? s_->stats().rcond : rcond_; }

  // A new pattern starts at matrix i (the first, or a re-analysis).
  void begin_pattern(std::size_t i) {
    PatternRecord p;
    p.first_matrix = p.last_matrix = static_cast<index_t>(i);
    p.n = ms_[i].nrows;
    p.nnz = ms_[i].nnz();
    res_.patterns.push_back(p);
  }

  // Analyze (or load) and factor (or load) the first matrix.
  void start(const SparseMatrix& a0) {
    if (auto* d = dynamic_cast<DeviceSolver*>(s_)) d->reset_device_timings();
    if (res_.patterns.empty()) begin_pattern(0);
    check_no_empty_line(a0);
    Timer t;
    cache_->analyze(*s_, a0);
    cap_->check_estimate(*s_);
    res_.analyze_seconds = t.seconds();
    t.reset();
    cache_->factor(*s_, a0);
    res_.factor_seconds = t.seconds();
    if (double r = estimate_rcond(*s_, a0); !std::isnan(r)) rcond_ = r;
  }

  // The checks that follow each solve (backward error, forward error) run on a worker thread
  // while the main thread refactors the next matrix: they read only that matrix, x and b. If a
  // check then says the kept pivots failed, the matrix is factored afresh and solved again, and
  // the next matrix, refactored speculatively meanwhile, is refactored again after it.
  template <class T>
  struct Pending {
    std::size_t i = 0;
    bool fresh = false;
    bool ones = false;
    index_t nrhs = 1;
    std::vector<T> b, x;
    double solve_seconds = 0.0;
    double berr = 0.0;
    double ferr = 0.0;
    SolverStats iterative;  // an iterative backend's stats right after this solve
  };

  template <class T>
  void check(Pending<T>& p) const {
    p.berr = worst_berr<T>(ms_[p.i], p.x, p.b, p.nrhs);
    if (p.ones) {
      double fe = 0.0;
      for (const auto& v : p.x) fe = std::max(fe, std::abs(v - T(1.0)));
      p.ferr = fe;
    }
  }

  template <class T>
  void loop() {
    // Overlap only when the solves need nothing more from the solver (no refinement).
    const bool overlap = o_.refine == 0 && ms_.size() > 1;
    // `pending` is declared first so that, on an exception, the worker (which may still be
    // checking it) is joined before `pending` is destroyed.
    std::optional<Pending<T>> pending;
    std::unique_ptr<detail::Worker> worker;
    if (overlap) worker = std::make_unique<detail::Worker>();
    try {
      for (std::size_t i = 0; i < ms_.size(); ++i) {
        bool fresh = i == 0;
        if (i > 0) {
          if (!same_as_previous_[i]) {
            // A new analysis replaces the previous matrix's: its check (which may factor it
            // afresh) must end first.
            if (pending) finish_pending<T>(*pending, worker.get());
            pending.reset();
            if (o_.strict_pattern) {
              res_.pattern_mismatch = static_cast<index_t>(i);
              return;
            }
            res_.warnings.push_back(label(i) + " has a different pattern: analysed again");
            res_.reanalysed.push_back(static_cast<index_t>(i));
            begin_pattern(i);
          }
          Timer t;
          NumericUpdate u = update_numeric(i);
          res_.refactor_seconds.push_back(t.seconds());
          if (pending && finish_pending<T>(*pending, worker.get())) {
            // Matrix i-1 needed a fresh factorization: redo matrix i's refactor after it.
            Timer r;
            u = update_numeric(i);
            res_.refactor_seconds.back() += r.seconds();
          }
          pending.reset();
          if (u.fell_back) res_.refactor_fallbacks.push_back(static_cast<index_t>(i));
          fresh = u.fresh;
        }
        if (overlap) {
          Pending<T> next;  // only a solved matrix becomes pending (and may be recorded)
          solve_start<T>(i, fresh, next);
          pending.emplace(std::move(next));
          Pending<T>* p = &*pending;
          worker->start([this, p] { check<T>(*p); });
        } else {
          Pending<T> p;
          solve_start<T>(i, fresh, p);
          check<T>(p);
          finish_pending<T>(p, nullptr);
        }
      }
    } catch (...) {
      // The matrix before the one that failed may still be waiting for its check: record it
      // (partial results), then report the failure.
      if (pending && o_.keep_partial_results) try {
          finish_pending<T>(*pending, worker.get());
        } catch (...) {
        }
      throw;
    }
    if (pending) finish_pending<T>(*pending, worker.get());
  }

  // New values for matrix i (i > 0): analyze and factor when its pattern differs from the
  // previous matrix, else refactor, factoring afresh when the cheap indicators say the kept
  // pivots failed (a fallback, which the caller records).
  NumericUpdate update_numeric(std::size_t i) {
    const SparseMatrix& a = ms_[i];
    if (!same_as_previous_[i]) {
      check_no_empty_line(a);
      s_->analyze(a);
      s_->factor(a);
      if (double r = estimate_rcond(*s_, a); !std::isnan(r)) rcond_ = r;
      check_condition();
      return {true, false};
    }
    return refactor_or_factor(*s_, a);
  }

  // Waits for the check of `p`; handles a failed check (fresh factor and solve again) and
  // records the solve. Returns true when the solver was factored afresh for p's matrix (so a
  // speculative refactor of the next matrix must be redone).
  template <class T>
  bool finish_pending(Pending<T>& p, detail::Worker* worker) {
    if (worker) worker->wait();
    // Iterative backends judge their own answer (the recomputed residual, a rebuilt setup).
    const bool refactored =
        refactor_answer_rejected(*s_, p.fresh, p.berr, o_.refactor_backward_limit);
    if (refactored) {
      // The kept pivots gave a poor answer: factor with fresh pivoting and solve again.
      const SparseMatrix& a = ms_[p.i];
      Timer ft;
      s_->factor(a);
      res_.refactor_fallbacks.push_back(static_cast<index_t>(p.i));
      // Matrix 0 is always fresh, so p.i >= 1 and its refactor time is already recorded.
      res_.refactor_seconds[p.i - 1] += ft.seconds();
      Timer st;
      p.x = p.b;
      s_->solve(std::span<T>(p.x), p.nrhs, o_.transpose);
      p.solve_seconds = st.seconds();
      p.fresh = true;
      check<T>(p);
    }
    solve_finish<T>(p);
    return refactored;
  }

  // Builds b and solves; the timed part is the solve itself.
  template <class T>
  void solve_start(std::size_t i, bool fresh, Pending<T>& p) {
    const SparseMatrix& a = ms_[i];
    const index_t n = a.nrows;
    p.i = i;
    p.fresh = fresh;
    p.nrhs = 1;
    p.ones = rhs_.empty();
    if (p.ones) {
      std::vector<T> e(static_cast<std::size_t>(n), T(1.0));
      p.b.assign(static_cast<std::size_t>(n), T(0.0));
      if (o_.transpose)
        multiply_adjoint(a, e, p.b);
      else
        multiply(a, e, p.b);
    } else {
      const RightHandSide& r = rhs_.size() == 1 ? rhs_[0] : rhs_[i];
      const auto& v = rhs_values<T>(r);
      p.nrhs = r.nrhs;
      if (static_cast<index_t>(v.size()) != n * p.nrhs)
        throw_input("right-hand side for matrix " + std::to_string(i + 1) + " has " +
                    std::to_string(p.nrhs > 0 ? static_cast<index_t>(v.size()) / p.nrhs : 0) +
                    " rows, the matrix has " + std::to_string(n) +
                    (rhs_values<T>(r).empty() ? " (or the wrong field)" : ""));
      p.b = v;
    }
    // Timed from here: building b = A * ones is the caller's setup, not the solve.
    Timer t;
    p.x = p.b;
    s_->solve(std::span<T>(p.x), p.nrhs, o_.transpose);
    p.solve_seconds = t.seconds();
    if (s_->stats().iterative) p.iterative = s_->stats();
  }

  // Refinement (when asked for; then there is no overlap) and the record of the solve; the
  // check of p (and any fallback) is done.
  template <class T>
  void solve_finish(Pending<T>& p) {
    const SparseMatrix& a = ms_[p.i];
    const index_t n = a.nrows;
    double be = p.berr;
    Timer t;
    std::vector<T>& x = p.x;
    const std::vector<T>& b = p.b;
    const index_t nrhs = p.nrhs;
    int steps = 0;
    for (int s = 0; s < o_.refine && be > 0; ++s) {
      std::vector<T> r = b, ax(static_cast<std::size_t>(n));
      for (index_t k = 0; k < nrhs; ++k) {
        std::span<const T> xk(x.data() + k * n, static_cast<std::size_t>(n));
        if (o_.transpose)
          multiply_adjoint(a, xk, ax);
        else
          multiply(a, xk, ax);
        for (index_t q = 0; q < n; ++q) r[k * n + q] -= ax[q];
      }
      s_->solve(std::span<T>(r), nrhs, o_.transpose);
      std::vector<T> x2 = x;
      for (std::size_t q = 0; q < x2.size(); ++q) x2[q] += r[q];
      double be2 = worst_berr<T>(a, x2, b, nrhs);
      if (!(be2 < be)) break;
      x.swap(x2);
      be = be2;
      ++steps;
    }
    SolveRecord rec;
    rec.matrix = static_cast<index_t>(p.i);
    rec.backward_error = be;
    rec.refinement_steps = steps;
    if (p.ones) {
      if (steps > 0) {
        double fe = 0.0;
        for (const auto& v : x) fe = std::max(fe, std::abs(v - T(1.0)));
        p.ferr = fe;
      }
      rec.forward_error = p.ferr;
    }
    rec.seconds = p.solve_seconds + t.seconds();
    rec.rcond = current_rcond();
    if (rec.rcond >= 0) rec.error_bound = be / rec.rcond;
    PatternRecord& pat = res_.patterns.back();
    const SolverStats& st = s_->stats();
    pat.last_matrix = static_cast<index_t>(p.i);
    pat.nnz_L = st.nnz_L;
    pat.nnz_U = st.nnz_U;
    pat.flops = st.flops;
    pat.ordering = st.ordering;
    if (p.iterative.iterative) {
      rec.iterations = p.iterative.iterations;
      rec.relative_residual = p.iterative.relative_residual;
      rec.setup_seconds = p.iterative.setup_seconds;
      rec.rebuilt = p.iterative.rebuilt;
      rec.residual_history = std::move(p.iterative.residual_history);
    }
    res_.solves.push_back(rec);
    res_.nrhs.push_back(nrhs);
    solution_slot<T>(res_) = std::move(x);
  }

  template <class T>
  double worst_berr(const SparseMatrix& a, const std::vector<T>& x, const std::vector<T>& b,
                    index_t nrhs) const {
    const auto n = static_cast<std::size_t>(a.nrows);
    double w = 0.0;
    for (index_t k = 0; k < nrhs; ++k) {
      double e = backward_error(a, std::span<const T>(x.data() + k * n, n),
                                std::span<const T>(b.data() + k * n, n), o_.transpose, norm_of(a));
      if (!(e <= w)) w = e;
    }
    return w;
  }

  // The precomputed norm of a matrix of the sequence (by address), or -1 to compute it.
  double norm_of(const SparseMatrix& a) const {
    if (ms_.empty() || &a < ms_.data() || &a >= ms_.data() + ms_.size()) return -1.0;
    const std::size_t i = static_cast<std::size_t>(&a - ms_.data());
    return i < norms_.size() ? norms_[i] : -1.0;
  }

  const std::vector<SparseMatrix>& ms_;
  const std::vector<RightHandSide>& rhs_;
  const SequenceOptions& o_;
  std::unique_ptr<Solver> solver_;  // the solver made here from the name (else null)
  Solver* s_ = nullptr;             // the solver in use: solver_, or the caller's
  std::optional<solve_detail::FactorMemoryCap> cap_;
  std::optional<solve_detail::SolveCache> cache_;
  double rcond_ = std::numeric_limits<double>::quiet_NaN();  // spax's estimate, when computed
  SequenceResult res_;
  std::vector<char> same_as_previous_;
  std::vector<double> norms_;
};

}  // namespace

SequenceResult run_sequence(const std::vector<SparseMatrix>& matrices,
                            const std::vector<RightHandSide>& rhs, const SequenceOptions& options) {
  return Runner(matrices, rhs, options, nullptr).run();
}

SequenceResult run_sequence(const std::vector<SparseMatrix>& matrices,
                            const std::vector<RightHandSide>& rhs, const SequenceOptions& options,
                            Solver& solver) {
  return Runner(matrices, rhs, options, &solver).run();
}

}  // namespace spax
