// spax solve and spax bench with the iterative solvers, end to end: JSON keys, exit 3 when not
// converged (with the residual reached), exit 2 for bad --precond-options, the residual history
// CSV, a Newton sequence, and bench running direct and iterative cases in one table.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.hpp"

namespace spax {
namespace {

using test::run_spax;

using test::parse_json;

std::string grid(const test::ScratchDir& d, int n) {
  const std::string f = (d / ("grid" + std::to_string(n) + ".mtx")).string();
  auto g = run_spax({"gen", "grid2d", "--n", std::to_string(n), "--out", f});
  EXPECT_EQ(g.exit_code, 0) << g.err;
  return f;
}

TEST(SolveIterativeCli, AmgCgOnAGrid) {
  test::ScratchDir d;
  const std::string f = grid(d, 40);
  auto r = run_spax({"solve", f, "--solver", "cg+amg", "--tol", "1e-8", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // no MPI noise
  auto j = parse_json(r);
  EXPECT_EQ(j["solver"], "cg+amg");
  ASSERT_TRUE(j.contains("iterative"));
  EXPECT_LT(j["iterative"]["iterations"][0].get<int>(), 30);
  EXPECT_LE(j["iterative"]["relative_residual"][0].get<double>(), 1e-8);
  EXPECT_LT(j["forward_error"][0].get<double>(), 1e-5);  // b = A * ones, so x ~ ones
  EXPECT_TRUE(j["timings"].contains("setup"));
  EXPECT_EQ(j["iterative"]["rebuilt"][0], false);
  // The cache holds nothing for iterative solvers, and says so.
  auto c = run_spax(
      {"solve", f, "--solver", "gmres+jacobi", "--cache", (d / "cache").string(), "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(parse_json(c)["cache"]["symbolic"], "unsupported");
}

// agg_levels=auto: one level of aggressive coarsening on 3D stencils (7 entries per row), none
// on 2D ones (5): the default solves as the explicit value does, and not as the other one.
TEST(SolveIterativeCli, AggressiveCoarseningOnlyOn3DStencils) {
  test::ScratchDir d;
  const std::string g3 = (d / "grid3d.mtx").string();
  ASSERT_EQ(run_spax({"gen", "grid3d", "--n", "24", "--out", g3}).exit_code, 0);
  const std::string g2 = grid(d, 60);
  auto iterations = [](const std::string& f, const std::string& agg) {
    std::vector<std::string> args = {"solve", f, "--solver", "cg+amg", "--tol", "1e-8", "--json"};
    if (!agg.empty()) args.insert(args.end(), {"--solver-options", "agg_levels=" + agg});
    auto r = run_spax(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? parse_json(r)["iterative"]["iterations"][0].get<int>() : -1;
  };
  const int d3 = iterations(g3, ""), d2 = iterations(g2, "");
  EXPECT_EQ(d3, iterations(g3, "1"));
  EXPECT_NE(d3, iterations(g3, "0"));
  EXPECT_EQ(d2, iterations(g2, "0"));
  EXPECT_NE(d2, iterations(g2, "1"));
  auto bad = run_spax({"solve", g2, "--solver", "cg+amg", "--solver-options", "agg_levels=some"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST(SolveIterativeCli, NotConvergingExits3WithTheResidual) {
  test::ScratchDir d;
  const std::string f = grid(d, 30);
  auto r = run_spax({"solve", f, "--solver", "cg", "--precond", "none", "--max-iter", "2"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("not converged within 2 iterations"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("relative residual"), std::string::npos) << r.err;
}

TEST(SolveIterativeCli, MalformedPrecondOptionsExit2) {
  test::ScratchDir d;
  const std::string f = grid(d, 5);
  auto r = run_spax({"solve", f, "--solver", "gmres+ilut", "--precond-options", "droptol"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected key=value"), std::string::npos) << r.err;
  r = run_spax({"solve", f, "--solver", "cg+amg", "--precond-options", "colour=red"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("option 'colour' does not apply to cg+amg"), std::string::npos) << r.err;
  r = run_spax({"solve", f, "--solver", "klu", "--residual-history", (d / "h.csv").string()});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(SolveIterativeCli, ResidualHistoryCsv) {
  test::ScratchDir d;
  const std::string f = grid(d, 20);
  const auto csv = d / "history.csv";
  auto r = run_spax({"solve", f, f, "--solver", "gmres+jacobi", "--restart", "10",
                     "--residual-history", csv.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse_json(r);
  std::istringstream in(test::read_text_file(csv));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "matrix,rhs,iteration,relative_residual");
  long prev_matrix = -1, prev_iter = -1;
  double last[2] = {-1, -1};
  long rows_per_matrix[2] = {0, 0};
  while (std::getline(in, line)) {
    long m = 0, k = 0, it = 0;
    double v = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%ld,%ld,%ld,%lf", &m, &k, &it, &v), 4) << line;
    ASSERT_TRUE(m == 0 || m == 1);
    EXPECT_EQ(k, 0);
    if (m != prev_matrix) {
      EXPECT_EQ(it, 0);
      EXPECT_EQ(v, 1.0);
    } else {
      EXPECT_EQ(it, prev_iter + 1);
    }
    prev_matrix = m;
    prev_iter = it;
    last[m] = v;
    ++rows_per_matrix[m];
  }
  for (int m = 0; m < 2; ++m) {
    EXPECT_NEAR(last[m], j["iterative"]["relative_residual"][m].get<double>(),
                1e-12 * last[m] + 1e-300);
    EXPECT_EQ(rows_per_matrix[m], j["iterative"]["iterations"][m].get<long>() + 1);
  }
}

TEST(SolveIterativeCli, NewtonSequence) {
  SPAX_REQUIRE_SHARED();
  std::vector<std::string> args = {"solve"};
  for (int k = 0; k < 3; ++k)
    args.push_back((test::shared_matrices_dir() / "synthetic" /
                    ("circuit5k_newton_000" + std::to_string(k) + ".mtx"))
                       .string());
  for (const char* s : {"gmres+ilut", "bicgstab+ilut"}) {
    auto a = args;
    a.insert(a.end(), {"--solver", s, "--json"});
    auto r = run_spax(a);
    ASSERT_EQ(r.exit_code, 0) << s << ": " << r.err;
    auto j = parse_json(r);
    ASSERT_EQ(j["iterative"]["iterations"].size(), 3u);
    ASSERT_EQ(j["iterative"]["rebuilt"].size(), 3u);
    ASSERT_EQ(j["iterative"]["relative_residual"].size(), 3u);
    for (const auto& v : j["iterative"]["relative_residual"]) EXPECT_LE(v.get<double>(), 1e-8);
  }
}

TEST(SolveIterativeCli, BenchRunsDirectAndIterative) {
  test::ScratchDir d;
  const std::string f = grid(d, 30);
  auto r =
      run_spax({"bench", f, "--solvers", "klu,cg+amg,gmres+ilut,cg+none", "--runs", "1", "--warmup",
                "0", "--max-iter", "12", "--export-json", (d / "b.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cg+amg"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("iters"), std::string::npos) << r.out;
  auto j = nlohmann::json::parse(test::read_text_file(d / "b.json"));
  int seen = 0;
  for (const auto& c : j["cases"]) {
    if (c["solver"] == "cg+none") {
      // Twelve iterations of plain CG cannot reach 1e-8 on a 900-unknown Laplacian: failed.
      EXPECT_EQ(c["status"], "failed");
      EXPECT_NE(c["reason"].get<std::string>().find("relative residual"), std::string::npos);
      ++seen;
    } else if (c["solver"] == "cg+amg") {
      EXPECT_EQ(c["status"], "ok") << c.dump();
      EXPECT_LE(c["iterations"].get<int>(), 12);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
  auto bad = run_spax({"bench", f, "--solvers", "cg+nope"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace spax
