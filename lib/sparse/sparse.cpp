#include "spax/sparse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "sparse/assemble.hpp"

namespace spax {

const char* to_string(Field f) noexcept {
  switch (f) {
    case Field::real:
      return "real";
    case Field::complex:
      return "complex";
    case Field::integer:
      return "integer";
    case Field::pattern:
      return "pattern";
  }
  return "real";
}

const char* to_string(Symmetry s) noexcept {
  switch (s) {
    case Symmetry::general:
      return "general";
    case Symmetry::symmetric:
      return "symmetric";
    case Symmetry::skew_symmetric:
      return "skew-symmetric";
    case Symmetry::hermitian:
      return "hermitian";
  }
  return "general";
}

void SparseMatrix::validate() const {
  auto fail = [](const std::string& m) { throw_internal("invalid sparse matrix: " + m); };
  if (nrows < 0 || ncols < 0) fail("negative dimension");
  if (static_cast<index_t>(colptr.size()) != ncols + 1) fail("colptr size != ncols + 1");
  if (colptr[0] != 0) fail("colptr[0] != 0");
  if (colptr.back() != nnz()) fail("colptr[ncols] != nnz");
  for (index_t j = 0; j < ncols; ++j) {
    if (colptr[j + 1] < colptr[j]) fail("colptr decreasing at column " + std::to_string(j));
    for (index_t p = colptr[j]; p < colptr[j + 1]; ++p) {
      if (rowind[p] < 0 || rowind[p] >= nrows) fail("row index out of range");
      if (p > colptr[j] && rowind[p - 1] >= rowind[p]) fail("rows not strictly increasing");
    }
  }
  const auto n = static_cast<std::size_t>(nnz());
  if (field == Field::complex) {
    if (zvalues.size() != n || !values.empty()) fail("complex values size");
  } else if (field == Field::pattern) {
    if (!values.empty() || !zvalues.empty()) fail("pattern matrix with values");
  } else if (values.size() != n || !zvalues.empty()) {
    fail("values size");
  }
}

namespace {

template <class V>
SparseMatrix assemble_from(const TripletMatrix& t, const std::vector<V>& vals, index_t* dups) {
  detail::CooChunk<index_t, V> chunk;
  chunk.rows = t.rows.data();
  chunk.cols = t.cols.data();
  chunk.vals = vals.empty() ? nullptr : vals.data();
  chunk.n = t.rows.size();
  auto r = detail::assemble_csc<index_t, V>(t.nrows, t.ncols, {chunk}, Symmetry::general, 1);
  SparseMatrix a;
  a.nrows = t.nrows;
  a.ncols = t.ncols;
  a.colptr = std::move(r.colptr);
  a.rowind = std::move(r.rowind);
  if constexpr (std::is_same_v<V, double>) a.values = std::move(r.vals);
  if constexpr (std::is_same_v<V, complex_t>) a.zvalues = std::move(r.vals);
  if (dups) *dups = r.duplicates;
  return a;
}

}  // namespace

SparseMatrix to_csc(const TripletMatrix& t, index_t* duplicates) {
  const std::size_t n = t.rows.size();
  if (t.cols.size() != n) throw_internal("to_csc: rows and cols differ in length");
  if (t.nrows < 0 || t.ncols < 0) throw_internal("to_csc: negative dimension");
  for (std::size_t k = 0; k < n; ++k) {
    if (t.rows[k] < 0 || t.rows[k] >= t.nrows || t.cols[k] < 0 || t.cols[k] >= t.ncols)
      throw_internal("to_csc: index out of range at entry " + std::to_string(k));
  }
  SparseMatrix a;
  if (t.field == Field::complex) {
    if (t.zvalues.size() != n) throw_internal("to_csc: complex values size");
    a = assemble_from(t, t.zvalues, duplicates);
  } else if (t.field == Field::pattern) {
    std::vector<detail::NoValue> none(n);
    a = assemble_from(t, none, duplicates);
  } else {
    if (t.values.size() != n) throw_internal("to_csc: values size");
    a = assemble_from(t, t.values, duplicates);
  }
  a.field = t.field;
  a.symmetry = t.symmetry;
  return a;
}

SparseMatrix transpose(const SparseMatrix& a, bool conjugate) {
  SparseMatrix t;
  t.nrows = a.ncols;
  t.ncols = a.nrows;
  t.field = a.field;
  t.symmetry = a.symmetry;
  const index_t nz = a.nnz();
  t.colptr.assign(static_cast<std::size_t>(a.nrows) + 1, 0);
  for (index_t p = 0; p < nz; ++p) ++t.colptr[a.rowind[p] + 1];
  for (index_t i = 0; i < a.nrows; ++i) t.colptr[i + 1] += t.colptr[i];
  std::vector<index_t> next(t.colptr.begin(), t.colptr.end() - 1);
  t.rowind.resize(static_cast<std::size_t>(nz));
  if (a.is_complex()) t.zvalues.resize(static_cast<std::size_t>(nz));
  if (a.has_values() && !a.is_complex()) t.values.resize(static_cast<std::size_t>(nz));
  for (index_t j = 0; j < a.ncols; ++j) {
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      index_t q = next[a.rowind[p]]++;
      t.rowind[q] = j;
      if (a.is_complex()) {
        t.zvalues[q] = conjugate ? std::conj(a.zvalues[p]) : a.zvalues[p];
      } else if (a.has_values()) {
        t.values[q] = a.values[p];
      }
    }
  }
  return t;
}

SparseMatrix pattern_of(const SparseMatrix& a) {
  SparseMatrix p;
  p.nrows = a.nrows;
  p.ncols = a.ncols;
  p.colptr = a.colptr;
  p.rowind = a.rowind;
  p.field = Field::pattern;
  p.symmetry = a.symmetry;
  return p;
}

SparseMatrix symmetrized_pattern(const SparseMatrix& a) {
  if (!a.is_square()) throw_usage("the pattern of A + A^T needs a square matrix");
  SparseMatrix t = transpose(pattern_of(a));
  SparseMatrix s;
  s.nrows = s.ncols = a.nrows;
  s.field = Field::pattern;
  s.symmetry = Symmetry::symmetric;
  s.colptr.assign(static_cast<std::size_t>(a.ncols) + 1, 0);
  s.rowind.reserve(static_cast<std::size_t>(a.nnz()) * 2);
  for (index_t j = 0; j < a.ncols; ++j) {
    index_t p = a.colptr[j], pe = a.colptr[j + 1], q = t.colptr[j], qe = t.colptr[j + 1];
    while (p < pe || q < qe) {
      index_t r;
      if (q >= qe || (p < pe && a.rowind[p] < t.rowind[q])) {
        r = a.rowind[p++];
      } else if (p >= pe || t.rowind[q] < a.rowind[p]) {
        r = t.rowind[q++];
      } else {
        r = a.rowind[p];
        ++p;
        ++q;
      }
      s.rowind.push_back(r);
    }
    s.colptr[j + 1] = static_cast<index_t>(s.rowind.size());
  }
  return s;
}

bool is_permutation(std::span<const index_t> p, index_t n) {
  if (static_cast<index_t>(p.size()) != n) return false;
  std::vector<char> seen(static_cast<std::size_t>(n), 0);
  for (index_t v : p) {
    if (v < 0 || v >= n || seen[static_cast<std::size_t>(v)]) return false;
    seen[static_cast<std::size_t>(v)] = 1;
  }
  return true;
}

std::vector<index_t> invert_permutation(std::span<const index_t> p) {
  const index_t n = static_cast<index_t>(p.size());
  if (!is_permutation(p, n)) throw_input("not a permutation of 0.." + std::to_string(n - 1));
  std::vector<index_t> inv(static_cast<std::size_t>(n));
  for (index_t k = 0; k < n; ++k) inv[static_cast<std::size_t>(p[k])] = k;
  return inv;
}

SparseMatrix permute(const SparseMatrix& a, std::span<const index_t> row_perm,
                     std::span<const index_t> col_perm) {
  if (!row_perm.empty() && !is_permutation(row_perm, a.nrows))
    throw_input("row permutation does not match the matrix (" + std::to_string(a.nrows) + " rows)");
  if (!col_perm.empty() && !is_permutation(col_perm, a.ncols))
    throw_input("column permutation does not match the matrix (" + std::to_string(a.ncols) +
                " columns)");
  std::vector<index_t> pinv;
  if (!row_perm.empty()) pinv = invert_permutation(row_perm);
  SparseMatrix b;
  b.nrows = a.nrows;
  b.ncols = a.ncols;
  b.field = a.field;
  b.symmetry = Symmetry::general;
  b.colptr.assign(static_cast<std::size_t>(a.ncols) + 1, 0);
  b.rowind.resize(a.rowind.size());
  b.values.resize(a.values.size());
  b.zvalues.resize(a.zvalues.size());
  std::vector<std::pair<index_t, index_t>> col;
  index_t out = 0;
  for (index_t j = 0; j < a.ncols; ++j) {
    index_t src = col_perm.empty() ? j : col_perm[static_cast<std::size_t>(j)];
    col.clear();
    for (index_t p = a.colptr[src]; p < a.colptr[src + 1]; ++p)
      col.emplace_back(pinv.empty() ? a.rowind[p] : pinv[static_cast<std::size_t>(a.rowind[p])], p);
    if (!pinv.empty()) std::sort(col.begin(), col.end());
    for (auto [r, p] : col) {
      b.rowind[out] = r;
      if (!a.values.empty()) b.values[out] = a.values[p];
      if (!a.zvalues.empty()) b.zvalues[out] = a.zvalues[p];
      ++out;
    }
    b.colptr[j + 1] = out;
  }
  return b;
}

SparseMatrix permute_symmetric(const SparseMatrix& a, std::span<const index_t> p) {
  if (!a.is_square()) throw_usage("a symmetric permutation needs a square matrix");
  SparseMatrix b = permute(a, p, p);
  b.symmetry = a.symmetry;
  return b;
}

index_t diagonal_nnz(const SparseMatrix& a) {
  index_t d = 0;
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      if (a.rowind[p] == j) ++d;
  return d;
}

index_t explicit_zeros(const SparseMatrix& a) {
  index_t z = 0;
  for (double v : a.values) z += (v == 0.0);
  for (const complex_t& v : a.zvalues) z += (v == complex_t(0.0, 0.0));
  return z;
}

bool all_finite(const SparseMatrix& a) {
  for (double v : a.values)
    if (!std::isfinite(v)) return false;
  for (const complex_t& v : a.zvalues)
    if (!std::isfinite(v.real()) || !std::isfinite(v.imag())) return false;
  return true;
}

std::string first_nonfinite_entry(const SparseMatrix& a) {
  auto finite = [&](index_t p) {
    return a.is_complex() ? std::isfinite(a.zvalues[p].real()) && std::isfinite(a.zvalues[p].imag())
                          : std::isfinite(a.values[p]);
  };
  if (!a.has_values()) return {};
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      if (finite(p)) continue;
      char buf[128];
      if (a.is_complex())
        std::snprintf(buf, sizeof buf, "(%g, %g) at row %lld, column %lld", a.zvalues[p].real(),
                      a.zvalues[p].imag(), static_cast<long long>(a.rowind[p] + 1),
                      static_cast<long long>(j + 1));
      else
        std::snprintf(buf, sizeof buf, "%g at row %lld, column %lld", a.values[p],
                      static_cast<long long>(a.rowind[p] + 1), static_cast<long long>(j + 1));
      return buf;
    }
  return {};
}

namespace {
template <class T>
void multiply_impl(const SparseMatrix& a, std::span<const T> x, std::span<T> y) {
  if (static_cast<index_t>(x.size()) != a.ncols || static_cast<index_t>(y.size()) != a.nrows)
    throw_internal("multiply: vector sizes do not match the matrix");
  std::fill(y.begin(), y.end(), T(0));
  for (index_t j = 0; j < a.ncols; ++j) {
    const T xj = x[static_cast<std::size_t>(j)];
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      T v;
      if constexpr (std::is_same_v<T, complex_t>) {
        v = a.is_complex() ? a.zvalues[p] : (a.has_values() ? T(a.values[p]) : T(1.0));
      } else {
        if (a.is_complex()) throw_internal("multiply: complex matrix with a real vector");
        v = a.has_values() ? a.values[p] : 1.0;
      }
      y[static_cast<std::size_t>(a.rowind[p])] += v * xj;
    }
  }
}
// y = A^H x: one dot product per column, no transposed copy.
template <class T>
void multiply_adjoint_impl(const SparseMatrix& a, std::span<const T> x, std::span<T> y) {
  if (static_cast<index_t>(x.size()) != a.nrows || static_cast<index_t>(y.size()) != a.ncols)
    throw_internal("multiply_adjoint: vector sizes do not match the matrix");
  if constexpr (!std::is_same_v<T, complex_t>)
    if (a.is_complex()) throw_internal("multiply_adjoint: complex matrix with a real vector");
  for (index_t j = 0; j < a.ncols; ++j) {
    T s(0);
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      const T xi = x[static_cast<std::size_t>(a.rowind[p])];
      if constexpr (std::is_same_v<T, complex_t>) {
        s += (a.is_complex() ? std::conj(a.zvalues[p])
                             : (a.has_values() ? T(a.values[p]) : T(1.0))) *
             xi;
      } else {
        s += (a.has_values() ? a.values[p] : 1.0) * xi;
      }
    }
    y[static_cast<std::size_t>(j)] = s;
  }
}
}  // namespace

void multiply(const SparseMatrix& a, std::span<const double> x, std::span<double> y) {
  multiply_impl<double>(a, x, y);
}
void multiply(const SparseMatrix& a, std::span<const complex_t> x, std::span<complex_t> y) {
  multiply_impl<complex_t>(a, x, y);
}
void multiply_adjoint(const SparseMatrix& a, std::span<const double> x, std::span<double> y) {
  multiply_adjoint_impl<double>(a, x, y);
}
void multiply_adjoint(const SparseMatrix& a, std::span<const complex_t> x, std::span<complex_t> y) {
  multiply_adjoint_impl<complex_t>(a, x, y);
}

namespace {
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;
constexpr std::uint64_t kFnvPrime = 0x100000001B3ull;
inline std::uint64_t mix64(std::uint64_t z) {  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
inline std::uint64_t rotl(std::uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}
struct FingerprintState {
  std::uint64_t h[2] = {0x736761782D666E30ull, 0x736761782D666E31ull};  // seeds
  std::uint64_t count = 0;
  void add(std::uint64_t w) {
    h[0] = rotl(h[0] ^ mix64(w), 27) * kFnvPrime;
    h[1] = rotl(h[1] ^ mix64(w + kGolden), 27) * kFnvPrime;
    ++count;
  }
};
}  // namespace

Fingerprint pattern_fingerprint(const SparseMatrix& a) {
  FingerprintState s;
  s.add(static_cast<std::uint64_t>(a.nrows));
  s.add(static_cast<std::uint64_t>(a.ncols));
  for (index_t v : a.colptr) s.add(static_cast<std::uint64_t>(v));
  for (index_t v : a.rowind) s.add(static_cast<std::uint64_t>(v));
  const std::uint64_t len = s.count;
  s.add(len);
  Fingerprint f;
  f.lane[0] = mix64(s.h[0]);
  f.lane[1] = mix64(s.h[1]);
  return f;
}

std::string Fingerprint::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(lane[0]),
                static_cast<unsigned long long>(lane[1]));
  return buf;
}

SparseMatrix synthesize_values(const SparseMatrix& pattern) {
  if (!pattern.is_square()) throw_usage("values can be synthesized only for a square matrix");
  const index_t n = pattern.ncols;
  TripletMatrix t;
  t.nrows = t.ncols = n;
  t.field = Field::real;
  std::vector<double> rowsum(static_cast<std::size_t>(n), 0.0), colsum(rowsum);
  for (index_t j = 0; j < n; ++j) {
    for (index_t p = pattern.colptr[j]; p < pattern.colptr[j + 1]; ++p) {
      index_t i = pattern.rowind[p];
      if (i == j) continue;
      // Hashed on the unordered pair {i, j}: a_ij = a_ji wherever both are stored, so a
      // symmetric pattern gets symmetric values.
      const auto lo = static_cast<std::uint64_t>(std::min(i, j)),
                 hi = static_cast<std::uint64_t>(std::max(i, j));
      std::uint64_t h = mix64(lo * kGolden ^ mix64(hi + 1));
      double v = -(0.5 + static_cast<double>(h >> 11) * 0x1.0p-53);
      t.rows.push_back(i);
      t.cols.push_back(j);
      t.values.push_back(v);
      rowsum[static_cast<std::size_t>(i)] += std::fabs(v);
      colsum[static_cast<std::size_t>(j)] += std::fabs(v);
    }
  }
  for (index_t j = 0; j < n; ++j) {
    t.rows.push_back(j);
    t.cols.push_back(j);
    t.values.push_back(1.0 + rowsum[static_cast<std::size_t>(j)] +
                       colsum[static_cast<std::size_t>(j)]);
  }
  SparseMatrix out = to_csc(t);
  // Symmetric storage gives symmetric values (the diagonal is then rowsum + colsum of one
  // symmetric pattern): the result is symmetric positive definite and says so.
  if (pattern.symmetry == Symmetry::symmetric || pattern.symmetry == Symmetry::hermitian)
    out.symmetry = Symmetry::symmetric;
  return out;
}

}  // namespace spax
