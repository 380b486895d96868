// How accurate an answer is: the backward error of a solution and matrix norms (spax's
// condition estimate is with the sequence rules, session.cpp).
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

}  // namespace spax
