// spax solve end to end: JSON keys, exit codes, sequences, cache across runs, --out, --perm.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::run_spax;

std::string shared(const std::string& rel) {
  return (test::shared_matrices_dir() / rel).string();
}

using test::parse_json;

const char* kSmall =
    "%%MatrixMarket matrix coordinate real general\n3 3 7\n1 1 4\n2 1 1\n1 2 1\n2 2 4\n3 2 1\n"
    "2 3 1\n3 3 4\n";
const char* kSmallOtherPattern =
    "%%MatrixMarket matrix coordinate real general\n3 3 8\n1 1 4\n2 1 1\n1 2 1\n2 2 4\n3 2 1\n"
    "2 3 1\n3 3 4\n1 3 0\n";

TEST(SolveCli, JsonKeys) {
  test::ScratchDir d;
  test::write_text_file(d / "a.mtx", kSmall);
  auto r = run_spax({"solve", (d / "a.mtx").string(), "--solver", "klu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse_json(r);
  for (const char* k :
       {"solver", "ordering", "n", "nnz", "nnz_L", "nnz_U", "flops", "rcond", "backward_error",
        "forward_error", "chosen_because", "timings", "cache", "refactor_fallbacks"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"read", "analyze", "factor", "refactor", "solve"})
    EXPECT_TRUE(j["timings"].contains(k)) << k;
  EXPECT_EQ(j["solver"], "klu");
  EXPECT_EQ(j["n"], 3);
  EXPECT_EQ(j["nnz"], 7);
  EXPECT_EQ(j["cache"]["symbolic"], "off");
  EXPECT_EQ(j["cache"]["numeric"], "off");
  ASSERT_EQ(j["backward_error"].size(), 1u);
  EXPECT_LT(j["backward_error"][0].get<double>(), 1e-15);
  EXPECT_LT(j["forward_error"][0].get<double>(), 1e-14);
  // Text report too.
  r = run_spax({"solve", (d / "a.mtx").string(), "--solver", "auto"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("chosen because"), std::string::npos) << r.out;
}

TEST(SolveCli, OutAndRhs) {
  test::ScratchDir d;
  test::write_text_file(d / "a.mtx", kSmall);
  // A x = b with x = (1, 2, 3): b = (4+2, 1+8+3, 2+12).
  test::write_text_file(d / "b.mtx", "%%MatrixMarket matrix array real general\n3 1\n6\n12\n14\n");
  auto r = run_spax({"solve", (d / "a.mtx").string(), "--rhs", (d / "b.mtx").string(), "--out",
                     (d / "x.mtx").string(), "--solver", "superlu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(parse_json(r)["forward_error"].empty());
  DenseMatrix x = read_dense((d / "x.mtx").string());
  ASSERT_EQ(x.nrows, 3);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(x.values[i], i + 1.0, 1e-14);
  // Wrong size: exit 2.
  test::write_text_file(d / "b4.mtx",
                        "%%MatrixMarket matrix array real general\n4 1\n1\n2\n3\n4\n");
  r = run_spax({"solve", (d / "a.mtx").string(), "--rhs", (d / "b4.mtx").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rows"), std::string::npos) << r.err;
}

TEST(SolveCli, ExitCodes) {
  SPAX_REQUIRE_SHARED();
  auto r = run_spax({"solve", shared("edge/two_singular.mtx")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("structurally singular"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column"), std::string::npos) << r.err;
  r = run_spax({"solve", shared("edge/nonfinite_values.mtx")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("non-finite"), std::string::npos) << r.err;
  r = run_spax({"solve", shared("edge/r2_rect.mtx")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not square"), std::string::npos) << r.err;
  // A tolerance no solve can meet: exit 3 with the figure.
  r = run_spax({"solve", shared("real/west0479.mtx"), "--tol", "1e-30"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("backward error"), std::string::npos) << r.err;
  r = run_spax({"solve", shared("real/west0479.mtx"), "--solver", "nosuch"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SolveCli, StrictPatternAndSequence) {
  test::ScratchDir d;
  test::write_text_file(d / "a.mtx", kSmall);
  test::write_text_file(d / "b.mtx", kSmallOtherPattern);
  auto r = run_spax({"solve", (d / "a.mtx").string(), (d / "b.mtx").string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("different pattern"), std::string::npos) << r.err;
  EXPECT_EQ(parse_json(r)["reanalysed"], nlohmann::json::array({1}));
  r = run_spax({"solve", (d / "a.mtx").string(), (d / "b.mtx").string(), "--strict-pattern"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("pattern mismatch"), std::string::npos) << r.err;
}

TEST(SolveCli, NewtonSequence) {
  SPAX_REQUIRE_SHARED();
  std::vector<std::string> args = {"solve"};
  for (int k = 0; k < 5; ++k)
    args.push_back(shared("synthetic/circuit5k_newton_000" + std::to_string(k) + ".mtx"));
  for (const std::string s : {"klu", "auto"}) {
    auto a = args;
    a.insert(a.end(), {"--solver", s, "--json", "--strict-pattern"});
    auto r = run_spax(a);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = parse_json(r);
    EXPECT_EQ(j["backward_error"].size(), 5u);
    EXPECT_EQ(j["forward_error"].size(), 5u);
    EXPECT_EQ(j["timings"]["refactor"].size(), 4u);
    EXPECT_EQ(j["timings"]["solve"].size(), 5u);
    for (const auto& e : j["backward_error"]) EXPECT_LT(e.get<double>(), 1e-12);
    if (s == "auto") {
      EXPECT_FALSE(j["chosen_because"].get<std::string>().empty());
    }
  }
}

TEST(SolveCli, CacheAcrossRuns) {
  SPAX_REQUIRE_SHARED();
  test::ScratchDir d;
  std::string cache = (d / "cache").string();
  std::string a = shared("real/adder_dcop_05.mtx");
  auto r1 = run_spax({"solve", a, "--solver", "umfpack", "--cache", cache, "--json", "--out",
                      (d / "x1.mtx").string()});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  auto j1 = parse_json(r1);
  EXPECT_EQ(j1["cache"]["symbolic"], "miss");
  EXPECT_EQ(j1["cache"]["numeric"], "miss");
  auto r2 = run_spax({"solve", a, "--solver", "umfpack", "--cache", cache, "--json", "--out",
                      (d / "x2.mtx").string()});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  auto j2 = parse_json(r2);
  EXPECT_EQ(j2["cache"]["symbolic"], "hit");
  EXPECT_EQ(j2["cache"]["numeric"], "hit");
  EXPECT_EQ(test::read_text_file(d / "x1.mtx"), test::read_text_file(d / "x2.mtx"));
  // KLU: symbolic cached, numeric not.
  auto r3 = run_spax({"solve", a, "--solver", "klu", "--cache", cache, "--json"});
  auto r4 = run_spax({"solve", a, "--solver", "klu", "--cache", cache, "--json"});
  EXPECT_EQ(parse_json(r3)["cache"]["symbolic"], "miss");
  EXPECT_EQ(parse_json(r4)["cache"]["symbolic"], "hit");
  EXPECT_EQ(parse_json(r4)["cache"]["numeric"], "unsupported");
  EXPECT_EQ(parse_json(r4)["backward_error"], parse_json(r3)["backward_error"]);
}

TEST(SolveCli, PatternOnlyAndPerm) {
  SPAX_REQUIRE_SHARED();
  auto r = run_spax({"solve", shared("real/rajat01.mtx"), "--solver", "klu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(parse_json(r)["values_synthesized"].get<bool>());
  EXPECT_NE(r.err.find("synthesized"), std::string::npos);
  test::ScratchDir d;
  std::vector<std::int64_t> p(479);
  for (int k = 0; k < 479; ++k) p[k] = 478 - k;
  write_npy((d / "p.npy").string(), std::span<const std::int64_t>(p));
  for (const std::string s : {"klu", "umfpack", "superlu", "eigen-lu"}) {
    r = run_spax({"solve", shared("real/west0479.mtx"), "--solver", s, "--perm",
                  (d / "p.npy").string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << s << r.err;
    EXPECT_EQ(parse_json(r)["ordering"], "given") << s;
  }
}

TEST(SolveCli, ConcurrentProcessesShareOneCache) {
  SPAX_REQUIRE_SHARED();
  test::ScratchDir d;
  std::string cache = (d / "cache").string();
  std::string a = shared("real/bayer10.mtx");
  std::vector<std::future<test::RunResult>> runs;
  for (int k = 0; k < 4; ++k)
    runs.push_back(std::async(std::launch::async, [&, k] {
      return run_spax({"solve", a, "--solver", k % 2 ? "umfpack" : "klu", "--cache", cache,
                       "--json", "--tol", "1e-6"});
    }));
  for (auto& f : runs) {
    auto r = f.get();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("ignored"), std::string::npos) << r.err;
  }
  // Whatever the interleaving, the files are whole: the next runs hit without a warning.
  for (const char* s : {"klu", "umfpack"}) {
    auto r = run_spax({"solve", a, "--solver", s, "--cache", cache, "--json", "--tol", "1e-6"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // No cache warning (bayer10 is ill-conditioned: the accuracy warning may be there).
    EXPECT_EQ(r.err.find("cache file"), std::string::npos) << r.err;
    EXPECT_EQ(parse_json(r)["cache"]["symbolic"], "hit") << s;
  }
}

TEST(SolveCli, EmptyMatrix) {
  SPAX_REQUIRE_SHARED();
  auto r = run_spax({"solve", shared("edge/empty_0x0.mtx"), "--solver", "klu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r)["n"], 0);
}

}  // namespace
}  // namespace spax
