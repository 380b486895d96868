// run_batch on the host backends (the loop every backend without a batch of its own gets):
// answers against fresh factorizations and a dense reference, the fallback when kept pivots turn
// unstable, input checks; and `spax solve --batch`, `spax bench --batch K` end to end.
#include <gtest/gtest.h>

#include <cmath>

#include "reference_solve.hpp"
#include "spax/batch.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

SparseMatrix bundled(const std::string& name) {
  return read_matrix_market((test::bundled_data_dir() / name).string()).matrix;
}

TEST(SolveBatch, HostLoopEqualsFreshSolves) {
  const SparseMatrix a = bundled("west0479.mtx");
  std::vector<SparseMatrix> ms;
  for (int k = 0; k < 6; ++k) ms.push_back(perturbed_values(a, 3, k + 1));
  for (const std::string solver : {"klu", "umfpack"}) {
    BatchOptions o;
    o.solver = solver;
    const BatchResult r = run_batch(ms, {}, o);
    EXPECT_EQ(r.method, "host loop");
    EXPECT_TRUE(r.device.empty());
    EXPECT_EQ(r.count, 6);
    ASSERT_EQ(r.x.size(), ms.size());
    ASSERT_EQ(r.backward_error.size(), ms.size());
    for (std::size_t k = 0; k < ms.size(); ++k) {
      std::vector<double> ones(static_cast<std::size_t>(a.nrows), 1.0), ref;
      const std::vector<double> b = test::times(ms[k], ones);
      ASSERT_TRUE(test::reference_solve(ms[k], b, false, ref));
      // west0479's condition number is about 1e12: two backward-stable answers agree to ~1e-8.
      EXPECT_LT(test::relative_difference(r.x[k], ref), 1e-6) << solver << " " << k;
      // The reported backward error is the one computed here from the matrix.
      EXPECT_NEAR(r.backward_error[k], test::backward_error(ms[k], r.x[k], b), 1e-18);
      EXPECT_LT(r.backward_error[k], 1e-12);
    }
    EXPECT_GT(r.batch_seconds, 0.0);
  }
}

TEST(SolveBatch, UnstableKeptPivotsFallBack) {
  // As the sequence test: with e = 1e-15 the first matrix's diagonal pivot is unstable.
  const std::vector<SparseMatrix> ms = {test::from_dense(2, {1, 1, 1, 1.5}),
                                        test::from_dense(2, {1e-15, 1, 1, 1.5}),
                                        test::from_dense(2, {0.5, 1, 1, 1.5})};
  BatchOptions o;
  o.solver = "klu";
  o.solver_options.ordering = "natural";
  const BatchResult r = run_batch(ms, {}, o);
  ASSERT_EQ(r.refactor_fallbacks.size(), 1u);
  EXPECT_EQ(r.refactor_fallbacks[0], 1);
  for (std::size_t k = 0; k < ms.size(); ++k) {
    EXPECT_NEAR(r.x[k][0], 1.0, 1e-12) << k;
    EXPECT_NEAR(r.x[k][1], 1.0, 1e-12) << k;
  }
}

TEST(SolveBatch, RightHandSidesAndInputChecks) {
  const SparseMatrix a = test::from_dense(3, {4, 1, 0, 1, 4, 1, 0, 1, 4});
  RightHandSide b;
  b.nrhs = 2;
  b.values = {1, 2, 3, 0, 1, 0};
  BatchOptions o;
  const BatchResult r = run_batch({a, perturbed_values(a, 1, 1)}, {b}, o);
  ASSERT_EQ(r.x.size(), 2u);
  EXPECT_EQ(r.x[0].size(), 6u);
  EXPECT_TRUE(r.forward_error.empty());
  for (int c = 0; c < 2; ++c) {
    std::vector<double> bc(b.values.begin() + 3 * c, b.values.begin() + 3 * c + 3), ref;
    ASSERT_TRUE(test::reference_solve(a, bc, false, ref));
    std::vector<double> xc(r.x[0].begin() + 3 * c, r.x[0].begin() + 3 * c + 3);
    EXPECT_LT(test::relative_difference(xc, ref), 1e-12);
  }
  // Another pattern, a complex matrix: refused before any work.
  const SparseMatrix other = test::from_dense(3, {4, 1, 1, 1, 4, 1, 0, 1, 4});
  EXPECT_THROW(run_batch({a, other}, {}, o), Error);
  SparseMatrix z = a;
  z.field = Field::complex;
  z.zvalues.assign(z.values.size(), complex_t(1.0, 1.0));
  z.values.clear();
  EXPECT_THROW(run_batch({z}, {}, o), Error);
  // A singular matrix in the batch: a numerical error, as for one solve.
  const SparseMatrix s = test::from_dense(3, {1, 1, 0, 1, 2, 1, 0, 1, 1});  // det 0
  try {
    run_batch({a, s}, {}, o);
    FAIL() << "a singular matrix solved";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical) << e.what();
  }
}

TEST(SolveBatchCli, SolveBatchJsonAndExitCodes) {
  test::ScratchDir dir;
  const SparseMatrix a = bundled("west0479.mtx");
  std::vector<std::string> args = {"solve", "--batch", "--solver", "klu", "--json"};
  for (int k = 0; k < 3; ++k) {
    const std::string f = (dir / ("m" + std::to_string(k) + ".mtx")).string();
    write_matrix_market(f, perturbed_values(a, 5, k + 1));
    args.push_back(f);
  }
  test::RunResult r = test::run_spax(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = test::parse_json(r);
  EXPECT_EQ(j["solver"], "klu");
  EXPECT_EQ(j["method"], "host loop");
  EXPECT_TRUE(j["device"].is_null());
  EXPECT_EQ(j["matrices"], 3);
  EXPECT_EQ(j["backward_error"].size(), 3u);
  for (const auto& e : j["backward_error"]) EXPECT_LT(e.get<double>(), 1e-12);
  for (const char* key : {"analyze", "factor", "batch", "per_matrix", "upload", "compute",
                          "download", "host", "check", "fallback"})
    EXPECT_TRUE(j["timings"].contains(key)) << key;
  // --batch with a flag it excludes is a usage error; another pattern an input error.
  args.push_back("--transpose");
  EXPECT_EQ(test::run_spax(args).exit_code, 2);
  const std::string other = (dir / "other.mtx").string();
  write_matrix_market(other, bundled("rajat19.mtx"));
  EXPECT_EQ(test::run_spax({"solve", "--batch", args[5], other}).exit_code, 2);
}

TEST(SolveBatchCli, BenchBatchReportsEveryCase) {
  test::ScratchDir dir;
  const std::string json = (dir / "b.json").string();
  test::RunResult r = test::run_spax({"bench", (test::bundled_data_dir() / "west0479.mtx").string(),
                                      "--batch", "8", "--solvers", "klu,umfpack", "--runs", "2",
                                      "--warmup", "0", "--export-json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("batch of 8"), std::string::npos) << r.out;
  nlohmann::json j = nlohmann::json::parse(test::read_text_file(json));
  EXPECT_EQ(j["batch"], 8);
  ASSERT_EQ(j["cases"].size(), 2u);
  for (const auto& c : j["cases"]) {
    EXPECT_EQ(c["status"], "ok") << c.dump();
    EXPECT_EQ(c["batch_seconds"].size(), 2u);
    EXPECT_LT(c["worst_backward_error"].get<double>(), 1e-10);
    EXPECT_EQ(c["method"], "host loop");
  }
  // An unknown solver is refused before any case runs.
  EXPECT_EQ(test::run_spax({"bench", (test::bundled_data_dir() / "west0479.mtx").string(),
                            "--batch", "4", "--solvers", "nosuch"})
                .exit_code,
            2);
}

}  // namespace
}  // namespace spax
