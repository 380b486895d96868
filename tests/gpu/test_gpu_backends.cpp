// The CUDA plugin's backends on a GPU (compiled only with SPAX_WITH_CUDA; each test skips itself
// where no GPU is visible): every cuda-* answer against KLU's on the real matrices, the circuit5k
// Newton sequence, kept pivots turning unstable, a batch of 64, singular matrices.
#include <gtest/gtest.h>

#include <cmath>

#include "reference_solve.hpp"
#include "spax/backend.hpp"
#include "spax/batch.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

#define SPAX_REQUIRE_GPU(name)                                                             \
  do {                                                                                     \
    const BackendInfo* b = find_backend(name);                                             \
    ASSERT_NE(b, nullptr) << name << " is not registered (plugin not loaded?)";            \
    if (std::string why = b->unavailable_reason ? b->unavailable_reason() : std::string(); \
        !why.empty())                                                                      \
      GTEST_SKIP() << name << ": " << why;                                                 \
  } while (0)

SparseMatrix load(const std::string& rel) {
  SparseMatrix a = read_matrix_market((test::shared_matrices_dir() / rel).string()).matrix;
  if (!a.has_values()) a = synthesize_values(a);
  return a;
}

// The shared collection's real, square, real-valued matrices that KLU solves.
std::vector<std::pair<std::string, SparseMatrix>> real_matrices() {
  std::vector<std::pair<std::string, SparseMatrix>> out;
  for (const char* name : {"adder_dcop_05", "bayer10", "rajat01", "rajat19", "west0479", "west0067",
                           "impcol_a", "494_bus", "bcsstk13", "bcspwr10", "dwt_878", "jagmesh7",
                           "nnc1374", "olm500", "watt_2", "hangGlider_2", "Pd", "arrow100"}) {
    SparseMatrix a = load(std::string("real/") + name + ".mtx");
    if (a.is_complex() || !a.is_square()) continue;
    out.emplace_back(name, std::move(a));
  }
  return out;
}

SequenceResult solve_with(const std::string& solver, const std::vector<SparseMatrix>& ms,
                          std::map<std::string, std::string> options = {}) {
  SequenceOptions o;
  o.solver = solver;
  o.solver_options.options = std::move(options);
  return run_sequence(ms, {}, o);
}

TEST(GpuCudaRf, EqualsKluOnTheRealMatrices) {
  SPAX_REQUIRE_SHARED();
  SPAX_REQUIRE_GPU("cuda-rf");
  for (const std::string engine : {"rf", "kernel"})
    for (const auto& [name, a] : real_matrices()) {
      SequenceResult k;
      try {
        k = solve_with("klu", {a});
      } catch (const Error& e) {
        continue;  // singular for KLU too (arrow100's kind): the singular test covers it
      }
      // Twice the matrix: one fresh factorization, one refactor on the GPU.
      SequenceResult g = solve_with("cuda-rf", {a, a}, {{"engine", engine}});
      ASSERT_EQ(g.x.size(), 2u);
      for (std::size_t i = 0; i < 2; ++i) {
        // The backward error recomputed here, from the matrix, not taken from the report.
        std::vector<double> ones(static_cast<std::size_t>(a.nrows), 1.0);
        const std::vector<double> b = test::times(a, ones);
        const double be = test::backward_error(a, g.x[i], b);
        EXPECT_LT(be, 1e-10) << engine << " " << name << " solve " << i;
        const double be_klu = test::backward_error(a, k.x[0], b);
        EXPECT_LT(be, std::max(1e-13, 100 * be_klu)) << engine << " " << name;
      }
      EXPECT_LT(test::relative_difference(g.x[1], k.x[0]),
                std::max(1e-8, 1e3 * k.solves[0].backward_error / std::max(k.stats.rcond, 1e-300)))
          << engine << " " << name;
    }
}

TEST(GpuCudaRf, Circuit5kNewtonSequenceEqualsKlu) {
  SPAX_REQUIRE_SHARED();
  SPAX_REQUIRE_GPU("cuda-rf");
  std::vector<SparseMatrix> ms;
  for (int k = 0; k < 5; ++k)
    ms.push_back(load("synthetic/circuit5k_newton_000" + std::to_string(k) + ".mtx"));
  const SequenceResult k = solve_with("klu", ms);
  for (const std::string engine : {"rf", "kernel"}) {
    const SequenceResult g = solve_with("cuda-rf", ms, {{"engine", engine}});
    ASSERT_EQ(g.x.size(), ms.size());
    EXPECT_EQ(g.refactor_seconds.size(), ms.size() - 1);
    for (std::size_t i = 0; i < ms.size(); ++i) {
      std::vector<double> ones(static_cast<std::size_t>(ms[i].nrows), 1.0);
      const double be = test::backward_error(ms[i], g.x[i], test::times(ms[i], ones));
      EXPECT_LT(be, 1e-10) << engine << " matrix " << i;
      // Two backward-stable answers differ by up to about cond(A) times their backward errors.
      const double bound =
          std::max(1e-8, 100 * (be + k.solves[i].backward_error) / std::max(k.stats.rcond, 1e-300));
      EXPECT_LT(test::relative_difference(g.x[i], k.x[i]), bound) << engine << " matrix " << i;
    }
  }
}

TEST(GpuCudaRf, UnstableKeptPivotsFallBackAndStayCorrect) {
  SPAX_REQUIRE_GPU("cuda-rf");
  // As the host test: the second matrix shrinks the leading diagonal so that the kept diagonal
  // pivots become tiny; the refactor on the GPU must be replaced by a fresh host factorization.
  const index_t n = 40;
  auto make = [&](double d) {
    std::vector<double> m(n * n, 0.0);
    for (index_t i = 0; i < n; ++i) {
      m[i * n + i] = (i % 2 == 0) ? d : 4.0;
      if (i + 1 < n) m[i * n + i + 1] = m[(i + 1) * n + i] = 1.0;
    }
    return test::from_dense(n, m);
  };
  const std::vector<SparseMatrix> ms = {make(4.0), make(1e-14), make(3.0)};
  for (const std::string engine : {"rf", "kernel"}) {
    const SequenceResult r = solve_with("cuda-rf", ms, {{"engine", engine}});
    EXPECT_FALSE(r.refactor_fallbacks.empty()) << engine;
    for (std::size_t i = 0; i < ms.size(); ++i) {
      std::vector<double> ones(n, 1.0), b(n), ref;
      multiply(ms[i], ones, b);
      ASSERT_TRUE(test::reference_solve(ms[i], b, false, ref));
      EXPECT_LT(test::relative_difference(r.x[i], ref), 1e-10) << engine << " matrix " << i;
    }
  }
}

TEST(GpuCudaRf, BatchOf64GivesSixtyFourCorrectAnswers) {
  SPAX_REQUIRE_SHARED();
  SPAX_REQUIRE_GPU("cuda-rf");
  const SparseMatrix a = load("synthetic/circuit5k_newton_0000.mtx");
  std::vector<SparseMatrix> ms;
  for (int k = 0; k < 64; ++k) ms.push_back(perturbed_values(a, 1, k + 1));
  BatchOptions ko;
  ko.solver = "klu";
  const BatchResult k = run_batch(ms, {}, ko);
  EXPECT_EQ(k.method, "host loop");
  for (const std::string method : {"kernel"}) {
    BatchOptions o;
    o.solver = "cuda-rf";
    const BatchResult g = run_batch(ms, {}, o);
    EXPECT_NE(g.method.find("kernel"), std::string::npos);
    EXPECT_FALSE(g.device.empty());
    ASSERT_EQ(g.x.size(), 64u);
    for (std::size_t i = 0; i < ms.size(); ++i) {
      std::vector<double> ones(static_cast<std::size_t>(a.nrows), 1.0);
      const double be = test::backward_error(ms[i], g.x[i], test::times(ms[i], ones));
      EXPECT_LT(be, 1e-10) << method << " matrix " << i;
      const double bound =
          std::max(1e-8, 100 * (be + k.backward_error[i]) / std::max(k.stats.rcond, 1e-300));
      EXPECT_LT(test::relative_difference(g.x[i], k.x[i]), bound) << method << " matrix " << i;
    }
  }
}

TEST(GpuCudaRf, SingularMatricesAreNumericalErrors) {
  SPAX_REQUIRE_SHARED();
  SPAX_REQUIRE_GPU("cuda-rf");
  // Structurally singular, as on the host: exit 3.
  test::RunResult r =
      test::run_spax({"solve", (test::shared_matrices_dir() / "edge/two_singular.mtx").string(),
                      "--solver", "cuda-rf"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // Numerically singular in a refactor: the refactor's zero pivot, then the fresh factorization
  // says singular.
  const SparseMatrix a = test::from_dense(3, {2, 1, 0, 1, 2, 1, 0, 1, 2});
  const SparseMatrix s = test::from_dense(3, {1, 1, 0, 1, 2, 1, 0, 1, 1});  // same pattern, det 0
  try {
    solve_with("cuda-rf", {a, s});
    FAIL() << "a singular matrix solved";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical) << e.what();
  }
}

TEST(GpuCudaDense, EqualsKluOnSmallMatrices) {
  SPAX_REQUIRE_SHARED();
  SPAX_REQUIRE_GPU("cuda-dense");
  for (const char* name : {"west0479", "494_bus", "bcsstk13", "dwt_878", "rajat19", "impcol_a"}) {
    const SparseMatrix a = load(std::string("real/") + name + ".mtx");
    const SequenceResult k = solve_with("klu", {a});
    const SequenceResult g = solve_with("cuda-dense", {a});
    std::vector<double> ones(static_cast<std::size_t>(a.nrows), 1.0);
    const std::vector<double> b = test::times(a, ones);
    EXPECT_LT(test::backward_error(a, g.x[0], b), 1e-12) << name;
    EXPECT_LT(test::relative_difference(g.x[0], k.x[0]),
              std::max(1e-8, 1e3 * k.solves[0].backward_error / std::max(k.stats.rcond, 1e-300)))
        << name;
  }
  test::RunResult r =
      test::run_spax({"solve", (test::shared_matrices_dir() / "edge/two_singular.mtx").string(),
                      "--solver", "cuda-dense"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST(GpuCli, SolveBatchNamesTheGpu) {
  SPAX_REQUIRE_SHARED();
  SPAX_REQUIRE_GPU("cuda-rf");
  std::vector<std::string> args = {"solve", "--batch", "--solver", "cuda-rf", "--json"};
  for (int k = 0; k < 5; ++k)
    args.push_back((test::shared_matrices_dir() /
                    ("synthetic/circuit5k_newton_000" + std::to_string(k) + ".mtx"))
                       .string());
  test::RunResult r = test::run_spax(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = test::parse_json(r);
  EXPECT_EQ(j["solver"], "cuda-rf");
  EXPECT_FALSE(j["device"].get<std::string>().empty());
  EXPECT_EQ(j["backward_error"].size(), 5u);
  for (const auto& be : j["backward_error"]) EXPECT_LT(be.get<double>(), 1e-10);
  EXPECT_TRUE(j["timings"].contains("upload"));
}

}  // namespace
}  // namespace spax
