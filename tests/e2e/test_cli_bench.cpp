// End-to-end: spax bench runs cases, records failures and timeouts, exports every sample.
#include <gtest/gtest.h>

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
  // Recompute each ratio from the exported samples.
  for (const char* ph : {"analyze", "factor", "refactor", "solve", "iteration"}) {
    double best = INFINITY;
    for (const auto& c : j["cases"]) {
      if (c["status"] != "ok") continue;
      double sum = 0;
      for (double s : c["phases"][ph]["samples"]) sum += s;
      best = std::min(best, sum / static_cast<double>(c["phases"][ph]["samples"].size()));
    }
    for (const auto& c : j["cases"]) {
      if (c["status"] != "ok") continue;
      double sum = 0;
      for (double s : c["phases"][ph]["samples"]) sum += s;
      double mean = sum / static_cast<double>(c["phases"][ph]["samples"].size());
      EXPECT_NEAR(c["phases"][ph]["ratio_to_fastest"].get<double>(), mean / best,
                  1e-9 * mean / best);
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
  EXPECT_NE(r.out.find("west0479.mtx (n 479, nnz 1910)"), std::string::npos);
  EXPECT_NE(r.out.find(" *"), std::string::npos);
}

TEST(CliBench, SingularMatrixIsRecordedNotFatal) {
  auto r = run_spax({"bench", (test_data_dir() / "mm" / "two_singular.mtx").string(), "--solvers",
                     "klu,umfpack", "--runs", "1", "--warmup", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("singular"), std::string::npos) << r.out;
}

TEST(CliBench, TimeoutStopsACase) {
  ScratchDir d;
  auto r = run_spax({"bench", (bundled_data_dir() / "rajat19.mtx").string(), "--solvers",
                     "dense,klu", "--runs", "50", "--warmup", "0", "--timeout", "0.05",
                     "--export-json", (d / "t.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_text_file(d / "t.json"));
  ASSERT_EQ(j["cases"].size(), 2u);
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
