// spax solve tells the truth about its answers and its input: accuracy warnings and the condition
// limit, one JSON document also when the run fails (with every result obtained before), standard
// input, options that do not apply to the chosen solver, and a report per pattern.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "spax/config.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::parse_json;
using test::run_spax;

// The Hilbert matrix H(i, j) = 1 / (i + j + 1): its 2-norm condition number for n = 12 is about
// 1.7e16 (a classical value), so no factorization gives more than a digit or so.
std::string write_hilbert(const test::ScratchDir& d, int n) {
  const std::string path = (d / "hilbert.mtx").string();
  std::ofstream f(path);
  f << "%%MatrixMarket matrix coordinate real general\n" << n << ' ' << n << ' ' << n * n << '\n';
  f.precision(17);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) f << i + 1 << ' ' << j + 1 << ' ' << 1.0 / (i + j + 1) << '\n';
  return path;
}

std::string write_text(const test::ScratchDir& d, const std::string& name,
                       const std::string& text) {
  const std::string path = (d / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(SolveHonest, IllConditionedAnswersWarnAndMaxCondExits3) {
  test::ScratchDir d;
  const std::string h = write_hilbert(d, 12);
  const std::string x = (d / "x.mtx").string();
  auto r = run_spax({"solve", h, "--solver", "klu", "--json", "--out", x});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the backward error is tiny: the run passes
  EXPECT_NE(r.err.find("may be inaccurate"), std::string::npos) << r.err;
  const auto j = parse_json(r);
  ASSERT_EQ(j["warnings"].size(), 1u) << j["warnings"];
  const double rcond = j["rcond"].get<double>();
  EXPECT_GT(1.0 / rcond, 1e15);  // the 1-norm condition is within a factor n of the 2-norm one
  EXPECT_LT(1.0 / rcond, 1e18);
  // The warning is deserved: the error against the exact solution (ones) is large.
  const DenseMatrix sol = read_dense(x);
  double err = 0;
  for (double v : sol.values) err = std::max(err, std::fabs(v - 1.0));
  EXPECT_GT(err, 1e-3);
  EXPECT_NEAR(j["forward_error_bound"][0].get<double>(),
              j["backward_error"][0].get<double>() / rcond, 1e-6 / rcond);

  // A well-conditioned system says nothing.
  const std::string w = write_text(
      d, "w.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 4\n2 1 1\n2 2 3\n");
  r = run_spax({"solve", w, "--solver", "klu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(parse_json(r)["warnings"].empty());
  EXPECT_EQ(r.err.find("inaccurate"), std::string::npos) << r.err;

  // --max-cond turns the warning into a failure; a limit above the estimate passes.
  r = run_spax({"solve", h, "--solver", "klu", "--max-cond", "1e10", "--json", "--out", x + "2"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("condition estimate"), std::string::npos) << r.err;
  const auto e = parse_json(r);
  EXPECT_EQ(e["error"]["category"], "numerical");
  EXPECT_EQ(e["error"]["exit_code"], 3);
  EXPECT_FALSE(std::filesystem::exists(x + "2"));  // no solution file from a failed run
  r = run_spax({"solve", h, "--solver", "klu", "--max-cond", "1e20"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_spax({"solve", h, "--solver", "umfpack", "--max-cond", "1e10"});  // spax's estimate
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST(SolveHonest, IterativeConvergenceHidingALargeErrorWarns) {
  SPAX_REQUIRE_SHARED();
  if (!SPAX_HAS_HYPRE) GTEST_SKIP() << "built without hypre";
  const std::string f =
      (test::shared_matrices_dir() / "synthetic/circuit5k_newton_0000.mtx").string();
  auto r = run_spax({"solve", f, "--solver", "gmres+ilut", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = parse_json(r);
  EXPECT_LE(j["iterative"]["relative_residual"][0].get<double>(), 1e-8);
  const double fe = j["forward_error"][0].get<double>();
  ASSERT_GT(fe, 1e-2);  // b = A * ones: the error is known, and large
  ASSERT_EQ(j["warnings"].size(), 1u);
  EXPECT_NE(j["warnings"][0].get<std::string>().find("forward error"), std::string::npos);
  EXPECT_NE(r.err.find("inaccurate"), std::string::npos) << r.err;
}

TEST(SolveHonest, JsonDocumentAlsoWhenTheRunFails) {
  SPAX_REQUIRE_SHARED();
  test::ScratchDir d;
  // Singular: the document names the failure.
  const std::string sing = (test::shared_matrices_dir() / "edge/two_singular.mtx").string();
  auto r = run_spax({"solve", sing, "--solver", "klu", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  auto j = parse_json(r);
  EXPECT_EQ(j["error"]["category"], "numerical");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("singular"), std::string::npos);
  EXPECT_EQ(j["solver"], "klu");

  // A sequence whose second matrix is singular: the first matrix's answer is in the document.
  const std::string good = write_text(
      d, "g.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 4\n2 1 1\n2 2 3\n");
  const std::string bad = write_text(
      d, "b.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 1 1\n2 2 0\n");
  r = run_spax({"solve", good, bad, "--solver", "klu", "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  j = parse_json(r);
  ASSERT_EQ(j["backward_error"].size(), 1u);
  EXPECT_LT(j["backward_error"][0].get<double>(), 1e-15);
  EXPECT_EQ(j["error"]["exit_code"], 3);

  // Not converged: the residual history is written, and the document holds the failed solve.
  const std::string grid = (d / "g2.mtx").string();
  ASSERT_EQ(run_spax({"gen", "grid2d", "--n", "30", "--out", grid}).exit_code, 0);
  const std::string hist = (d / "h.csv").string();
  r = run_spax({"solve", grid, "--solver", "cg+none", "--max-iter", "3", "--json",
                "--residual-history", hist});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  j = parse_json(r);
  EXPECT_NE(j["error"]["message"].get<std::string>().find("not converged"), std::string::npos);
  ASSERT_EQ(j["iterative"]["iterations"].size(), 1u);
  EXPECT_EQ(j["iterative"]["iterations"][0], 3);
  std::ifstream in(hist);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 1 + 4);  // header, then iterations 0..3

  // Input errors too (a malformed file), with their category.
  const std::string mal = write_text(d, "m.mtx", "%%MatrixMarket matrix coordinate real general\n");
  r = run_spax({"solve", mal, "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(parse_json(r)["error"]["category"], "input");
  r = run_spax({"info", mal, "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(parse_json(r)["error"]["exit_code"], 2);
}

TEST(SolveHonest, ReadsTheMatrixFromStandardInput) {
  const std::string text =
      "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 4\n2 1 1\n2 2 3\n";
  auto r = run_spax({"solve", "-", "--solver", "klu", "--json"}, text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r)["n"], 2);
  r = run_spax({"solve", "-", "-"});  // refused before reading
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SolveHonest, OptionsThatDoNotApplyAreUsageErrors) {
  test::ScratchDir d;
  const std::string a = write_text(
      d, "a.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 4\n2 1 1\n2 2 3\n");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--solver", "klu", "--precond", "jacobi"}, "--precond does not apply to klu"},
      {{"--solver", "klu", "--restart", "5"}, "--restart does not apply to klu"},
      {{"--solver", "klu", "--precond-options", "droptol=1e-3"}, "does not apply to klu"},
      {{"--solver", "cg+jacobi", "--restart", "5"}, "--restart does not apply to cg+jacobi"},
      {{"--solver", "cholmod", "--ordering", "colamd"}, "does not take the ordering 'colamd'"},
      {{"--solver", "eigen-lu", "--ordering", "metis"}, "does not take the ordering 'metis'"},
      {{"--solver", "klu", "--ordering", "mmd"}, "does not take the ordering 'mmd'"},
      {{"--solver", "dense", "--ordering", "amd"}, "does not take the ordering 'amd'"},
      {{"--solver", "klu", "--tol", "-1"}, "--tol: must be positive"},
      {{"--solver", "klu", "--tol", "nan"}, "--tol: must be a finite number"},
      {{"--solver", "klu", "--solver-options", "colour=red"}, "option 'colour' does not apply"},
      {{"--solver", "dense", "--solver-options", "max_n"}, "expected key=value"},
      {{"--solver", "auto", "--max-iter", "5"}, "--max-iter applies to the iterative solvers"},
      {{"--solver", "nope"}, "unknown solver 'nope'"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"solve", a};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = run_spax(args);
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // A declared option works, and appears resolved in the report.
  auto r = run_spax({"solve", a, "--solver", "dense", "--solver-options", "max_n=10", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r)["options"]["max_n"], "10");
  r = run_spax({"solve", a, "--solver", "dense", "--solver-options", "max_n=1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // 2 rows above the limit of 1
}

TEST(SolveHonest, ASequenceOfSeveralSizesIsReportedPerPattern) {
  test::ScratchDir d;
  const std::string a = write_text(
      d, "a.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 4\n2 1 1\n2 2 3\n");
  const std::string b = write_text(d, "b.mtx",
                                   "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 "
                                   "2\n2 2 2\n3 3 2\n3 1 1\n");
  auto r = run_spax({"solve", a, b, "--solver", "klu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = parse_json(r);
  ASSERT_EQ(j["patterns"].size(), 2u);
  EXPECT_EQ(j["patterns"][0]["n"], 2);
  EXPECT_EQ(j["patterns"][0]["nnz"], 3);
  EXPECT_EQ(j["patterns"][1]["n"], 3);
  EXPECT_EQ(j["patterns"][1]["nnz"], 4);
  EXPECT_EQ(j["patterns"][1]["matrices"], nlohmann::json({1, 1}));
  // The top-level figures describe one pattern, the last: n beside its own nnz(L).
  EXPECT_EQ(j["n"], 3);
  EXPECT_EQ(j["nnz_L"], j["patterns"][1]["nnz_L"]);
  r = run_spax({"solve", a, b, "--solver", "klu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("matrices 1..1: n, nnz 2, 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("matrices 2..2: n, nnz 3, 4"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace spax
