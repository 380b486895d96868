// The iterative backends' Newton-sequence policy (spax/kept_setup.hpp), driven by a scripted
// method whose iteration counts are given per call, so every bound below is worked by hand.
#include <gtest/gtest.h>

#include <deque>

#include "spax/kept_setup.hpp"

namespace spax {
namespace {

// A method that "solves" by writing 2 * b into x after the next scripted iteration count; a
// count above the allowed maximum stops at the maximum, unconverged.
struct Scripted {
  std::deque<int> counts;
  std::vector<int> limits;  // the max_iter of each call
  int setups = 0;
  KeptSetupSolve how() {
    KeptSetupSolve h;
    h.name = "scripted";
    h.max_iter = 100;
    h.tol = 1e-8;
    h.iterate = [this](const std::vector<double>& b, std::vector<double>& x, int max_iter,
                       std::vector<double>& hist) {
      limits.push_back(max_iter);
      const int need = counts.front();
      counts.pop_front();
      IterativeOutcome o;
      o.iterations = std::min(need, max_iter);
      o.converged = need <= max_iter;
      o.residual = o.converged ? 1e-9 : 0.5;
      hist.assign(static_cast<std::size_t>(o.iterations) + 1, o.residual);
      if (o.converged)
        for (std::size_t i = 0; i < b.size(); ++i) x[i] = 2.0 * b[i];
      return o;
    };
    h.setup = [this] { ++setups; };
    return h;
  }
};

TEST(KeptSetup, FirstSolveSetsTheBoundAndAWeakSetupIsRebuiltOnce) {
  Scripted m;
  KeptSetup kept;
  kept.built(0.25);  // factor built the setup
  SolverStats stats;
  std::vector<double> b = {1.0, 2.0, 3.0, 4.0};  // two right-hand sides of 2
  // Fresh setup: 10 iterations for the first right-hand side (the reference), 12 for the second.
  m.counts = {10, 12};
  KeptSetupSolve how = m.how();
  solve_keeping_setup(kept, how, stats, b, 2, 2);
  EXPECT_EQ(b, (std::vector<double>{2.0, 4.0, 6.0, 8.0}));
  EXPECT_EQ(stats.iterations, 12);
  EXPECT_FALSE(stats.rebuilt);
  EXPECT_DOUBLE_EQ(stats.setup_seconds, 0.25);
  EXPECT_EQ(kept.reference_iters, 10);
  EXPECT_EQ(m.limits, (std::vector<int>{100, 100}));
  ASSERT_EQ(stats.residual_history.size(), 2u);
  EXPECT_EQ(stats.residual_history[1].size(), 13u);

  // Refactor: the kept setup may take 2 * 10 + 5 = 25 iterations. 20 pass.
  kept.fresh = false;
  m.counts = {20};
  std::vector<double> b1 = {1.0, 1.0};
  solve_keeping_setup(kept, how, stats, b1, 2, 1);
  EXPECT_FALSE(stats.rebuilt);
  EXPECT_EQ(m.setups, 0);
  EXPECT_DOUBLE_EQ(stats.setup_seconds, 0.0);  // reported once, by the first solve
  EXPECT_EQ(m.limits.back(), 25);

  // 30 needed: stopped at 25, rebuilt, solved again from zero with max_iter (7 iterations),
  // which becomes the new reference.
  m.counts = {30, 7};
  std::vector<double> b2 = {1.0, -1.0};
  solve_keeping_setup(kept, how, stats, b2, 2, 1);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_EQ(m.setups, 1);
  EXPECT_EQ(stats.iterations, 7);
  EXPECT_EQ(b2, (std::vector<double>{2.0, -2.0}));
  EXPECT_EQ(kept.reference_iters, 7);
  EXPECT_EQ(stats.residual_history[0].size(), 8u);  // the rebuilt solve's history only
  EXPECT_EQ((std::vector<int>(m.limits.end() - 2, m.limits.end())), (std::vector<int>{25, 100}));
}

TEST(KeptSetup, AGivenRebuildBoundAndNonConvergence) {
  Scripted m;
  KeptSetupSolve how = m.how();
  how.rebuild_iters = 4;
  KeptSetup kept;
  kept.built(0.0);
  kept.fresh = false;  // a refactor happened
  SolverStats stats;
  m.counts = {5, 3};  // past the bound of 4: rebuilt, then 3
  std::vector<double> b = {1.0};
  solve_keeping_setup(kept, how, stats, b, 1, 1);
  EXPECT_TRUE(stats.rebuilt);
  EXPECT_EQ(m.limits, (std::vector<int>{4, 100}));

  // Not converging within max_iter even on a fresh setup: a numerical error with the residual.
  m.counts = {200};
  kept.fresh = true;
  std::vector<double> c = {1.0};
  try {
    solve_keeping_setup(kept, how, stats, c, 1, 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical);
    EXPECT_NE(std::string(e.what()).find("scripted: not converged within 100 iterations"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("relative residual 0.5 reached"), std::string::npos);
  }
  EXPECT_EQ(c, (std::vector<double>{1.0}));  // b left as it was
}

}  // namespace
}  // namespace spax
