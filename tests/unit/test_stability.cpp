// Pattern stability: hand-computed Welford statistics and pattern differences.
#include <gtest/gtest.h>

#include <cmath>

#include "reference_solve.hpp"
#include "spax/structure.hpp"

namespace spax {
namespace {

SparseMatrix make(const test::Entries& e) {
  return test::from_triplets(2, 2, e);
}

TEST(Stability, FixedPatternValueVariation) {
  PatternStabilityAccumulator acc;
  // Entries (0,0): 1,2,3; (1,1): 2,2,2; (0,1): 4,4,-2.
  acc.add(make({{0, 0, 1}, {1, 1, 2}, {0, 1, 4}}));
  acc.add(make({{0, 0, 2}, {1, 1, 2}, {0, 1, 4}}));
  acc.add(make({{0, 0, 3}, {1, 1, 2}, {0, 1, -2}}));
  PatternStability r = acc.result();
  EXPECT_TRUE(r.is_fixed);
  EXPECT_EQ(r.n_samples, 3);
  EXPECT_FALSE(r.has_mismatch);
  ASSERT_TRUE(r.has_value_variation);
  const double a = std::sqrt(2.0 / 3.0) / 2.0;  // std 0.816 / mean 2
  const double c = std::sqrt(8.0) / 2.0;        // std 2.83 / mean 2
  EXPECT_NEAR(r.mean_relative_variation, (a + 0.0 + c) / 3.0, 1e-12);
  EXPECT_NEAR(r.max_relative_variation, c, 1e-12);
  EXPECT_NEAR(r.median_relative_variation, a, 1e-12);

  // A later sample with another pattern: (0,1) removed, (1,0) added.
  acc.add(make({{0, 0, 1}, {1, 1, 2}, {1, 0, 4}}));
  acc.add(make({{0, 0, 1}}));
  r = acc.result();
  EXPECT_FALSE(r.is_fixed);
  EXPECT_EQ(r.n_samples, 5);
  ASSERT_TRUE(r.has_mismatch);
  EXPECT_EQ(r.mismatch_index, 3);
  EXPECT_EQ(r.added_entries, 1);
  EXPECT_EQ(r.removed_entries, 1);
  EXPECT_NEAR(r.max_relative_variation, c, 1e-12);
}

TEST(Stability, SingleSampleAndPattern) {
  PatternStabilityAccumulator acc;
  acc.add(make({{0, 0, 1}}));
  PatternStability r = acc.result();
  EXPECT_EQ(r.n_samples, 1);
  EXPECT_TRUE(r.is_fixed);
  EXPECT_FALSE(r.has_value_variation);

  PatternStabilityAccumulator p;
  SparseMatrix a = pattern_of(make({{0, 0, 1}, {1, 0, 1}}));
  p.add(a);
  p.add(a);
  r = p.result();
  EXPECT_TRUE(r.is_fixed);
  EXPECT_FALSE(r.has_value_variation);
}

}  // namespace
}  // namespace spax
