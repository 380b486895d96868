// Level sets of the triangular solves against a dense boolean reference of the factor's
// pattern, and the level-scheduled and coarsened solve schedules on hand-made DAGs.
#include <gtest/gtest.h>

#include "reference_etree.hpp"
#include "reference_levels.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "spax/predict.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

void expect_matches_reference(const SparseMatrix& a, const std::vector<index_t>& perm) {
  test::ReferenceLevels ref = test::reference_levels(a, perm);
  SymbolicCholesky sc = symbolic_cholesky(a, perm);
  SolveStructure s = solve_structure(a, perm, sc.parent, sc.colcount);
  ASSERT_TRUE(s.exact) << s.method;
  EXPECT_EQ(s.lower.levels, ref.lower_levels) << s.method;
  EXPECT_EQ(s.upper.levels, ref.upper_levels) << s.method;
  const index_t n = a.ncols;
  ASSERT_EQ(static_cast<index_t>(s.lower.work.size()), n);
  for (index_t i = 0; i < n; ++i) {
    // Row work: the diagonal plus the off-diagonal entries of the row.
    EXPECT_EQ(s.lower.work[i], 1.0 + static_cast<double>(ref.lower_row_count[i])) << "row " << i;
    EXPECT_EQ(s.upper.work[i], 1.0 + static_cast<double>(ref.upper_row_count[i])) << "row " << i;
    // The forward solve's levels are ASAP: exactly the reference's.
    EXPECT_EQ(s.lower.level[i], ref.lower_level[i]) << "row " << i;
  }
  // Every dependency edge goes from an earlier level to a later one.
  for (const SolveDag* d : {&s.lower, &s.upper})
    for (index_t v = 0; v < n; ++v)
      for (index_t e = d->edge_ptr[v]; e < d->edge_ptr[v + 1]; ++e)
        EXPECT_LT(d->level[d->edge_to[e]], d->level[v]);
}

TEST(SolveLevels, UnsymmetricPatternsMatchTheDenseReference) {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    SparseMatrix a = test::random_pattern(60 + 5 * seed, 1 + seed % 3, seed);
    expect_matches_reference(a, {});
    for (const char* o : {"amd", "colamd", "rcm"}) {
      SCOPED_TRACE(o);
      expect_matches_reference(a, compute_ordering(a, o).perm);
    }
  }
}

TEST(SolveLevels, SymmetricPatternsUseTheEtree) {
  SparseMatrix g = test::grid2d(9);
  for (const char* o : {"natural", "amd", "metis"}) {
    SCOPED_TRACE(o);
    std::vector<index_t> p = compute_ordering(g, o).perm;
    SymbolicCholesky sc = symbolic_cholesky(g, p);
    SolveStructure s = solve_structure(g, p, sc.parent, sc.colcount);
    EXPECT_NE(s.method.find("etree"), std::string::npos);
    EXPECT_EQ(s.lower.levels, tree_levels(sc.parent).height);
    expect_matches_reference(g, p);
  }
}

TEST(SolveLevels, RealMatricesMatchTheReference) {
  for (const char* f : {"west0479.mtx"}) {
    SCOPED_TRACE(f);
    SparseMatrix a = read_matrix_market((test::bundled_data_dir() / f).string()).matrix;
    expect_matches_reference(a, compute_ordering(a, "amd").perm);
    expect_matches_reference(a, compute_ordering(a, "colamd").perm);
  }
}

TEST(SolveLevels, TooLargeFallsBackToTheEtreeBound) {
  SparseMatrix a = test::random_pattern(80, 2, 7);
  SymbolicCholesky sc = symbolic_cholesky(a, {});
  SolveStructure s = solve_structure(a, {}, sc.parent, sc.colcount, 10.0);
  EXPECT_FALSE(s.exact);
  EXPECT_NE(s.method.find("not computed"), std::string::npos);
  EXPECT_EQ(s.lower.levels, tree_levels(sc.parent).height);
  test::ReferenceLevels ref = test::reference_levels(a);
  EXPECT_LE(ref.lower_levels, s.lower.levels);  // the bound holds
  EXPECT_LE(ref.upper_levels, s.upper.levels);
}

// n independent chains of `len` rows each, unit work: levels of width n.
SolveDag chains(index_t n, index_t len) {
  SolveDag d;
  d.n = n * len;
  d.levels = len;
  d.work.assign(static_cast<std::size_t>(d.n), 1.0);
  d.edge_ptr.push_back(0);
  for (index_t c = 0; c < n; ++c)
    for (index_t l = 0; l < len; ++l) {
      d.level.push_back(l);
      if (l > 0) d.edge_to.push_back(c * len + l - 1);
      d.edge_ptr.push_back(static_cast<index_t>(d.edge_to.size()));
    }
  return d;
}

TEST(SolveSchedule, ChainsMergeIntoOneBand) {
  // Four chains of three unit rows, p = 2, 1 ns per entry, barrier 1 us.
  const double s = 1e-9, b = 1e-6;
  SolveDag d = chains(4, 3);
  SolveSchedule r = solve_schedule(d, 2, s, b);
  EXPECT_EQ(r.levels, 3);
  EXPECT_DOUBLE_EQ(r.sequential_seconds, 12 * s);
  // Three levels of 4 rows on 2 workers: 2 entries each, 2 barriers.
  EXPECT_DOUBLE_EQ(r.level_seconds, 6 * s + 2 * b);
  // Merging keeps the 4 chains apart (components of weight 3 on 2 workers: max(12 / 2, 3)), so
  // one band, no barrier.
  EXPECT_EQ(r.coarse_levels, 1);
  EXPECT_DOUBLE_EQ(r.coarse_seconds, 6 * s);
  // One worker: no barriers anywhere.
  SolveSchedule one = solve_schedule(d, 1, s, b);
  EXPECT_DOUBLE_EQ(one.level_seconds, 12 * s);
  EXPECT_DOUBLE_EQ(one.coarse_seconds, 12 * s);
}

TEST(SolveSchedule, AChainIsOneComponent) {
  // One chain of 5 unit rows: any band is one component, so no worker count helps; bands cost
  // their rows plus a barrier, and merging everything saves the barriers.
  SolveDag d = chains(1, 5);
  SolveSchedule r = solve_schedule(d, 4, 1.0, 0.0);
  EXPECT_DOUBLE_EQ(r.level_seconds, 5.0);
  EXPECT_DOUBLE_EQ(r.coarse_seconds, 5.0);
  SolveSchedule costly = solve_schedule(d, 4, 1.0, 10.0);
  EXPECT_DOUBLE_EQ(costly.level_seconds, 5.0 + 4 * 10.0);
  EXPECT_EQ(costly.coarse_levels, 1);
  EXPECT_DOUBLE_EQ(costly.coarse_seconds, 5.0);
}

TEST(SolveSchedule, ABandStopsWhereMergingCostsMore) {
  // Level 0: 8 independent unit rows; level 1: one row of work 8 depending on all of them.
  // p = 4, barrier 1: alone, level 0 costs 2 + 1 and level 1 costs 8 + 1; merged, one component
  // of 16 costs 16 + 1 > 3 + 9, so two bands: 2 + 1 + 8 (no barrier after the last).
  SolveDag d;
  d.n = 9;
  d.levels = 2;
  d.work = {1, 1, 1, 1, 1, 1, 1, 1, 8};
  d.level = {0, 0, 0, 0, 0, 0, 0, 0, 1};
  d.edge_ptr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 8};
  d.edge_to = {0, 1, 2, 3, 4, 5, 6, 7};
  SolveSchedule r = solve_schedule(d, 4, 1.0, 1.0);
  EXPECT_DOUBLE_EQ(r.level_seconds, 2 + 8 + 1);
  EXPECT_EQ(r.coarse_levels, 2);
  EXPECT_DOUBLE_EQ(r.coarse_seconds, 2 + 1 + 8);
}

}  // namespace
}  // namespace spax
