// spax bench's statistics and tables on hand-made samples: median and outliers against values
// worked out by hand, ranking by median, one run without a spread, the one-line noise summary.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "spax/report/bench_report.hpp"

namespace spax {
namespace {

BenchCase make_case(const std::string& solver, std::vector<double> solve_seconds) {
  BenchCase c;
  c.matrix = "m.mtx";
  c.solver = solver;
  c.ordering = "default";
  c.nrows = 223;
  c.n = 472;
  c.nnz = 1234;
  c.phases.push_back({"solve", std::move(solve_seconds)});
  return c;
}

TEST(BenchStats, MedianAndOutliersByHand) {
  // Median of {55, 56, 57, 57, 58, 12800} us: (57 + 57) / 2; deviations {2, 1, 0, 0, 1, 12743}
  // have median 1 us, so one robust sigma is 1.4826 us: only 12.8 ms is more than 10 away.
  SampleStats s = sample_stats({57e-6, 56e-6, 12800e-6, 58e-6, 55e-6, 57e-6});
  EXPECT_NEAR(s.median, 57e-6, 1e-15);
  EXPECT_EQ(s.outliers, 1u);
  EXPECT_NEAR(s.min, 55e-6, 1e-15);
  EXPECT_NEAR(s.max, 12800e-6, 1e-15);
  // A spread without a far sample has none; neither have two samples.
  EXPECT_EQ(sample_stats({1.0, 1.1, 0.9, 1.05, 0.95}).outliers, 0u);
  EXPECT_EQ(sample_stats({1.0, 100.0}).outliers, 0u);
  // More than half equal to the median (MAD = 0): the mean absolute deviation stands in,
  // {1, 1, 1, 1, 50}: mean deviation 9.8, sigma 1.2533 * 9.8 = 12.28, and 49 < 122.8: none;
  // {1 x 19, 500}: mean deviation 24.95, sigma 31.27, and 499 > 312.7: one.
  EXPECT_EQ(sample_stats({1, 1, 1, 1, 50}).outliers, 0u);
  std::vector<double> many(19, 1.0);
  many.push_back(500.0);
  EXPECT_EQ(sample_stats(many).outliers, 1u);
}

// One slow run made a 57 us median read 1.28 ms +- 3.86 ms and rank x18: ranking is by median.
TEST(BenchTable, RanksByMedianAndMarksOutliers) {
  BenchReport r;
  r.options.runs = 6;
  r.options.warmup = 1;
  r.cases.push_back(make_case("klu", {57e-6, 56e-6, 12800e-6, 58e-6, 55e-6, 57e-6}));
  r.cases.push_back(make_case("umfpack", {100e-6, 99e-6, 101e-6, 100e-6, 98e-6, 102e-6}));
  EXPECT_NEAR(fastest_median(r, "m.mtx", "solve"), 57e-6, 1e-15);
  const std::string t = bench_text_table(r);
  std::istringstream in(t);
  std::string line, klu, umf;
  while (std::getline(in, line)) {
    if (line.rfind("klu ", 0) == 0 && line.find("solve") != std::string::npos) klu = line;
    if (line.rfind("umfpack ", 0) == 0 && line.find("solve") != std::string::npos) umf = line;
  }
  ASSERT_FALSE(klu.empty()) << t;
  ASSERT_FALSE(umf.empty()) << t;
  // klu: median 57.0 us, the fastest; mean (13083 / 6 = 2180.5 us), min..max, one outlier.
  EXPECT_NE(klu.find("57.0 us"), std::string::npos) << klu;
  EXPECT_NE(klu.find(" * "), std::string::npos) << klu;
  EXPECT_NE(klu.find("2.18 ms +- "), std::string::npos) << klu;
  EXPECT_NE(klu.find("55.0 us .. 12.8 ms"), std::string::npos) << klu;
  EXPECT_NE(klu.find("1 !"), std::string::npos) << klu;
  // umfpack: median 100 us = 1.75 x 57 us.
  EXPECT_NE(umf.find("100 us"), std::string::npos) << umf;
  EXPECT_NE(umf.find("x1.75"), std::string::npos) << umf;
  // The title gives rows x cols, not only the columns.
  EXPECT_NE(t.find("m.mtx (223 x 472, nnz 1,234)"), std::string::npos) << t;
  EXPECT_NE(t.find("!: outliers"), std::string::npos) << t;
}

TEST(BenchTable, OneRunHasNoSpread) {
  BenchReport r;
  r.options.runs = 1;
  r.cases.push_back(make_case("klu", {57e-6}));
  const std::string t = bench_text_table(r);
  EXPECT_EQ(t.find("+-"), std::string::npos) << t;
  EXPECT_EQ(t.find("+- 0"), std::string::npos) << t;
  EXPECT_NE(t.find("57.0 us"), std::string::npos) << t;
  EXPECT_NE(t.find("1 run after"), std::string::npos) << t;
}

TEST(BenchTable, NoiseIsOneSummaryLine) {
  BenchReport r;
  for (int k = 0; k < 35; ++k)
    r.cases.push_back(make_case("klu" + std::to_string(k), {1.0, 1.5, 2.0, 1.2}));
  r.cases.push_back(make_case("quiet", {1.0, 1.0, 1.0, 1.0}));
  EXPECT_EQ(bench_noise_warnings(r).size(), 35u);  // the JSON export keeps each
  const std::string s = bench_noise_summary(r);
  EXPECT_EQ(s.find('\n'), std::string::npos);
  EXPECT_EQ(s.rfind("35 of 36 timed phases are noisy", 0), 0u) << s;
  BenchReport quiet;
  quiet.cases.push_back(make_case("quiet", {1.0, 1.0, 1.0}));
  EXPECT_TRUE(bench_noise_summary(quiet).empty());
}

TEST(BenchTable, AllFailed) {
  BenchReport r;
  EXPECT_FALSE(bench_all_failed(r));
  BenchCase bad = make_case("klu", {});
  bad.status = "failed";
  bad.reason = "singular";
  r.cases.push_back(bad);
  EXPECT_TRUE(bench_all_failed(r));
  r.cases.push_back(make_case("umfpack", {1.0}));
  EXPECT_FALSE(bench_all_failed(r));
}

}  // namespace
}  // namespace spax
