// The library pieces behind the Python module: matrices from other libraries' arrays, the
// singular-matrix error's details, SolverSession (run_sequence's rules one call at a time),
// analyze_matrix and the shared JSON documents.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "reference_solve.hpp"
#include "spax/analyze_report.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "spax/solve_report.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::from_dense;

template <class F>
void expect_error(ErrorKind kind, const std::string& part, F&& f) {
  try {
    f();
    ADD_FAILURE() << "no error (expected one containing '" << part << "')";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

// --- matrices from arrays ---------------------------------------------------------------------

// [[1, 0, 2], [0, 3, 0], [4, 0, 5]] (2 x ... see entries), by columns: col 0 rows 0, 2; col 1
// row 1; col 2 rows 0, 2.
const std::vector<std::int64_t> kPtr = {0, 2, 3, 5};
const std::vector<std::int64_t> kInd = {0, 2, 1, 0, 2};
const std::vector<double> kVal = {1, 4, 3, 2, 5};

void expect_example(const SparseMatrix& a) {
  EXPECT_EQ(a.nrows, 3);
  EXPECT_EQ(a.ncols, 3);
  EXPECT_EQ(a.colptr, (std::vector<index_t>{0, 2, 3, 5}));
  EXPECT_EQ(a.rowind, (std::vector<index_t>{0, 2, 1, 0, 2}));
  EXPECT_EQ(a.values, (std::vector<double>{1, 4, 3, 2, 5}));
  EXPECT_NO_THROW(a.validate());
}

TEST(MatrixFromArrays, CanonicalCscIsCopiedAsItIs) {
  index_t dups = -1;
  SparseMatrix a = matrix_from_compressed(3, 3, false, kPtr, kInd, kVal, {}, Field::real, &dups);
  expect_example(a);
  EXPECT_EQ(dups, 0);
  const std::vector<std::int32_t> p32(kPtr.begin(), kPtr.end()), i32(kInd.begin(), kInd.end());
  expect_example(matrix_from_compressed(3, 3, false, p32, i32, kVal, {}, Field::real));
}

TEST(MatrixFromArrays, CsrIsTheTranspose) {
  // The same matrix by rows: row 0 cols 0, 2; row 1 col 1; row 2 cols 0, 2 (values 1 2 3 4 5).
  const std::vector<std::int32_t> ptr = {0, 2, 3, 5}, ind = {2, 0, 1, 0, 2};
  const std::vector<double> val = {2, 1, 3, 4, 5};  // row 0 given unsorted
  expect_example(matrix_from_compressed(3, 3, true, ptr, ind, val, {}, Field::real));
}

TEST(MatrixFromArrays, UnsortedRepeatedIndicesAreSortedAndSummed) {
  // Column 0 holds row 2 twice (3 + 1) and row 0; column 2 rows out of order.
  const std::vector<std::int64_t> ptr = {0, 3, 4, 6}, ind = {2, 0, 2, 1, 2, 0};
  const std::vector<double> val = {3, 1, 1, 3, 5, 2};
  index_t dups = 0;
  SparseMatrix a = matrix_from_compressed(3, 3, false, ptr, ind, val, {}, Field::real, &dups);
  expect_example(a);
  EXPECT_EQ(dups, 1);
}

TEST(MatrixFromArrays, CoordinatesWithDuplicates) {
  const std::vector<std::int32_t> r = {2, 0, 1, 0, 2, 2}, c = {0, 0, 1, 2, 2, 0};
  const std::vector<double> v = {2, 1, 3, 2, 5, 2};
  index_t dups = 0;
  SparseMatrix a = matrix_from_coordinates(3, 3, r, c, v, {}, Field::real, &dups);
  expect_example(a);
  EXPECT_EQ(dups, 1);
}

TEST(MatrixFromArrays, ComplexAndPattern) {
  const std::vector<complex_t> z = {{1, 1}, {4, 0}, {3, -1}, {2, 0}, {5, 2}};
  SparseMatrix a = matrix_from_compressed(3, 3, false, kPtr, kInd, {}, z, Field::complex);
  EXPECT_TRUE(a.is_complex());
  EXPECT_EQ(a.zvalues, z);
  SparseMatrix p = matrix_from_compressed(3, 3, false, kPtr, kInd, {}, {}, Field::pattern);
  EXPECT_FALSE(p.has_values());
  EXPECT_EQ(p.rowind, a.rowind);
}

TEST(MatrixFromArrays, MalformedArraysAreInputErrors) {
  auto csc = [](index_t m, index_t n, std::vector<std::int64_t> p, std::vector<std::int64_t> i,
                std::vector<double> v) {
    return [=] { matrix_from_compressed(m, n, false, p, i, v, {}, Field::real); };
  };
  expect_error(ErrorKind::input, "expected 4", csc(3, 3, {0, 2, 5}, kInd, kVal));
  expect_error(ErrorKind::input, "starts at 1", csc(3, 3, {1, 2, 3, 5}, kInd, kVal));
  expect_error(ErrorKind::input, "decreases", csc(3, 3, {0, 3, 2, 5}, kInd, kVal));
  expect_error(ErrorKind::input, "ends at 9", csc(3, 3, {0, 2, 3, 9}, kInd, kVal));
  expect_error(ErrorKind::input, "outside [0, 3)", csc(3, 3, kPtr, {0, 3, 1, 0, 2}, kVal));
  expect_error(ErrorKind::input, "outside [0, 3)", csc(3, 3, kPtr, {0, -1, 1, 0, 2}, kVal));
  expect_error(ErrorKind::input, "4 values", csc(3, 3, kPtr, kInd, {1, 2, 3, 4}));
  expect_error(ErrorKind::input, "negative dimension", csc(-1, 3, kPtr, kInd, kVal));
  expect_error(ErrorKind::input, "2^31", [] {
    matrix_from_coordinates(std::int64_t{1} << 40, 2, std::vector<std::int64_t>{},
                            std::vector<std::int64_t>{}, {}, {}, Field::real);
  });
  expect_error(ErrorKind::input, "column index 5", [] {
    matrix_from_coordinates(3, 3, std::vector<std::int64_t>{0}, std::vector<std::int64_t>{5},
                            std::vector<double>{1.0}, {}, Field::real);
  });
  expect_error(ErrorKind::input, "different lengths", [] {
    matrix_from_coordinates(3, 3, std::vector<std::int64_t>{0, 1}, std::vector<std::int64_t>{0},
                            std::vector<double>{1.0, 2.0}, {}, Field::real);
  });
}

// --- singular matrices ------------------------------------------------------------------------

TEST(SingularError, StructuralAndNumericalCarryTheColumn) {
  // Columns 1 and 2 hold only row 2 (no empty row or column): structural rank 2, and a maximum
  // matching leaves column 1 or column 2 unmatched.
  SparseMatrix s = from_dense(3, {1, 0, 0, 1, 0, 0, 1, 1, 1});
  auto klu = create_solver("klu");
  try {
    klu->analyze(s);
    klu->factor(s);
    ADD_FAILURE() << "no error";
  } catch (const SingularError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical);
    EXPECT_TRUE(e.structural());
    EXPECT_EQ(e.structural_rank(), 2);
    EXPECT_TRUE(e.column() == 1 || e.column() == 2) << e.column();
    EXPECT_NE(std::string(e.what()).find("column " + std::to_string(e.column() + 1)),
              std::string::npos)
        << e.what();
  }
  // [[1, 2], [2, 4]]: partial pivoting takes row 2 (l = 1/2), then U(2,2) = 2 - 4/2 = 0 exactly:
  // numerically singular at column 2 (0-based 1), structurally nonsingular.
  SparseMatrix n = from_dense(2, {1, 2, 2, 4});
  auto dense = create_solver("dense");
  try {
    dense->analyze(n);
    dense->factor(n);
    ADD_FAILURE() << "no error";
  } catch (const SingularError& e) {
    EXPECT_FALSE(e.structural());
    EXPECT_EQ(e.structural_rank(), 2);
    EXPECT_EQ(e.column(), 1);
  }
}

// --- SolverSession ----------------------------------------------------------------------------

std::vector<double> ones_rhs(const SparseMatrix& a) {
  std::vector<double> ones(static_cast<std::size_t>(a.ncols), 1.0),
      b(static_cast<std::size_t>(a.nrows));
  multiply(a, ones, b);
  return b;
}

SparseMatrix scaled(const SparseMatrix& base, int k) {
  SparseMatrix m = base;
  for (std::size_t p = 0; p < m.values.size(); ++p)
    m.values[p] *= 1.0 + 0.01 * static_cast<double>((p * 7 + static_cast<std::size_t>(k) * 3) % 5);
  return m;
}

std::vector<SparseMatrix> rajat19_sequence() {
  SparseMatrix base =
      read_matrix_market((test::bundled_data_dir() / "rajat19.mtx").string()).matrix;
  std::vector<SparseMatrix> ms;
  for (int k = 0; k < 5; ++k) ms.push_back(scaled(base, k));
  return ms;
}

// The session, driven by factor / refactor / refactor_values, gives run_sequence's answers and
// records its fallbacks; with an impossible backward-error limit every refactor falls back.
TEST(SolverSession, MatchesRunSequence) {
  const std::vector<SparseMatrix> ms = rajat19_sequence();
  for (double limit : {1e-10, -1.0}) {
    SequenceOptions so;
    so.refactor_backward_limit = limit;
    SequenceResult r = run_sequence(ms, {}, so);
    SessionOptions o;
    o.refactor_backward_limit = limit;
    SolverSession s(o);
    for (std::size_t i = 0; i < ms.size(); ++i) {
      if (i == 0)
        s.factor(ms[i]);
      else if (i % 2)
        s.refactor(ms[i]);
      else
        s.refactor_values(std::span<const double>(ms[i].values));
      std::vector<double> b = ones_rhs(ms[i]), x = b;
      s.solve(std::span<double>(x), 1, false);
      EXPECT_LT(test::relative_difference(x, r.x[i]), 1e-12) << "limit " << limit << " " << i;
      EXPECT_LT(test::backward_error(ms[i], x, b), 1e-12) << i;
      EXPECT_NEAR(s.stats().backward_error, r.solves[i].backward_error,
                  1e-9 * r.solves[i].backward_error)
          << i;
    }
    EXPECT_EQ(s.stats().refactor_fallbacks, r.refactor_fallbacks) << limit;
    if (limit < 0) {
      EXPECT_EQ(s.stats().refactor_fallbacks, (std::vector<index_t>{1, 2, 3, 4}));
    }
    EXPECT_EQ(s.stats().matrices, 5);
    EXPECT_EQ(s.stats().solves, 5);
    EXPECT_EQ(s.stats().stats.nnz_L, r.stats.nnz_L);
    EXPECT_EQ(s.stats().solver, "klu");
    EXPECT_TRUE(s.stats().reanalysed.empty());
  }
}

TEST(SolverSession, SafeOffSkipsTheBackwardErrorCheck) {
  const std::vector<SparseMatrix> ms = rajat19_sequence();
  SessionOptions o;
  o.safe = false;
  o.refactor_backward_limit = -1.0;  // would reject every refactored answer if checked
  SolverSession s(o);
  s.factor(ms[0]);
  for (std::size_t i = 1; i < ms.size(); ++i) {
    s.refactor_values(std::span<const double>(ms[i].values));
    std::vector<double> b = ones_rhs(ms[i]), x = b;
    s.solve(std::span<double>(x), 1, false);
    EXPECT_TRUE(std::isnan(s.stats().backward_error));
    EXPECT_LT(test::backward_error(ms[i], x, b), 1e-12) << i;
  }
  EXPECT_TRUE(s.stats().refactor_fallbacks.empty());
}

TEST(SolverSession, UnstableKeptPivotsFallBack) {
  // [[e, 1], [1, 1.5]]: KLU keeps the diagonal pivot chosen for e = 1; with e = 1e-15 that
  // order is unstable, so the refactor is replaced by a fresh factorization (x = ones each time).
  std::vector<SparseMatrix> ms = {from_dense(2, {1, 1, 1, 1.5}), from_dense(2, {1e-15, 1, 1, 1.5}),
                                  from_dense(2, {0.5, 1, 1, 1.5})};
  SessionOptions o;
  o.solver_options.ordering = "natural";
  SolverSession s(o);
  for (std::size_t i = 0; i < ms.size(); ++i) {
    s.refactor(ms[i]);  // the first: a factorization
    std::vector<double> x = ones_rhs(ms[i]);
    s.solve(std::span<double>(x), 1, false);
    for (double v : x) EXPECT_NEAR(v, 1.0, 1e-12) << i;
  }
  EXPECT_EQ(s.stats().refactor_fallbacks, std::vector<index_t>{1});
  EXPECT_EQ(s.stats().matrices, 3);
}

TEST(SolverSession, PatternChangeIsAnalysedAgain) {
  SparseMatrix a = from_dense(3, {4, 1, 0, 1, 4, 1, 0, 1, 4});
  // The same values plus an explicit zero at (0, 2): another pattern.
  SparseMatrix b = test::from_triplets(
      3, 3,
      {{0, 0, 4}, {1, 0, 1}, {0, 1, 1}, {1, 1, 4}, {2, 1, 1}, {1, 2, 1}, {2, 2, 4}, {0, 2, 0}});
  ASSERT_EQ(b.nnz(), a.nnz() + 1);
  SolverSession s({});
  s.factor(a);
  s.refactor(b);
  EXPECT_EQ(s.stats().reanalysed, std::vector<index_t>{1});
  EXPECT_EQ(s.matrix().nnz(), b.nnz());
  std::vector<double> x = ones_rhs(b);
  s.solve(std::span<double>(x), 1, false);
  for (double v : x) EXPECT_NEAR(v, 1.0, 1e-14);
  // refactor_values now takes the new pattern's length.
  expect_error(ErrorKind::input, "7 values for a pattern of 8",
               [&] { s.refactor_values(std::span<const double>(a.values)); });
}

TEST(SolverSession, RefusedValuesLeaveTheSessionAsItWas) {
  SparseMatrix a = from_dense(3, {4, 1, 0, 1, 4, 1, 0, 1, 4});
  SolverSession s({});
  expect_error(ErrorKind::usage, "analyze or factor",
               [&] { s.refactor_values(std::span<const double>(a.values)); });
  s.factor(a);
  std::vector<double> bad = a.values;
  bad[3] = std::numeric_limits<double>::quiet_NaN();  // column 2 (1-based), its second entry
  expect_error(ErrorKind::input, "nan at row 2, column 2",
               [&] { s.refactor_values(std::span<const double>(bad)); });
  const std::vector<complex_t> z(a.values.begin(), a.values.end());
  expect_error(ErrorKind::input, "complex values for a real matrix",
               [&] { s.refactor_values(std::span<const complex_t>(z)); });
  std::vector<double> x = ones_rhs(a);
  s.solve(std::span<double>(x), 1, false);
  for (double v : x) EXPECT_NEAR(v, 1.0, 1e-14);
  EXPECT_EQ(s.stats().matrices, 1);
}

TEST(SolverSession, SolveChecksItsInput) {
  SparseMatrix a = from_dense(3, {4, 1, 0, 1, 4, 1, 0, 1, 4});
  SolverSession s({});
  std::vector<double> b(3, 1.0);
  expect_error(ErrorKind::usage, "call factor first",
               [&] { s.solve(std::span<double>(b), 1, false); });
  s.factor(a);
  std::vector<double> b4(4, 1.0);
  expect_error(ErrorKind::input, "holds 4 values, expected 3 x 1",
               [&] { s.solve(std::span<double>(b4), 1, false); });
  std::vector<double> b6 = {1, 2, 3, 4, INFINITY, 6};
  expect_error(ErrorKind::input, "inf at row 2, column 2",
               [&] { s.solve(std::span<double>(b6), 2, false); });
  SparseMatrix rect = test::from_triplets(2, 3, {{0, 0, 1}, {1, 1, 1}, {0, 2, 1}});
  expect_error(ErrorKind::input, "matrix is not square (2 x 3)", [&] { s.factor(rect); });
  SparseMatrix nan = a;
  nan.values[0] = NAN;
  expect_error(ErrorKind::input, "non-finite value", [&] { s.refactor(nan); });
}

TEST(SolverSession, ComplexRightHandSidesAndTranspose) {
  SparseMatrix a = read_matrix_market((test::bundled_data_dir() / "west0479.mtx").string()).matrix;
  const auto n = static_cast<std::size_t>(a.nrows);
  std::vector<complex_t> b(2 * n);
  for (std::size_t k = 0; k < b.size(); ++k)
    b[k] =
        complex_t(std::sin(0.1 * static_cast<double>(k)), std::cos(0.3 * static_cast<double>(k)));
  for (bool transpose : {false, true}) {
    SolverSession s({});
    s.factor(a);
    std::vector<complex_t> x = b;
    s.solve(std::span<complex_t>(x), 2, transpose);
    // Independently: the real and imaginary parts of each column by the dense reference.
    for (std::size_t col = 0; col < 2; ++col) {
      std::vector<double> re(n), im(n), xr, xi;
      for (std::size_t i = 0; i < n; ++i) {
        re[i] = b[col * n + i].real();
        im[i] = b[col * n + i].imag();
      }
      ASSERT_TRUE(test::reference_solve(a, re, transpose, xr));
      ASSERT_TRUE(test::reference_solve(a, im, transpose, xi));
      std::vector<complex_t> ref(n), got(x.begin() + col * n, x.begin() + (col + 1) * n);
      for (std::size_t i = 0; i < n; ++i) ref[i] = complex_t(xr[i], xi[i]);
      EXPECT_LT(test::relative_difference(got, ref), 1e-8) << transpose;
    }
  }
  // A complex matrix: A (1 + i/2) + 2i I on the diagonal, against the dense reference, with A^H.
  SparseMatrix z = a;
  z.field = Field::complex;
  z.zvalues.assign(a.values.begin(), a.values.end());
  for (auto& v : z.zvalues) v *= complex_t(1.0, 0.5);
  z.values.clear();
  SolverSession s({});
  s.factor(z);
  std::vector<double> real_b(n, 1.0);
  expect_error(ErrorKind::usage, "real right-hand side for a complex matrix",
               [&] { s.solve(std::span<double>(real_b), 1, false); });
  for (bool transpose : {false, true}) {
    std::vector<complex_t> x(b.begin(), b.begin() + n), ref;
    s.solve(std::span<complex_t>(x), 1, transpose);
    ASSERT_TRUE(
        test::reference_solve(z, std::vector<complex_t>(b.begin(), b.begin() + n), transpose, ref));
    EXPECT_LT(test::relative_difference(x, ref), 1e-8) << transpose;
    EXPECT_LT(s.stats().backward_error, 1e-12);
  }
}

TEST(SolverSession, EmptyColumnIsStructurallySingular) {
  // Column 1 (0-based) is empty: the only column left unmatched.
  SparseMatrix a =
      test::from_triplets(3, 3, {{0, 0, 1}, {2, 0, 1}, {0, 2, 1}, {1, 2, 1}, {2, 2, 2}});
  SolverSession s({});
  try {
    s.analyze(a);
    ADD_FAILURE() << "no error";
  } catch (const SingularError& e) {
    EXPECT_TRUE(e.structural());
    EXPECT_EQ(e.column(), 1);
    EXPECT_EQ(e.structural_rank(), 2);
  }
  EXPECT_FALSE(s.analyzed());
}

TEST(SolverSession, EmptyMatrixHasTheEmptySolution) {
  for (const char* name : {"klu", "auto", "cg"}) {
    SessionOptions o;
    o.solver = name;
    SolverSession s(o);
    SparseMatrix empty;  // 0 x 0
    s.factor(empty);
    s.refactor_values(std::span<const double>());
    std::vector<double> b;
    s.solve(std::span<double>(b), 1, false);
    EXPECT_EQ(s.stats().matrices, 2) << name;
    EXPECT_EQ(s.stats().backward_error, 0.0) << name;
  }
}

TEST(SolverSession, OptionsAreValidatedByTheRegistry) {
  SessionOptions o;
  o.solver = "gmres";
  o.solver_options.options["bogus"] = "1";
  expect_error(ErrorKind::usage, "its options:", [&] { SolverSession s(o); });
  o.solver = "nosuch";
  o.solver_options.options.clear();
  expect_error(ErrorKind::usage, "unknown solver 'nosuch' (known: klu",
               [&] { SolverSession s(o); });
  o.solver = "klu";
  o.solver_options.ordering = "rcm";
  expect_error(ErrorKind::usage, "does not take the ordering 'rcm'", [&] { SolverSession s(o); });
}

TEST(SolverSession, AutoChoosesAtTheFirstAnalysis) {
  SessionOptions o;
  o.solver = "auto";
  SolverSession s(o);
  EXPECT_EQ(s.stats().solver, "auto");
  SparseMatrix a = read_matrix_market((test::bundled_data_dir() / "rajat19.mtx").string()).matrix;
  s.factor(a);
  EXPECT_EQ(s.stats().solver, choose_solver(a).name);
  EXPECT_EQ(s.stats().chosen_because, choose_solver(a).because);
  std::vector<double> b = ones_rhs(a), x = b;
  s.solve(std::span<double>(x), 1, false);
  EXPECT_LT(test::backward_error(a, x, b), 1e-12);
}

// --- documents --------------------------------------------------------------------------------

// Timings differ from run to run; everything else of the document is compared.
void drop_timings(nlohmann::json& j) {
  if (j.is_object()) {
    for (const char* k : {"timings", "seconds", "analysis_seconds"}) j.erase(k);
    for (auto& [k, v] : j.items()) drop_timings(v);
  } else if (j.is_array()) {
    for (auto& v : j) drop_timings(v);
  }
}

TEST(AnalyzeMatrix, SameDocumentAsTheFileAnalysis) {
  const std::string path = (test::bundled_data_dir() / "west0479.mtx").string();
  AnalyzeOptions o;
  set_analyze_orderings(o, "natural,amd,rcm", "--orderings");
  set_analyze_lu_fill(o, "klu", "--lu-fill");
  o.name = "west";
  MatrixFile mf = read_matrix_market(path);
  nlohmann::json from_file = nlohmann::json::parse(analyze_json(analyze_files({path}, o)));
  nlohmann::json in_memory = nlohmann::json::parse(
      analyze_json(analyze_matrix(mf.matrix, o, {}, path, mf.stats.duplicates_summed)));
  EXPECT_TRUE(in_memory["timings"].contains("read"));
  drop_timings(from_file);
  drop_timings(in_memory);
  EXPECT_EQ(from_file, in_memory);
  EXPECT_EQ(from_file["name"], "west");
  EXPECT_EQ(from_file["fill_in"]["klu"]["orderings"].size(), 2u);  // AMD and COLAMD
  // Pattern stability over samples in memory, as over files.
  SparseMatrix second = mf.matrix;
  for (auto& v : second.values) v *= 2.0;
  AnalyzeResult r = analyze_matrix(mf.matrix, o, {second}, "A");
  ASSERT_TRUE(r.stability.has_value());
  EXPECT_TRUE(r.stability->is_fixed);
  EXPECT_EQ(r.stability->n_samples, 2);
}

TEST(AnalyzeMatrix, OptionSpellingsAreChecked) {
  AnalyzeOptions o;
  expect_error(ErrorKind::usage, "lu_fill: unknown library 'foo'",
               [&] { set_analyze_lu_fill(o, "superlu,foo", "lu_fill"); });
  expect_error(ErrorKind::usage, "--orderings: empty list",
               [&] { set_analyze_orderings(o, " , ", "--orderings"); });
  set_analyze_lu_fill(o, "none", "x");
  EXPECT_FALSE(o.superlu || o.klu);
  set_analyze_orderings(o, "all", "x");
  EXPECT_EQ(o.orderings, ordering_names());
  // An unknown ordering is refused when the list is read, before any work.
  expect_error(ErrorKind::usage, "unknown ordering 'bogus'",
               [&] { set_analyze_orderings(o, "amd, bogus", "x"); });
  o.orderings = {"amd", "bogus"};  // set directly: analyze_matrix refuses it too
  expect_error(ErrorKind::usage, "unknown ordering 'bogus'",
               [&] { analyze_matrix(from_dense(2, {1, 0, 0, 1}), o); });
  EXPECT_TRUE(is_plain_name("jac"));
  EXPECT_FALSE(is_plain_name("a/b"));
  EXPECT_FALSE(is_plain_name(".."));
}

TEST(SolveReport, SolversAndSessionDocuments) {
  nlohmann::json j = nlohmann::json::parse(solvers_json());
  bool klu = false;
  for (const auto& b : j["backends"])
    if (b["name"] == "klu") {
      klu = true;
      EXPECT_TRUE(b["available"].get<bool>());
      EXPECT_EQ(b["provider"], "built-in");
    }
  EXPECT_TRUE(klu);
  EXPECT_EQ(nlohmann::json::parse(solvers_json("klu"))["backends"].size(), 1u);
  expect_error(ErrorKind::usage, "unknown solver", [] { solvers_json("nosuch"); });

  SparseMatrix a = from_dense(3, {4, 1, 0, 1, 4, 1, 0, 1, 4});
  SolverSession s({});
  s.factor(a);
  std::vector<double> x = ones_rhs(a);
  s.solve(std::span<double>(x), 1, false);
  nlohmann::json d = nlohmann::json::parse(session_json(s));
  EXPECT_EQ(d["solver"], "klu");
  EXPECT_EQ(d["n"], 3);
  EXPECT_EQ(d["nnz"], 7);
  EXPECT_EQ(d["matrices"], 1);
  EXPECT_EQ(d["nnz_L"].get<index_t>(), s.stats().stats.nnz_L);
  EXPECT_TRUE(d["chosen_because"].is_null());
  EXPECT_TRUE(d["refactor_fallbacks"].is_array());
  for (const char* k : {"analyze", "factor", "refactor", "solve"})
    EXPECT_TRUE(d["timings"].contains(k));
  EXPECT_LT(d["backward_error"].get<double>(), 1e-15);
}

}  // namespace
}  // namespace spax
