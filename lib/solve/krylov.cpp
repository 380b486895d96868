// The Krylov loops of the iterative backends (right-preconditioned BiCGSTAB and GMRES(m),
// preconditioned CG, AMG cycles) and the row-wise matrix they multiply with.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "solve/iterative.hpp"

namespace spax {

void Csr::multiply(const double* x, double* y) const {
  const index_t* rp = rowptr.data();
  const index_t* ci = colind.data();
  const double* v = values.data();
  for (index_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (index_t k = rp[i]; k < rp[i + 1]; ++k) s += v[k] * x[ci[k]];
    y[i] = s;
  }
}

Preconditioner::~Preconditioner() = default;

}  // namespace spax

namespace spax::solve_detail {

// --- the matrix by rows ------------------------------------------------------------------------

Csr make_csr(const SparseMatrix& a) {
  Csr c;
  c.n = a.nrows;
  c.rowptr.assign(static_cast<std::size_t>(a.nrows) + 1, 0);
  for (index_t p = 0; p < a.nnz(); ++p) ++c.rowptr[static_cast<std::size_t>(a.rowind[p]) + 1];
  for (index_t i = 0; i < a.nrows; ++i) c.rowptr[i + 1] += c.rowptr[i];
  c.colind.resize(static_cast<std::size_t>(a.nnz()));
  c.from_csc.resize(static_cast<std::size_t>(a.nnz()));
  std::vector<index_t> next(c.rowptr.begin(), c.rowptr.end() - 1);
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      const index_t k = next[static_cast<std::size_t>(a.rowind[p])]++;
      c.colind[k] = j;
      c.from_csc[k] = p;
    }
  update_csr_values(c, a);
  return c;
}

void update_csr_values(Csr& c, const SparseMatrix& a) {
  c.values.resize(c.from_csc.size());
  for (std::size_t k = 0; k < c.from_csc.size(); ++k)
    c.values[k] = a.values.empty() ? 1.0 : a.values[static_cast<std::size_t>(c.from_csc[k])];
}

double norm2(const double* x, index_t n) {
  double s = 0.0;
  for (index_t i = 0; i < n; ++i) s += x[i] * x[i];
  return std::sqrt(s);
}

void residual_into(const Csr& a, const double* b, const double* x, double* r) {
  a.multiply(x, r);
  for (index_t i = 0; i < a.n; ++i) r[i] = b[i] - r[i];
}

double residual_norm(const Csr& a, const double* b, const double* x) {
  std::vector<double> r(static_cast<std::size_t>(a.n));
  residual_into(a, b, x, r.data());
  return norm2(r.data(), a.n);
}

// --- knobs -------------------------------------------------------------------------------------

// --- Krylov loops ------------------------------------------------------------------------------

namespace {
double dot(const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}
void record(KrylovControl& c, double rnorm) {
  if (c.history) c.history->push_back(rnorm / c.bnorm);
}
std::vector<double> initial_residual(const Csr& a, const double* b, const double* x) {
  std::vector<double> r(static_cast<std::size_t>(a.n));
  residual_into(a, b, x, r.data());
  return r;
}
}  // namespace

int run_cg(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c) {
  const auto n = static_cast<std::size_t>(a.n);
  std::vector<double> r = initial_residual(a, b, x), z(n), p(n), q(n);
  if (norm2(r.data(), a.n) <= c.tol * c.bnorm) return 0;
  m.apply(r.data(), z.data());
  p = z;
  double rz = dot(r, z);
  for (int k = 1; k <= c.max_iter; ++k) {
    a.multiply(p.data(), q.data());
    const double pq = dot(p, q);
    if (!(pq > 0.0) || !std::isfinite(rz)) {
      std::ostringstream m;
      m << "p'Ap = " << pq << " (the matrix or the preconditioner is not positive definite)";
      c.breakdown = m.str();
      return k - 1;
    }
    const double alpha = rz / pq;
    for (std::size_t i = 0; i < n; ++i) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    const double rn = norm2(r.data(), a.n);
    record(c, rn);
    if (rn <= c.tol * c.bnorm) return k;
    m.apply(r.data(), z.data());
    const double rz_new = dot(r, z);
    const double beta = rz_new / rz;
    rz = rz_new;
    for (std::size_t i = 0; i < n; ++i) p[i] = z[i] + beta * p[i];
  }
  return c.max_iter;
}

int run_bicgstab(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c) {
  const auto n = static_cast<std::size_t>(a.n);
  std::vector<double> r = initial_residual(a, b, x), rhat, p(n, 0.0), v(n, 0.0), y(n), s(n), z(n),
                      t(n);
  if (norm2(r.data(), a.n) <= c.tol * c.bnorm) return 0;
  rhat = r;
  double rho = 1.0, alpha = 1.0, omega = 1.0;
  for (int k = 1; k <= c.max_iter; ++k) {
    const double rho_new = dot(rhat, r);
    if (rho_new == 0.0 || !std::isfinite(rho_new)) {
      c.breakdown = "rho = 0 (the shadow residual became orthogonal to the residual)";
      return k - 1;
    }
    const double beta = (rho_new / rho) * (alpha / omega);
    for (std::size_t i = 0; i < n; ++i) p[i] = r[i] + beta * (p[i] - omega * v[i]);
    m.apply(p.data(), y.data());
    a.multiply(y.data(), v.data());
    const double rv = dot(rhat, v);
    if (rv == 0.0 || !std::isfinite(rv)) {
      c.breakdown = "r^ . v = 0";
      return k - 1;
    }
    alpha = rho_new / rv;
    for (std::size_t i = 0; i < n; ++i) s[i] = r[i] - alpha * v[i];
    const double sn = norm2(s.data(), a.n);
    if (sn <= c.tol * c.bnorm) {
      for (std::size_t i = 0; i < n; ++i) x[i] += alpha * y[i];
      record(c, sn);
      return k;
    }
    m.apply(s.data(), z.data());
    a.multiply(z.data(), t.data());
    const double tt = dot(t, t);
    omega = tt > 0.0 ? dot(t, s) / tt : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      x[i] += alpha * y[i] + omega * z[i];
      r[i] = s[i] - omega * t[i];
    }
    const double rn = norm2(r.data(), a.n);
    record(c, rn);
    if (rn <= c.tol * c.bnorm) return k;
    if (omega == 0.0 || !std::isfinite(omega)) {
      c.breakdown = "omega = 0 (stagnation)";
      return k;
    }
    rho = rho_new;
  }
  return c.max_iter;
}

int run_gmres(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c) {
  const auto n = static_cast<std::size_t>(a.n);
  const int mr = std::max(1, c.restart);
  std::vector<std::vector<double>> v(static_cast<std::size_t>(mr) + 1, std::vector<double>(n));
  std::vector<std::vector<double>> h(static_cast<std::size_t>(mr) + 1,
                                     std::vector<double>(static_cast<std::size_t>(mr), 0.0));
  std::vector<double> cs(static_cast<std::size_t>(mr)), sn(static_cast<std::size_t>(mr)),
      g(static_cast<std::size_t>(mr) + 1), z(n), w(n), y(static_cast<std::size_t>(mr));
  int total = 0;
  while (total < c.max_iter) {
    std::vector<double> r = initial_residual(a, b, x);
    const double beta = norm2(r.data(), a.n);
    if (beta <= c.tol * c.bnorm) return total;
    for (std::size_t i = 0; i < n; ++i) v[0][i] = r[i] / beta;
    std::fill(g.begin(), g.end(), 0.0);
    g[0] = beta;
    int j = 0;
    bool done = false;
    for (; j < mr && total < c.max_iter; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      m.apply(v[ju].data(), z.data());
      a.multiply(z.data(), w.data());
      for (int i = 0; i <= j; ++i) {  // modified Gram-Schmidt
        const auto iu = static_cast<std::size_t>(i);
        const double hij = dot(w, v[iu]);
        h[iu][ju] = hij;
        for (std::size_t q = 0; q < n; ++q) w[q] -= hij * v[iu][q];
      }
      const double hn = norm2(w.data(), a.n);
      h[ju + 1][ju] = hn;
      if (hn > 0.0)
        for (std::size_t q = 0; q < n; ++q) v[ju + 1][q] = w[q] / hn;
      for (int i = 0; i < j; ++i) {  // earlier rotations
        const auto iu = static_cast<std::size_t>(i);
        const double t = cs[iu] * h[iu][ju] + sn[iu] * h[iu + 1][ju];
        h[iu + 1][ju] = -sn[iu] * h[iu][ju] + cs[iu] * h[iu + 1][ju];
        h[iu][ju] = t;
      }
      const double den = std::hypot(h[ju][ju], h[ju + 1][ju]);
      cs[ju] = den > 0.0 ? h[ju][ju] / den : 1.0;
      sn[ju] = den > 0.0 ? h[ju + 1][ju] / den : 0.0;
      h[ju][ju] = den;
      h[ju + 1][ju] = 0.0;
      g[ju + 1] = -sn[ju] * g[ju];
      g[ju] = cs[ju] * g[ju];
      ++total;
      const double rn = std::fabs(g[ju + 1]);
      record(c, rn);
      if (!std::isfinite(rn)) {
        c.breakdown = "the residual is not finite";
        return total;
      }
      if (rn <= c.tol * c.bnorm || hn == 0.0) {
        ++j;
        done = true;
        break;
      }
    }
    // x += M^{-1} V y with H y = g (upper triangular, j columns).
    for (int i = j - 1; i >= 0; --i) {
      const auto iu = static_cast<std::size_t>(i);
      double s = g[iu];
      for (int q = i + 1; q < j; ++q) s -= h[iu][static_cast<std::size_t>(q)] * y[q];
      y[iu] = h[iu][iu] != 0.0 ? s / h[iu][iu] : 0.0;
    }
    std::fill(w.begin(), w.end(), 0.0);
    for (int i = 0; i < j; ++i)
      for (std::size_t q = 0; q < n; ++q) w[q] += y[static_cast<std::size_t>(i)] * v[i][q];
    m.apply(w.data(), z.data());
    for (std::size_t q = 0; q < n; ++q) x[q] += z[q];
    if (done) return total;
  }
  return total;
}

int run_richardson(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c) {
  const auto n = static_cast<std::size_t>(a.n);
  std::vector<double> r = initial_residual(a, b, x), z(n);
  double rn = norm2(r.data(), a.n);
  if (rn <= c.tol * c.bnorm) return 0;
  for (int k = 1; k <= c.max_iter; ++k) {
    m.apply(r.data(), z.data());
    for (std::size_t i = 0; i < n; ++i) x[i] += z[i];
    residual_into(a, b, x, r.data());
    const double prev = rn;
    rn = norm2(r.data(), a.n);
    record(c, rn);
    if (rn <= c.tol * c.bnorm) return k;
    if (!std::isfinite(rn) || rn > 1e6 * prev) {
      c.breakdown = "the cycles diverge";
      return k;
    }
  }
  return c.max_iter;
}

}  // namespace spax::solve_detail
