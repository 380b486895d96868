// run_sequence: refactor equals a fresh factor, the fallback on unstable kept pivots, pattern
// changes, and the cache (format checks, corrupt files rebuilt, identical results).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "reference_solve.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

namespace fs = std::filesystem;
using test::from_dense;

SparseMatrix load(const std::string& rel) {
  SparseMatrix a = read_matrix_market((test::shared_matrices_dir() / rel).string()).matrix;
  if (!a.has_values()) a = synthesize_values(a);
  return a;
}

std::vector<SparseMatrix> newton_sequence() {
  std::vector<SparseMatrix> ms;
  for (int k = 0; k < 5; ++k)
    ms.push_back(load("synthetic/circuit5k_newton_000" + std::to_string(k) + ".mtx"));
  return ms;
}

TEST(SolveSequence, RefactorEqualsFreshFactor) {
  SPAX_REQUIRE_SHARED();
  auto ms = newton_sequence();
  for (const std::string name : {"klu", "umfpack", "superlu", "eigen-lu"}) {
    SequenceOptions o;
    o.solver = name;
    SequenceResult r = run_sequence(ms, {}, o);
    ASSERT_EQ(r.x.size(), ms.size());
    EXPECT_EQ(r.refactor_seconds.size(), ms.size() - 1);
    for (std::size_t i = 0; i < ms.size(); ++i) {
      // A fresh solver on matrix i alone.
      auto s = create_solver(name);
      s->analyze(ms[i]);
      s->factor(ms[i]);
      std::vector<double> ones(ms[i].nrows, 1.0), b(ms[i].nrows);
      multiply(ms[i], ones, b);
      std::vector<double> x = b;
      s->solve(std::span<double>(x), 1, false);
      EXPECT_LT(test::relative_difference(r.x[i], x), 1e-9) << name << " matrix " << i;
      EXPECT_LT(r.solves[i].backward_error, 1e-12) << name << " matrix " << i;
    }
  }
}

TEST(SolveSequence, UnstableKeptPivotsFallBack) {
  // [[e, 1], [1, 1]]: with e = 1 KLU keeps the diagonal pivot; with e = 1e-15 that pivot order
  // is unstable (growth 1e15), so the refactor must be replaced by a fresh factorization.
  std::vector<SparseMatrix> ms = {from_dense(2, {1, 1, 1, 1.5}), from_dense(2, {1e-15, 1, 1, 1.5}),
                                  from_dense(2, {0.5, 1, 1, 1.5})};
  // A = [[1,1],[1,1.5]] is not singular; x = ones in each case (b = A * ones).
  SequenceOptions o;
  o.solver = "klu";
  o.solver_options.ordering = "natural";
  SequenceResult r = run_sequence(ms, {}, o);
  ASSERT_EQ(r.refactor_fallbacks.size(), 1u);
  EXPECT_EQ(r.refactor_fallbacks[0], 1);
  for (std::size_t i = 0; i < ms.size(); ++i) {
    EXPECT_NEAR(r.x[i][0], 1.0, 1e-12) << i;
    EXPECT_NEAR(r.x[i][1], 1.0, 1e-12) << i;
    EXPECT_LT(r.solves[i].backward_error, 1e-15) << i;
  }
}

TEST(SolveSequence, UnstableKeptPivotsLargerSystem) {
  // A 40 x 40 system: tridiagonal with a first row/column coupling; the second matrix shrinks
  // the leading diagonal entries so the kept diagonal pivots become tiny.
  const index_t n = 40;
  auto make = [&](double d) {
    std::vector<double> m(n * n, 0.0);
    for (index_t i = 0; i < n; ++i) {
      m[i * n + i] = (i % 2 == 0) ? d : 4.0;
      if (i + 1 < n) m[i * n + i + 1] = m[(i + 1) * n + i] = 1.0;
    }
    return from_dense(n, m);
  };
  std::vector<SparseMatrix> ms = {make(4.0), make(1e-14), make(3.0)};
  SequenceOptions o;
  o.solver = "klu";
  SequenceResult r = run_sequence(ms, {}, o);
  EXPECT_FALSE(r.refactor_fallbacks.empty());
  for (std::size_t i = 0; i < ms.size(); ++i) {
    std::vector<double> ones(n, 1.0), b(n), ref;
    multiply(ms[i], ones, b);
    ASSERT_TRUE(test::reference_solve(ms[i], b, false, ref));
    EXPECT_LT(test::relative_difference(r.x[i], ref), 1e-10) << i;
  }
}

TEST(SolveSequence, PatternChangeDetected) {
  SparseMatrix a = from_dense(3, {4, 1, 0, 1, 4, 1, 0, 1, 4});
  // Same values, plus an explicit zero at (0, 2): a different pattern.
  TripletMatrix t;
  t.nrows = t.ncols = 3;
  t.rows = {0, 1, 0, 1, 2, 1, 2, 0};
  t.cols = {0, 0, 1, 1, 1, 2, 2, 2};
  t.values = {4, 1, 1, 4, 1, 1, 4, 0};
  SparseMatrix b = to_csc(t);
  ASSERT_EQ(b.nnz(), a.nnz() + 1);
  SequenceOptions o;
  o.solver = "klu";
  SequenceResult r = run_sequence({a, b}, {}, o);
  EXPECT_EQ(r.reanalysed, std::vector<index_t>{1});
  EXPECT_EQ(r.solves.size(), 2u);
  EXPECT_FALSE(r.warnings.empty());
  for (double v : r.x[1]) EXPECT_NEAR(v, 1.0, 1e-14);
  o.strict_pattern = true;
  r = run_sequence({a, b}, {}, o);
  EXPECT_EQ(r.pattern_mismatch, 1);
  EXPECT_EQ(r.solves.size(), 1u);
}

TEST(SolveSequence, RefinementAndRightHandSides) {
  SparseMatrix a = from_dense(3, {4, 1, 0, 1, 4, 1, 0, 1, 4});
  RightHandSide b;
  b.nrhs = 2;
  b.values = {5, 6, 5, 4, 1, 0};  // x = ones and x = (1, 0, 0)
  SequenceOptions o;
  o.solver = "umfpack";
  o.refine = 2;
  SequenceResult r = run_sequence({a}, {b}, o);
  ASSERT_EQ(r.x.size(), 1u);
  std::vector<double> expect = {1, 1, 1, 1, 0, 0};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(r.x[0][i], expect[i], 1e-15);
  EXPECT_TRUE(std::isnan(r.solves[0].forward_error));
  RightHandSide wrong;
  wrong.nrhs = 1;
  wrong.values = {1, 2};
  EXPECT_THROW(run_sequence({a}, {wrong}, o), Error);
}

TEST(SolveSequence, CacheFileFormat) {
  test::ScratchDir dir;
  std::string p = (dir / "x.bin").string();
  write_cache_file(p, "hello payload");
  std::string why;
  auto got = read_cache_file(p, &why);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "hello payload");
  std::string bytes = test::read_text_file(p);
  // Flip a payload byte: checksum.
  std::string bad = bytes;
  bad[22] ^= 0x20;
  test::write_text_file(p, bad);
  EXPECT_FALSE(read_cache_file(p, &why).has_value());
  EXPECT_NE(why.find("checksum"), std::string::npos) << why;
  // Truncated.
  test::write_text_file(p, bytes.substr(0, bytes.size() - 3));
  EXPECT_FALSE(read_cache_file(p, &why).has_value());
  EXPECT_NE(why.find("truncated"), std::string::npos) << why;
  // Another format version: stale.
  bad = bytes;
  bad[8] = 99;
  test::write_text_file(p, bad);
  EXPECT_FALSE(read_cache_file(p, &why).has_value());
  EXPECT_NE(why.find("stale"), std::string::npos) << why;
  // Missing: no reason (not a warning).
  why = "x";
  EXPECT_FALSE(read_cache_file((dir / "none").string(), &why).has_value());
  EXPECT_TRUE(why.empty());
}

TEST(SolveSequence, CacheHitsAndIdenticalResults) {
  SPAX_REQUIRE_SHARED();
  std::vector<SparseMatrix> ms = {load("real/west0479.mtx")};
  std::vector<SparseMatrix> spd = {load("real/494_bus.mtx")};
  struct Case {
    std::string solver;
    const std::vector<SparseMatrix>* m;
    std::string sym2, num1, num2;
  };
  std::vector<Case> cases = {{"klu", &ms, "hit", "unsupported", "unsupported"},
                             {"umfpack", &ms, "hit", "miss", "hit"},
                             {"superlu", &ms, "hit", "unsupported", "unsupported"},
                             {"cholmod", &spd, "hit", "unsupported", "unsupported"},
                             {"eigen-lu", &ms, "unsupported", "unsupported", "unsupported"}};
  for (const auto& c : cases) {
    test::ScratchDir dir;
    SequenceOptions o;
    o.solver = c.solver;
    SequenceResult plain = run_sequence(*c.m, {}, o);
    EXPECT_EQ(plain.cache_symbolic, "off");
    o.cache_dir = (dir / "cache").string();
    SequenceResult first = run_sequence(*c.m, {}, o);
    SequenceResult second = run_sequence(*c.m, {}, o);
    EXPECT_EQ(first.cache_symbolic, c.sym2 == "hit" ? "miss" : "unsupported") << c.solver;
    EXPECT_EQ(second.cache_symbolic, c.sym2) << c.solver;
    EXPECT_EQ(first.cache_numeric, c.num1) << c.solver;
    EXPECT_EQ(second.cache_numeric, c.num2) << c.solver;
    EXPECT_EQ(first.x, plain.x) << c.solver;
    EXPECT_EQ(second.x, plain.x) << c.solver;
    EXPECT_EQ(second.ordering, plain.ordering) << c.solver;
    EXPECT_TRUE(second.warnings.empty()) << c.solver;
  }
}

TEST(SolveSequence, CorruptCacheRebuilt) {
  SPAX_REQUIRE_SHARED();
  std::vector<SparseMatrix> ms = {load("real/west0479.mtx")};
  for (const std::string name : {"klu", "umfpack"}) {
    test::ScratchDir dir;
    SequenceOptions o;
    o.solver = name;
    o.cache_dir = (dir / "c").string();
    SequenceResult first = run_sequence(ms, {}, o);
    int corrupted = 0;
    for (const auto& e : fs::directory_iterator(o.cache_dir)) {
      std::string bytes = test::read_text_file(e.path());
      bytes[bytes.size() / 2] ^= 0x55;
      test::write_text_file(e.path(), bytes);
      ++corrupted;
    }
    ASSERT_GT(corrupted, 0);
    SequenceResult second = run_sequence(ms, {}, o);
    EXPECT_EQ(second.cache_symbolic, "miss") << name;
    EXPECT_FALSE(second.warnings.empty()) << name;
    EXPECT_EQ(second.x, first.x) << name;
    // Rebuilt: the third run hits again, silently.
    SequenceResult third = run_sequence(ms, {}, o);
    EXPECT_EQ(third.cache_symbolic, "hit") << name;
    EXPECT_TRUE(third.warnings.empty()) << name;
    EXPECT_EQ(third.x, first.x) << name;
  }
}

TEST(SolveSequence, ComplexSequenceAndTranspose) {
  SPAX_REQUIRE_SHARED();
  SparseMatrix a = load("real/young1c.mtx");
  SparseMatrix b = a;
  for (auto& v : b.zvalues) v *= complex_t(1.0, 0.25);
  for (const std::string name : {"klu", "umfpack", "superlu"}) {
    SequenceOptions o;
    o.solver = name;
    o.transpose = true;
    SequenceResult r = run_sequence({a, b}, {}, o);
    ASSERT_EQ(r.zx.size(), 2u);
    for (int i = 0; i < 2; ++i) EXPECT_LT(r.solves[i].backward_error, 1e-12) << name;
    for (const auto& v : r.zx[1]) EXPECT_LT(std::abs(v - 1.0), 1e-9) << name;
  }
}

// Every refactor's answer fails a (deliberately impossible) backward-error limit, so the checks
// that run beside the next refactor keep sending matrices back for a fresh factorization: each
// answer must still equal a fresh factor-and-solve of its own matrix.
TEST(SolveSequence, DeferredChecksFallBackAndRedoTheNextRefactor) {
  SparseMatrix base =
      read_matrix_market((test::bundled_data_dir() / "rajat19.mtx").string()).matrix;
  std::vector<SparseMatrix> ms;
  for (int k = 0; k < 5; ++k) {
    SparseMatrix m = base;
    for (std::size_t p = 0; p < m.values.size(); ++p)
      m.values[p] *=
          1.0 + 0.01 * static_cast<double>((p * 7 + static_cast<std::size_t>(k) * 3) % 5);
    ms.push_back(std::move(m));
  }
  for (double limit : {-1.0, 1e-8}) {
    SequenceOptions o;
    o.solver = "klu";
    o.refactor_backward_limit = limit;  // -1: every refactored answer is "too poor"
    SequenceResult r = run_sequence(ms, {}, o);
    ASSERT_EQ(r.solves.size(), ms.size());
    if (limit < 0) {
      EXPECT_EQ(r.refactor_fallbacks.size(), ms.size() - 1);
    }
    for (std::size_t i = 0; i < ms.size(); ++i) {
      auto s = create_solver("klu");
      s->analyze(ms[i]);
      s->factor(ms[i]);
      std::vector<double> ones(static_cast<std::size_t>(ms[i].ncols), 1.0),
          b(static_cast<std::size_t>(ms[i].nrows));
      multiply(ms[i], ones, b);
      std::vector<double> x = b;
      s->solve(std::span<double>(x), 1, false);
      // Fresh factorizations throughout (limit -1): the same answers as a fresh solve. With kept
      // pivots (the normal limit) an ill-conditioned matrix gives another answer of equally
      // small backward error, so only the backward error is compared.
      if (limit < 0) {
        EXPECT_LT(test::relative_difference(r.x[i], x), 1e-9) << "matrix " << i;
      }
      EXPECT_LT(r.solves[i].backward_error, 1e-12) << i;
      EXPECT_LT(test::backward_error(ms[i], r.x[i], b), 1e-12) << i;  // from the answer itself
      EXPECT_EQ(r.solves[i].matrix, static_cast<index_t>(i));
    }
  }
}

// A refactored matrix whose deferred check fails, followed by a matrix of another pattern: the
// fresh factorization of the first must not run on the second's analysis, and each fallback is
// listed once.
TEST(SolveSequence, FailedCheckBeforeAPatternChange) {
  SparseMatrix base =
      read_matrix_market((test::bundled_data_dir() / "rajat19.mtx").string()).matrix;
  // The second pattern: base plus explicit entries where base has none (columns j, rows j + 2).
  test::Entries e;
  for (index_t j = 0; j < base.ncols; ++j)
    for (index_t p = base.colptr[j]; p < base.colptr[j + 1]; ++p)
      e.push_back({base.rowind[p], j, base.values[static_cast<std::size_t>(p)]});
  for (index_t j = 0; j + 2 < base.ncols; j += 3) e.push_back({j + 2, j, 1e-3});
  SparseMatrix other = test::from_triplets(base.nrows, base.ncols, e);
  ASSERT_GT(other.nnz(), base.nnz());
  auto scaled = [](SparseMatrix m, double f) {
    for (double& v : m.values) v *= f;
    return m;
  };
  const std::vector<SparseMatrix> ms = {base, scaled(base, 1.5), other, scaled(other, 0.5),
                                        scaled(base, 2.0)};
  for (const char* solver : {"klu", "umfpack"}) {
    SCOPED_TRACE(solver);
    SequenceOptions o;
    o.solver = solver;
    o.refactor_backward_limit = -1.0;  // every refactored answer fails its check
    SequenceResult r = run_sequence(ms, {}, o);
    ASSERT_EQ(r.solves.size(), ms.size());
    EXPECT_EQ(r.reanalysed, (std::vector<index_t>{2, 4}));
    EXPECT_EQ(r.refactor_fallbacks, (std::vector<index_t>{1, 3}));
    for (std::size_t i = 0; i < ms.size(); ++i) {
      // Every answer comes from a fresh factorization of its own matrix (limit -1): the same as
      // a fresh factor-and-solve here. (KLU's backward error on the second pattern is 6e-10.)
      std::vector<double> b = test::times(ms[i], std::vector<double>(ms[i].ncols, 1.0));
      auto s = create_solver(solver);
      s->analyze(ms[i]);
      s->factor(ms[i]);
      std::vector<double> x = b;
      s->solve(std::span<double>(x), 1, false);
      EXPECT_LT(test::relative_difference(r.x[i], x), 1e-9) << "matrix " << i;
      EXPECT_LT(test::backward_error(ms[i], r.x[i], b), 1e-9) << "matrix " << i;
    }
  }
}

}  // namespace
}  // namespace spax
