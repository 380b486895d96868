// Progress on stderr: on a terminal only (these tests run without one, so nothing appears), or
// forced with SPAX_PROGRESS=1 as one plain line per step, whose format is checked here.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace spax::test {
namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// "spax TASK: [####......] DONE/TOTAL TIME UNIT WHAT"
void expect_progress_lines(const std::string& err, const std::string& task,
                           const std::vector<std::string>& must_mention) {
  const std::regex line("spax " + task +
                        R"(: \[[#.]{20}\] (\d+)/(\d+) [0-9.]+ (ns|us|ms|s)( .*)?)");
  const auto lines = lines_of(err);
  ASSERT_GE(lines.size(), 3u) << err;
  std::size_t last_done = 0, total = 0;
  for (const auto& l : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << "not a progress line: '" << l << "'";
    const std::size_t done = std::stoul(m[1]);
    total = std::stoul(m[2]);
    EXPECT_GE(done, last_done) << l;  // never goes back
    EXPECT_LE(done, total) << l;
    // The bar has done/total of its 20 cells filled.
    EXPECT_EQ(static_cast<std::size_t>(std::count(l.begin(), l.end(), '#')), 20 * done / total)
        << l;
    last_done = done;
  }
  EXPECT_EQ(last_done, total) << err;
  EXPECT_NE(lines.back().find(" done"), std::string::npos) << lines.back();
  for (const auto& w : must_mention) EXPECT_NE(err.find(w), std::string::npos) << w << "\n" << err;
}

TEST(Progress, AnalyzeReportsPhasesAndOrderingsWhenForced) {
  ScratchDir d;
  const std::vector<std::string> args = {"analyze",
                                         (bundled_data_dir() / "west0479.mtx").string(),
                                         (bundled_data_dir() / "west0479.mtx").string(),
                                         "--output-dir",
                                         (d / "out").string(),
                                         "--orderings",
                                         "amd,metis",
                                         "--json"};
  auto forced = run_spax_env(args, {"SPAX_PROGRESS=1"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  expect_progress_lines(forced.err, "analyze",
                        {" read", "ordering amd", "ordering metis", "ordering natural", "LU fill",
                         "pattern stability", "writing "});
  // stdout is the same document with or without progress.
  auto quiet = run_spax_env(args, {"SPAX_PROGRESS=0"});
  ASSERT_EQ(quiet.exit_code, 0);
  EXPECT_TRUE(quiet.err.empty()) << quiet.err;
  EXPECT_EQ(parse_json(forced)["matrix"], parse_json(quiet)["matrix"]);
}

TEST(Progress, BenchCountsCasesWhenForced) {
  auto r =
      run_spax_env({"bench", (bundled_data_dir() / "w156.mtx").string(), "--solvers", "klu,umfpack",
                    "--orderings", "default,amd", "--runs", "1", "--warmup", "0"},
                   {"SPAX_PROGRESS=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_progress_lines(r.err, "bench",
                        {"w156.mtx klu/default", "w156.mtx umfpack/amd: ok", "4/4"});
}

// Not a terminal and not forced: nothing on stderr (pipes, files and CI logs stay clean).
TEST(Progress, NothingWithoutATerminal) {
  ScratchDir d;
  auto a = run_spax(
      {"analyze", (bundled_data_dir() / "w156.mtx").string(), "--output-dir", (d / "x").string()});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_TRUE(a.err.empty()) << a.err;
  auto b = run_spax(
      {"bench", (bundled_data_dir() / "w156.mtx").string(), "--solvers", "klu", "--runs", "1"});
  EXPECT_EQ(b.exit_code, 0);
  EXPECT_TRUE(b.err.empty()) << b.err;
}

}  // namespace
}  // namespace spax::test
