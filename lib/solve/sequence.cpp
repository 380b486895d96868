// run_sequence: analyze once (or from the cache), factor the first matrix, refactor the rest with
// a safety net (cheap indicators + backward error -> fresh factor), solve and refine each.
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "solve/backends.hpp"
#include "solve/memory_cap.hpp"
#include "spax/timer.hpp"

namespace spax {
namespace {

namespace fs = std::filesystem;

bool same_pattern(const SparseMatrix& a, const SparseMatrix& b) {
  return a.nrows == b.nrows && a.ncols == b.ncols && a.colptr == b.colptr && a.rowind == b.rowind;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::uint64_t values_hash(const SparseMatrix& a) {
  return a.is_complex() ? hash64_words(a.zvalues.data(), a.zvalues.size() * sizeof(complex_t))
                        : hash64_words(a.values.data(), a.values.size() * sizeof(double));
}

std::string ordering_key(const SolverOptions& o) {
  if (o.ordering != "given") return o.ordering;
  return "given" + hex64(fnv1a64(o.permutation.data(), o.permutation.size() * sizeof(index_t)));
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
    if (ms_.empty()) throw_usage("no matrix to solve");
    const SparseMatrix& a0 = ms_[0];
    for (std::size_t i = 0; i < ms_.size(); ++i) {
      const auto& a = ms_[i];
      if (!a.is_square())
        throw_input("matrix " + std::to_string(i + 1) + " is not square (" +
                    std::to_string(a.nrows) + " x " + std::to_string(a.ncols) + ")");
      if (!a.has_values()) throw_usage("matrix " + std::to_string(i + 1) + " has no values");
      if (a.is_complex() != a0.is_complex())
        throw_input("matrix " + std::to_string(i + 1) + " mixes real and complex in one sequence");
      if (auto bad = first_nonfinite_entry(a); !bad.empty())
        throw_input("matrix " + std::to_string(i + 1) + " has a non-finite value (" + bad +
                    "): refused before factorization");
    }
    // Pattern changes are found with the rest of the input validation, before the timed loop.
    // So is each matrix's norm, which every backward error after a solve needs.
    same_as_previous_.assign(ms_.size(), 0);
    norms_.assign(ms_.size(), 0.0);
    for (std::size_t i = 0; i < ms_.size(); ++i) {
      if (i > 0) same_as_previous_[i] = same_pattern(ms_[i], ms_[i - 1]) ? 1 : 0;
      norms_[i] = matrix_norm_inf(ms_[i], o_.transpose);
    }
    if (!rhs_.empty() && rhs_.size() != 1 && rhs_.size() != ms_.size())
      throw_usage("give one right-hand side file, or one per matrix (" +
                  std::to_string(ms_.size()) + ")");
    res_.n = a0.nrows;
    res_.nnz = a0.nnz();
    std::string name = s_ ? s_->name() : o_.solver;
    if (!s_ && name == "auto") {
      auto c = choose_solver(a0, o_.solver_options);
      name = c.name;
      res_.chosen_because = c.because;
    }
    if (a0.nrows == 0) {
      // 0-by-0: the empty solution, exactly.
      res_.solver = name;
      res_.ordering = "natural";
      for (std::size_t i = 0; i < ms_.size(); ++i) {
        SolveRecord rec;
        rec.matrix = static_cast<index_t>(i);
        rec.forward_error = rhs_.empty() ? 0.0 : std::numeric_limits<double>::quiet_NaN();
        res_.solves.push_back(rec);
        res_.nrhs.push_back(rhs_.empty() ? 1 : (rhs_.size() == 1 ? rhs_[0] : rhs_[i]).nrhs);
        if (a0.is_complex())
          res_.zx.emplace_back();
        else
          res_.x.emplace_back();
        if (i > 0) res_.refactor_seconds.push_back(0.0);
      }
      return res_;
    }
    solve_detail::require_memory_cap_support(name, o_.max_memory_mb);
    cap_.emplace(o_.max_memory_mb);
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
        solver_ = create_solver(name, o_.solver_options);
        s_ = solver_.get();
        start(a0);
      }
      res_.solver = name;
      res_.ordering = s_->stats().ordering;
      if (a0.is_complex())
        loop<complex_t>();
      else
        loop<double>();
    } catch (const Error&) {
      // A SuiteSparse allocation refused by --max-memory surfaces as the backend's own failure.
      if (cap_->refused()) throw_numerical(cap_->refusal_message(name));
      throw;
    }
    res_.stats = s_->stats();
    if (!std::isnan(rcond_)) res_.stats.rcond = rcond_;
    // What the backend wants said (MUMPS: a workspace retry).
    for (const auto& w : res_.stats.warnings) res_.warnings.push_back(w);
    return res_;
  }

 private:
  // A square matrix with an empty row or column (an empty matrix among them) is structurally
  // singular: said here, with the structural rank, before any backend sees it (some report only
  // a status code for it, and hypre's AMG aborts the process).
  static void require_no_empty_line(const SparseMatrix& a) {
    if (!a.is_square() || a.ncols == 0) return;
    bool empty = false;
    for (index_t j = 0; j < a.ncols && !empty; ++j) empty = a.colptr[j] == a.colptr[j + 1];
    if (!empty) {
      std::vector<char> seen(static_cast<std::size_t>(a.nrows), 0);
      for (index_t i : a.rowind) seen[static_cast<std::size_t>(i)] = 1;
      empty = std::find(seen.begin(), seen.end(), 0) != seen.end();
    }
    if (empty) throw_singular(a, -1);
  }

  // Analyze (or load) and factor (or load) the first matrix.
  void start(const SparseMatrix& a0) {
    Timer t;
    analyze_cached(a0);
    cap_->check_estimate(*s_);
    res_.analyze_seconds = t.seconds();
    t.reset();
    factor_cached(a0);
    res_.factor_seconds = t.seconds();
    estimate_rcond(a0);
  }

  // Backends whose own rcond is only min/max |diag| (UMFPACK, CHOLMOD) or absent (Eigen) get
  // a 1-norm condition estimate from their factorization's solves (Hager's method with
  // Higham's extra test vector, as LAPACK's xLACON): ||A^-1||_1 estimated, times ||A||_1.
  void estimate_rcond(const SparseMatrix& a) {
    if (a.is_complex() || !s_->wants_rcond_estimate()) return;
    const index_t n = a.nrows;
    const auto un = static_cast<std::size_t>(n);
    const double anorm = matrix_norm_inf(a, true);  // max column sum = ||A||_1
    if (n == 0 || !(anorm > 0)) return;
    auto norm1 = [](const std::vector<double>& v) {
      double s = 0.0;
      for (double e : v) s += std::abs(e);
      return s;
    };
    std::vector<double> x(un, 1.0 / static_cast<double>(n));
    double est = 0.0;
    index_t last = -1;
    for (int it = 0; it < 5; ++it) {
      s_->solve(std::span<double>(x), 1, false);  // x = A^-1 x
      const double e = norm1(x);
      if (it > 0 && !(e > est)) break;
      est = e;
      for (auto& v : x) v = v >= 0 ? 1.0 : -1.0;
      s_->solve(std::span<double>(x), 1, true);  // z = A^-T sign(y)
      index_t j = 0;
      for (index_t k = 1; k < n; ++k)
        if (std::abs(x[k]) > std::abs(x[j])) j = k;
      if (j == last) break;
      last = j;
      std::fill(x.begin(), x.end(), 0.0);
      x[j] = 1.0;
    }
    // Higham's alternating vector guards against the cases the iteration misses.
    for (index_t k = 0; k < n; ++k)
      x[k] = (k % 2 ? -1.0 : 1.0) * (1.0 + static_cast<double>(k) / std::max<double>(1.0, n - 1));
    s_->solve(std::span<double>(x), 1, false);
    est = std::max(est, 2.0 * norm1(x) / (3.0 * static_cast<double>(n)));
    if (!std::isfinite(est)) {
      rcond_ = 0.0;
      return;
    }
    rcond_ = est > 0 ? 1.0 / (anorm * est) : std::numeric_limits<double>::quiet_NaN();
  }

  std::string cache_path(const std::string& kind, const SparseMatrix& a, bool with_values) const {
    std::string key = pattern_fingerprint(a).hex();
    if (with_values) key += "-" + hex64(values_hash(a));
    key += "-" + s_->name() + "-" + ordering_key(o_.solver_options) + "-" +
           (a.is_complex() ? "complex" : "real") + "." + kind;
    return (fs::path(o_.cache_dir) / key).string();
  }

  std::optional<std::string> load(const std::string& path) {
    std::string why;
    auto bytes = read_cache_file(path, &why);
    if (!bytes && !why.empty())
      res_.warnings.push_back("cache file " + path + " ignored (" + why + "), rebuilding");
    return bytes;
  }
  void store(const std::string& path, const std::string& bytes) {
    try {
      write_cache_file(path, bytes);
    } catch (const Error& e) {
      res_.warnings.push_back("cache file " + path + " not written: " + e.message());
    }
  }

  void analyze_cached(const SparseMatrix& a) {
    require_no_empty_line(a);
    if (o_.cache_dir.empty()) {
      s_->analyze(a);
      return;
    }
    std::error_code ec;
    fs::create_directories(o_.cache_dir, ec);
    std::string path = cache_path("sym", a, false);
    if (auto bytes = load(path)) {
      if (s_->import_symbolic(a, *bytes)) {
        res_.cache_symbolic = "hit";
        return;
      }
      res_.warnings.push_back("cache file " + path + " ignored (does not fit), rebuilding");
    }
    s_->analyze(a);
    std::string bytes = s_->export_symbolic();
    if (bytes.empty()) {
      res_.cache_symbolic = "unsupported";
      return;
    }
    store(path, bytes);
    res_.cache_symbolic = "miss";
  }

  void factor_cached(const SparseMatrix& a) {
    if (o_.cache_dir.empty()) {
      s_->factor(a);
      return;
    }
    if (!s_->supports_numeric_cache()) {
      res_.cache_numeric = "unsupported";
      s_->factor(a);
      return;
    }
    std::string path = cache_path("num", a, true);
    if (auto bytes = load(path)) {
      if (s_->import_numeric(a, *bytes)) {
        res_.cache_numeric = "hit";
        return;
      }
      res_.warnings.push_back("cache file " + path + " ignored (does not fit), rebuilding");
    }
    s_->factor(a);
    store(path, s_->export_numeric());
    res_.cache_numeric = "miss";
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

  // A single persistent worker: start() hands it a job, wait() returns when it is done.
  class Worker {
   public:
    Worker() : thread_([this] { run(); }) {}
    ~Worker() {
      {
        std::lock_guard<std::mutex> l(m_);
        quit_ = true;
      }
      cv_.notify_all();
      thread_.join();
    }
    void start(std::function<void()> job) {
      {
        std::lock_guard<std::mutex> l(m_);
        job_ = std::move(job);
        done_ = false;
        error_ = nullptr;
      }
      cv_.notify_all();
    }
    void wait() {
      std::unique_lock<std::mutex> l(m_);
      cv_.wait(l, [&] { return done_; });
      if (error_) std::rethrow_exception(error_);
    }

   private:
    void run() {
      std::unique_lock<std::mutex> l(m_);
      for (;;) {
        cv_.wait(l, [&] { return quit_ || (job_ && !done_); });
        if (quit_) return;
        auto job = std::move(job_);
        job_ = nullptr;
        l.unlock();
        std::exception_ptr err;
        try {
          job();
        } catch (...) {
          err = std::current_exception();
        }
        l.lock();
        error_ = err;
        done_ = true;
        cv_.notify_all();
      }
    }
    std::mutex m_;
    std::condition_variable cv_;
    std::function<void()> job_;
    bool done_ = true, quit_ = false;
    std::exception_ptr error_;
    std::thread thread_;
  };

  template <class T>
  void loop() {
    // Overlap only when the solves need nothing more from the solver (no refinement).
    const bool overlap = o_.refine == 0 && ms_.size() > 1;
    // `pending` is declared first so that, on an exception, the worker (which may still be
    // checking it) is joined before `pending` is destroyed.
    std::optional<Pending<T>> pending;
    std::unique_ptr<Worker> worker;
    if (overlap) worker = std::make_unique<Worker>();
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
          res_.warnings.push_back("matrix " + std::to_string(i + 1) +
                                  " has a different pattern: analysed again");
          res_.reanalysed.push_back(static_cast<index_t>(i));
        }
        Timer t;
        Numeric u = update_numeric(i);
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
        pending.emplace();
        solve_start<T>(i, fresh, *pending);
        Pending<T>* p = &*pending;
        worker->start([this, p] { check<T>(*p); });
      } else {
        Pending<T> p;
        solve_start<T>(i, fresh, p);
        check<T>(p);
        finish_pending<T>(p, nullptr);
      }
    }
    if (pending) finish_pending<T>(*pending, worker.get());
  }

  // New values for matrix i (i > 0): analyze and factor when its pattern differs from the
  // previous matrix, else refactor, factoring afresh when the cheap indicators say the kept
  // pivots failed (a fallback, which the caller records).
  struct Numeric {
    bool fresh = false;      // the factorization is fresh
    bool fell_back = false;  // a refactor replaced by a fresh factorization
  };
  Numeric update_numeric(std::size_t i) {
    const SparseMatrix& a = ms_[i];
    if (!same_as_previous_[i]) {
      require_no_empty_line(a);
      s_->analyze(a);
      s_->factor(a);
      return {true, false};
    }
    s_->refactor(a);
    if (!s_->refactor_suspect()) return {false, false};
    s_->factor(a);
    return {true, true};
  }

  // Waits for the check of `p`; handles a failed check (fresh factor and solve again) and
  // records the solve. Returns true when the solver was factored afresh for p's matrix (so a
  // speculative refactor of the next matrix must be redone).
  template <class T>
  bool finish_pending(Pending<T>& p, Worker* worker) {
    if (worker) worker->wait();
    // Iterative backends judge their own answer (the recomputed residual, a rebuilt setup).
    const bool refactored =
        !p.fresh && !s_->stats().iterative && !(p.berr <= o_.refactor_backward_limit);
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
