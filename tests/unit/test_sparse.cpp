// Sparse types: conversions, transposes, permutations and the pattern fingerprint, each checked
// against a dense reference computed in the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "spax/io.hpp"
#include "spax/sparse.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using Dense = std::vector<std::vector<double>>;  // [row][col], NaN = not stored

Dense to_dense(const SparseMatrix& a) {
  Dense d(static_cast<std::size_t>(a.nrows),
          std::vector<double>(static_cast<std::size_t>(a.ncols), std::nan("")));
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      d[a.rowind[p]][j] = a.has_values() ? a.values[p] : 1.0;
  return d;
}

SparseMatrix random_matrix(index_t m, index_t n, int nz, unsigned seed) {
  std::mt19937 rng(seed);
  TripletMatrix t;
  t.nrows = m;
  t.ncols = n;
  for (int k = 0; k < nz; ++k) {
    t.rows.push_back(static_cast<index_t>(rng() % m));
    t.cols.push_back(static_cast<index_t>(rng() % n));
    t.values.push_back(static_cast<double>(rng() % 19) - 9);
  }
  return to_csc(t);
}

TEST(Sparse, ToCscSumsDuplicatesAndSorts) {
  TripletMatrix t;
  t.nrows = 3;
  t.ncols = 2;
  t.rows = {2, 0, 2, 1, 0};
  t.cols = {0, 0, 0, 1, 1};
  t.values = {1, 2, 3, 4, 5};
  index_t dups = -1;
  auto a = to_csc(t, &dups);
  a.validate();
  EXPECT_EQ(dups, 1);
  EXPECT_EQ(a.colptr, (std::vector<index_t>{0, 2, 4}));
  EXPECT_EQ(a.rowind, (std::vector<index_t>{0, 2, 0, 1}));
  EXPECT_EQ(a.values, (std::vector<double>{2, 4, 5, 4}));
}

TEST(Sparse, TransposeMatchesDense) {
  for (unsigned s = 1; s < 6; ++s) {
    auto a = random_matrix(7, 5, 20, s);
    auto t = transpose(a);
    t.validate();
    Dense da = to_dense(a), dt = to_dense(t);
    for (index_t i = 0; i < 7; ++i)
      for (index_t j = 0; j < 5; ++j) {
        EXPECT_EQ(std::isnan(da[i][j]), std::isnan(dt[j][i]));
        if (!std::isnan(da[i][j])) {
          EXPECT_EQ(da[i][j], dt[j][i]);
        }
      }
  }
}

TEST(Sparse, ConjugateTranspose) {
  TripletMatrix t;
  t.nrows = t.ncols = 2;
  t.field = Field::complex;
  t.rows = {1};
  t.cols = {0};
  t.zvalues = {complex_t(1, 2)};
  auto a = to_csc(t);
  auto h = transpose(a, true);
  EXPECT_EQ(h.rowind, (std::vector<index_t>{0}));
  EXPECT_EQ(h.colptr, (std::vector<index_t>{0, 0, 1}));
  EXPECT_EQ(h.zvalues[0], complex_t(1, -2));
}

TEST(Sparse, SymmetrizedPatternIsUnion) {
  for (unsigned s = 1; s < 6; ++s) {
    auto a = random_matrix(9, 9, 25, s);
    auto sp = symmetrized_pattern(a);
    sp.validate();
    Dense da = to_dense(a), ds = to_dense(sp);
    for (int i = 0; i < 9; ++i)
      for (int j = 0; j < 9; ++j)
        EXPECT_EQ(!std::isnan(ds[i][j]), !std::isnan(da[i][j]) || !std::isnan(da[j][i]));
  }
  EXPECT_THROW(symmetrized_pattern(random_matrix(3, 4, 3, 1)), Error);
}

TEST(Sparse, PermuteMatchesDefinition) {
  auto a = random_matrix(6, 6, 18, 7);
  std::vector<index_t> p = {3, 0, 5, 1, 4, 2}, q = {5, 4, 3, 2, 1, 0};
  auto b = permute(a, p, q);
  b.validate();
  Dense da = to_dense(a), db = to_dense(b);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) {
      double x = da[p[i]][q[j]], y = db[i][j];
      EXPECT_EQ(std::isnan(x), std::isnan(y));
      if (!std::isnan(x)) {
        EXPECT_EQ(x, y);
      }
    }
  auto c = permute_symmetric(a, p);
  Dense dc = to_dense(c);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) EXPECT_EQ(std::isnan(dc[i][j]), std::isnan(da[p[i]][p[j]]));
  EXPECT_THROW(permute(a, std::vector<index_t>{0, 0, 1, 2, 3, 4}, {}), Error);
  auto inv = invert_permutation(p);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(inv[p[k]], k);
}

TEST(Sparse, MultiplyMatchesDense) {
  auto a = random_matrix(5, 4, 12, 3);
  std::vector<double> x = {1, -2, 0.5, 3}, y(5);
  multiply(a, x, y);
  Dense d = to_dense(a);
  for (int i = 0; i < 5; ++i) {
    double s = 0;
    for (int j = 0; j < 4; ++j)
      if (!std::isnan(d[i][j])) s += d[i][j] * x[j];
    EXPECT_DOUBLE_EQ(y[i], s);
  }
}

// y = A^H x against a hand-worked 2x3 complex case, the dense transpose of a random real
// matrix, and a pattern matrix (all ones).
TEST(Sparse, MultiplyAdjointMatchesDenseTranspose) {
  auto a = random_matrix(5, 4, 12, 3);
  std::vector<double> x = {1, -2, 0.5, 3, -1}, y(4);
  multiply_adjoint(a, x, y);
  Dense d = to_dense(a);
  for (int j = 0; j < 4; ++j) {
    double s = 0;
    for (int i = 0; i < 5; ++i)
      if (!std::isnan(d[i][j])) s += d[i][j] * x[i];
    EXPECT_DOUBLE_EQ(y[j], s);
  }
  // [[1+2i, 0, 3], [0, 4i, -1]]^H [1, i] = [1-2i, (-4i)(i), 3 - i] = [1-2i, 4, 3-i].
  SparseMatrix z;
  z.nrows = 2;
  z.ncols = 3;
  z.colptr = {0, 1, 2, 4};
  z.rowind = {0, 1, 0, 1};
  z.field = Field::complex;
  z.zvalues = {{1, 2}, {0, 4}, {3, 0}, {-1, 0}};
  std::vector<complex_t> zx = {{1, 0}, {0, 1}}, zy(3);
  multiply_adjoint(z, zx, zy);
  EXPECT_EQ(zy[0], complex_t(1, -2));
  EXPECT_EQ(zy[1], complex_t(4, 0));
  EXPECT_EQ(zy[2], complex_t(3, -1));
  SparseMatrix p = z;
  p.field = Field::pattern;
  p.zvalues.clear();  // pattern: column sums of the x entries it touches
  std::vector<double> px = {2, 5}, py(3);
  multiply_adjoint(p, px, py);
  EXPECT_EQ(py, (std::vector<double>{2, 5, 7}));
  EXPECT_THROW(multiply_adjoint(p, std::vector<double>(3), py), Error);
}

TEST(Sparse, FingerprintDependsOnPatternOnly) {
  const std::string general =
      "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 1\n2 1 2\n1 2 2\n3 3 1\n2 2 4\n";
  const std::string shuffled_dup =  // other order, other values, a duplicate
      "%%MatrixMarket matrix coordinate real general\n3 3 6\n2 2 9\n3 3 1\n1 2 5\n2 1 1\n1 1 7\n"
      "1 1 1\n";
  const std::string symmetric =  // the same pattern in symmetric storage
      "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 3\n2 1 8\n2 2 1\n3 3 1\n";
  const std::string pattern =
      "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 4\n1 1\n1 2\n2 2\n3 3\n";
  auto f = [](const std::string& s) {
    return pattern_fingerprint(parse_matrix_market(s, "x").matrix);
  };
  const Fingerprint ref = f(general);
  EXPECT_EQ(ref, f(shuffled_dup));
  EXPECT_EQ(ref, f(symmetric));
  EXPECT_EQ(ref, f(pattern));
  EXPECT_EQ(ref.hex().size(), 32u);
  // One entry added or removed, or other dimensions: a different fingerprint.
  EXPECT_NE(ref, f("%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n2 1 2\n1 2 2\n"
                   "3 3 1\n"));
  EXPECT_NE(ref, f("%%MatrixMarket matrix coordinate real general\n3 3 6\n1 1 1\n2 1 2\n1 2 2\n"
                   "3 3 1\n2 2 4\n3 1 0\n"));
  EXPECT_NE(ref, f("%%MatrixMarket matrix coordinate real general\n4 3 5\n1 1 1\n2 1 2\n1 2 2\n"
                   "3 3 1\n2 2 4\n"));
}

TEST(Sparse, FingerprintIsStable) {
  // The documented definition must not drift between versions: a fixed value for a fixed input.
  auto a = parse_matrix_market(
      "%%MatrixMarket matrix coordinate pattern general\n2 2 2\n1 1\n2 2\n", "x");
  const std::string h1 = pattern_fingerprint(a.matrix).hex();
  auto b = parse_matrix_market(
      "%%MatrixMarket matrix coordinate real general\n2 2 2\n2 2 5\n1 1 3\n", "x");
  EXPECT_EQ(h1, pattern_fingerprint(b.matrix).hex());
  EXPECT_NE(h1, "00000000000000000000000000000000");
}

TEST(Sparse, SynthesizedValuesAreDiagonallyDominant) {
  auto a = read_matrix_market(test::bundled_data_dir() / "rajat19.mtx");
  auto s = synthesize_values(pattern_of(a.matrix));
  s.validate();
  EXPECT_EQ(diagonal_nnz(s), s.nrows);
  std::vector<double> rowoff(static_cast<std::size_t>(s.nrows), 0.0), diag(rowoff), coloff(rowoff);
  for (index_t j = 0; j < s.ncols; ++j)
    for (index_t p = s.colptr[j]; p < s.colptr[j + 1]; ++p) {
      if (s.rowind[p] == j) {
        diag[j] = s.values[p];
      } else {
        rowoff[s.rowind[p]] += std::fabs(s.values[p]);
        coloff[j] += std::fabs(s.values[p]);
      }
    }
  for (index_t i = 0; i < s.nrows; ++i) {
    EXPECT_GT(diag[i], rowoff[i]);
    EXPECT_GT(diag[i], coloff[i]);
  }
  // Deterministic.
  EXPECT_EQ(s.values, synthesize_values(pattern_of(a.matrix)).values);
}

// A symmetric pattern gets symmetric values (so `auto` and cholmod treat it as the SPD matrix it
// is), and a general pattern gets a_ij = a_ji wherever both are stored.
TEST(Sparse, SynthesizedValuesOfASymmetricPatternAreSymmetric) {
  auto sym = parse_matrix_market(
      "%%MatrixMarket matrix coordinate pattern symmetric\n4 4 6\n1 1\n2 1\n3 2\n4 1\n4 3\n4 4\n",
      "sym.mtx");
  SparseMatrix s = synthesize_values(sym.matrix);
  EXPECT_EQ(s.symmetry, Symmetry::symmetric);
  Dense d = to_dense(s);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) {
      if (std::isnan(d[i][j])) {
        EXPECT_TRUE(std::isnan(d[j][i])) << i << "," << j;
        continue;
      }
      EXPECT_EQ(d[i][j], d[j][i]) << i << "," << j;  // bit for bit
      if (i != j) {
        EXPECT_LE(d[i][j], -0.5);
        EXPECT_GT(d[i][j], -1.5);
      }
    }
  // Positive definite: the Cholesky factorization of the dense copy succeeds.
  std::vector<std::vector<double>> l(4, std::vector<double>(4, 0.0));
  for (std::size_t j = 0; j < 4; ++j) {
    double dj = d[j][j];
    for (std::size_t k = 0; k < j; ++k) dj -= l[j][k] * l[j][k];
    ASSERT_GT(dj, 0.0);
    l[j][j] = std::sqrt(dj);
    for (std::size_t i = j + 1; i < 4; ++i) {
      double v = std::isnan(d[i][j]) ? 0.0 : d[i][j];
      for (std::size_t k = 0; k < j; ++k) v -= l[i][k] * l[j][k];
      l[i][j] = v / l[j][j];
    }
  }
  // A general pattern: symmetric where both positions are stored, general as declared.
  auto gen = parse_matrix_market(
      "%%MatrixMarket matrix coordinate pattern general\n3 3 4\n1 2\n2 1\n3 1\n2 3\n", "g.mtx");
  SparseMatrix g = synthesize_values(gen.matrix);
  EXPECT_EQ(g.symmetry, Symmetry::general);
  Dense dg = to_dense(g);
  EXPECT_EQ(dg[0][1], dg[1][0]);
  EXPECT_TRUE(std::isnan(dg[0][2]));
  EXPECT_FALSE(std::isnan(dg[2][0]));
}

TEST(Sparse, CountsDiagonalZerosFinite) {
  auto mf = parse_matrix_market(
      "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 nan\n2 2 0\n3 1 0\n1 3 2\n", "x");
  EXPECT_EQ(diagonal_nnz(mf.matrix), 2);
  EXPECT_EQ(explicit_zeros(mf.matrix), 2);
  EXPECT_FALSE(all_finite(mf.matrix));
}

}  // namespace
}  // namespace spax

namespace spax {
namespace {

// The fingerprint recomputed from its documented definition in sparse.hpp, written here
// independently of the library's implementation.
std::string documented_fingerprint(const SparseMatrix& a) {
  auto mix = [](std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  auto rotl27 = [](std::uint64_t x) { return (x << 27) | (x >> 37); };
  std::vector<std::uint64_t> words = {static_cast<std::uint64_t>(a.nrows),
                                      static_cast<std::uint64_t>(a.ncols)};
  for (index_t v : a.colptr) words.push_back(static_cast<std::uint64_t>(v));
  for (index_t v : a.rowind) words.push_back(static_cast<std::uint64_t>(v));
  words.push_back(words.size());
  std::uint64_t lane[2] = {0x736761782D666E30ull, 0x736761782D666E31ull};
  for (std::uint64_t w : words)
    for (int k = 0; k < 2; ++k)
      lane[k] = rotl27(lane[k] ^ mix(w + static_cast<std::uint64_t>(k) * 0x9E3779B97F4A7C15ull)) *
                0x100000001B3ull;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(mix(lane[0])),
                static_cast<unsigned long long>(mix(lane[1])));
  return buf;
}

TEST(Sparse, FingerprintFollowsItsDocumentedDefinition) {
  for (const char* f : {"west0479.mtx", "w156.mtx", "rajat19.mtx", "adder_dcop_05.mtx"}) {
    auto a = read_matrix_market(test::bundled_data_dir() / f).matrix;
    EXPECT_EQ(pattern_fingerprint(a).hex(), documented_fingerprint(a)) << f;
  }
  auto empty = parse_matrix_market("%%MatrixMarket matrix coordinate real general\n0 0 0\n", "e");
  EXPECT_EQ(pattern_fingerprint(empty.matrix).hex(), documented_fingerprint(empty.matrix));
}

}  // namespace
}  // namespace spax
