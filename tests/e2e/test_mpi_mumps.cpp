// mumps on 1, 2 and 3 processes (mpirun -np N spax ...): the solutions equal KLU's to the
// accuracy their backward errors allow, for real and complex, transposed, several right-hand
// sides, symmetric and unsymmetric matrices; a Newton sequence analyses once; the workspace retry;
// a killed rank ends the job with one message and no process left; out-of-core factors give the
// same answer; the cache works across runs. KLU's solutions come from spax's KLU backend here, in
// this process; backward errors are computed here from the matrices, by their definition.
//
// CI runs as root: Open MPI's allow-root variables are set for this test process (and so for the
// mpirun it starts), never by spax itself. Skipped where mpirun or the mumps plugin is missing.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "mpi_test_support.hpp"
#include "spax/backend.hpp"
#include "spax/generate.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "test_support.hpp"

extern char** environ;

namespace spax {
namespace {

namespace fs = std::filesystem;
using test::finish;
using test::mpirun;
using test::mpirun_argv;
using test::Proc;
using test::Running;
using test::ScratchDir;
using test::start;

class MumpsMpi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::set_mpi_test_environment(); }
  void SetUp() override {
    if (!test::have_mpirun()) GTEST_SKIP() << "mpirun not found";
    const BackendInfo* b = find_backend("mumps");
    if (!b) GTEST_SKIP() << "the mumps plugin is not built here";
  }
};

std::string shared(const std::string& rel) {
  return (test::shared_matrices_dir() / rel).string();
}

// ||b - op(A) x||_inf / (||op(A)||_inf ||x||_inf + ||b||_inf) by the definition, per column;
// the worst column. op(A) = A^T (A^H for complex) when transpose.
template <class T>
double worst_backward_error(const SparseMatrix& a, const std::vector<T>& x, const std::vector<T>& b,
                            index_t nrhs, bool transpose) {
  const auto n = static_cast<std::size_t>(a.nrows);
  auto val = [&](index_t k) -> T {
    if constexpr (std::is_same_v<T, complex_t>)
      return a.zvalues[static_cast<std::size_t>(k)];
    else
      return a.values[static_cast<std::size_t>(k)];
  };
  std::vector<double> rowsum(n, 0.0);
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k)
      rowsum[static_cast<std::size_t>(transpose ? j : a.rowind[k])] += std::abs(val(k));
  const double anorm = *std::max_element(rowsum.begin(), rowsum.end());
  double worst = 0;
  for (index_t c = 0; c < nrhs; ++c) {
    const T* xc = x.data() + c * n;
    const T* bc = b.data() + c * n;
    std::vector<T> r(bc, bc + n);
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k) {
        const auto i = static_cast<std::size_t>(a.rowind[k]);
        if (transpose) {
          T v = val(k);
          if constexpr (std::is_same_v<T, complex_t>) v = std::conj(v);
          r[static_cast<std::size_t>(j)] -= v * xc[i];
        } else {
          r[i] -= val(k) * xc[static_cast<std::size_t>(j)];
        }
      }
    double rn = 0, xn = 0, bn = 0;
    for (std::size_t i = 0; i < n; ++i) {
      rn = std::max(rn, std::abs(r[i]));
      xn = std::max(xn, std::abs(xc[i]));
      bn = std::max(bn, std::abs(bc[i]));
    }
    worst = std::max(worst, rn / (anorm * xn + bn));
  }
  return worst;
}

template <class T>
double relative_difference(const std::vector<T>& x, const std::vector<T>& y) {
  double d = 0, m = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    d = std::max(d, std::abs(x[i] - y[i]));
    m = std::max(m, std::abs(y[i]));
  }
  return d / std::max(m, 1e-300);
}

// Right-hand sides with `nrhs` columns: deterministic, varied values.
DenseMatrix make_rhs(index_t n, index_t nrhs, bool complex) {
  DenseMatrix d;
  d.nrows = n;
  d.ncols = nrhs;
  for (index_t c = 0; c < nrhs; ++c)
    for (index_t i = 0; i < n; ++i) {
      const double re = std::sin(0.37 * static_cast<double>(i + 1) + static_cast<double>(c));
      const double im = std::cos(0.11 * static_cast<double>(i) - static_cast<double>(c));
      if (complex)
        d.zvalues.emplace_back(re, im);
      else
        d.values.push_back(re);
    }
  return d;
}

// KLU's solution of op(A) X = B, with its backward error and condition estimate.
template <class T>
std::vector<T> klu_solution(const SparseMatrix& a, const std::vector<T>& b, index_t nrhs,
                            bool transpose, double* rcond) {
  auto s = create_solver("klu");
  s->analyze(a);
  s->factor(a);
  std::vector<T> x = b;
  s->solve(std::span<T>(x), nrhs, transpose);
  *rcond = s->stats().rcond;
  return x;
}

struct Case {
  std::string file;
  bool transpose;
};

// mumps on np processes against KLU, for every case and 1, 2, 3 processes.
TEST_F(MumpsMpi, SolutionsEqualKlusOnOneTwoAndThreeProcesses) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  const std::vector<Case> cases = {
      {"real/west0479.mtx", false},                   // unsymmetric, zero diagonal entries
      {"synthetic/circuit5k_newton_0000.mtx", true},  // circuit, transposed
      {"real/bcsstk13.mtx", false},                   // symmetric positive definite (SYM=1)
      {"real/hangGlider_2.mtx", true},                // symmetric
      {"real/young1c.mtx", true},                     // complex, A^H x = b
  };
  for (const auto& c : cases) {
    const MatrixFile mf = read_matrix_market(shared(c.file));
    const SparseMatrix& a = mf.matrix;
    const bool complex = a.is_complex();
    const index_t nrhs = 3;
    const DenseMatrix b = make_rhs(a.nrows, nrhs, complex);
    const fs::path bfile = dir / "b.mtx";
    write_dense(bfile.string(), b);
    double rcond = 0;
    for (int np : {1, 2, 3}) {
      SCOPED_TRACE(c.file + " on " + std::to_string(np) + " processes");
      const fs::path xfile = dir / ("x" + std::to_string(np) + ".mtx");
      std::vector<std::string> args = {"solve", shared(c.file), "--solver",
                                       "mumps", "--rhs",        bfile.string(),
                                       "--out", xfile.string(), "--json"};
      if (c.transpose) args.push_back("--transpose");
      const Proc p = mpirun(np, args);
      ASSERT_EQ(p.exit_code, 0) << p.err;
      const auto j = nlohmann::json::parse(p.out);
      EXPECT_EQ(j["processes"], np);
      EXPECT_EQ(j["solver"], "mumps");
      const DenseMatrix x = read_dense(xfile.string());
      ASSERT_EQ(x.nrows, a.nrows);
      ASSERT_EQ(x.ncols, nrhs);
      double berr = 0, diff = 0, berr_klu = 0;
      if (complex) {
        const auto xk = klu_solution(a, b.zvalues, nrhs, c.transpose, &rcond);
        berr = worst_backward_error(a, x.zvalues, b.zvalues, nrhs, c.transpose);
        berr_klu = worst_backward_error(a, xk, b.zvalues, nrhs, c.transpose);
        diff = relative_difference(x.zvalues, xk);
      } else {
        const auto xk = klu_solution(a, b.values, nrhs, c.transpose, &rcond);
        berr = worst_backward_error(a, x.values, b.values, nrhs, c.transpose);
        berr_klu = worst_backward_error(a, xk, b.values, nrhs, c.transpose);
        diff = relative_difference(x.values, xk);
      }
      EXPECT_LT(berr, 1e-12);
      // Two backward-stable answers differ by at most about cond(A) times their backward
      // errors.
      ASSERT_GT(rcond, 0);
      EXPECT_LE(diff, 100.0 * (berr + berr_klu + 1e-16) / rcond)
          << "berr " << berr << ", KLU's " << berr_klu << ", rcond " << rcond;
      // Only rank 0 prints: one JSON document, and stderr holds at most spax's own warnings
      // (a workspace retry), each once.
      std::istringstream lines(p.err);
      std::set<std::string> seen;
      for (std::string line; std::getline(lines, line);) {
        EXPECT_EQ(line.rfind("spax: warning: ", 0), 0u) << line;
        EXPECT_TRUE(seen.insert(line).second) << "said twice: " << line;
      }
    }
  }
}

// A Newton sequence (five matrices, one pattern) on two processes: one analysis, four
// refactorizations, each answer checked here.
TEST_F(MumpsMpi, NewtonSequenceAnalysesOnce) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  std::vector<std::string> args = {"solve"};
  for (int k = 0; k < 5; ++k)
    args.push_back(shared("synthetic/circuit5k_newton_000" + std::to_string(k) + ".mtx"));
  const fs::path xfile = dir / "x.mtx";
  args.insert(args.end(), {"--solver", "mumps", "--json", "--out", xfile.string()});
  const Proc p = mpirun(2, args);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto j = nlohmann::json::parse(p.out);
  EXPECT_EQ(j["backend"]["analyses"], 1);
  EXPECT_TRUE(j["reanalysed"].empty());
  EXPECT_EQ(j["timings"]["refactor"].size(), 4u);
  const DenseMatrix x = read_dense(xfile.string());
  ASSERT_EQ(x.ncols, 5);
  for (int k = 0; k < 5; ++k) {
    const SparseMatrix a =
        read_matrix_market(shared("synthetic/circuit5k_newton_000" + std::to_string(k) + ".mtx"))
            .matrix;
    const auto n = static_cast<std::size_t>(a.nrows);
    std::vector<double> ones(n, 1.0), b(n);
    multiply(a, std::span<const double>(ones), std::span<double>(b));  // b = A * ones
    const std::vector<double> xk(x.values.begin() + static_cast<std::ptrdiff_t>(k * n),
                                 x.values.begin() + static_cast<std::ptrdiff_t>((k + 1) * n));
    EXPECT_LT(worst_backward_error(a, xk, b, 1, false), 1e-12) << "matrix " << k;
  }
}

// relax=0 with threshold=1 (every pivot must be the largest of its column: many delayed pivots)
// leaves bayer10's factorization short of workspace: one retry with a larger relaxation, said
// in a warning, and a good answer.
TEST_F(MumpsMpi, WorkspaceRetryWithATinyRelaxation) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  const std::string file = shared("real/bayer10.mtx");
  const fs::path xfile = dir / "x.mtx";
  const Proc p = mpirun(1, {"solve", file, "--solver", "mumps", "--solver-options",
                            "relax=0,threshold=1", "--out", xfile.string(), "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.err.find("spax: warning: mumps: workspace too small with relax=0"), std::string::npos)
      << p.err;
  const auto j = nlohmann::json::parse(p.out);
  EXPECT_GT(j["backend"]["relax"].get<double>(), 0);
  const SparseMatrix a = read_matrix_market(file).matrix;
  const auto n = static_cast<std::size_t>(a.nrows);
  std::vector<double> ones(n, 1.0), b(n);
  multiply(a, std::span<const double>(ones), std::span<double>(b));
  EXPECT_LT(worst_backward_error(a, read_dense(xfile.string()).values, b, 1, false), 1e-12);
}

// Out-of-core factors (files in a directory of ours, removed at the end) give the same answer
// as in-core ones.
TEST_F(MumpsMpi, OutOfCoreGivesTheSameAnswer) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  const fs::path ooc = dir / "ooc";
  fs::create_directories(ooc);
  const std::string file = shared("synthetic/circuit5k_newton_0001.mtx");
  const Proc in_core =
      mpirun(2, {"solve", file, "--solver", "mumps", "--out", (dir / "x_in.mtx").string()});
  ASSERT_EQ(in_core.exit_code, 0) << in_core.err;
  const Proc out_of_core =
      mpirun(2, {"solve", file, "--solver", "mumps", "--solver-options",
                 "ooc=1,ooc_dir=" + ooc.string(), "--out", (dir / "x_ooc.mtx").string(), "--json"});
  ASSERT_EQ(out_of_core.exit_code, 0) << out_of_core.err;
  EXPECT_EQ(nlohmann::json::parse(out_of_core.out)["backend"]["ooc"], 1);
  const auto x1 = read_dense((dir / "x_in.mtx").string()).values;
  const auto x2 = read_dense((dir / "x_ooc.mtx").string()).values;
  // Both backward stable (b = A * ones), and as close as the conditioning allows.
  const SparseMatrix a = read_matrix_market(file).matrix;
  const auto n = static_cast<std::size_t>(a.nrows);
  std::vector<double> ones(n, 1.0), b(n);
  multiply(a, std::span<const double>(ones), std::span<double>(b));
  const double be1 = worst_backward_error(a, x1, b, 1, false);
  const double be2 = worst_backward_error(a, x2, b, 1, false);
  EXPECT_LT(be1, 1e-12);
  EXPECT_LT(be2, 1e-12);
  double rcond = 0;
  klu_solution(a, b, 1, false, &rcond);
  ASSERT_GT(rcond, 0);
  EXPECT_LE(relative_difference(x2, x1), 100.0 * (be1 + be2 + 1e-16) / rcond);
  EXPECT_TRUE(fs::is_empty(ooc)) << "out-of-core files left behind";
}

// A memory cap between MUMPS's in-core and out-of-core estimates (on two processes): the in-core
// factorization is refused before it starts (exit 3, naming the cap), the out-of-core one
// completes under it, each rank held to its share (ICNTL(23)).
TEST_F(MumpsMpi, OutOfCoreCompletesUnderACapTheInCoreExceeds) {
  ScratchDir dir;
  const fs::path m = dir / "g.mtx";
  const SparseMatrix g = grid_laplacian(25, 3);
  write_matrix_market(m.string(), g);
  const Proc est = mpirun(2, {"solve", m.string(), "--solver", "mumps", "--json"});
  ASSERT_EQ(est.exit_code, 0) << est.err;
  const auto b = nlohmann::json::parse(est.out)["backend"];
  const double in_core = b["estimated_memory_total_bytes"].get<double>() / 1048576.0;
  const double ooc = b["estimated_ooc_memory_total_bytes"].get<double>() / 1048576.0;
  ASSERT_GT(in_core, ooc + 4) << "estimates " << in_core << " and " << ooc << " MB";
  const std::string cap = std::to_string(static_cast<int>((in_core + ooc) / 2));
  const Proc refused = mpirun(2, {"solve", m.string(), "--solver", "mumps", "--max-memory", cap});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("spax: the factorization needs about"), std::string::npos)
      << refused.err;
  const fs::path x = dir / "x.mtx";
  const Proc done =
      mpirun(2, {"solve", m.string(), "--solver", "mumps", "--max-memory", cap, "--solver-options",
                 "ooc=1,ooc_dir=" + dir.path().string(), "--out", x.string()});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const auto n = static_cast<std::size_t>(g.nrows);
  std::vector<double> ones(n, 1.0), rhs(n);
  multiply(g, std::span<const double>(ones), std::span<double>(rhs));
  EXPECT_LT(worst_backward_error(g, read_dense(x.string()).values, rhs, 1, false), 1e-12);
}

// The cache across two runs on two processes: the second analyses and factors nothing.
TEST_F(MumpsMpi, CacheAcrossRuns) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  const std::string file = shared("real/west0479.mtx");
  const std::string cache = (dir / "cache").string();
  std::vector<std::string> args = {"solve", file, "--solver", "mumps", "--cache", cache, "--json"};
  const Proc first = mpirun(2, args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["cache"]["symbolic"], "miss");
  EXPECT_EQ(j["cache"]["numeric"], "miss");
  const Proc second = mpirun(2, args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  j = nlohmann::json::parse(second.out);
  EXPECT_EQ(j["cache"]["symbolic"], "hit");
  EXPECT_EQ(j["cache"]["numeric"], "hit");
  EXPECT_LT(j["backward_error"][0].get<double>(), 1e-12);
  // Saved by two processes, the files do not fit three: analysed again, same answer quality.
  const Proc third = mpirun(3, args);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  j = nlohmann::json::parse(third.out);
  EXPECT_NE(j["cache"]["symbolic"], "hit");
  EXPECT_LT(j["backward_error"][0].get<double>(), 1e-12);
}

// Errors: a single-process backend under mpirun is a usage error naming mumps, said once (rank
// 0); a singular matrix exits 3 on every process count.
TEST_F(MumpsMpi, ErrorsAreSaidOnceByRankZero) {
  SPAX_REQUIRE_SHARED();
  const Proc p = mpirun(2, {"solve", shared("real/west0479.mtx"), "--solver", "klu"});
  EXPECT_NE(p.exit_code, 0);
  EXPECT_NE(p.err.find("spax: solver 'klu' runs in one process"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("use mumps"), std::string::npos) << p.err;
  std::size_t lines = 0;
  for (std::size_t at = p.err.find("spax: "); at != std::string::npos;
       at = p.err.find("spax: ", at + 1))
    ++lines;
  EXPECT_EQ(lines, 1u) << p.err;
  // A parallel analysis where the MUMPS build has no parallel ordering tool (Debian's): a usage
  // error in one line, MUMPS's own lines kept off stderr.
  const Proc par = mpirun(2, {"solve", shared("real/west0479.mtx"), "--solver", "mumps",
                              "--solver-options", "analysis=parallel"});
  if (par.exit_code != 0) {
    EXPECT_EQ(par.exit_code, 2) << par.err;
    EXPECT_EQ(par.err.rfind("spax: mumps: a parallel analysis needs", 0), 0u) << par.err;
  }
  // verbose: MUMPS's own output on stderr, standard output still one JSON document.
  const Proc v = mpirun(2, {"solve", shared("real/west0479.mtx"), "--solver", "mumps",
                            "--solver-options", "verbose=2", "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NO_THROW(nlohmann::json::parse(v.out)) << v.out;
  EXPECT_NE(v.err.find("MUMPS"), std::string::npos);
  for (int np : {1, 2}) {
    const Proc s = mpirun(np, {"solve", shared("edge/two_singular.mtx"), "--solver", "mumps"});
    EXPECT_EQ(s.exit_code, 3) << s.err;
    EXPECT_NE(s.err.find("singular"), std::string::npos) << s.err;
  }
}

// bench --ranks: each mumps case an MPI job of its own, beside a single-process backend; the
// export carries the process count, every rank's peak memory and the speedup over one process.
TEST_F(MumpsMpi, BenchAcrossProcessCounts) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  const fs::path json = dir / "bench.json";
  // No machine model cached (the default model), as analyze is given below.
  const auto r = test::run_spax_env(
      {"bench", shared("real/west0479.mtx"), "--solvers", "mumps,klu", "--ranks", "1,2", "--runs",
       "1", "--warmup", "0", "--export-json", json.string()},
      {"XDG_CACHE_HOME=" + (dir / "cache").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("across MPI processes"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(test::read_text_file(json));
  ASSERT_EQ(j["cases"].size(), 3u);  // mumps on 1 and 2 processes, klu
  for (int k = 0; k < 2; ++k) {
    const auto& c = j["cases"][k];
    EXPECT_EQ(c["solver"], "mumps");
    EXPECT_EQ(c["status"], "ok") << c["reason"];
    EXPECT_EQ(c["processes"], k + 1);
    EXPECT_TRUE(c["mpi_job"].get<bool>());
    EXPECT_EQ(c["peak_memory_per_process"].size(), static_cast<std::size_t>(k + 1));
    EXPECT_TRUE(c["phases"]["factor"]["speedup"].is_number());
    EXPECT_LT(c["backward_error"].get<double>(), 1e-12);
  }
  EXPECT_EQ(j["cases"][2]["solver"], "klu");
  EXPECT_EQ(j["cases"][2]["processes"], 1);
  // Beside each process count, the analysis' prediction: 1 on one worker, at most 2 on two, and
  // the figure spax analyze gives for AMD on two workers (tree + front schedule).
  EXPECT_DOUBLE_EQ(j["cases"][0]["predicted_speedup"].get<double>(), 1.0);
  const double predicted2 = j["cases"][1]["predicted_speedup"].get<double>();
  EXPECT_GE(predicted2, 1.0);
  EXPECT_LE(predicted2, 2.0);
  EXPECT_NE(r.out.find("predicted speedup"), std::string::npos) << r.out;
  const auto a = test::run_spax({"analyze", shared("real/west0479.mtx"), "--json", "--orderings",
                                 "amd", "--lu-fill", "none", "--max-workers", "2", "--output-dir",
                                 (dir / "analyze").string(), "--machine-model",
                                 (dir / "none.json").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto aj = nlohmann::json::parse(a.out);
  bool compared = false;
  for (const auto& w : aj["orderings"]["amd"]["schedule"]["workers"]) {
    if (w["p"] != 2) continue;
    EXPECT_DOUBLE_EQ(w["tree_front"]["speedup"].get<double>(), predicted2);
    compared = true;
  }
  EXPECT_TRUE(compared) << aj["orderings"]["amd"]["schedule"].dump();
  // Inside an MPI job, --ranks is a usage error (it starts jobs of its own).
  const Proc p =
      mpirun(2, {"bench", shared("real/west0479.mtx"), "--solvers", "mumps", "--ranks", "1"});
  EXPECT_NE(p.exit_code, 0);
  EXPECT_NE(p.err.find("--ranks starts MPI jobs of its own"), std::string::npos) << p.err;
}

// analyze --measure times MUMPS's factorization on 1 and 2 processes beside the predictions: for
// an ordering MUMPS takes (amd), both times and the speedup they give; for one it does not
// (rcm), the reason.
TEST_F(MumpsMpi, AnalyzeMeasuresMumpsOnOneAndTwoProcesses) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  const auto a = test::run_spax({"analyze", shared("real/west0479.mtx"), "--json", "--orderings",
                                 "amd,rcm", "--lu-fill", "none", "--measure", "--measure-solvers",
                                 "mumps", "--output-dir", (dir / "out").string(),
                                 "--machine-model", (dir / "none.json").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  const auto& m = j["orderings"]["amd"]["measured"];
  ASSERT_TRUE(m["mumps_np1_seconds"].is_number()) << m.dump();
  ASSERT_TRUE(m["mumps_np2_seconds"].is_number()) << m.dump();
  const double t1 = m["mumps_np1_seconds"].get<double>(), t2 = m["mumps_np2_seconds"].get<double>();
  EXPECT_GT(t1, 0.0);
  EXPECT_GT(t2, 0.0);
  const auto& pm = j["orderings"]["amd"]["schedule"]["predicted_vs_measured"];
  EXPECT_DOUBLE_EQ(pm["mumps_speedup_2"]["measured"].get<double>(), t1 / t2);
  EXPECT_DOUBLE_EQ(pm["mumps_np1_seconds"]["predicted"].get<double>(),
                   j["orderings"]["amd"]["schedule"]["sequential_seconds_lu"].get<double>());
  const auto& r = j["orderings"]["rcm"]["measured"];
  EXPECT_TRUE(r["mumps_np1_seconds"].is_null());
  EXPECT_NE(r["mumps_error"].get<std::string>().find("no ordering 'rcm'"), std::string::npos);
}

// Inside an MPI job nothing forks: analyze measures the LU fill in the process (scipy's relaxed
// run left out, said in a note) and bench runs its cases in the process.
TEST_F(MumpsMpi, NothingForksInsideAJob) {
  SPAX_REQUIRE_SHARED();
  ScratchDir dir;
  const Proc a = mpirun(2, {"analyze", shared("real/west0479.mtx"), "--json", "--output-dir",
                            (dir / "out").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  const auto& mmd = j["fill_in"]["orderings"]["MMD_AT_PLUS_A"];
  EXPECT_GT(mmd["L_nnz"].get<double>(), 0);
  EXPECT_NE(mmd["note"].get<std::string>().find("nothing forks inside an MPI job"),
            std::string::npos);
  const Proc b = mpirun(2, {"bench", shared("real/west0479.mtx"), "--solvers", "mumps", "--runs",
                            "1", "--warmup", "0", "--export-json", (dir / "b.json").string()});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto bj = nlohmann::json::parse(test::read_text_file(dir / "b.json"));
  EXPECT_EQ(bj["cases"][0]["status"], "ok");
  EXPECT_EQ(bj["cases"][0]["processes"], 2);
}

std::string environ_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The spax processes of a job started by mpirun `launcher` (its children), by rank.
std::map<int, pid_t> ranks_of(pid_t launcher) {
  std::map<int, pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream st(e.path() / "stat");
    std::string stat;
    std::getline(st, stat);
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    if (ppid != launcher) continue;
    const std::string env = environ_of(std::stoi(name));
    const auto at = env.find("OMPI_COMM_WORLD_RANK=");
    if (at == std::string::npos) continue;
    out[std::atoi(env.c_str() + at + 21)] = std::stoi(name);
  }
  return out;
}

bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(st, stat);
  const auto close = stat.rfind(')');
  return close != std::string::npos && stat[close + 2] != 'Z';
}

// A rank killed in the middle of a Newton sequence: every process ends, non-zero, within
// seconds; rank 0 says what happened in one line; no process is left.
TEST_F(MumpsMpi, KilledRankEndsTheJobWithOneMessage) {
  ScratchDir dir;
  // A 3D Laplacian big enough that its sequence runs for several seconds.
  const fs::path m = dir / "g.mtx";
  const SparseMatrix g = grid_laplacian(30, 3);
  write_matrix_market(m.string(), g);
  std::vector<std::string> args = {"solve"};
  for (int k = 0; k < 40; ++k) args.push_back(m.string());
  args.insert(args.end(), {"--solver", "mumps"});
  Running r;
  start(r, mpirun_argv(3, args));
  // Wait until the three ranks run, and a moment more (the job is into its sequence).
  std::map<int, pid_t> ranks;
  for (int t = 0; t < 300 && ranks.size() < 3; ++t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ranks = ranks_of(r.pid);
  }
  ASSERT_EQ(ranks.size(), 3u);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(ranks.at(1), SIGKILL), 0);
  const Proc p = finish(r, 60);
  const double after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  EXPECT_NE(p.exit_code, 0);
  EXPECT_LT(after, 15.0) << "the job took " << after << " s to end";
  const std::string line =
      "spax: the MPI job was stopped by its launcher: another of its processes ended abnormally";
  const auto first = p.err.find(line);
  EXPECT_NE(first, std::string::npos) << p.err;
  EXPECT_EQ(p.err.find(line, first + 1), std::string::npos) << "said twice:\n" << p.err;
  // No orphan: every rank is gone.
  for (int t = 0; t < 100; ++t) {
    bool any = false;
    for (const auto& [rank, pid] : ranks) any = any || alive(pid);
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const auto& [rank, pid] : ranks) EXPECT_FALSE(alive(pid)) << "rank " << rank << " left";
}

}  // namespace
}  // namespace spax
