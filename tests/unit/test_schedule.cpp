// List schedules of hand-made task trees against hand-computed makespans, the invariants of the
// schedules of real supernodal trees, and the GPU batch plan.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "reference_etree.hpp"
#include "spax/analysis.hpp"
#include "spax/generate.hpp"
#include "spax/predict.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

// Tasks with one width (one worker), each taking `cost[k]` seconds.
TaskTree one_width(std::vector<index_t> parent, std::vector<double> cost) {
  TaskTree t;
  t.parent = std::move(parent);
  t.widths = {1};
  t.seconds = std::move(cost);
  return t;
}

// The complete binary tree with 2^levels - 1 nodes, numbered in postorder (children first).
std::vector<index_t> binary_tree(int levels) {
  std::vector<index_t> parent;
  // Returns the index of the subtree's root after numbering it.
  auto build = [&](auto&& self, int depth) -> index_t {
    if (depth == 1) {
      parent.push_back(-1);
      return static_cast<index_t>(parent.size()) - 1;
    }
    index_t a = self(self, depth - 1);
    index_t b = self(self, depth - 1);
    parent.push_back(-1);
    index_t me = static_cast<index_t>(parent.size()) - 1;
    parent[a] = me;
    parent[b] = me;
    return me;
  };
  build(build, levels);
  return parent;
}

TEST(Schedule, ChainGainsNothing) {
  // 0 -> 1 -> 2 -> 3 -> 4, costs 1..5: any p runs them one after the other.
  TaskTree t = one_width({1, 2, 3, 4, -1}, {1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(sequential_seconds(t), 15.0);
  EXPECT_DOUBLE_EQ(span_seconds(t, 1), 15.0);
  for (int p : {1, 2, 4, 8, 64}) {
    SCOPED_TRACE(p);
    for (ScheduleKind k : {ScheduleKind::tree, ScheduleKind::front, ScheduleKind::tree_front}) {
      ScheduleResult r = list_schedule(t, p, k);
      EXPECT_DOUBLE_EQ(r.seconds, 15.0);
      EXPECT_DOUBLE_EQ(r.speedup, 1.0);
    }
  }
}

TEST(Schedule, BalancedBinaryTreeOfEqualFronts) {
  // 15 unit tasks, 4 levels of 8, 4, 2, 1. Critical-path priority runs the leaves first, so the
  // makespan is sum over levels of ceil(width / p): p=1: 15; p=2: 4+2+1+1 = 8; p=4: 2+1+1+1 = 5;
  // p=8 and more: 4 (the height).
  std::vector<index_t> parent = binary_tree(4);
  ASSERT_EQ(parent.size(), 15u);
  TaskTree t = one_width(parent, std::vector<double>(15, 1.0));
  const std::vector<std::pair<int, double>> expected = {{1, 15}, {2, 8}, {4, 5}, {8, 4}, {16, 4}};
  for (auto [p, makespan] : expected) {
    SCOPED_TRACE(p);
    ScheduleResult r = list_schedule(t, p, ScheduleKind::tree);
    EXPECT_DOUBLE_EQ(r.seconds, makespan);
    EXPECT_DOUBLE_EQ(r.speedup, 15.0 / makespan);
  }
  EXPECT_DOUBLE_EQ(span_seconds(t, 1), 4.0);
}

TEST(Schedule, Star) {
  // Six unit leaves under a root of 2: ceil(6 / p) + 2.
  TaskTree t = one_width({6, 6, 6, 6, 6, 6, -1}, {1, 1, 1, 1, 1, 1, 2});
  const std::vector<std::pair<int, double>> expected = {{1, 8}, {2, 5}, {3, 4},
                                                        {4, 4}, {6, 3}, {8, 3}};
  for (auto [p, makespan] : expected) {
    SCOPED_TRACE(p);
    EXPECT_DOUBLE_EQ(list_schedule(t, p, ScheduleKind::tree).seconds, makespan);
  }
}

TEST(Schedule, WideTasksTakeWorkersWhenFewAreReady) {
  // Two leaves of 4 s (2.2 s on 2 workers, 1.5 s on 4) under a root of 8 s (4.4 on 2, 2.5 on 4).
  TaskTree t;
  t.parent = {2, 2, -1};
  t.widths = {1, 2, 4};
  t.seconds = {4, 2.2, 1.5, 4, 2.2, 1.5, 8, 4.4, 2.5};
  // p = 4: each leaf may take 4 - 1 = 3 workers for the first and 2 for the second: width 2
  // (2.2 s < 0.9 * 4 s); the root then takes 4 (2.5 < 0.9 * 4.4 < 0.9 * 8): 2.2 + 2.5.
  ScheduleResult r = list_schedule(t, 4, ScheduleKind::tree_front);
  EXPECT_DOUBLE_EQ(r.seconds, 2.2 + 2.5);
  EXPECT_DOUBLE_EQ(r.speedup, 16.0 / 4.7);
  // p = 2: one worker per leaf, then the root on 2: 4 + 4.4.
  EXPECT_DOUBLE_EQ(list_schedule(t, 2, ScheduleKind::tree_front).seconds, 8.4);
  // Tree only: 4 + 8 from p = 2 on. Front only: every task on all workers in turn.
  EXPECT_DOUBLE_EQ(list_schedule(t, 4, ScheduleKind::tree).seconds, 12.0);
  EXPECT_DOUBLE_EQ(list_schedule(t, 4, ScheduleKind::front).seconds, 1.5 + 1.5 + 2.5);
  EXPECT_DOUBLE_EQ(list_schedule(t, 2, ScheduleKind::front).seconds, 2.2 + 2.2 + 4.4);
  // A widening that gains less than 10% is not taken: a root whose 4-worker time is 4.1 s stays
  // on 2 workers (4.1 > 0.9 * 4.4).
  t.seconds[8] = 4.1;
  EXPECT_DOUBLE_EQ(list_schedule(t, 4, ScheduleKind::tree_front).seconds, 2.2 + 4.4);
}

TEST(Schedule, ALoneTaskTakesEveryWorkerThatHelps) {
  // One front and nothing else to run: 1, 2, 4, 8 workers take 8, 4.5, 2.6, 2.5 s. Going to 8
  // gains under 10% (2.5 > 0.9 * 2.6), so it runs on 4 even with 8 idle workers.
  TaskTree t;
  t.parent = {-1};
  t.widths = {1, 2, 4, 8};
  t.seconds = {8, 4.5, 2.6, 2.5};
  EXPECT_DOUBLE_EQ(list_schedule(t, 8, ScheduleKind::tree_front).seconds, 2.6);
  EXPECT_DOUBLE_EQ(list_schedule(t, 3, ScheduleKind::tree_front).seconds, 4.5);
  EXPECT_DOUBLE_EQ(list_schedule(t, 8, ScheduleKind::front).seconds, 2.5);
}

TEST(Schedule, ASlowWidthDoesNotStopWiderOnes) {
  // 2 workers gain nothing (a busy OpenBLAS), 4 and 8 do: the task takes 8.
  TaskTree t;
  t.parent = {-1};
  t.widths = {1, 2, 4, 8};
  t.seconds = {8, 9, 5, 2};
  EXPECT_DOUBLE_EQ(list_schedule(t, 8, ScheduleKind::tree_front).seconds, 2.0);
  EXPECT_DOUBLE_EQ(list_schedule(t, 2, ScheduleKind::tree_front).seconds, 8.0);
  EXPECT_DOUBLE_EQ(list_schedule(t, 2, ScheduleKind::front).seconds, 9.0);
}

TEST(Schedule, TimeNeverBeatsPerfectSpeedupNorSlowsDownWithWorkers) {
  TaskTree t;
  t.parent = {-1};
  t.widths = {1, 2, 4};
  t.seconds = {8, 3, 5};  // 3 on 2 workers is superlinear; 5 on 4 is slower than on 2
  EXPECT_DOUBLE_EQ(t.time(0, 1), 8.0);
  EXPECT_DOUBLE_EQ(t.time(0, 2), 4.0);
  EXPECT_DOUBLE_EQ(t.time(0, 4), 3.0);
  EXPECT_DOUBLE_EQ(t.time(0, 3), 3.0);  // widths up to 3: the 2-worker time, above 8 / 3
}

TEST(Schedule, FrontUsesEveryWorkerEvenWhenThatIsSlower) {
  // A threaded BLAS that is slower on 2 threads than on 1 (a busy machine): the front schedule
  // takes the 2-worker time, a scheduler that may idle workers does not.
  TaskTree t;
  t.parent = {1, -1};
  t.widths = {1, 2};
  t.seconds = {4, 5, 6, 3};
  EXPECT_DOUBLE_EQ(t.time_all(0, 2), 5.0);
  EXPECT_DOUBLE_EQ(t.time(0, 2), 4.0);
  EXPECT_DOUBLE_EQ(t.time_all(1, 2), 3.0);
  EXPECT_DOUBLE_EQ(t.time_all(1, 8), 3.0);  // the largest width given
  ScheduleResult r = list_schedule(t, 2, ScheduleKind::front);
  EXPECT_DOUBLE_EQ(r.seconds, 5.0 + 3.0);
  EXPECT_DOUBLE_EQ(r.speedup, 10.0 / 8.0);
  EXPECT_DOUBLE_EQ(list_schedule(t, 2, ScheduleKind::tree_front).seconds, 4.0 + 3.0);
}

TEST(Schedule, MemoryOfAChainOnOneWorker) {
  // 0 -> 1 -> 2 with fronts F, update blocks U, factors G (bytes).
  TaskTree t = one_width({1, 2, -1}, {1, 1, 1});
  t.front_bytes = {100, 50, 80};
  t.update_bytes = {30, 20, 0};
  t.factor_bytes = {60, 40, 70};
  ScheduleResult r = list_schedule(t, 1, ScheduleKind::tree);
  // Peaks: F0 = 100; G0 + U0 + F1 = 140; G0 + G1 + U1 + F2 = 200; G0 + G1 + G2 = 170.
  EXPECT_DOUBLE_EQ(r.memory_peak_bytes, 200.0);
  EXPECT_DOUBLE_EQ(r.memory_factor_bytes, 170.0);
  // Active (fronts and update blocks): max(100, 30 + 50, 20 + 80, 0) = 100.
  EXPECT_DOUBLE_EQ(r.memory_active_bytes, 100.0);
  ScheduleResult none = list_schedule(t, 1, ScheduleKind::tree, false);
  EXPECT_DOUBLE_EQ(none.memory_peak_bytes, 0.0);
}

TEST(Schedule, MemorySplitsOverTheWorkersOfAStar) {
  // Two leaves under a root, p = 2: each leaf on its own worker.
  TaskTree t = one_width({2, 2, -1}, {1, 1, 1});
  t.front_bytes = {10, 10, 40};
  t.update_bytes = {5, 5, 0};
  t.factor_bytes = {8, 8, 30};
  ScheduleResult r = list_schedule(t, 2, ScheduleKind::tree);
  // Worker 0 runs leaf 0 then the root: 10; 8 + 5 (+ 40 at the root's start) = 53, minus its
  // update block 5 -> 48 -> 38 at the end. Worker 1: 10, then 8 + 5 = 13, then 8.
  EXPECT_DOUBLE_EQ(r.memory_peak_bytes, 53.0);
  EXPECT_DOUBLE_EQ(r.memory_factor_bytes, 38.0);
}

// Deterministic random forests with monotone costs on 1, 2, 4, 8 workers.
TaskTree random_tree(unsigned seed, index_t n) {
  std::uint64_t s = 88172645463325252ull + seed;
  auto next = [&] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<double>(s % 1000003) / 1000003.0;
  };
  TaskTree t;
  t.widths = {1, 2, 4, 8};
  for (index_t k = 0; k < n; ++k) {
    const bool root = k == n - 1 || next() < 0.05;
    t.parent.push_back(root ? -1 : k + 1 + static_cast<index_t>(next() * (n - 1 - k)));
    double one = 0.1 + 10 * next() * next();
    double e = 1.0;
    for (int w : t.widths) {
      t.seconds.push_back(one / (w * e));
      e *= 0.5 + 0.5 * next();
    }
  }
  return t;
}

TEST(Schedule, SpeedupNeverExceedsWorkOverSpanNorP) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    TaskTree t = random_tree(seed, 40 + 7 * seed);
    const double seq = sequential_seconds(t);
    for (int p : {1, 2, 3, 4, 8, 16}) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << " p " << p);
      for (ScheduleKind k : {ScheduleKind::tree, ScheduleKind::front, ScheduleKind::tree_front}) {
        ScheduleResult r = list_schedule(t, p, k);
        if (p == 1) {
          EXPECT_NEAR(r.seconds, seq, 1e-12 * seq);
        }
        EXPECT_LE(r.speedup, p * (1 + 1e-12));
        const double span = span_seconds(t, k == ScheduleKind::tree ? 1 : p);
        EXPECT_GE(r.seconds, span * (1 - 1e-12));
        EXPECT_LE(r.speedup, seq / span * (1 + 1e-12));
        EXPECT_NEAR(r.speedup, seq / r.seconds, 1e-12 * r.speedup);
      }
      // Graham's bound for the tree list schedule: makespan <= work / p + span.
      EXPECT_LE(list_schedule(t, p, ScheduleKind::tree).seconds,
                (seq / p + span_seconds(t, 1)) * (1 + 1e-12));
    }
  }
}

TEST(Schedule, PredictionOfARealTreeKeepsItsInvariants) {
  SparseMatrix g = grid_laplacian(12, 3);
  Ordering o = compute_ordering(g, "metis");
  SymbolicCholesky sc = symbolic_cholesky(g, o.perm);
  SupernodalStructure st = supernodal_structure(g, o.perm);
  MachineModel m = default_machine_model();
  SchedulePrediction s = predict_schedule(g, o.perm, sc.parent, sc.colcount, st, m);
  ASSERT_EQ(s.rows.size(), 7u);  // p = 1, 2, 4, ..., 64
  EXPECT_EQ(s.model_source, "default");
  EXPECT_EQ(s.supernodes, st.count());
  for (const ScheduleRow& row : s.rows) {
    SCOPED_TRACE(row.p);
    if (row.p == 1) {  // the same sum, added up in another order
      const double seq = s.sequential_seconds;
      EXPECT_NEAR(row.tree.seconds, seq, 1e-12 * seq);
      EXPECT_NEAR(row.front.seconds, seq, 1e-12 * seq);
      EXPECT_NEAR(row.tree_front.seconds, seq, 1e-12 * seq);
      EXPECT_NEAR(row.tree.speedup, 1.0, 1e-12);
    }
    EXPECT_LE(row.tree.speedup, std::min<double>(row.p, s.work_span) * (1 + 1e-12));
    EXPECT_LE(row.front.speedup, row.p * (1 + 1e-12));
    EXPECT_LE(row.tree_front.speedup, row.p * (1 + 1e-12));
    EXPECT_GT(row.tree_front.memory_peak_bytes, 0.0);
  }
  // The sequential prediction is the supernodes' one-worker costs plus the prologue (permuting
  // A: the backend's cost per entry of A).
  double sum = m.backend.per_entry * static_cast<double>(g.nnz());
  for (index_t k = 0; k < st.count(); ++k) sum += supernode_seconds(st, k, m, 1, false);
  EXPECT_NEAR(s.sequential_seconds, sum, 1e-9 * sum);
  // The factor on one worker is every supernode's block and row indices.
  double factor = 0.0;
  for (index_t k = 0; k < st.count(); ++k)
    factor += 8.0 * (static_cast<double>(st.nrows[k]) * static_cast<double>(st.ncols(k)) +
                     static_cast<double>(st.nrows[k]));
  EXPECT_NEAR(s.rows[0].tree_front.memory_factor_bytes, factor, 1e-9 * factor);
}

TEST(GpuPlan, LevelsFrontsAndFill) {
  // A hand-made structure: two leaves (k = 1, m = 3 and k = 2, m = 2) under a root (k = 1, m = 1).
  SupernodalStructure st;
  st.n = 4;
  st.first = {0, 1, 3, 4};
  st.parent = {2, 2, -1};
  st.nrows = {3, 2, 1};
  st.a_entries = {1, 1, 1};
  st.update_ptr = {0, 0, 0, 0};
  GpuPlan plan = gpu_batch_plan(st);
  ASSERT_EQ(plan.levels, 2);
  EXPECT_EQ(plan.launches, 8);
  ASSERT_EQ(plan.per_level.size(), 2u);
  EXPECT_EQ(plan.per_level[0].fronts, 2);
  EXPECT_EQ(plan.per_level[1].fronts, 1);
  // Flops: potrf k^3/3 + trsm (m-k) k^2 + syrk (m-k)(m-k+1) k.
  const double f0 = 1.0 / 3 + 2 * 1 + 2 * 3 * 1;  // k = 1, m = 3
  const double f1 = 8.0 / 3;                      // k = 2, m = 2
  EXPECT_DOUBLE_EQ(plan.per_level[0].flops, f0 + f1);
  EXPECT_DOUBLE_EQ(plan.per_level[0].max_front_flops, f0);
  EXPECT_DOUBLE_EQ(plan.per_level[0].fill, (f0 + f1) / (2 * f0));
  // Rows 3 and 2 fall in different power-of-two classes (4 and 2): one batch each, full.
  EXPECT_EQ(plan.per_level[0].size_classes, 2);
  EXPECT_DOUBLE_EQ(plan.per_level[0].fill_by_class, 1.0);
  EXPECT_EQ(plan.launches_by_class, 4 * 3);
  EXPECT_DOUBLE_EQ(plan.per_level[1].fill, 1.0);
}

}  // namespace
}  // namespace spax
