// Every registered backend through the same tests, each test run where the backend claims the
// capability (skipped, and said so, where it does not): a new backend is tested by registering
// it. The answers are checked against a dense reference LU (tests/support), residuals computed
// here. The tests' own backend (reference-lu) is registered below with one line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "reference_backend.hpp"
#include "reference_solve.hpp"
#include "spax/backend.hpp"
#include "spax/batch.hpp"
#include "spax/generate.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::from_dense;
using test::reference_solve;
using test::relative_difference;

// The direct backends, after registering the tests' own (the registration happens before the
// suite is instantiated, at start-up).
std::vector<std::string> direct_backends() {
  static const bool registered = [] {
    register_backend(test::reference_backend_info());
    return true;
  }();
  (void)registered;
  std::vector<std::string> names;
  for (const auto& b : registered_backends())
    if (b.kind == BackendKind::direct && (!b.unavailable_reason || b.unavailable_reason().empty()))
      names.push_back(b.name);
  return names;
}

class Direct : public ::testing::TestWithParam<std::string> {
 protected:
  const BackendInfo& info() const { return require_backend(GetParam()); }
  // The backend's own ordering, or `ordering` (with a permutation for "given").
  std::unique_ptr<Solver> make(const std::string& ordering = "default", index_t n = 0) const {
    SolverOptions o;
    o.ordering = ordering;
    if (ordering == "given")
      for (index_t k = n - 1; k >= 0; --k) o.permutation.push_back(k);  // reversed
    return create_solver(GetParam(), o);
  }
};

// An unsymmetric 4x4 by hand: x = (1, 2, 3, 4).
const SparseMatrix kUnsym = from_dense(4, {4, 1, 0, 0, 1, 4, 1, 0, 0, 2, 5, 1, 1, 0, 1, 3});
// A symmetric positive definite 5x5: tridiagonal (4, -1) plus a corner coupling.
const SparseMatrix kSpd = from_dense(
    5, {4, -1, 0, 0, -1, -1, 4, -1, 0, 0, 0, -1, 4, -1, 0, 0, 0, -1, 4, -1, -1, 0, 0, -1, 4});

std::vector<double> solve_with(Solver& s, const SparseMatrix& a, std::vector<double> b,
                               index_t nrhs = 1, bool transpose = false) {
  s.analyze(a);
  s.factor(a);
  s.solve(std::span<double>(b), nrhs, transpose);
  return b;
}

TEST_P(Direct, UnsymmetricByHand) {
  if (info().caps.spd_only) GTEST_SKIP() << GetParam() << " takes SPD matrices only";
  auto s = make();
  const auto x = solve_with(*s, kUnsym, {6, 12, 23, 16});
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(x[i], i + 1.0, 1e-13);
}

TEST_P(Direct, TransposeByHand) {
  if (!info().caps.transpose) GTEST_SKIP() << GetParam() << " does not solve with A^T";
  const SparseMatrix& a = info().caps.spd_only ? kSpd : kUnsym;
  std::vector<double> y(static_cast<std::size_t>(a.nrows), 1.0), c;
  // c = A^T * ones: the column sums.
  for (index_t j = 0; j < a.ncols; ++j) {
    double sum = 0;
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) sum += a.values[p];
    c.push_back(sum);
  }
  auto s = make();
  const auto x = solve_with(*s, a, c, 1, true);
  for (double v : x) EXPECT_NEAR(v, 1.0, 1e-13);
}

TEST_P(Direct, SymmetricPositiveDefiniteAgainstTheReference) {
  std::vector<double> b = {1, -2, 3, 0.5, 2}, ref;
  ASSERT_TRUE(reference_solve(kSpd, b, false, ref));
  auto s = make();
  EXPECT_LT(relative_difference(solve_with(*s, kSpd, b), ref), 1e-13);
}

TEST_P(Direct, EveryDeclaredOrderingAndSeveralRightHandSides) {
  const SparseMatrix& a = info().caps.spd_only ? kSpd : kUnsym;
  const index_t n = a.nrows;
  std::vector<double> b;
  for (index_t k = 0; k < 3 * n; ++k) b.push_back(std::sin(1.0 + static_cast<double>(k)));
  std::vector<std::string> orderings = info().orderings;
  orderings.insert(orderings.begin(), "default");
  for (const auto& ord : orderings) {
    auto s = make(ord, n);
    const auto x = solve_with(*s, a, b, 3);
    for (index_t k = 0; k < 3; ++k) {
      std::vector<double> bk(b.begin() + k * n, b.begin() + (k + 1) * n), ref,
          xk(x.begin() + k * n, x.begin() + (k + 1) * n);
      ASSERT_TRUE(reference_solve(a, bk, false, ref));
      EXPECT_LT(relative_difference(xk, ref), 1e-12) << ord << " column " << k;
    }
  }
  // An ordering it does not declare is refused before any work.
  for (const char* other : {"amd", "colamd", "metis", "natural"})
    if (std::find(orderings.begin(), orderings.end(), other) == orderings.end()) {
      SolverOptions o;
      o.ordering = other;
      EXPECT_THROW(create_solver(GetParam(), o), Error) << other;
    }
}

TEST_P(Direct, ComplexAgainstTheReference) {
  if (!info().caps.complex) GTEST_SKIP() << GetParam() << " is real only";
  // A Hermitian positive definite matrix (so that Cholesky backends take it too).
  SparseMatrix a = kSpd;
  a.field = Field::complex;
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      const index_t i = a.rowind[p];
      const double im = i == j ? 0.0 : (i < j ? 0.5 : -0.5);
      a.zvalues.emplace_back(a.values[p], im);
    }
  a.values.clear();
  std::vector<complex_t> b = {{1, 1}, {0, -2}, {3, 0}, {0.5, 0.5}, {2, -1}}, ref;
  for (bool transpose : {false, true}) {
    if (transpose && !info().caps.transpose) continue;
    ASSERT_TRUE(reference_solve(a, b, transpose, ref));
    auto s = make();
    s->analyze(a);
    s->factor(a);
    std::vector<complex_t> x = b;
    s->solve(std::span<complex_t>(x), 1, transpose);
    EXPECT_LT(relative_difference(x, ref), 1e-13) << (transpose ? "A^H" : "A");
  }
}

TEST_P(Direct, RefactorEqualsAFreshFactorization) {
  const SparseMatrix& a = info().caps.spd_only ? kSpd : kUnsym;
  SparseMatrix a2 = a;
  for (auto& v : a2.values) v *= 1.5;
  for (index_t j = 0; j < a2.ncols; ++j)  // keep it definite: a bigger diagonal
    for (index_t p = a2.colptr[j]; p < a2.colptr[j + 1]; ++p)
      if (a2.rowind[p] == j) a2.values[p] += 1.0;
  std::vector<double> b = {1, 2, 3, 4, 5};
  b.resize(static_cast<std::size_t>(a.nrows));
  auto s = make();
  s->analyze(a);
  s->factor(a);
  s->refactor(a2);
  if (s->refactor_suspect()) s->factor(a2);
  std::vector<double> x = b, ref;
  s->solve(std::span<double>(x), 1, false);
  ASSERT_TRUE(reference_solve(a2, b, false, ref));
  EXPECT_LT(relative_difference(x, ref), 1e-13);
}

TEST_P(Direct, SymbolicCacheRoundTrip) {
  if (!info().caps.symbolic_cache) GTEST_SKIP() << GetParam() << " keeps no symbolic cache";
  const SparseMatrix& a = info().caps.spd_only ? kSpd : kUnsym;
  auto s = make();
  s->analyze(a);
  const std::string bytes = s->export_symbolic();
  ASSERT_FALSE(bytes.empty());
  auto t = make();
  ASSERT_TRUE(t->import_symbolic(a, bytes));
  t->factor(a);
  std::vector<double> b(static_cast<std::size_t>(a.nrows), 1.0), x = b, ref;
  t->solve(std::span<double>(x), 1, false);
  ASSERT_TRUE(reference_solve(a, b, false, ref));
  EXPECT_LT(relative_difference(x, ref), 1e-13);
}

TEST_P(Direct, NumericCacheRoundTrip) {
  if (!info().caps.numeric_cache) GTEST_SKIP() << GetParam() << " keeps no numeric cache";
  const SparseMatrix& a = info().caps.spd_only ? kSpd : kUnsym;
  auto s = make();
  s->analyze(a);
  s->factor(a);
  ASSERT_TRUE(s->supports_numeric_cache());
  const std::string bytes = s->export_numeric();
  auto t = make();
  t->analyze(a);
  ASSERT_TRUE(t->import_numeric(a, bytes));
  std::vector<double> b(static_cast<std::size_t>(a.nrows), 1.0), x = b, ref;
  t->solve(std::span<double>(x), 1, false);
  ASSERT_TRUE(reference_solve(a, b, false, ref));
  EXPECT_LT(relative_difference(x, ref), 1e-13);
}

TEST_P(Direct, SingularIsANumericalError) {
  // Structurally nonsingular, numerically singular (two equal rows); SPD-only backends see an
  // indefinite matrix instead, also a numerical error.
  const SparseMatrix a = from_dense(3, {1, 2, 0, 1, 2, 0, 0, 0, 1});
  try {
    auto s = make();
    solve_with(*s, a, {1, 1, 1});
    FAIL() << GetParam() << " solved a singular matrix";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical) << e.what();
  }
}

TEST_P(Direct, OptionsAreValidatedAndResolved) {
  SolverOptions o;
  o.set("no_such_key", "1");
  try {
    create_solver(GetParam(), o);
    FAIL() << "an undeclared option was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(e.message().find("no_such_key"), std::string::npos);
  }
  const ResolvedSolver r = resolve_solver(GetParam(), SolverOptions{});
  EXPECT_EQ(r.options.size(), info().options.size());  // every key, with its default
  for (const auto& opt : info().options) EXPECT_EQ(r.options.at(opt.key), opt.default_value);
}

INSTANTIATE_TEST_SUITE_P(Registered, Direct, ::testing::ValuesIn(direct_backends()),
                         [](const auto& p) {
                           std::string n = p.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// The iterative backends (with their default preconditioner) on a 2D Laplacian.
std::vector<std::string> iterative_backends() {
  std::vector<std::string> names;
  for (const auto& b : registered_backends())
    if (b.kind == BackendKind::iterative &&
        (!b.unavailable_reason || b.unavailable_reason().empty()))
      names.push_back(b.name);
  return names;
}

class Iterative : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    // cg's default preconditioner (amg) comes from the hypre plugin, which a build may lack.
    for (const auto& o : require_backend(GetParam()).options)
      if (o.key == "precond" && !find_preconditioner(o.default_value))
        GTEST_SKIP() << GetParam() << "'s default preconditioner " << o.default_value
                     << " is not available here";
  }
};

TEST_P(Iterative, ReachesTheToleranceOnALaplacian) {
  const SparseMatrix a = grid_laplacian(20, 2);
  std::vector<double> x_true(static_cast<std::size_t>(a.nrows));
  for (std::size_t i = 0; i < x_true.size(); ++i)
    x_true[i] = std::cos(0.1 * static_cast<double>(i));
  const std::vector<double> b = test::times(a, x_true);
  SolverOptions o;
  o.set("tol", 1e-10);
  auto s = create_solver(GetParam(), o);
  s->analyze(a);
  s->factor(a);
  std::vector<double> x = b;
  s->solve(std::span<double>(x), 1, false);
  // The relative residual, computed here.
  const std::vector<double> ax = test::times(a, x);
  double rn = 0, bn = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    rn += (b[i] - ax[i]) * (b[i] - ax[i]);
    bn += b[i] * b[i];
  }
  EXPECT_LE(std::sqrt(rn / bn), 1e-10);
  EXPECT_TRUE(s->stats().iterative);
  EXPECT_GT(s->stats().iterations, 0);
}

TEST_P(Iterative, OptionsAreValidatedAndResolved) {
  const ResolvedSolver r = resolve_solver(GetParam(), SolverOptions{});
  ASSERT_NE(r.preconditioner, nullptr);
  for (const auto& opt : r.backend->options) {
    if (opt.key == "precond") continue;
    EXPECT_EQ(r.options.at(opt.key), opt.default_value) << opt.key;
  }
  for (const auto& opt : r.preconditioner->options)
    EXPECT_EQ(r.options.at(opt.key), opt.default_value) << opt.key;
  SolverOptions bad;
  bad.set("no_such_key", "1");
  EXPECT_THROW(create_solver(GetParam(), bad), Error);
}

INSTANTIATE_TEST_SUITE_P(Registered, Iterative, ::testing::ValuesIn(iterative_backends()));

TEST(Registry, TheTestsOwnBackendIsRegisteredAndListed) {
  const auto names = direct_backends();
  EXPECT_NE(std::find(names.begin(), names.end(), "reference-lu"), names.end());
  const BackendInfo* b = find_backend("reference-lu");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->provider, "");  // registered by the program itself, not a plugin
  EXPECT_THROW(register_backend(test::reference_backend_info()), Error);  // one name, once
}

TEST(Registry, RunSequenceTakesTheCallersOwnSolver) {
  auto s = test::reference_backend_info().factory(SolverOptions{});
  SequenceOptions so;
  const SequenceResult r = run_sequence({kUnsym, kUnsym}, {}, so, *s);
  EXPECT_EQ(r.solver, "reference-lu");
  ASSERT_EQ(r.solves.size(), 2u);
  for (const auto& rec : r.solves) EXPECT_LT(rec.backward_error, 1e-15);
  for (double v : r.x[1]) EXPECT_NEAR(v, 1.0, 1e-13);  // b = A * ones
}

// A backend on a (pretend) device: the sequence report names the device and carries its timings.
class PretendDevice final : public Solver, public DeviceSolver {
 public:
  PretendDevice() : inner_(test::reference_backend_info().factory(SolverOptions{})) {}
  std::string name() const override { return "pretend-device"; }
  void analyze(const SparseMatrix& a) override { inner_->analyze(a); }
  void factor(const SparseMatrix& a) override {
    inner_->factor(a);
    t_.host_seconds += 1.0;
  }
  void solve(std::span<double> b, index_t nrhs, bool tr) override {
    inner_->solve(b, nrhs, tr);
    t_.compute_seconds += 0.5;
    t_.upload_seconds += 0.25;
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool tr) override { inner_->solve(b, nrhs, tr); }
  std::string device_name() const override { return "pretend GPU"; }
  DeviceTimings device_timings() const override { return t_; }
  void reset_device_timings() override { t_ = {}; }

 private:
  std::unique_ptr<Solver> inner_;
  DeviceTimings t_;
};

TEST(Registry, ASequenceOnADeviceNamesItAndSplitsItsTime) {
  PretendDevice s;
  s.factor(kUnsym);  // before the sequence: reset by the runner
  const SequenceResult r = run_sequence({kUnsym, kUnsym, kUnsym}, {}, SequenceOptions{}, s);
  EXPECT_EQ(r.device, "pretend GPU");
  // Three solves (the first fresh; refactors are factor() for this backend: two more).
  EXPECT_DOUBLE_EQ(r.device_timings.compute_seconds, 1.5);
  EXPECT_DOUBLE_EQ(r.device_timings.upload_seconds, 0.75);
  EXPECT_DOUBLE_EQ(r.device_timings.host_seconds, 3.0);
  const SequenceResult plain = run_sequence({kUnsym}, {}, SequenceOptions{});
  EXPECT_TRUE(plain.device.empty());
}

TEST(Registry, NamesAndKindsOfTheBuiltIns) {
  for (const char* n : {"klu", "umfpack", "cholmod", "superlu", "eigen-lu", "dense"})
    EXPECT_EQ(require_backend(n).kind, BackendKind::direct) << n;
  for (const char* n : {"cg", "bicgstab", "gmres", "amg"})
    EXPECT_EQ(require_backend(n).kind, BackendKind::iterative) << n;
  EXPECT_EQ(resolve_solver("gmres", SolverOptions{}).name, "gmres+ilut");
  EXPECT_EQ(resolve_solver("cg", SolverOptions{}).name, "cg+amg");
  EXPECT_THROW(resolve_solver("klu+ilut", SolverOptions{}), Error);
  EXPECT_THROW(require_backend("nope"), Error);
  // The capabilities the memory cap and bench rely on.
  EXPECT_TRUE(require_backend("klu").caps.keeps_pivots);
  EXPECT_TRUE(require_backend("umfpack").caps.numeric_cache);
  EXPECT_TRUE(require_backend("cholmod").caps.spd_only);
  EXPECT_FALSE(require_backend("superlu").caps.memory_cap);
}

}  // namespace
}  // namespace spax
