// Reliability (issue 8): --max-memory and the dense limit, eight processes on one cache
// directory, damaged cache files (truncated, every byte flipped), numerical honesty (rcond and
// backward error of near-singular systems, singular ones naming a column, NaN/Inf refused before
// any factorization) and interrupted writes. Every expectation is computed here, independently of
// spax: residuals by a plain loop over the matrix, solutions by the dense reference LU in
// tests/support, condition numbers from the exact inverse.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "reference_solve.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "test_support.hpp"

extern char** environ;

namespace spax {
namespace {

using test::run_spax;
namespace fs = std::filesystem;

using test::parse_json;

// Writes a real general coordinate Matrix Market file from a CSC matrix, by hand (17 digits).
void write_mtx(const fs::path& p, const SparseMatrix& a) {
  std::ostringstream o;
  o.precision(17);
  o << "%%MatrixMarket matrix coordinate real general\n"
    << a.nrows << ' ' << a.ncols << ' ' << a.nnz() << '\n';
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      o << a.rowind[p] + 1 << ' ' << j + 1 << ' ' << a.values[p] << '\n';
  test::write_text_file(p, o.str());
}

void write_vector(const fs::path& p, const std::vector<double>& b) {
  std::ostringstream o;
  o.precision(17);
  o << "%%MatrixMarket matrix array real general\n" << b.size() << " 1\n";
  for (double v : b) o << v << '\n';
  test::write_text_file(p, o.str());
}

// An unsymmetric, diagonally dominant random sparse matrix (about k entries per column).
SparseMatrix random_matrix(index_t n, int k, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<index_t> row(0, n - 1);
  std::uniform_real_distribution<double> val(-1.0, 1.0);
  SparseMatrix a;
  a.nrows = a.ncols = n;
  a.field = Field::real;
  for (index_t j = 0; j < n; ++j) {
    std::vector<index_t> rows = {j};
    for (int q = 0; q < k; ++q) rows.push_back(row(rng));
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (index_t i : rows) {
      a.rowind.push_back(i);
      a.values.push_back(i == j ? 2.0 * k + 1.0 : val(rng));
    }
    a.colptr.push_back(static_cast<index_t>(a.rowind.size()));
  }
  return a;
}

// ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf), computed here by plain loops.
// --- --max-memory and the dense limit ----------------------------------------------------------

// The 7-point Laplacian of an m^3 grid, written here (not by spax gen).
SparseMatrix laplacian3d(index_t m) {
  const index_t n = m * m * m;
  SparseMatrix a;
  a.nrows = a.ncols = n;
  a.field = Field::real;
  for (index_t z = 0; z < m; ++z)
    for (index_t y = 0; y < m; ++y)
      for (index_t x = 0; x < m; ++x) {
        const index_t j = (z * m + y) * m + x;
        std::vector<std::pair<index_t, double>> e = {{j, 6.0}};
        if (z > 0) e.push_back({j - m * m, -1.0});
        if (y > 0) e.push_back({j - m, -1.0});
        if (x > 0) e.push_back({j - 1, -1.0});
        if (x + 1 < m) e.push_back({j + 1, -1.0});
        if (y + 1 < m) e.push_back({j + m, -1.0});
        if (z + 1 < m) e.push_back({j + m * m, -1.0});
        std::sort(e.begin(), e.end());
        for (auto [i, v] : e) {
          a.rowind.push_back(i);
          a.values.push_back(v);
        }
        a.colptr.push_back(static_cast<index_t>(a.rowind.size()));
      }
  return a;
}

TEST(Reliability, MaxMemoryCapsTheFactorization) {
  test::ScratchDir d;
  const SparseMatrix a = laplacian3d(12);  // n = 1728: L+U takes a few MB under AMD
  write_mtx(d / "g.mtx", a);
  const std::string g = (d / "g.mtx").string();
  for (const std::string s : {"klu", "umfpack", "cholmod", "dense"}) {
    // Over the cap: exit 3, the message names the cap.
    auto r = run_spax({"solve", g, "--solver", s, "--max-memory", "1"});
    EXPECT_EQ(r.exit_code, 3) << s << ": " << r.err;
    EXPECT_NE(r.err.find("memory cap of 1.0 MB"), std::string::npos) << s << ": " << r.err;
    EXPECT_NE(r.err.find("needs"), std::string::npos) << s << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << s;
    // Under a generous cap: solved, and the answer checks out against the matrix.
    r = run_spax({"solve", g, "--solver", s, "--max-memory", "256", "--out",
                  (d / ("x_" + s + ".mtx")).string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << s << ": " << r.err;
    DenseMatrix x = read_dense((d / ("x_" + s + ".mtx")).string());
    EXPECT_LT(test::backward_error(
                  a, x.values,
                  test::times(a, std::vector<double>(static_cast<std::size_t>(a.ncols), 1.0))),
              1e-14)
        << s;
  }
  // The estimate is reported and is at least the factor's entries.
  auto r = run_spax({"solve", g, "--solver", "klu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse_json(r);
  ASSERT_TRUE(j["factor_bytes_estimate"].is_number());
  EXPECT_GE(j["factor_bytes_estimate"].get<double>(),
            8.0 * (j["nnz_L"].get<double>() + j["nnz_U"].get<double>()));
  // Backends the cap cannot hold say so (usage, exit 2) instead of running uncapped.
  r = run_spax({"solve", g, "--solver", "superlu", "--max-memory", "64"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot be capped"), std::string::npos) << r.err;
  // spax bench applies the same cap and records the case as out-of-memory with the reason.
  r = run_spax({"bench", g, "--solvers", "klu,umfpack", "--runs", "1", "--warmup", "0",
                "--max-memory", "1", "--export-json", (d / "b.json").string()});
  // Both cases capped: no case ran, so bench exits 3 after writing its exports.
  ASSERT_EQ(r.exit_code, 3) << r.err;
  auto b = nlohmann::json::parse(test::read_text_file(d / "b.json"));
  int capped = 0;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
    if (v.is_object()) {
      if (v.contains("status") && v["status"] == "out-of-memory") {
        ++capped;
        EXPECT_NE(v.dump().find("memory cap of 1.0 MB"), std::string::npos) << v.dump();
      }
      for (const auto& [k, e] : v.items()) walk(e);
    } else if (v.is_array()) {
      for (const auto& e : v) walk(e);
    }
  };
  walk(b);
  EXPECT_EQ(capped, 2) << b.dump();
}

TEST(Reliability, DenseRefusesLargeNNamingTheLimit) {
  test::ScratchDir d;
  write_mtx(d / "g.mtx", laplacian3d(18));  // n = 5832, above the dense limit of 5000
  auto r = run_spax({"solve", (d / "g.mtx").string(), "--solver", "dense"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("5832"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dense limit of 5000"), std::string::npos) << r.err;
}

// --- the cache: eight processes at once, damaged files ---------------------------------------

std::vector<fs::path> cache_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Reliability, EightProcessesOnOneCacheDirectory) {
  test::ScratchDir d;
  const std::string cache = (d / "cache").string();
  // Three patterns; each process solves A x = b for its own b (seeded), so results differ.
  std::vector<SparseMatrix> mats = {random_matrix(3000, 4, 1), random_matrix(2500, 6, 2),
                                    laplacian3d(14)};
  for (std::size_t m = 0; m < mats.size(); ++m)
    write_mtx(d / ("a" + std::to_string(m) + ".mtx"), mats[m]);
  struct Job {
    int matrix;
    std::string solver;
  };
  const std::vector<Job> jobs = {{0, "klu"}, {0, "klu"},     {0, "umfpack"}, {0, "umfpack"},
                                 {1, "klu"}, {1, "umfpack"}, {2, "umfpack"}, {2, "klu"}};
  std::vector<std::vector<double>> rhs;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    std::mt19937 rng(static_cast<unsigned>(100 + k));
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<double> b(static_cast<std::size_t>(mats[jobs[k].matrix].nrows));
    for (auto& v : b) v = u(rng);
    write_vector(d / ("b" + std::to_string(k) + ".mtx"), b);
    rhs.push_back(b);
  }
  auto args = [&](std::size_t k, const std::string& x) {
    return std::vector<std::string>{
        "solve",    (d / ("a" + std::to_string(jobs[k].matrix) + ".mtx")).string(),
        "--rhs",    (d / ("b" + std::to_string(k) + ".mtx")).string(),
        "--solver", jobs[k].solver,
        "--cache",  cache,
        "--out",    (d / x).string(),
        "--json"};
  };
  auto check = [&](std::size_t k, const std::string& x) {
    DenseMatrix sol = read_dense((d / x).string());
    ASSERT_EQ(sol.nrows, mats[jobs[k].matrix].nrows);
    EXPECT_LT(test::backward_error(mats[jobs[k].matrix], sol.values, rhs[k]), 1e-11) << k;
  };
  std::vector<std::future<test::RunResult>> runs;
  for (std::size_t k = 0; k < jobs.size(); ++k)
    runs.push_back(std::async(std::launch::async, [&, k] {
      return run_spax(args(k, "x" + std::to_string(k) + ".mtx"));
    }));
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    auto r = runs[k].get();
    ASSERT_EQ(r.exit_code, 0) << k << ": " << r.err;
    EXPECT_EQ(r.err.find("ignored"), std::string::npos) << r.err;
    check(k, "x" + std::to_string(k) + ".mtx");
  }
  // The cache holds whole, valid files only (no temporary left behind): 3 patterns x 2 solvers
  // symbolic, plus UMFPACK's numeric per (pattern, values).
  auto files = cache_files(cache);
  EXPECT_EQ(files.size(), 9u);
  for (const auto& f : files) {
    EXPECT_NE(f.filename().string()[0], '.') << f;
    std::string why;
    EXPECT_TRUE(read_cache_file(f.string(), &why).has_value()) << f << ": " << why;
  }
  // The next run of each job hits the cache, without a warning, and is still right.
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    auto r = run_spax(args(k, "y" + std::to_string(k) + ".mtx"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    auto j = parse_json(r);
    EXPECT_EQ(j["cache"]["symbolic"], "hit") << k;
    if (jobs[k].solver == "umfpack") {
      EXPECT_EQ(j["cache"]["numeric"], "hit") << k;
    }
    check(k, "y" + std::to_string(k) + ".mtx");
  }
}

// Every damaged variant of every cache file is detected (a warning naming the file), rebuilt,
// and the answer is right; the rebuilt file is valid and equals the undamaged one.
TEST(Reliability, DamagedCacheFilesAreDetectedAndRebuilt) {
  test::ScratchDir d;
  const SparseMatrix a = random_matrix(16, 3, 7);
  std::vector<double> xref;
  ASSERT_TRUE(test::reference_solve(
      a, test::times(a, std::vector<double>(static_cast<std::size_t>(a.ncols), 1.0)), false, xref));
  const std::string cache = (d / "cache").string();
  for (const std::string solver : {"klu", "umfpack"}) {
    SequenceOptions o;
    o.solver = solver;
    o.cache_dir = cache;
    SequenceResult first = run_sequence({a}, {}, o);
    ASSERT_EQ(first.cache_symbolic, "miss");
    int variants = 0;
    for (const auto& f : cache_files(cache)) {
      if (f.filename().string().find("-" + solver + "-") == std::string::npos) continue;
      const std::string good = test::read_text_file(f);
      ASSERT_GT(good.size(), 28u);
      std::vector<std::string> damaged;
      for (std::size_t len :
           {std::size_t{0}, std::size_t{1}, std::size_t{8}, std::size_t{12}, std::size_t{20},
            std::size_t{27}, good.size() / 2, good.size() - 9, good.size() - 8, good.size() - 1})
        damaged.push_back(good.substr(0, len));
      damaged.push_back(good + "x");  // a stray byte at the end
      // Every byte flipped in turn (header, payload, checksum), or for a larger file every byte
      // of the first and last 64 and a dense sample of the rest (every step-th byte).
      const std::size_t step = good.size() <= 512 ? 1 : good.size() / 200;
      for (std::size_t p = 0; p < good.size(); p += (p < 64 || p + 64 >= good.size()) ? 1 : step) {
        std::string b = good;
        b[p] = static_cast<char>(b[p] ^ 0xFF);
        damaged.push_back(b);
      }
      for (const auto& bytes : damaged) {
        test::write_text_file(f, bytes);
        SequenceResult r = run_sequence({a}, {}, o);
        ++variants;
        const bool warned = std::any_of(r.warnings.begin(), r.warnings.end(), [&](const auto& w) {
          return w.find(f.filename().string()) != std::string::npos &&
                 w.find("rebuilding") != std::string::npos;
        });
        ASSERT_TRUE(warned) << solver << " " << f.filename() << " variant " << variants;
        ASSERT_EQ(r.x.size(), 1u);
        ASSERT_LT(test::relative_difference(r.x[0], xref), 1e-12) << solver << " " << variants;
        // Rebuilt whole. KLU's file is the same bytes again; UMFPACK's saved objects hold heap
        // addresses, so for them a valid file is what can be asked.
        std::string why;
        ASSERT_TRUE(read_cache_file(f.string(), &why).has_value()) << f << ": " << why;
        if (solver == "klu") {
          ASSERT_EQ(test::read_text_file(f), good) << f << " variant " << variants;
        }
      }
    }
    EXPECT_GT(variants, 100) << solver;
    // Rebuilt: the next run hits without a warning.
    SequenceResult again = run_sequence({a}, {}, o);
    EXPECT_EQ(again.cache_symbolic, "hit") << solver;
    EXPECT_TRUE(again.warnings.empty()) << solver;
  }
  // End to end too: a truncated file warns on stderr, the run succeeds, the file is whole again.
  write_mtx(d / "a.mtx", a);
  for (const auto& f : cache_files(cache)) {
    const std::string good = test::read_text_file(f);
    test::write_text_file(f, good.substr(0, good.size() / 3));
  }
  for (const std::string solver : {"klu", "umfpack"}) {
    auto r = run_spax({"solve", (d / "a.mtx").string(), "--solver", solver, "--cache", cache,
                       "--out", (d / "x.mtx").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("ignored (truncated), rebuilding"), std::string::npos) << r.err;
    EXPECT_LT(test::relative_difference(read_dense((d / "x.mtx").string()).values, xref), 1e-12);
  }
  for (const auto& f : cache_files(cache)) EXPECT_TRUE(read_cache_file(f.string()).has_value());
}

// --- numerical honesty -------------------------------------------------------------------------

// A = D B D with B = tridiag(-1, 4, -1) (condition about 3) and D = diag(10^(-e * j / (n-1))),
// symmetric positive definite, with condition about 10^(2e) * 3.
SparseMatrix scaled_tridiagonal(index_t n, double e) {
  std::vector<double> dense(static_cast<std::size_t>(n * n), 0.0), s(static_cast<std::size_t>(n));
  for (index_t j = 0; j < n; ++j)
    s[j] = std::pow(10.0, -e * static_cast<double>(j) / static_cast<double>(n - 1));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = std::max<index_t>(0, i - 1); j <= std::min(n - 1, i + 1); ++j)
      dense[i * n + j] = (i == j ? 4.0 : -1.0) * s[i] * s[j];
  return test::from_dense(n, dense);
}

// The exact 1-norm condition number: ||A||_1 ||A^-1||_1 with A^-1 from the reference LU.
double condition_1(const SparseMatrix& a) {
  const index_t n = a.nrows;
  double anorm = 0.0, inorm = 0.0;
  for (index_t j = 0; j < n; ++j) {
    double s = 0.0;
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) s += std::abs(a.values[p]);
    anorm = std::max(anorm, s);
    std::vector<double> e(static_cast<std::size_t>(n), 0.0), x;
    e[j] = 1.0;
    if (!test::reference_solve(a, e, false, x)) return INFINITY;
    double c = 0.0;
    for (double v : x) c += std::abs(v);
    inorm = std::max(inorm, c);
  }
  return anorm * inorm;
}

// A valid cache file of one matrix copied under another matrix's name (same solver) is refused
// like a damaged one, for every kind: UMFPACK crashed loading another matrix's objects before.
TEST(Reliability, CacheFilesOfAnotherMatrixAreRefused) {
  test::ScratchDir d;
  const SparseMatrix a = random_matrix(16, 3, 7), b = random_matrix(9, 3, 8);
  std::vector<double> xref;
  ASSERT_TRUE(test::reference_solve(
      b, test::times(b, std::vector<double>(static_cast<std::size_t>(b.ncols), 1.0)), false, xref));
  for (const std::string solver : {"klu", "umfpack", "superlu"}) {
    SequenceOptions oa, ob;
    oa.solver = ob.solver = solver;
    oa.cache_dir = (d / (solver + "-a")).string();
    ob.cache_dir = (d / (solver + "-b")).string();
    run_sequence({a}, {}, oa);
    run_sequence({b}, {}, ob);
    auto fa = cache_files(oa.cache_dir), fb = cache_files(ob.cache_dir);
    ASSERT_EQ(fa.size(), fb.size()) << solver;
    ASSERT_FALSE(fb.empty()) << solver;
    // Paired by kind: a's symbolic file under b's symbolic name, numeric under numeric.
    auto by_kind = [](const fs::path& x, const fs::path& y) {
      return x.extension().string() < y.extension().string();
    };
    std::sort(fa.begin(), fa.end(), by_kind);
    std::sort(fb.begin(), fb.end(), by_kind);
    for (std::size_t k = 0; k < fb.size(); ++k)
      fs::copy_file(fa[k], fb[k], fs::copy_options::overwrite_existing);
    SequenceResult r = run_sequence({b}, {}, ob);
    EXPECT_EQ(r.cache_symbolic, "miss") << solver;
    EXPECT_FALSE(r.warnings.empty()) << solver;
    ASSERT_EQ(r.x.size(), 1u);
    EXPECT_LT(test::relative_difference(r.x[0], xref), 1e-10) << solver;
  }
}

TEST(Reliability, NearSingularSystemsReportRcondAndBackwardError) {
  test::ScratchDir d;
  const index_t n = 40;
  for (double e : {7.0, 8.0, 9.0}) {  // condition about 1e14, 1e16, 1e18
    const SparseMatrix a = scaled_tridiagonal(n, e);
    const double cond = condition_1(a);
    ASSERT_GT(cond, std::pow(10.0, 2 * e)) << e;
    write_mtx(d / "a.mtx", a);
    std::vector<double> b(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) b[i] = 1.0 + static_cast<double>(i % 3);
    write_vector(d / "b.mtx", b);
    for (const std::string s : {"klu", "umfpack", "cholmod", "superlu", "dense"}) {
      const std::string x = (d / "x.mtx").string();
      std::vector<std::string> args = {"solve",    (d / "a.mtx").string(),
                                       "--rhs",    (d / "b.mtx").string(),
                                       "--solver", s,
                                       "--out",    x,
                                       "--json"};
      auto r = run_spax(args);
      ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << s << " " << e << ": " << r.err;
      auto j = parse_json(r);
      // rcond: a 1-norm estimate, so at least 1/cond, and not far above it.
      ASSERT_TRUE(j["rcond"].is_number()) << s << " " << e;
      const double rc = j["rcond"].get<double>();
      EXPECT_GE(rc, 0.5 / cond) << s << " " << e;
      EXPECT_LE(rc, 100.0 / cond) << s << " " << e;
      // The reported backward error is the one computed here from x, and decides the exit code
      // against the default tolerance (1e-8).
      const double own = test::backward_error(a, read_dense(x).values, b);
      const double reported = j["backward_error"][0].get<double>();
      EXPECT_NEAR(reported, own, 1e-3 * own + 1e-300) << s << " " << e;
      EXPECT_EQ(r.exit_code, own > 1e-8 ? 3 : 0) << s << " " << e;
      // With a tolerance below the achieved backward error: exit 3 naming both, and still the
      // report on stdout (text too).
      const double tol = own / 2;
      std::ostringstream t;
      t.precision(17);
      t << tol;
      args.pop_back();
      args.insert(args.end(), {"--tol", t.str()});
      r = run_spax(args);
      EXPECT_EQ(r.exit_code, 3) << s << " " << e << ": " << r.err;
      EXPECT_NE(r.err.find("backward error"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("above the tolerance"), std::string::npos) << r.err;
      EXPECT_NE(r.out.find("rcond estimate"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("backward error"), std::string::npos) << r.out;
    }
  }
}

TEST(Reliability, SingularSystemsNameAColumn) {
  test::ScratchDir d;
  const std::vector<std::string> solvers = {"klu", "umfpack", "superlu", "eigen-lu", "dense"};
  // Every solver exits 3 on `file` with `words` in its message and, when given, one of
  // `columns` named ("column C ").
  auto expect_singular = [&](const std::string& file, const std::string& words,
                             const std::vector<int>& columns) {
    for (const auto& s : solvers) {
      auto r = run_spax({"solve", (d / file).string(), "--solver", s});
      EXPECT_EQ(r.exit_code, 3) << s << ": " << r.err;
      EXPECT_NE(r.err.find(words), std::string::npos) << s << ": " << r.err;
      if (columns.empty()) continue;
      const bool named = std::any_of(columns.begin(), columns.end(), [&](int c) {
        return r.err.find("column " + std::to_string(c) + " ") != std::string::npos;
      });
      EXPECT_TRUE(named) << s << ": " << r.err;
    }
  };
  // Singular by values: row 4 equals row 2, the pattern has a perfect matching.
  {
    const index_t n = 5;
    std::vector<double> m = {4, 1, 0, 0, 1,  //
                             1, 5, 2, 0, 0,  //
                             0, 2, 6, 1, 0,  //
                             1, 5, 2, 0, 0,  //
                             1, 0, 0, 1, 7};
    write_mtx(d / "v.mtx", test::from_dense(n, m));
    expect_singular("v.mtx", "singular", {});
  }
  // Structurally singular: column 3 empty; any maximum matching leaves exactly column 3 out.
  {
    const index_t n = 6;
    std::vector<double> m(36, 0.0);
    for (index_t i = 0; i < n; ++i)
      if (i != 2) m[i * n + i] = 3.0;
    m[2 * n + 0] = 1.0;  // row 3 is not empty
    m[2 * n + 5] = 1.0;
    write_mtx(d / "c.mtx", test::from_dense(n, m));
    expect_singular("c.mtx", "structurally singular", {3});
  }
  // Structurally deficient set: columns 2, 4 and 5 have entries only in rows 1 and 6, so one
  // of them stays unmatched; no column is empty.
  {
    const index_t n = 6;
    std::vector<double> m(36, 0.0);
    for (index_t c : {0, 2, 5}) m[c * n + c] = 2.0;  // columns 1, 3, 6 on rows 1, 3, 6
    for (index_t c : {1, 3, 4}) {
      m[0 * n + c] = 1.0;
      m[5 * n + c] = 1.0;
    }
    m[1 * n + 0] = 1.0;  // rows 2, 4, 5 get entries in the other columns
    m[3 * n + 2] = 1.0;
    m[4 * n + 5] = 1.0;
    write_mtx(d / "s.mtx", test::from_dense(n, m));
    expect_singular("s.mtx", "structurally singular", {2, 4, 5});
  }
}

// A matrix without entries, or with an empty row, is structurally singular for every solver,
// iterative ones included: exit 3 naming it (a backend status code, exit 4, before; hypre's AMG
// crashed or aborted the process through MPI).
TEST(Reliability, EmptyMatricesAndEmptyRowsAreStructurallySingular) {
  test::ScratchDir d;
  test::write_text_file(d / "e.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 0\n");
  test::write_text_file(d / "one.mtx", "%%MatrixMarket matrix coordinate real general\n1 1 0\n");
  // Row 2 empty, every column has an entry: structural rank 2 of 3.
  test::write_text_file(d / "r.mtx",
                        "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 2\n1 2 1\n3 3 "
                        "4\n");
  // The analysis of an empty matrix is complete (AMD refused its null index array before).
  auto an = run_spax({"analyze", (d / "e.mtx").string(), "-o", (d / "out").string()});
  EXPECT_EQ(an.exit_code, 0) << an.err;
  auto od = run_spax(
      {"order", (d / "e.mtx").string(), "--ordering", "amd", "--out", (d / "p.npy").string()});
  ASSERT_EQ(od.exit_code, 0) << od.err;
  std::vector<std::int64_t> perm = read_npy_int64((d / "p.npy").string());
  std::sort(perm.begin(), perm.end());
  EXPECT_EQ(perm, (std::vector<std::int64_t>{0, 1, 2}));
  for (const std::string f : {"e.mtx", "one.mtx", "r.mtx"}) {
    for (const std::string s : {"klu", "umfpack", "cholmod", "superlu", "eigen-lu", "dense", "cg",
                                "gmres", "bicgstab", "cg+amg", "amg"}) {
      auto r = run_spax({"solve", (d / f).string(), "--solver", s});
      EXPECT_EQ(r.exit_code, 3) << f << " " << s << ": " << r.err;
      // The error is the last line of stderr.
      const std::string last = r.err.substr(r.err.rfind('\n', r.err.size() - 2) + 1);
      EXPECT_EQ(last.rfind("spax: matrix is structurally singular: structural rank ", 0), 0u)
          << f << " " << s << ": " << r.err;
    }
  }
}

// What a user can type that is not a matrix problem at all still gets one line and exit 2.
TEST(Reliability, PathsAndArgumentsTheSystemRefuses) {
  test::ScratchDir d;
  test::write_text_file(d / "file", "x");
  // A directory that cannot be created (its parent is a file): exit 2, not an internal error.
  auto g = run_spax({"gen", "circuit", "--nodes", "16", "--out", (d / "file" / "sub").string()});
  EXPECT_EQ(g.exit_code, 2) << g.err;
  EXPECT_EQ(std::count(g.err.begin(), g.err.end(), '\n'), 1) << g.err;
  // A newline in an argument stays escaped: the message is one line.
  auto n = run_spax({"info", (d / "a\nb.mtx").string()});
  EXPECT_EQ(n.exit_code, 2) << n.err;
  EXPECT_EQ(std::count(n.err.begin(), n.err.end(), '\n'), 1) << n.err;
  EXPECT_NE(n.err.find("a\\nb.mtx"), std::string::npos) << n.err;
  // A file name that is not UTF-8 still gives valid JSON (the byte becomes U+FFFD).
  const std::string odd = (d / "bad\xff.mtx").string();
  fs::copy_file(test::bundled_data_dir() / "west0479.mtx", odd);
  auto j = run_spax({"info", "--json", odd});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = parse_json(j);
  EXPECT_EQ(doc["rows"], 479);
  // --name is one path component (it names a directory under spax-out/): refused before any
  // work when it is a path.
  for (const std::string name : {"/abs", "../escape", ".."}) {
    auto a = run_spax({"analyze", (test::bundled_data_dir() / "west0479.mtx").string(), "--lu-fill",
                       "none", "--name", name});
    EXPECT_EQ(a.exit_code, 2) << name << ": " << a.err;
    EXPECT_NE(a.err.find("not a plain name"), std::string::npos) << a.err;
  }
  // --out holds one column per solve: matrices of different sizes are refused before solving.
  auto o = run_spax({"solve", (test::bundled_data_dir() / "west0479.mtx").string(),
                     (test::bundled_data_dir() / "rajat19.mtx").string(), "--out",
                     (d / "x.mtx").string()});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("--out needs one size"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(d / "x.mtx"));
}

TEST(Reliability, NonFiniteInputNeverReachesAFactorization) {
  test::ScratchDir d;
  const std::string head = "%%MatrixMarket matrix coordinate real general\n3 3 5\n";
  for (const std::string v : {"nan", "inf", "-inf", "NaN", "-Infinity"}) {
    test::write_text_file(d / "a.mtx",
                          head + "1 1 4\n2 2 4\n3 2 " + v + "\n3 3 4\n1 3 1\n");  // (3, 2)
    for (const std::string s : {"klu", "umfpack", "dense", "auto"}) {
      auto r = run_spax({"solve", (d / "a.mtx").string(), "--solver", s});
      EXPECT_EQ(r.exit_code, 2) << v << " " << s << ": " << r.err;
      EXPECT_NE(r.err.find("non-finite"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("row 3, column 2"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("a.mtx"), std::string::npos) << r.err;
    }
    // spax bench refuses the case before factoring (the reason names the entry).
    auto r = run_spax({"bench", (d / "a.mtx").string(), "--solvers", "klu", "--runs", "1",
                       "--export-json", (d / "b.json").string()});
    EXPECT_EQ(r.exit_code, 3) << r.err;  // its only case failed; the export is still written
    const std::string b = test::read_text_file(d / "b.json");
    EXPECT_NE(b.find("row 3, column 2"), std::string::npos) << b;
    // analyze reports the matrix and skips the LU fill (nothing factored).
    r = run_spax({"analyze", (d / "a.mtx").string(), "--json", "--output-dir", (d / "out").string(),
                  "--orderings", "amd"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("LU fill skipped"), std::string::npos) << r.out;
  }
  // In the right-hand side: refused, naming the row (and column of the block).
  test::write_text_file(d / "a.mtx", head + "1 1 4\n2 2 4\n3 2 1\n3 3 4\n1 3 1\n");
  test::write_text_file(d / "b.mtx", "%%MatrixMarket matrix array real general\n3 1\n1\ninf\n2\n");
  auto r = run_spax({"solve", (d / "a.mtx").string(), "--rhs", (d / "b.mtx").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("right-hand side has a non-finite value (inf at row 2, column 1)"),
            std::string::npos)
      << r.err;
}

// --- interrupted writes ------------------------------------------------------------------------

pid_t spawn_spax(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {SPAX_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, SPAX_BINARY, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

TEST(Reliability, InterruptedWritesLeaveWholeFilesOrNone) {
  test::ScratchDir d;
  const index_t m = 70;  // 343000 rows, about 25 MB of Matrix Market text
  const index_t n = m * m * m;
  const index_t stored = n + 6 * m * m * (m - 1);  // diagonal + 6 neighbours per interior pair
  const std::string target = (d / "g.mtx").string();
  const std::string sentinel = "%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 5\n";
  int finished = 0, killed = 0, killed_writing = 0;
  for (int sig : {SIGTERM, SIGINT}) {
    // Fixed delays, and (-1) one run that waits for the temporary file to appear, so that some
    // signal lands mid-write however fast or slow this machine (or a sanitizer build) is.
    for (int delay_ms : {0, 2, 10, 30, 80, 200, 500, -1}) {
      const bool preexisting = delay_ms % 4 == 0;  // half the runs overwrite an existing file
      std::error_code ec;
      fs::remove(target, ec);
      if (preexisting) test::write_text_file(target, sentinel);
      pid_t pid = spawn_spax({"gen", "grid3d", "--n", std::to_string(m), "--out", target});
      ASSERT_GT(pid, 0);
      auto temp_exists = [&] {
        for (const auto& e : fs::directory_iterator(d.path()))
          if (e.path().filename() != "g.mtx") return true;
        return false;
      };
      if (delay_ms >= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      } else {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!temp_exists() && std::chrono::steady_clock::now() < give_up)
          std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      const bool writing = temp_exists();  // a temporary file exists just before the signal
      ::kill(pid, sig);
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      if (WIFSIGNALED(status)) {
        EXPECT_EQ(WTERMSIG(status), sig);  // ended by the signal, after cleaning up
        ++killed;
        if (writing) ++killed_writing;
      } else {
        EXPECT_EQ(WEXITSTATUS(status), 0);  // finished before the signal came
        ++finished;
      }
      // No temporary file is left behind, whenever the signal came.
      for (const auto& e : fs::directory_iterator(d.path()))
        EXPECT_EQ(e.path().filename(), "g.mtx") << "left behind: " << e.path();
      if (!fs::exists(target)) {
        EXPECT_FALSE(preexisting) << "the previous file was removed";
        continue;
      }
      // Present: the untouched previous file (only when killed) or the complete new one.
      if (preexisting && WIFSIGNALED(status) && test::read_text_file(target) == sentinel) continue;
      MatrixFile f = read_matrix_market(target);
      EXPECT_EQ(f.matrix.nrows, n);
      EXPECT_EQ(f.matrix.nnz(), stored);
    }
  }
  EXPECT_EQ(finished + killed, 16);
  EXPECT_GT(killed_writing, 0);  // some signals came while the file was being written
}

}  // namespace
}  // namespace spax
