// The rules a sequence applies to each matrix (input checks, the refactor fallbacks, spax's rcond
// estimate), shared by run_sequence and SolverSession, and SolverSession itself: a sequence
// driven one call at a time.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "solve/backends.hpp"
#include "spax/timer.hpp"

namespace spax {

void check_solver_input(const SparseMatrix& a, const std::string& what, const std::string& file) {
  if (!a.is_square())
    throw_input(
        what + " is not square (" + std::to_string(a.nrows) + " x " + std::to_string(a.ncols) + ")",
        file);
  if (!a.has_values()) throw_usage(what + " has no values (synthesize them first)");
  if (auto bad = first_nonfinite_entry(a); !bad.empty())
    throw_input(what + " has a non-finite value (" + bad + "): refused before factorization", file);
}

void check_no_empty_line(const SparseMatrix& a) {
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

NumericUpdate refactor_or_factor(Solver& s, const SparseMatrix& a) {
  s.refactor(a);
  if (!s.refactor_suspect()) return {false, false};
  s.factor(a);
  return {true, true};
}

bool refactor_answer_rejected(const Solver& s, bool fresh, double backward_error, double limit) {
  return !fresh && !s.stats().iterative && !(backward_error <= limit);
}

double estimate_rcond(Solver& s, const SparseMatrix& a) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (a.is_complex() || !s.wants_rcond_estimate()) return nan;
  const index_t n = a.nrows;
  const auto un = static_cast<std::size_t>(n);
  const double anorm = matrix_norm_inf(a, true);  // max column sum = ||A||_1
  if (n == 0 || !(anorm > 0)) return nan;
  auto norm1 = [](const std::vector<double>& v) {
    double sum = 0.0;
    for (double e : v) sum += std::abs(e);
    return sum;
  };
  std::vector<double> x(un, 1.0 / static_cast<double>(n));
  double est = 0.0;
  index_t last = -1;
  for (int it = 0; it < 5; ++it) {
    s.solve(std::span<double>(x), 1, false);  // x = A^-1 x
    const double e = norm1(x);
    if (it > 0 && !(e > est)) break;
    est = e;
    for (auto& v : x) v = v >= 0 ? 1.0 : -1.0;
    s.solve(std::span<double>(x), 1, true);  // z = A^-T sign(y)
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
  s.solve(std::span<double>(x), 1, false);
  est = std::max(est, 2.0 * norm1(x) / (3.0 * static_cast<double>(n)));
  if (!std::isfinite(est)) return 0.0;
  return est > 0 ? 1.0 / (anorm * est) : nan;
}

// --- SolverSession ------------------------------------------------------------------------------

namespace {

bool same_pattern(const SparseMatrix& a, const SparseMatrix& b) {
  return a.nrows == b.nrows && a.ncols == b.ncols && a.colptr == b.colptr && a.rowind == b.rowind;
}

template <class T>
bool finite_value(const T& v) {
  if constexpr (std::is_same_v<T, double>)
    return std::isfinite(v);
  else
    return std::isfinite(v.real()) && std::isfinite(v.imag());
}

template <class T>
std::string value_text(const T& v) {
  char buf[96];
  if constexpr (std::is_same_v<T, double>)
    std::snprintf(buf, sizeof buf, "%g", v);
  else
    std::snprintf(buf, sizeof buf, "(%g, %g)", v.real(), v.imag());
  return buf;
}

}  // namespace

SolverSession::SolverSession(SessionOptions options) : o_(std::move(options)) {
  if (!(o_.refactor_backward_limit == o_.refactor_backward_limit))
    throw_usage("refactor_backward_limit is NaN");
  if (o_.solver != "auto") s_ = create_solver(o_.solver, o_.solver_options);
  st_.solver = o_.solver;
}

SolverSession::~SolverSession() = default;

void SolverSession::create(const SparseMatrix& a) {
  if (o_.solver != "auto" || s_) return;
  SolverChoice c = choose_solver(a, o_.solver_options);
  s_ = create_solver(c.name, o_.solver_options);
  st_.solver = c.name;
  st_.chosen_because = c.because;
}

void SolverSession::do_analyze() {
  factored_ = false;
  analyzed_ = false;
  check_no_empty_line(a_);
  st_.n = a_.nrows;
  st_.nnz = a_.nnz();
  if (a_.nrows == 0) {
    // 0-by-0: nothing for a backend to do; the solution is empty, exactly (as run_sequence).
    st_.ordering = "natural";
    analyzed_ = true;
    return;
  }
  create(a_);
  Timer t;
  s_->analyze(a_);
  st_.analyze_seconds = t.seconds();
  st_.stats = s_->stats();
  st_.ordering = st_.stats.ordering;
  analyzed_ = true;
}

void SolverSession::do_factor(bool fallback) {
  factored_ = false;
  if (a_.nrows == 0) {
    factored_ = fresh_ = true;
    return;
  }
  Timer t;
  try {
    s_->factor(a_);
  } catch (const Error& e) {
    // auto's choice looked positive definite but is not: LU instead, as run_sequence does.
    if (fallback || o_.solver != "auto" || st_.solver != "cholmod" ||
        e.kind() != ErrorKind::numerical)
      throw;
    st_.chosen_because += "; Cholesky failed (" + e.message() + "), using KLU";
    s_ = create_solver("klu", o_.solver_options);
    st_.solver = "klu";
    do_analyze();
    t.reset();
    s_->factor(a_);
  }
  st_.factor_seconds = t.seconds();
  factored_ = true;
  fresh_ = true;
  st_.stats = s_->stats();
  if (double r = estimate_rcond(*s_, a_); !std::isnan(r)) st_.stats.rcond = r;
  if (fallback) st_.refactor_fallbacks.push_back(st_.matrices - 1);
}

void SolverSession::analyze(SparseMatrix a) {
  check_solver_input(a, "matrix");
  a_ = std::move(a);
  do_analyze();
}

void SolverSession::factor(SparseMatrix a) {
  check_solver_input(a, "matrix");
  const bool reanalyse = !analyzed_ || !same_pattern(a, a_) || a.is_complex() != a_.is_complex();
  const bool was_analyzed = analyzed_;
  a_ = std::move(a);
  if (reanalyse) {
    if (was_analyzed && st_.matrices > 0) st_.reanalysed.push_back(st_.matrices);
    do_analyze();
  }
  ++st_.matrices;
  do_factor(false);
}

void SolverSession::refactor(SparseMatrix a) {
  check_solver_input(a, "matrix");
  if (!factored_ || !same_pattern(a, a_) || a.is_complex() != a_.is_complex()) {
    factor(std::move(a));
    return;
  }
  a_ = std::move(a);
  numeric_update();
}

void SolverSession::numeric_update() {
  ++st_.matrices;
  if (a_.nrows == 0) return;
  factored_ = false;
  Timer t;
  const NumericUpdate u = refactor_or_factor(*s_, a_);
  st_.refactor_seconds = t.seconds();
  factored_ = true;
  fresh_ = u.fresh;
  const double rcond = st_.stats.rcond;  // the last fresh factorization's
  st_.stats = s_->stats();
  if (u.fell_back) {
    st_.refactor_fallbacks.push_back(st_.matrices - 1);
    if (double r = estimate_rcond(*s_, a_); !std::isnan(r)) st_.stats.rcond = r;
  } else {
    st_.stats.rcond = rcond;
  }
}

template <class T>
void SolverSession::take_values(std::span<const T> values) {
  constexpr bool complex = std::is_same_v<T, complex_t>;
  if (!analyzed_) throw_usage("refactor_values needs a pattern: analyze or factor a matrix first");
  if (complex != a_.is_complex())
    throw_input(std::string(complex ? "complex" : "real") + " values for a " +
                (a_.is_complex() ? "complex" : "real") + " matrix");
  if (static_cast<index_t>(values.size()) != a_.nnz())
    throw_input(std::to_string(values.size()) + " values for a pattern of " +
                std::to_string(a_.nnz()) + " stored entries");
  std::vector<T>& dst = [this]() -> std::vector<T>& {
    if constexpr (complex)
      return a_.zvalues;
    else
      return a_.values;
  }();
  // Checked before anything changes: a refused update leaves the session as it was.
  bool all_finite = true;
  for (const T& v : values) all_finite &= finite_value(v);
  if (!all_finite) {
    for (index_t j = 0; j < a_.ncols; ++j)
      for (index_t p = a_.colptr[j]; p < a_.colptr[j + 1]; ++p)
        if (!finite_value(values[static_cast<std::size_t>(p)]))
          throw_input("matrix has a non-finite value (" +
                      value_text(values[static_cast<std::size_t>(p)]) + " at row " +
                      std::to_string(a_.rowind[p] + 1) + ", column " + std::to_string(j + 1) +
                      "): refused before factorization");
  }
  std::copy(values.begin(), values.end(), dst.begin());
  if (!factored_) {
    ++st_.matrices;
    do_factor(false);
    return;
  }
  numeric_update();
}

void SolverSession::refactor_values(std::span<const double> values) {
  take_values<double>(values);
}
void SolverSession::refactor_values(std::span<const complex_t> values) {
  take_values<complex_t>(values);
}

void SolverSession::check_ready(std::size_t size, index_t nrhs, bool complex_rhs) const {
  if (!factored_) throw_usage("solve needs a factorization: call factor first");
  if (nrhs < 0 || static_cast<index_t>(size) != a_.nrows * nrhs)
    throw_input("right-hand side holds " + std::to_string(size) + " values, expected " +
                std::to_string(a_.nrows) + " x " + std::to_string(nrhs));
  if (!complex_rhs && a_.is_complex())
    throw_usage("a real right-hand side for a complex matrix: give it as complex values");
}

template <class T>
void SolverSession::check_rhs(std::span<const T> b) const {
  const auto n = static_cast<std::size_t>(std::max<index_t>(a_.nrows, 1));
  for (std::size_t k = 0; k < b.size(); ++k)
    if (!finite_value(b[k]))
      throw_input("right-hand side has a non-finite value (" + value_text(b[k]) + " at row " +
                  std::to_string(k % n + 1) + ", column " + std::to_string(k / n + 1) +
                  "): refused before factorization");
}

template <class T>
void SolverSession::safe_solve(std::span<T> b, index_t nrhs, bool transpose) {
  const auto n = static_cast<std::size_t>(a_.nrows);
  ++st_.solves;
  Timer t;
  double rcond = st_.stats.rcond;  // spax's estimate, where the backend's is none
  auto finish = [&](double be) {
    st_.backward_error = be;
    st_.solve_seconds = t.seconds();
    if (s_) st_.stats = s_->stats();  // iterative backends: this solve's iterations, residuals
    st_.stats.rcond = rcond;
  };
  if (n == 0 || nrhs == 0) {
    finish(o_.safe ? 0.0 : std::numeric_limits<double>::quiet_NaN());
    return;
  }
  if (!o_.safe) {
    s_->solve(b, nrhs, transpose);
    finish(std::numeric_limits<double>::quiet_NaN());
    return;
  }
  const std::vector<T> rhs(b.begin(), b.end());
  auto worst = [&] {
    double w = 0.0;
    for (index_t k = 0; k < nrhs; ++k) {
      const double e = backward_error(a_, std::span<const T>(b.data() + k * n, n),
                                      std::span<const T>(rhs.data() + k * n, n), transpose);
      if (!(e <= w)) w = e;
    }
    return w;
  };
  s_->solve(b, nrhs, transpose);
  double be = worst();
  if (refactor_answer_rejected(*s_, fresh_, be, o_.refactor_backward_limit)) {
    // The kept pivots gave a poor answer: factor with fresh pivoting and solve again.
    do_factor(true);
    rcond = st_.stats.rcond;
    std::copy(rhs.begin(), rhs.end(), b.begin());
    s_->solve(b, nrhs, transpose);
    be = worst();
  }
  finish(be);
}

void SolverSession::solve(std::span<double> b, index_t nrhs, bool transpose) {
  check_ready(b.size(), nrhs, false);
  check_rhs<double>(b);
  safe_solve<double>(b, nrhs, transpose);
}

void SolverSession::solve(std::span<complex_t> b, index_t nrhs, bool transpose) {
  check_ready(b.size(), nrhs, true);
  check_rhs<complex_t>(b);
  if (a_.is_complex()) {
    safe_solve<complex_t>(b, nrhs, transpose);
    return;
  }
  // A real factorization: the real and imaginary parts as 2 * nrhs real columns (A real, so
  // A^H = A^T and op(A) (x + iy) = op(A) x + i op(A) y).
  const auto n = static_cast<std::size_t>(a_.nrows);
  std::vector<double> parts(2 * b.size());
  for (std::size_t k = 0; k < static_cast<std::size_t>(nrhs); ++k)
    for (std::size_t i = 0; i < n; ++i) {
      parts[2 * k * n + i] = b[k * n + i].real();
      parts[(2 * k + 1) * n + i] = b[k * n + i].imag();
    }
  safe_solve<double>(std::span<double>(parts), 2 * nrhs, transpose);
  for (std::size_t k = 0; k < static_cast<std::size_t>(nrhs); ++k)
    for (std::size_t i = 0; i < n; ++i)
      b[k * n + i] = complex_t(parts[2 * k * n + i], parts[(2 * k + 1) * n + i]);
}

}  // namespace spax
