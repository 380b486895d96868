// How accurate an answer is: the backward error of a solution, matrix norms, and a 1-norm
// condition estimate from a factorization's solves.
#include <algorithm>
#include <cmath>
#include <limits>

#include "spax/solve.hpp"

namespace spax {

namespace {
template <class T>
double abs_of(const T& v) {
  return std::abs(v);
}
template <class T>
T conj_of(const T& v) {
  if constexpr (std::is_same_v<T, double>)
    return v;
  else
    return std::conj(v);
}

template <class T>
double berr(const SparseMatrix& a, std::span<const T> x, std::span<const T> b, bool transpose,
            const std::vector<T>& vals, double known_norm) {
  const index_t n = a.nrows;
  // Scratch reused across calls: a sequence computes this after every solve.
  thread_local std::vector<T> r;
  thread_local std::vector<double> rowsum;
  r.assign(b.begin(), b.end());
  double anorm = 0.0;
  if (!transpose && known_norm >= 0) {
    // Residual only: one scatter per entry.
    const index_t* cp = a.colptr.data();
    const index_t* ri = a.rowind.data();
    const T* v = vals.data();
    T* rp = r.data();
    for (index_t j = 0; j < a.ncols; ++j) {
      const T xj = x[j];
      for (index_t p = cp[j], e = cp[j + 1]; p < e; ++p) rp[ri[p]] -= v[p] * xj;
    }
    anorm = known_norm;
  } else if (!transpose) {
    rowsum.assign(static_cast<std::size_t>(n), 0.0);
    const index_t* cp = a.colptr.data();
    const index_t* ri = a.rowind.data();
    const T* v = vals.data();
    T* rp = r.data();
    double* rs = rowsum.data();
    for (index_t j = 0; j < a.ncols; ++j) {
      const T xj = x[j];
      for (index_t p = cp[j], e = cp[j + 1]; p < e; ++p) {
        const index_t i = ri[p];
        rp[i] -= v[p] * xj;
        rs[i] += abs_of(v[p]);
      }
    }
    for (double s : rowsum) anorm = std::max(anorm, s);
  } else {
    for (index_t j = 0; j < a.ncols; ++j) {
      T s{};
      double cs = 0.0;
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
        s += conj_of(vals[p]) * x[a.rowind[p]];
        cs += abs_of(vals[p]);
      }
      r[j] -= s;
      anorm = std::max(anorm, cs);
    }
  }
  double rn = 0.0, xn = 0.0, bn = 0.0;
  for (const auto& v : r) rn = std::max(rn, abs_of(v));
  for (const auto& v : x) xn = std::max(xn, abs_of(v));
  for (const auto& v : b) bn = std::max(bn, abs_of(v));
  double den = anorm * xn + bn;
  if (!std::isfinite(rn) || !std::isfinite(xn)) return INFINITY;
  return den > 0 ? rn / den : (rn > 0 ? INFINITY : 0.0);
}
}  // namespace

double backward_error(const SparseMatrix& a, std::span<const double> x, std::span<const double> b,
                      bool transpose, double anorm) {
  return berr<double>(a, x, b, transpose, a.values, anorm);
}
double backward_error(const SparseMatrix& a, std::span<const complex_t> x,
                      std::span<const complex_t> b, bool transpose, double anorm) {
  return berr<complex_t>(a, x, b, transpose, a.zvalues, anorm);
}

double matrix_norm_inf(const SparseMatrix& a, bool transpose) {
  std::vector<double> sums(static_cast<std::size_t>(transpose ? a.ncols : a.nrows), 0.0);
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      const double v = a.is_complex()   ? std::abs(a.zvalues[static_cast<std::size_t>(p)])
                       : a.has_values() ? std::fabs(a.values[static_cast<std::size_t>(p)])
                                        : 1.0;
      sums[static_cast<std::size_t>(transpose ? j : a.rowind[p])] += v;
    }
  double m = 0.0;
  for (double s : sums) m = std::max(m, s);
  return m;
}

double estimate_rcond(Solver& s, const SparseMatrix& a) {
  // Hager's method with Higham's extra test vector, as LAPACK's xLACON: ||A^-1||_1 estimated from
  // solves with A and A^T, times ||A||_1.
  const index_t n = a.nrows;
  const auto un = static_cast<std::size_t>(n);
  const double anorm = matrix_norm_inf(a, true);  // max column sum = ||A||_1
  if (a.is_complex() || n == 0 || !(anorm > 0)) return std::numeric_limits<double>::quiet_NaN();
  auto norm1 = [](const std::vector<double>& v) {
    double t = 0.0;
    for (double e : v) t += std::abs(e);
    return t;
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
  return est > 0 ? 1.0 / (anorm * est) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace spax
