// End-to-end: the option helpers every command shares (numeric validators, --threads, unknown
// subcommands), output paths checked before the work, and readers given a directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>
#include <thread>

#include "test_support.hpp"

namespace spax::test {
namespace {

std::string matrix(const char* name = "w156.mtx") {
  return (bundled_data_dir() / name).string();
}

bool mentions(const RunResult& r, const std::string& s) {
  return r.err.find(s) != std::string::npos;
}

// A usage error: exit 2, one line on stderr starting "spax: ", saying `what`.
void expect_usage(const std::vector<std::string>& args, const std::string& what) {
  auto r = run_spax(args);
  std::string cmd;
  for (const auto& a : args) cmd += a + " ";
  EXPECT_EQ(r.exit_code, 2) << cmd << r.err;
  EXPECT_EQ(r.err.rfind("spax: ", 0), 0u) << cmd << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd << r.err;
  EXPECT_TRUE(mentions(r, what)) << cmd << "expected '" << what << "' in: " << r.err;
  // CLI11's own range message printed the largest double in 300 digits.
  EXPECT_FALSE(mentions(r, "179769313486231570")) << cmd << r.err;
  EXPECT_FALSE(mentions(r, "not in range")) << cmd << r.err;
  EXPECT_TRUE(r.out.empty()) << cmd << r.out;
}

TEST(CliOptions, RangeErrorsSayWhatIsAllowed) {
  const std::string m = matrix();
  expect_usage({"analyze", m, "--lu-timeout", "0"}, "--lu-timeout: must be positive, got 0");
  expect_usage({"analyze", m, "--lu-timeout", "-3"}, "must be positive");
  expect_usage({"analyze", m, "--lu-relax", "-1"}, "--lu-relax: must be zero or positive");
  expect_usage({"analyze", m, "--lu-relax", "2.5"}, "must be a whole number");
  expect_usage({"bench", m, "--runs", "0"}, "--runs: must be between 1 and 100000, got 0");
  expect_usage({"bench", m, "--warmup", "-1"}, "--warmup: must be between 0 and 1000");
  expect_usage({"bench", m, "--timeout", "0"}, "--timeout: must be positive");
  expect_usage({"bench", m, "--max-iter", "0"}, "--max-iter: must be positive");
  expect_usage({"bench", m, "--tol", "-1"}, "--tol: must be positive");
  expect_usage({"spy", m, "-o", "x.svg", "--size", "9"}, "--size: must be between 64 and 4096");
  expect_usage({"gen", "circuit", "--nodes", "3", "--out", "d"}, "--nodes: must be between 16");
  expect_usage({"gen", "grid2d", "--n", "0", "--out", "x.mtx"}, "--n: must be positive");
  expect_usage({"gen", "circuit", "--nodes", "20", "--iterations", "0", "--out", "d"},
               "--iterations: must be at least 1");
  expect_usage({"solve", m, "--max-iter", "0"}, "--max-iter: must be positive");
  expect_usage({"solve", m, "--restart", "x"}, "--restart: must be a whole number, got 'x'");
  expect_usage({"info", m, "--threads", "-2"}, "--threads: must be zero or positive");
}

// NaN compares false with every bound, so "nan" passed the positive checks; infinity is no
// count of seconds or megabytes either.
TEST(CliOptions, NanAndInfinityAreRefused) {
  const std::string m = matrix();
  for (const std::string v : {"nan", "NaN", "inf", "-inf"}) {
    expect_usage({"analyze", m, "--lu-timeout", v}, "--lu-timeout: must be a finite number");
    expect_usage({"bench", m, "--timeout", v}, "--timeout: must be a finite number");
    expect_usage({"bench", m, "--max-memory", v}, "--max-memory: must be a finite number");
    expect_usage({"solve", m, "--max-memory", v}, "--max-memory: must be a finite number");
    expect_usage({"check", "baseline", "verify", m, "--min-parallelism-ratio", v},
                 "--min-parallelism-ratio: must be a finite number");
  }
}

// An unsigned seed of -1 wrapped around to 2^64 - 1.
TEST(CliOptions, NegativeSeedIsRefusedNotWrapped) {
  expect_usage({"bench", matrix(), "--seed", "-1"}, "--seed: must be zero or positive, got -1");
  expect_usage({"gen", "circuit", "--nodes", "20", "--seed", "-1", "--out", "d"},
               "--seed: must be zero or positive");
}

TEST(CliOptions, ThreadsAreCappedAtTheHardwareWithAWarning) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  auto r = run_spax({"info", "--json", matrix(), "--threads", "4096"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(mentions(r, "spax: warning: --threads 4096 is more than the " + std::to_string(hw) +
                              " hardware threads"))
      << r.err;
  EXPECT_TRUE(mentions(r, "using " + std::to_string(hw))) << r.err;
  EXPECT_LE(parse_json(r)["threads"].get<unsigned>(), hw);
  // Within the hardware: no warning.
  auto ok = run_spax({"info", matrix(), "--threads", "1"});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_TRUE(ok.err.empty()) << ok.err;
}

TEST(CliOptions, UnknownSubcommandsAreNamedWithTheNearestOne) {
  auto foo = run_spax({"foo"});
  EXPECT_EQ(foo.exit_code, 2);
  EXPECT_TRUE(mentions(foo, "unknown command 'foo'")) << foo.err;
  EXPECT_TRUE(mentions(foo, "analyze, bench, calibrate, check")) << foo.err;
  EXPECT_FALSE(mentions(foo, "bench-case")) << foo.err;  // internal, not offered
  auto solv = run_spax({"solv", "x.mtx"});
  EXPECT_EQ(solv.exit_code, 2);
  EXPECT_TRUE(mentions(solv, "unknown command 'solv'")) << solv.err;
  EXPECT_TRUE(mentions(solv, "did you mean 'spax solve'?")) << solv.err;
  auto sub = run_spax({"check", "patern", "a.mtx", "b.mtx"});
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_TRUE(mentions(sub, "did you mean 'spax check pattern'?")) << sub.err;
  auto base = run_spax({"check", "baseline", "veryfy", "a.mtx"});
  EXPECT_TRUE(mentions(base, "did you mean 'spax check baseline verify'?")) << base.err;
  for (const auto& r : {foo, solv, sub, base}) {
    EXPECT_FALSE(mentions(r, "A subcommand is required")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(CliOptions, HelpIsACommand) {
  auto h = run_spax({"help"});
  EXPECT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("Exit codes"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("analyze"), std::string::npos);
  auto hs = run_spax({"help", "bench"});
  EXPECT_EQ(hs.exit_code, 0) << hs.err;
  EXPECT_NE(hs.out.find("--export-json"), std::string::npos) << hs.out;
  auto hc = run_spax({"check", "help", "pattern"});
  EXPECT_EQ(hc.exit_code, 0) << hc.err;
  EXPECT_NE(hc.out.find("--dir"), std::string::npos) << hc.out;
}

// Every numeric option goes through the validators above: CLI11's Range, PositiveNumber and
// NonNegativeNumber print 300-digit bounds and let NaN through.
TEST(CliOptions, AppsUseOnlyTheSharedValidators) {
  const std::regex banned(R"(CLI::(Range|PositiveNumber|NonNegativeNumber|Bound)\b)");
  int files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(SPAX_SOURCE_DIR) / "apps" / "spax")) {
    if (e.path().extension() != ".cpp") continue;
    ++files;
    const std::string text = read_text_file(e.path());
    std::smatch m;
    EXPECT_FALSE(std::regex_search(text, m, banned))
        << e.path().filename() << " uses " << m.str() << ": use positive(), non_negative(), "
        << "at_least() or between() from command.hpp";
  }
  EXPECT_GE(files, 10);
}

// An option that applies to nothing the command will run is refused, not silently dropped.
TEST(CliOptions, OptionsThatApplyToNothingAreRefused) {
  const std::string m = matrix("west0479.mtx");
  expect_usage({"bench", m, "--solvers", "klu,umfpack", "--max-iter", "5"},
               "--max-iter applies to iterative solvers only");
  expect_usage({"bench", m, "--solvers", "klu", "--tol", "1e-6"},
               "--tol applies to iterative solvers only");
  expect_usage({"bench", m, "--precond-options", "droptol=1e-3"},
               "--precond-options applies to iterative solvers only");
  expect_usage({"analyze", m, "--lu-fill", "klu", "--lu-relax", "3"},
               "--lu-relax applies to SuperLU's LU fill");
  expect_usage({"check", "pattern", m, m, "--glob", "*.mtx"}, "--glob selects files of --dir");
  // With something for them to apply to, they are taken.
  auto ok = run_spax({"bench", m, "--solvers", "klu,gmres+ilut", "--max-iter", "500", "--runs", "1",
                      "--warmup", "0"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// --- Readers given something that is not a file ---------------------------------------------

TEST(CliOptions, ReadersSayADirectoryIsADirectory) {
  ScratchDir dir;
  const std::string d = dir.path().string();
  struct Case {
    std::vector<std::string> args;
    std::string what;
  };
  const std::vector<Case> cases = {
      {{"info", d}, "is a directory, not a Matrix Market file"},
      {{"scatter", d}, "is a directory, not a stamp map file"},
      {{"scatter", d + "/"}, "is a directory, not a stamp map file"},
      {{"solve", matrix("west0479.mtx"), "--perm", d}, "is a directory, not a .npy file"},
      {{"check", "baseline", "verify", matrix(), "--baseline", d},
       "is a directory, not a baseline file"},
      {{"analyze", matrix(), "--stamps", d, "--output-dir", (dir / "out").string()},
       "is a directory, not a stamp map file"},
  };
  for (const auto& c : cases) {
    auto r = run_spax(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << r.err;
    EXPECT_TRUE(mentions(r, c.what)) << c.args[0] << ": " << r.err;
    EXPECT_FALSE(mentions(r, "invalid JSON")) << r.err;
    EXPECT_FALSE(mentions(r, "bad magic")) << r.err;
  }
}

TEST(CliOptions, CacheGivenAFileSaysSo) {
  ScratchDir dir;
  write_text_file(dir / "afile", "x");
  auto r = run_spax({"solve", matrix("west0479.mtx"), "--cache", (dir / "afile").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(mentions(r, "--cache")) << r.err;
  EXPECT_TRUE(mentions(r, "is a regular file, not a directory")) << r.err;
  EXPECT_TRUE(r.out.empty());
}

// --- Output paths: checked before the work; "-" is standard output ---------------------------

// A missing input file fails when it is read; an output path checked first fails before that,
// so the error names the output, not the input.
void expect_output_checked_first(const std::vector<std::string>& args, const std::string& what) {
  auto r = run_spax(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(mentions(r, what)) << args[0] << ": expected '" << what << "' in " << r.err;
  EXPECT_FALSE(mentions(r, "no-such-input.mtx")) << r.err;
}

TEST(CliOutputs, OutputPathsAreCheckedBeforeAnyWork) {
  ScratchDir dir;
  const std::string missing = (dir / "no-such-input.mtx").string();
  const std::string bad = "/nonexistent-spax-dir/x";
  write_text_file(dir / "file", "x");
  const std::string file = (dir / "file").string();
  expect_output_checked_first({"order", missing, "--ordering", "amd", "--out", bad + ".npy"},
                              "directory /nonexistent-spax-dir does not exist (--out)");
  expect_output_checked_first({"spy", missing, "-o", bad + ".svg"}, "/nonexistent-spax-dir");
  expect_output_checked_first({"report", missing, "-o", bad + ".html"}, "/nonexistent-spax-dir");
  expect_output_checked_first({"bench", missing, "--export-csv", bad + ".csv"},
                              "does not exist (--export-csv)");
  expect_output_checked_first({"bench", missing, "--export-markdown", dir.path().string()},
                              "is a directory, not a file (--export-markdown)");
  expect_output_checked_first({"check", "baseline", "create", missing, "-o", bad + ".json"},
                              "does not exist (--output)");
  expect_output_checked_first({"analyze", missing, "--output-dir", file},
                              "it is a regular file, not a directory (--output-dir)");
  expect_output_checked_first({"analyze", missing, "--output-dir", file + "/sub"},
                              "cannot create the output directory");
  expect_output_checked_first({"scatter", missing, "--output-dir", file},
                              "not a directory (--output-dir)");
  expect_output_checked_first({"gen", "circuit", "--nodes", "20", "--out", file},
                              "not a directory");
  expect_output_checked_first({"gen", "grid2d", "--n", "4", "--out", bad + ".mtx"},
                              "does not exist");
}

TEST(CliOutputs, BenchChecksExportsBeforeAnyCaseRuns) {
  // A real matrix and a bad export: no case runs (no table, no progress), exit 2 at once.
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_spax({"bench", matrix("west0479.mtx"), "--solvers", "klu", "--runs", "50",
                     "--export-json", "/nonexistent-spax-dir/b.json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(mentions(r, "/nonexistent-spax-dir")) << r.err;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST(CliOutputs, SpyRefusesANameOfAnotherFormat) {
  ScratchDir dir;
  for (const char* name : {"x.png", "x.pdf", "x"}) {
    auto r = run_spax({"spy", matrix(), "-o", (dir / name).string()});
    EXPECT_EQ(r.exit_code, 2) << name << r.err;
    EXPECT_TRUE(mentions(r, "spax writes SVG here; name the file .svg")) << r.err;
    EXPECT_FALSE(fs::exists(dir / name)) << name;
  }
  auto upper = run_spax({"spy", matrix(), "-o", (dir / "X.SVG").string()});
  EXPECT_EQ(upper.exit_code, 0) << upper.err;
  auto rep = run_spax({"report", matrix(), "-o", (dir / "r.pdf").string()});
  EXPECT_EQ(rep.exit_code, 2);
  EXPECT_TRUE(mentions(rep, "HTML")) << rep.err;
  auto ord = run_spax({"order", matrix(), "--ordering", "amd", "--out", (dir / "p.txt").string()});
  EXPECT_EQ(ord.exit_code, 2);
  EXPECT_TRUE(mentions(ord, ".npy")) << ord.err;
}

// "-" writes to standard output; no file named "-" appears.
TEST(CliOutputs, DashIsStandardOutput) {
  const fs::path dash = fs::current_path() / "-";
  fs::remove(dash);
  // order --out -: the .npy bytes, a permutation of 0..n-1 (w156: n = 156).
  auto o = run_spax({"order", matrix(), "--ordering", "amd", "--out", "-"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  ASSERT_GE(o.out.size(), 10u);
  EXPECT_EQ(o.out.compare(0, 6, "\x93NUMPY"), 0);
  const std::size_t hlen = static_cast<unsigned char>(o.out[8]) |
                           (static_cast<std::size_t>(static_cast<unsigned char>(o.out[9])) << 8);
  ASSERT_EQ(o.out.size(), 10 + hlen + 156 * 8);
  std::vector<std::int64_t> p(156);
  std::memcpy(p.data(), o.out.data() + 10 + hlen, 156 * 8);
  std::vector<std::int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t k = 0; k < 156; ++k) ASSERT_EQ(sorted[static_cast<std::size_t>(k)], k);
  EXPECT_TRUE(mentions(o, "ordering amd")) << "the summary line goes to stderr: " << o.err;

  // bench --export-json -: stdout is the JSON document, the table goes to stderr.
  auto b = run_spax({"bench", matrix("west0479.mtx"), "--solvers", "klu", "--runs", "2", "--warmup",
                     "0", "--export-json", "-"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto j = parse_json(b);
  ASSERT_TRUE(j.contains("cases"));
  EXPECT_EQ(j["cases"].size(), 1u);
  EXPECT_EQ(j["cases"][0]["solver"], "klu");
  EXPECT_TRUE(mentions(b, "west0479.mtx (")) << b.err;
  auto two = run_spax({"bench", matrix(), "--export-json", "-", "--export-csv", "-"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_TRUE(mentions(two, "only one export can go to standard output")) << two.err;

  // gen --out - feeds another command.
  auto g = run_spax({"gen", "grid2d", "--n", "3", "--out", "-"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  auto info = run_spax({"info", "--json", "-"}, g.out);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(parse_json(info)["stored_nonzeros"], 9 + 2 * 12);  // 3x3 grid: 9 + 2 * 12 edges

  // spy -o -: the SVG on stdout.
  auto s = run_spax({"spy", matrix(), "-o", "-"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("<svg"), std::string::npos);
  EXPECT_FALSE(fs::exists(dash)) << "a file named '-' was created";
}

}  // namespace
}  // namespace spax::test
