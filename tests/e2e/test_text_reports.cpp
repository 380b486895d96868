// Text reports are for people: times with a unit and 3 significant digits, large counts with
// k/M/G, no raw doubles (13387.0, 1.5363000000000002e-05) and no JSON in them. (JSON output
// keeps full precision.)
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace spax::test {
namespace {

const std::string kTime = R"([0-9]+(\.[0-9]+)? (ns|us|ms|s))";

// No number with more than 4 decimals, no "13387.0", no JSON array or object of numbers.
void expect_no_raw_numbers(const std::string& text, const std::string& what) {
  std::smatch m;
  EXPECT_FALSE(std::regex_search(text, m, std::regex(R"([0-9]\.[0-9]{5,})")))
      << what << ": raw number '" << m.str() << "' in\n"
      << text;
  EXPECT_FALSE(std::regex_search(text, m, std::regex(R"([0-9]{3,}\.0\b)")))
      << what << ": raw number '" << m.str() << "' in\n"
      << text;
  EXPECT_FALSE(std::regex_search(text, m, std::regex(R"(\[[-0-9.e]+(,[-0-9.e]+)*\])")))
      << what << ": JSON array '" << m.str() << "' in\n"
      << text;
  EXPECT_EQ(text.find("{\""), std::string::npos) << what << ": JSON object in\n" << text;
}

std::string line_with(const std::string& text, const std::string& start) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l.find(start) != std::string::npos) return l;
  return {};
}

TEST(TextReports, InfoTimeHasAUnit) {
  auto r = run_spax({"info", (bundled_data_dir() / "west0479.mtx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_no_raw_numbers(r.out, "info");
  EXPECT_TRUE(
      std::regex_search(line_with(r.out, "read time"), std::regex("read time +" + kTime + "$")))
      << line_with(r.out, "read time");
}

TEST(TextReports, OrderTimeHasAUnit) {
  ScratchDir d;
  auto r = run_spax({"order", (bundled_data_dir() / "west0479.mtx").string(), "--ordering", "amd",
                     "--out", (d / "p.npy").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(", " + kTime + " -> "))) << r.out;
}

TEST(TextReports, AnalyzeSummaryTimesAndFlops) {
  ScratchDir d;
  auto r = run_spax({"analyze", (bundled_data_dir() / "adder_dcop_05.mtx").string(), "--measure",
                     "--output-dir", (d / "o").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_no_raw_numbers(r.out, "analyze");
  // Ordering table: "amd  <time>  height  width  nnz(L)  <flops with a k/M suffix or < 1000>".
  const std::string amd = line_with(r.out, "amd      ");
  EXPECT_TRUE(std::regex_search(
      amd, std::regex("^amd +" + kTime + R"( +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+[kMGT]? )")))
      << amd;
  EXPECT_TRUE(std::regex_search(line_with(r.out, "klu AMD"), std::regex(R"(\()" + kTime + R"(\))")))
      << line_with(r.out, "klu AMD");
  EXPECT_TRUE(std::regex_search(line_with(r.out, "CHOLMOD "),
                                std::regex("CHOLMOD " + kTime + ", KLU " + kTime)))
      << line_with(r.out, "CHOLMOD ");
}

TEST(TextReports, SolveSummaryForPeople) {
  // A sequence of three (refactor times listed), iterative too (residuals and setups).
  const std::string a = (bundled_data_dir() / "adder_dcop_05.mtx").string();
  auto r = run_spax({"solve", a, a, a, "--solver", "klu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_no_raw_numbers(r.out, "solve");
  EXPECT_TRUE(std::regex_search(line_with(r.out, "time factor"), std::regex(kTime + "$"))) << r.out;
  EXPECT_TRUE(
      std::regex_search(line_with(r.out, "time refactor"), std::regex(kTime + ", " + kTime + "$")))
      << r.out;
  ScratchDir d;
  const std::string g = (d / "g.mtx").string();
  ASSERT_EQ(run_spax({"gen", "grid2d", "--n", "20", "--out", g}).exit_code, 0);
  r = run_spax({"solve", g, "--solver", "cg+jacobi"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_no_raw_numbers(r.out, "solve (iterative)");
  EXPECT_TRUE(
      std::regex_search(line_with(r.out, "iterations"), std::regex(R"(^iterations +[0-9]+$)")))
      << r.out;
}

TEST(TextReports, BenchAndCheckHaveNoRawNumbers) {
  ScratchDir d;
  auto b = run_spax({"bench", (bundled_data_dir() / "west0479.mtx").string(), "--solvers",
                     "klu,umfpack", "--runs", "3"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  expect_no_raw_numbers(b.out, "bench");
  EXPECT_TRUE(std::regex_search(line_with(b.out, "klu "), std::regex(kTime))) << b.out;
  const std::string check_dir = (test_data_dir() / "check").string();
  auto c = run_spax({"check", "pattern", check_dir + "/ref.mtx", check_dir + "/same.mtx",
                     check_dir + "/added.mtx"});
  EXPECT_EQ(c.exit_code, 1);
  expect_no_raw_numbers(c.out, "check pattern");
  auto base =
      run_spax({"check", "baseline", "create", (bundled_data_dir() / "west0479.mtx").string(), "-o",
                (d / "b.json").string()});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  expect_no_raw_numbers(base.out, "check baseline create");
  EXPECT_TRUE(std::regex_search(base.out, std::regex(R"(flops [0-9.]+[kMGT]?, )"))) << base.out;
}

}  // namespace
}  // namespace spax::test
