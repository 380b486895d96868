// LU fill: hand cases (diagonal, singular, timeout) and the cross-check against scipy's splu run
// by /usr/bin/python3 on the same values (skipped when python3 or scipy is missing).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "spax/io.hpp"
#include "spax/structure.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

SparseMatrix make(index_t n, std::vector<std::tuple<index_t, index_t, double>> e) {
  TripletMatrix t;
  t.nrows = n;
  t.ncols = n;
  for (auto [i, j, v] : e) {
    t.rows.push_back(i);
    t.cols.push_back(j);
    t.values.push_back(v);
  }
  return to_csc(t);
}

SparseMatrix grid2d(index_t k) {
  TripletMatrix t;
  t.nrows = t.ncols = k * k;
  auto add = [&](index_t i, index_t j, double v) {
    t.rows.push_back(i);
    t.cols.push_back(j);
    t.values.push_back(v);
  };
  for (index_t y = 0; y < k; ++y)
    for (index_t x = 0; x < k; ++x) {
      index_t i = y * k + x;
      add(i, i, 4.0);
      if (x + 1 < k) add(i, i + 1, -1.0), add(i + 1, i, -1.0);
      if (y + 1 < k) add(i, i + k, -1.0), add(i + k, i, -1.0);
    }
  return to_csc(t);
}

TEST(Fill, DiagonalHasNoFill) {
  SparseMatrix a = make(5, {{0, 0, 1}, {1, 1, 2}, {2, 2, 3}, {3, 3, 4}, {4, 4, 5}});
  LuFillResult r = compute_lu_fill(a, {});
  ASSERT_TRUE(r.applicable);
  EXPECT_EQ(r.values, "file");
  ASSERT_EQ(r.superlu.size(), 2u);
  ASSERT_EQ(r.klu.size(), 2u);
  for (const auto* list : {&r.superlu, &r.klu}) {
    for (const auto& e : *list) {
      SCOPED_TRACE(e.library + " " + e.name);
      ASSERT_TRUE(e.ok) << e.error << e.skipped;
      EXPECT_EQ(e.L_nnz, 5);
      EXPECT_EQ(e.U_nnz, 5);
      EXPECT_EQ(e.factor_nnz, 5);
      EXPECT_DOUBLE_EQ(e.fill_ratio, 1.0);
      EXPECT_EQ(e.fill_in, 0);
    }
  }
  EXPECT_FALSE(r.best_ordering.empty());
}

TEST(Fill, SingularReportsErrorPerOrdering) {
  // Column 1 is empty: structurally singular.
  SparseMatrix a = make(3, {{0, 0, 1}, {1, 0, 1}, {2, 2, 1}, {2, 0, 1}});
  LuFillResult r = compute_lu_fill(a, {});
  ASSERT_TRUE(r.applicable);
  for (const auto* list : {&r.superlu, &r.klu})
    for (const auto& e : *list) {
      EXPECT_FALSE(e.ok) << e.library << " " << e.name;
      EXPECT_FALSE(e.error.empty());
    }
  EXPECT_TRUE(r.best_ordering.empty());
}

TEST(Fill, RectangularAndEmptyNotApplicable) {
  TripletMatrix t;
  t.nrows = 2;
  t.ncols = 3;
  LuFillResult r = compute_lu_fill(to_csc(t), {});
  EXPECT_FALSE(r.applicable);
  EXPECT_FALSE(r.note.empty());
  LuFillResult z = compute_lu_fill(SparseMatrix{}, {});
  EXPECT_FALSE(z.applicable);
}

TEST(Fill, TimeoutSkipsEntryAndKeepsOthers) {
  SparseMatrix a = grid2d(150);
  LuFillOptions o;
  o.timeout_seconds = 0.001;
  o.klu = false;
  LuFillResult r = compute_lu_fill(a, o);
  ASSERT_EQ(r.superlu.size(), 2u);
  for (const auto& e : r.superlu) {
    EXPECT_FALSE(e.ok);
    EXPECT_EQ(e.skipped, "timeout after 0.001 s");
  }
}

TEST(Fill, PatternGetsSynthesizedValues) {
  SparseMatrix a = pattern_of(make(3, {{0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {2, 1, 1}, {2, 2, 1}}));
  LuFillResult r = compute_lu_fill(a, {});
  EXPECT_EQ(r.values, "synthesized");
  for (const auto& e : r.superlu) EXPECT_TRUE(e.ok) << e.error;
}

// --- scipy cross-check -------------------------------------------------------------------

bool have_scipy() {
  return std::system(
             "/usr/bin/python3 -c 'import scipy.sparse.linalg, scipy.io' >/dev/null 2>&1") == 0;
}

// name -> {L_nnz, U_nnz} from scipy's splu, or empty on failure.
std::map<std::string, std::pair<long long, long long>> scipy_counts(const std::string& mtx,
                                                                    const std::string& dir) {
  std::string script = dir + "/splu_counts.py";
  test::write_text_file(script,
                        "import sys, scipy.io, scipy.sparse.linalg as sl\n"
                        "A = scipy.io.mmread(sys.argv[1]).tocsc()\n"
                        "for spec in ['MMD_AT_PLUS_A', 'COLAMD']:\n"
                        "    try:\n"
                        "        lu = sl.splu(A, permc_spec=spec)\n"
                        "        print(spec, lu.L.nnz, lu.U.nnz)\n"
                        "    except RuntimeError:\n"
                        "        print(spec, -1, -1)\n");
  std::string cmd = "/usr/bin/python3 " + script + " " + mtx;
  std::map<std::string, std::pair<long long, long long>> out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char line[256];
  while (std::fgets(line, sizeof line, p)) {
    std::istringstream in(line);
    std::string name;
    long long l = 0, u = 0;
    if (in >> name >> l >> u) out[name] = {l, u};
  }
  ::pclose(p);
  return out;
}

void check_against_scipy(const std::string& path) {
  SCOPED_TRACE(path);
  test::ScratchDir dir;
  SparseMatrix a = read_matrix_market(path).matrix;
  SparseMatrix values = lu_values_matrix(a);
  std::string mtx = (dir / "a.mtx").string();
  write_matrix_market(mtx, values);
  auto ref = scipy_counts(mtx, dir.path().string());
  ASSERT_EQ(ref.size(), 2u) << "scipy script failed";
  LuFillOptions o;
  o.klu = false;
  LuFillResult r = compute_lu_fill(a, o);
  ASSERT_EQ(r.superlu.size(), 2u);
  const index_t n = a.ncols;
  for (const auto& e : r.superlu) {
    SCOPED_TRACE(e.name);
    auto [l, u] = ref.at(e.name);
    if (l < 0) {
      EXPECT_FALSE(e.ok);
      continue;
    }
    ASSERT_TRUE(e.ok) << e.error;
    const double factor_ref = static_cast<double>(l + u - n);
    EXPECT_NEAR(static_cast<double>(e.factor_nnz), factor_ref, 0.03 * factor_ref);
    EXPECT_NEAR(static_cast<double>(e.L_nnz), static_cast<double>(l), 0.03 * l);
    EXPECT_NEAR(static_cast<double>(e.U_nnz), static_cast<double>(u), 0.03 * u);
  }
}

TEST(Fill, MatchesScipySplu) {
  if (!have_scipy()) GTEST_SKIP() << "/usr/bin/python3 with scipy not available";
  for (const char* f : {"west0479.mtx", "adder_dcop_05.mtx", "rajat19.mtx"})
    check_against_scipy((test::bundled_data_dir() / f).string());
}

TEST(Fill, MatchesScipySpluShared) {
  SPAX_REQUIRE_SHARED();
  if (!have_scipy()) GTEST_SKIP() << "/usr/bin/python3 with scipy not available";
  for (const char* f : {"bayer10.mtx", "rajat01.mtx", "west0067.mtx"})
    check_against_scipy((test::shared_matrices_dir() / "real" / f).string());
}

}  // namespace
}  // namespace spax
