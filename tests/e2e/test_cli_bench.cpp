// End-to-end: spax bench runs cases, records failures and timeouts, exports every sample.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.hpp"

namespace spax::test {
namespace {

TEST(CliBench, ExportsCarryEveryCaseAndRatiosFollowFromSamples) {
  ScratchDir d;
  const auto json = (d / "b.json").string(), csv = (d / "b.csv").string(),
             md = (d / "b.md").string();
  auto r = run_spax({"bench", (bundled_data_dir() / "west0479.mtx").string(), "--solvers",
                     "klu,umfpack,cholmod", "--orderings", "default,amd", "--runs", "3", "--warmup",
                     "1", "--sequence", "2", "--export-json", json, "--export-csv", csv,
                     "--export-markdown", md});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_text_file(json));
  ASSERT_EQ(j["cases"].size(), 6u);  // 3 solvers x 2 orderings
  EXPECT_FALSE(j["machine"]["cpu_model"].get<std::string>().empty());
  EXPECT_FALSE(j["libraries"]["suitesparse"].get<std::string>().empty());
  // cholmod on an unsymmetric matrix: recorded as failed, the run went on.
  int failed = 0;
  for (const auto& c : j["cases"]) {
    if (c["solver"] == "cholmod") {
      EXPECT_EQ(c["status"], "failed");
      EXPECT_FALSE(c["reason"].get<std::string>().empty());
      ++failed;
      continue;
    }
    EXPECT_EQ(c["status"], "ok") << c.dump();
    for (const char* ph : {"analyze", "factor", "refactor", "solve", "iteration"}) {
      ASSERT_TRUE(c["phases"].contains(ph)) << ph;
      EXPECT_EQ(c["phases"][ph]["samples"].size(), std::string(ph) == "iteration" ? 2u : 3u);
    }
    EXPECT_LT(c["backward_error"].get<double>(), 1e-10);
  }
  EXPECT_EQ(failed, 2);
  // Recompute each ratio from the exported samples: cases are ranked by median.
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  };
  for (const char* ph : {"analyze", "factor", "refactor", "solve", "iteration"}) {
    double best = INFINITY;
    for (const auto& c : j["cases"]) {
      if (c["status"] != "ok") continue;
      best = std::min(best, median(c["phases"][ph]["samples"].get<std::vector<double>>()));
    }
    for (const auto& c : j["cases"]) {
      if (c["status"] != "ok") continue;
      const double med = median(c["phases"][ph]["samples"].get<std::vector<double>>());
      EXPECT_DOUBLE_EQ(c["phases"][ph]["median"].get<double>(), med);
      EXPECT_NEAR(c["phases"][ph]["ratio_to_fastest"].get<double>(), med / best, 1e-9 * med / best);
    }
  }
  // CSV: header plus one row per ok case and phase, one per failed case.
  std::istringstream in(read_text_file(csv));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("matrix,solver,ordering,status,phase,", 0), 0u);
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 4 * 5 + 2);
  EXPECT_NE(read_text_file(md).find("| solver | ordering |"), std::string::npos);
  // stdout: the table, the fastest marked.
  EXPECT_NE(r.out.find("west0479.mtx (479 x 479, nnz 1,910)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" * "), std::string::npos);
  // Noise, if any, is one line on stderr, not one per phase.
  EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// A failed case is recorded and the run goes on; when every case failed, the table and the
// exports are still written and the run exits 3 (numerical failure), not 0.
TEST(CliBench, SingularMatrixIsRecordedAndAllFailedExitsThree) {
  ScratchDir d;
  auto r = run_spax({"bench", (test_data_dir() / "mm" / "two_singular.mtx").string(), "--solvers",
                     "klu,umfpack", "--runs", "1", "--warmup", "0", "--export-json",
                     (d / "b.json").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("singular"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("spax: every case failed (2 cases"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(read_text_file(d / "b.json"));
  EXPECT_EQ(j["cases"].size(), 2u);
  // One case that runs is enough for exit 0.
  auto mixed = run_spax({"bench", (bundled_data_dir() / "west0479.mtx").string(), "--solvers",
                         "klu,cholmod", "--runs", "1", "--warmup", "0"});
  EXPECT_EQ(mixed.exit_code, 0) << mixed.err;
}

// A 223 x 472 matrix is labelled with both dimensions; its cases fail (not square): exit 3.
TEST(CliBench, RectangularMatrixIsLabelledRowsByCols) {
  ScratchDir d;
  write_text_file(d / "r.mtx",
                  "%%MatrixMarket matrix coordinate real general\n223 472 2\n1 1 1\n223 472 2\n");
  auto r = run_spax({"bench", (d / "r.mtx").string(), "--solvers", "klu", "--runs", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("r.mtx (223 x 472, nnz 2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not square"), std::string::npos) << r.out;
}

TEST(CliBench, OneRunPrintsNoSpread) {
  auto r = run_spax({"bench", (bundled_data_dir() / "w156.mtx").string(), "--solvers", "klu",
                     "--runs", "1", "--warmup", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("+-"), std::string::npos) << r.out;
}

TEST(CliBench, TimeoutStopsACase) {
  ScratchDir d;
  auto r = run_spax({"bench", (bundled_data_dir() / "rajat19.mtx").string(), "--solvers",
                     "dense,klu", "--runs", "50", "--warmup", "0", "--timeout", "0.05",
                     "--export-json", (d / "t.json").string()});
  auto j = nlohmann::json::parse(read_text_file(d / "t.json"));
  ASSERT_EQ(j["cases"].size(), 2u);
  // klu may or may not finish 50 runs within 0.05 s: exit 0 when it did, 3 when no case ran.
  EXPECT_EQ(r.exit_code, j["cases"][1]["status"] == "ok" ? 0 : 3) << r.err;
  EXPECT_EQ(j["cases"][0]["status"], "timeout");
  EXPECT_LT(j["cases"][0]["wall_seconds"].get<double>(), 5.0);
}

TEST(CliBench, BadFlagsExitTwo) {
  auto f = (bundled_data_dir() / "w156.mtx").string();
  EXPECT_EQ(run_spax({"bench", f, "--solvers", "nope"}).exit_code, 2);
  EXPECT_EQ(run_spax({"bench", f, "--orderings", "nope"}).exit_code, 2);
  EXPECT_EQ(run_spax({"bench", "/nonexistent.mtx"}).exit_code, 2);
}

}  // namespace
}  // namespace spax::test
