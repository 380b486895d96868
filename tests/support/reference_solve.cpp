#include "reference_solve.hpp"

#include <algorithm>
#include <cmath>

namespace spax::test {
namespace {

template <class T>
T conj_if(const T& v) {
  if constexpr (std::is_same_v<T, double>)
    return v;
  else
    return std::conj(v);
}

template <class T>
bool dense_solve(const SparseMatrix& a, const std::vector<T>& vals, const std::vector<T>& b,
                 bool transpose, std::vector<T>& x) {
  const auto n = static_cast<std::size_t>(a.nrows);
  // Row-major dense op(A).
  std::vector<T> m(n * n, T(0.0));
  for (std::size_t j = 0; j < n; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      auto i = static_cast<std::size_t>(a.rowind[p]);
      if (transpose)
        m[j * n + i] = conj_if(vals[p]);
      else
        m[i * n + j] = vals[p];
    }
  x = b;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t piv = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::abs(m[i * n + k]) > std::abs(m[piv * n + k])) piv = i;
    if (m[piv * n + k] == T(0.0)) return false;
    if (piv != k) {
      for (std::size_t j = 0; j < n; ++j) std::swap(m[k * n + j], m[piv * n + j]);
      std::swap(x[k], x[piv]);
    }
    for (std::size_t i = k + 1; i < n; ++i) {
      T f = m[i * n + k] / m[k * n + k];
      if (f == T(0.0)) continue;
      for (std::size_t j = k; j < n; ++j) m[i * n + j] -= f * m[k * n + j];
      x[i] -= f * x[k];
    }
  }
  for (std::size_t k = n; k-- > 0;) {
    T s = x[k];
    for (std::size_t j = k + 1; j < n; ++j) s -= m[k * n + j] * x[j];
    x[k] = s / m[k * n + k];
  }
  return true;
}

template <class T>
double reldiff(const std::vector<T>& x, const std::vector<T>& y) {
  double d = 0.0, s = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    d = std::max(d, std::abs(x[i] - y[i]));
    s = std::max(s, std::abs(y[i]));
  }
  return d / std::max(s, 1e-300);
}

}  // namespace

bool reference_lu_nopivot(std::size_t n, const std::vector<double>& m, std::vector<double>& L,
                          std::vector<double>& U) {
  L.assign(n * n, 0.0);
  U.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    // Row i of U, then column i of L: A(i, j) = sum_k L(i, k) U(k, j).
    for (std::size_t j = i; j < n; ++j) {
      double s = m[i * n + j];
      for (std::size_t k = 0; k < i; ++k) s -= L[i * n + k] * U[k * n + j];
      U[i * n + j] = s;
    }
    if (U[i * n + i] == 0.0) return false;
    L[i * n + i] = 1.0;
    for (std::size_t r = i + 1; r < n; ++r) {
      double s = m[r * n + i];
      for (std::size_t k = 0; k < i; ++k) s -= L[r * n + k] * U[k * n + i];
      L[r * n + i] = s / U[i * n + i];
    }
  }
  return true;
}

bool reference_solve(const SparseMatrix& a, const std::vector<double>& b, bool transpose,
                     std::vector<double>& x) {
  return dense_solve<double>(a, a.values, b, transpose, x);
}
bool reference_solve(const SparseMatrix& a, const std::vector<complex_t>& b, bool transpose,
                     std::vector<complex_t>& x) {
  return dense_solve<complex_t>(a, a.zvalues, b, transpose, x);
}
double relative_difference(const std::vector<double>& x, const std::vector<double>& y) {
  return reldiff(x, y);
}
double relative_difference(const std::vector<complex_t>& x, const std::vector<complex_t>& y) {
  return reldiff(x, y);
}

std::vector<double> times(const SparseMatrix& a, const std::vector<double>& x) {
  std::vector<double> b(static_cast<std::size_t>(a.nrows), 0.0);
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      b[static_cast<std::size_t>(a.rowind[p])] +=
          (a.values.empty() ? 1.0 : a.values[static_cast<std::size_t>(p)]) *
          x[static_cast<std::size_t>(j)];
  return b;
}

double backward_error(const SparseMatrix& a, const std::vector<double>& x,
                      const std::vector<double>& b) {
  std::vector<double> r = b, rowsum(static_cast<std::size_t>(a.nrows), 0.0);
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      const double v = a.values.empty() ? 1.0 : a.values[static_cast<std::size_t>(p)];
      r[static_cast<std::size_t>(a.rowind[p])] -= v * x[static_cast<std::size_t>(j)];
      rowsum[static_cast<std::size_t>(a.rowind[p])] += std::abs(v);
    }
  double rn = 0, an = 0, xn = 0, bn = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    rn = std::max(rn, std::abs(r[i]));
    an = std::max(an, rowsum[i]);
    xn = std::max(xn, std::abs(x[i]));
    bn = std::max(bn, std::abs(b[i]));
  }
  return rn / (an * xn + bn);
}

SparseMatrix from_dense(index_t n, const std::vector<double>& rowmajor) {
  TripletMatrix t;
  t.nrows = t.ncols = n;
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < n; ++j)
      if (rowmajor[i * n + j] != 0.0) {
        t.rows.push_back(i);
        t.cols.push_back(j);
        t.values.push_back(rowmajor[i * n + j]);
      }
  return to_csc(t);
}

SparseMatrix from_triplets(index_t m, index_t n, const Entries& entries) {
  TripletMatrix t;
  t.nrows = m;
  t.ncols = n;
  for (const auto& [i, j, v] : entries) {
    t.rows.push_back(i);
    t.cols.push_back(j);
    t.values.push_back(v);
  }
  return to_csc(t);
}

}  // namespace spax::test
