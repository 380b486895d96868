#include "klu_lu.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spax::cuda_plugin {

namespace {
SuiteSparse_long* mut(const std::vector<index_t>& v) {
  return const_cast<SuiteSparse_long*>(reinterpret_cast<const SuiteSparse_long*>(v.data()));
}
}  // namespace

CsrPattern csr_pattern(const SparseMatrix& a) {
  CsrPattern c;
  c.n = to_int32(a.nrows, "cuda-rf: matrix dimension");
  to_int32(a.nnz(), "cuda-rf: number of nonzeros");
  const auto n = static_cast<std::size_t>(c.n);
  c.rowptr.assign(n + 1, 0);
  for (index_t i : a.rowind) ++c.rowptr[static_cast<std::size_t>(i) + 1];
  for (std::size_t i = 0; i < n; ++i) c.rowptr[i + 1] += c.rowptr[i];
  c.colind.resize(a.rowind.size());
  c.from_csc.resize(a.rowind.size());
  std::vector<int> next(c.rowptr.begin(), c.rowptr.end() - 1);
  // Columns in increasing order: each row's entries come out sorted by column.
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      const int t = next[static_cast<std::size_t>(a.rowind[p])]++;
      c.colind[t] = static_cast<int>(j);
      c.from_csc[t] = static_cast<int>(p);
    }
  return c;
}

KluLu::KluLu() {
  klu_l_defaults(&c_);
  c_.halt_if_singular = 1;
}

KluLu::~KluLu() {
  free_numeric();
  if (sym_) klu_l_free_symbolic(&sym_, &c_);
}

void KluLu::free_numeric() {
  if (num_) klu_l_free_numeric(&num_, &c_);
}

void KluLu::analyze(const SparseMatrix& a, const std::string& ordering,
                    const std::vector<index_t>& given, bool btf) {
  free_numeric();
  if (sym_) klu_l_free_symbolic(&sym_, &c_);
  n_ = a.nrows;
  c_.btf = btf ? 1 : 0;
  auto* Ap = mut(a.colptr);
  auto* Ai = mut(a.rowind);
  if (ordering == "amd" || ordering == "colamd") {
    c_.ordering = ordering == "amd" ? 0 : 1;
    sym_ = klu_l_analyze(n_, Ap, Ai, &c_);
  } else if (ordering == "natural") {
    sym_ = klu_l_analyze_given(n_, Ap, Ai, nullptr, nullptr, &c_);
  } else if (ordering == "given") {
    if (!is_permutation(given, n_))
      throw_usage("cuda-rf: the given ordering is not a permutation of 0.." +
                  std::to_string(n_ - 1));
    sym_ = klu_l_analyze_given(n_, Ap, Ai, nullptr, mut(given), &c_);
  } else {
    throw_usage("cuda-rf: unknown ordering '" + ordering + "' (amd, colamd, natural, given)");
  }
  if (!sym_) throw_internal("klu_l_analyze failed (status " + std::to_string(c_.status) + ")");
}

void KluLu::factor(const SparseMatrix& a) {
  free_numeric();
  num_ =
      klu_l_factor(mut(a.colptr), mut(a.rowind), const_cast<double*>(a.values.data()), sym_, &c_);
  if (!num_) {
    if (c_.status == KLU_SINGULAR) throw_singular(a, c_.singular_col < n_ ? c_.singular_col : -1);
    throw_internal("klu_l_factor failed (status " + std::to_string(c_.status) + ")");
  }
}

index_t KluLu::lnz() const {
  return num_ ? num_->lnz : -1;
}
index_t KluLu::unz() const {
  return num_ ? num_->unz : -1;
}

double KluLu::flops() const {
  if (!num_) return std::numeric_limits<double>::quiet_NaN();
  auto* c = const_cast<klu_l_common*>(&c_);
  klu_l_flops(sym_, num_, c);
  return c->flops;
}

double KluLu::condest(const SparseMatrix& a) {
  if (!num_) return std::numeric_limits<double>::quiet_NaN();
  if (!klu_l_condest(mut(a.colptr), const_cast<double*>(a.values.data()), sym_, num_, &c_) ||
      !(c_.condest > 0))
    return std::numeric_limits<double>::quiet_NaN();
  return 1.0 / c_.condest;
}

CsrFactors KluLu::extract() const {
  if (!num_) throw_internal("cuda-rf: no factorization to extract");
  const index_t n = n_;
  const auto un = static_cast<std::size_t>(n);
  const index_t lnz = num_->lnz, unz = num_->unz;
  std::vector<SuiteSparse_long> Lp(un + 1), Li(static_cast<std::size_t>(lnz)), Up(un + 1),
      Ui(static_cast<std::size_t>(unz)), P(un), Q(un);
  std::vector<double> Lx(static_cast<std::size_t>(lnz)), Ux(static_cast<std::size_t>(unz)),
      Rs(un, 1.0);
  auto* c = const_cast<klu_l_common*>(&c_);
  if (!klu_l_extract(num_, sym_, Lp.data(), Li.data(), Lx.data(), Up.data(), Ui.data(), Ux.data(),
                     nullptr, nullptr, nullptr, P.data(), Q.data(), Rs.data(), nullptr, c))
    throw_internal("klu_l_extract failed (status " + std::to_string(c_.status) + ")");
  // KLU factors P (R \ A) Q = L U (+ F, the off-diagonal blocks, empty without BTF), and hands
  // back the row scale factors already in pivot order: r_k = Rs[k] scales row P[k] of A. So
  // P A Q = diag(r) L U = (diag(r) L diag(r)^-1) (diag(r) U), and diag(r) L diag(r)^-1 is again
  // unit lower triangular.
  const std::vector<double>& r = Rs;
  CsrFactors f;
  f.n = to_int32(n, "cuda-rf: matrix dimension");
  f.P.assign(P.begin(), P.end());
  f.Q.assign(Q.begin(), Q.end());
  // CSC -> CSR by counting; scanning columns in order leaves each row sorted by column.
  auto to_csr = [&](const std::vector<SuiteSparse_long>& cp,
                    const std::vector<SuiteSparse_long>& ci, const std::vector<double>& cx,
                    bool lower, std::vector<int>& rp, std::vector<int>& rj,
                    std::vector<double>& rx) {
    rp.assign(un + 1, 0);
    for (std::size_t j = 0; j < un; ++j)
      for (auto p = cp[j]; p < cp[j + 1]; ++p)
        if (!lower || static_cast<std::size_t>(ci[static_cast<std::size_t>(p)]) != j)
          ++rp[static_cast<std::size_t>(ci[static_cast<std::size_t>(p)]) + 1];
    for (std::size_t i = 0; i < un; ++i) rp[i + 1] += rp[i];
    to_int32(rp[un], "cuda-rf: entries of a factor");
    rj.resize(static_cast<std::size_t>(rp[un]));
    rx.resize(static_cast<std::size_t>(rp[un]));
    std::vector<int> next(rp.begin(), rp.end() - 1);
    for (std::size_t j = 0; j < un; ++j)
      for (auto p = cp[j]; p < cp[j + 1]; ++p) {
        const auto i = static_cast<std::size_t>(ci[static_cast<std::size_t>(p)]);
        if (lower && i == j) continue;
        const int t = next[i]++;
        rj[static_cast<std::size_t>(t)] = static_cast<int>(j);
        const double v = cx[static_cast<std::size_t>(p)];
        rx[static_cast<std::size_t>(t)] = lower ? r[i] * v / r[j] : r[i] * v;
      }
  };
  to_csr(Lp, Li, Lx, true, f.Lp, f.Lj, f.Lx);
  to_csr(Up, Ui, Ux, false, f.Up, f.Uj, f.Ux);
  return f;
}

LuPattern lu_pattern(const SparseMatrix& a, const CsrFactors& f, std::int64_t max_pairs) {
  LuPattern m;
  m.n = f.n;
  const auto n = static_cast<std::size_t>(f.n);
  m.Mp.assign(n + 1, 0);
  m.diag.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const int lb = f.Lp[i], le = f.Lp[i + 1], ub = f.Up[i], ue = f.Up[i + 1];
    if (ub == ue || f.Uj[static_cast<std::size_t>(ub)] != static_cast<int>(i))
      throw_internal("cuda-rf: U has no diagonal entry in row " + std::to_string(i));
    m.Mp[i + 1] = m.Mp[i] + (le - lb) + (ue - ub);
  }
  m.Mj.resize(static_cast<std::size_t>(m.Mp[n]));
  for (std::size_t i = 0; i < n; ++i) {
    auto out = m.Mj.begin() + m.Mp[i];
    out = std::copy(f.Lj.begin() + f.Lp[i], f.Lj.begin() + f.Lp[i + 1], out);
    m.diag[i] = static_cast<int>(out - m.Mj.begin());
    std::copy(f.Uj.begin() + f.Up[i], f.Uj.begin() + f.Up[i + 1], out);
  }
  std::vector<int> pinv(n), qinv(n);
  for (std::size_t k = 0; k < n; ++k) {
    pinv[static_cast<std::size_t>(f.P[k])] = static_cast<int>(k);
    qinv[static_cast<std::size_t>(f.Q[k])] = static_cast<int>(k);
  }
  m.amap.resize(a.rowind.size());
  for (index_t c = 0; c < a.ncols; ++c)
    for (index_t p = a.colptr[c]; p < a.colptr[c + 1]; ++p) {
      const int i = pinv[static_cast<std::size_t>(a.rowind[p])];
      const int j = qinv[static_cast<std::size_t>(c)];
      const auto b = m.Mj.begin() + m.Mp[i], e = m.Mj.begin() + m.Mp[i + 1];
      const auto it = std::lower_bound(b, e, j);
      if (it == e || *it != j)
        throw_internal("cuda-rf: entry (" + std::to_string(a.rowind[p]) + ", " + std::to_string(c) +
                       ") of A lies outside the pattern of L + U");
      m.amap[static_cast<std::size_t>(p)] = static_cast<int>(it - m.Mj.begin());
    }
  // Level sets.
  auto group = [&](const std::vector<int>& level, std::vector<int>& ptr, std::vector<int>& rows,
                   bool descending) {
    const int levels = n ? *std::max_element(level.begin(), level.end()) + 1 : 0;
    ptr.assign(static_cast<std::size_t>(levels) + 1, 0);
    for (int l : level) ++ptr[static_cast<std::size_t>(l) + 1];
    for (int l = 0; l < levels; ++l) ptr[l + 1] += ptr[l];
    rows.resize(n);
    std::vector<int> next(ptr.begin(), ptr.end() - 1);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = descending ? n - 1 - k : k;
      rows[static_cast<std::size_t>(next[static_cast<std::size_t>(level[i])]++)] =
          static_cast<int>(i);
    }
  };
  std::vector<int> level(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    int l = 0;
    for (int p = m.Mp[i]; p < m.diag[i]; ++p) {
      const auto k = static_cast<std::size_t>(m.Mj[static_cast<std::size_t>(p)]);
      l = std::max(l, level[k] + 1);
      m.update_count += 1 + (m.Mp[k + 1] - m.diag[k] - 1);
    }
    level[i] = l;
  }
  group(level, m.lower_level_ptr, m.lower_level_rows, false);
  std::fill(level.begin(), level.end(), 0);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = n - 1 - k;
    int l = 0;
    for (int p = m.diag[i] + 1; p < m.Mp[i + 1]; ++p)
      l = std::max(l, level[static_cast<std::size_t>(m.Mj[static_cast<std::size_t>(p)])] + 1);
    level[i] = l;
  }
  group(level, m.upper_level_ptr, m.upper_level_rows, true);
  // The update list: row i's positions by column through a map that is reset after each row.
  if (m.update_count <= max_pairs) {
    const auto nnzM = static_cast<std::size_t>(m.Mp[n]);
    m.pair_ptr.assign(nnzM + 1, 0);
    m.pair_src.reserve(static_cast<std::size_t>(m.update_count));
    m.pair_dst.reserve(static_cast<std::size_t>(m.update_count));
    std::vector<int> where(n, -1);
    for (std::size_t i = 0; i < n; ++i) {
      for (int p = m.Mp[i]; p < m.Mp[i + 1]; ++p)
        where[static_cast<std::size_t>(m.Mj[static_cast<std::size_t>(p)])] = p;
      for (int p = m.Mp[i]; p < m.Mp[i + 1]; ++p) {
        if (p < m.diag[i]) {
          const auto k = static_cast<std::size_t>(m.Mj[static_cast<std::size_t>(p)]);
          for (int q = m.diag[k] + 1; q < m.Mp[k + 1]; ++q) {
            const int w = where[static_cast<std::size_t>(m.Mj[static_cast<std::size_t>(q)])];
            if (w < 0) throw_internal("cuda-rf: the pattern of L + U is not closed");
            m.pair_src.push_back(q);
            m.pair_dst.push_back(w);
          }
        }
        m.pair_ptr[static_cast<std::size_t>(p) + 1] = static_cast<std::int64_t>(m.pair_src.size());
      }
      for (int p = m.Mp[i]; p < m.Mp[i + 1]; ++p)
        where[static_cast<std::size_t>(m.Mj[static_cast<std::size_t>(p)])] = -1;
    }
  }
  return m;
}

double pivot_ratio(const CsrFactors& f) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
  for (int i = 0; i < f.n; ++i) {
    const double d = std::abs(f.Ux[static_cast<std::size_t>(f.Up[static_cast<std::size_t>(i)])]);
    if (!std::isfinite(d)) return 0.0;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  return f.n == 0 ? 1.0 : (hi > 0 ? lo / hi : 0.0);
}

}  // namespace spax::cuda_plugin
