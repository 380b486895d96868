// Pattern comparison, value statistics and baseline thresholds, against simple references.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "spax/check.hpp"
#include "spax/io.hpp"
#include "spax/report/baseline.hpp"

namespace spax {
namespace {

SparseMatrix from_entries(index_t n, const std::vector<std::pair<index_t, index_t>>& e,
                          double scale = 1.0) {
  TripletMatrix t;
  t.nrows = t.ncols = n;
  for (auto [i, j] : e) {
    t.rows.push_back(i);
    t.cols.push_back(j);
    t.values.push_back(scale * static_cast<double>(1 + i + 2 * j));
  }
  return to_csc(t);
}

TEST(Check, PatternDiffMatchesSetDifference) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    std::set<std::pair<index_t, index_t>> a, b;  // (col, row) for column-major order
    for (int k = 0; k < 40; ++k) a.insert({rng() % 12, rng() % 12});
    b = a;
    for (int k = 0; k < 5; ++k)
      b.erase(b.begin() == b.end() ? b.end() : std::next(b.begin(), rng() % b.size()));
    for (int k = 0; k < 5; ++k) b.insert({rng() % 12, rng() % 12});
    auto to_rc = [](const std::set<std::pair<index_t, index_t>>& s) {
      std::vector<std::pair<index_t, index_t>> v;
      for (auto [c, r] : s) v.push_back({r, c});
      return v;
    };
    auto d = compare_patterns(from_entries(12, to_rc(a)), from_entries(12, to_rc(b)), 3);
    std::vector<std::pair<index_t, index_t>> added, removed;  // (col,row) sorted
    for (auto& x : b)
      if (!a.count(x)) added.push_back(x);
    for (auto& x : a)
      if (!b.count(x)) removed.push_back(x);
    EXPECT_EQ(d.added, static_cast<index_t>(added.size()));
    EXPECT_EQ(d.removed, static_cast<index_t>(removed.size()));
    for (std::size_t k = 0; k < d.first_added.size(); ++k) {
      EXPECT_EQ(d.first_added[k].first, added[k].second);
      EXPECT_EQ(d.first_added[k].second, added[k].first);
    }
    EXPECT_EQ(d.first_added.size(), std::min<std::size_t>(3, added.size()));
    EXPECT_EQ(d.identical(), added.empty() && removed.empty());
  }
}

TEST(Check, DifferentDimensionsDiffer) {
  auto a = from_entries(3, {{0, 0}, {1, 1}});
  TripletMatrix t;
  t.nrows = 4;
  t.ncols = 3;
  t.rows = {0, 1};
  t.cols = {0, 1};
  t.values = {1, 1};
  auto d = compare_patterns(a, to_csc(t));
  EXPECT_FALSE(d.same_dimensions);
  EXPECT_FALSE(d.identical());
  EXPECT_EQ(d.added, 0);
}

TEST(Check, ValueVariationMatchesTwoPassStatistics) {
  const std::vector<std::pair<index_t, index_t>> e = {{0, 0}, {1, 0}, {1, 1}, {2, 2}};
  std::vector<double> scales = {1.0, 1.5, 0.5, 2.0, 1.25};
  ValueVariation vv(from_entries(3, e, scales[0]));
  for (std::size_t s = 1; s < scales.size(); ++s) vv.add(from_entries(3, e, scales[s]));
  // Every entry is value * scale, so std/|mean| is the same for all entries: that of `scales`.
  double mean = 0;
  for (double s : scales) mean += s;
  mean /= static_cast<double>(scales.size());
  double var = 0;
  for (double s : scales) var += (s - mean) * (s - mean);
  var /= static_cast<double>(scales.size());
  const double rel = std::sqrt(var) / mean;
  auto sum = vv.summary();
  EXPECT_EQ(sum.n_samples, 5);
  EXPECT_EQ(sum.entries, 4);
  EXPECT_NEAR(sum.mean_relative, rel, 1e-14);
  EXPECT_NEAR(sum.max_relative, rel, 1e-14);
  EXPECT_NEAR(sum.median_relative, rel, 1e-14);
  EXPECT_THROW(vv.add(from_entries(3, {{0, 0}})), Error);
}

TEST(Check, ParseFraction) {
  EXPECT_DOUBLE_EQ(parse_fraction("5%", "x"), 0.05);
  EXPECT_DOUBLE_EQ(parse_fraction("0.05", "x"), 0.05);
  EXPECT_DOUBLE_EQ(parse_fraction("0", "x"), 0.0);
  EXPECT_THROW(parse_fraction("five", "x"), Error);
  EXPECT_THROW(parse_fraction("-1%", "x"), Error);
  EXPECT_THROW(parse_fraction("", "x"), Error);
}

TEST(Check, BaselineThresholdsTripExactlyAtTheEdge) {
  nlohmann::json old = {{"fingerprint", "f"}, {"n", 10},         {"nnz", 30}, {"nnz_L", 1000},
                        {"etree_height", 20}, {"work_span", 4.0}};
  BaselineThresholds t;  // 5%, 5%, 0.95
  auto run = [&](nlohmann::json now) {
    auto cases = compare_to_baseline("m.mtx", old, now, t, "hint");
    std::map<std::string, bool> passed;
    for (auto& c : cases) passed[c.check] = c.passed;
    return passed;
  };
  auto now = old;
  auto p = run(now);
  EXPECT_TRUE(p["fingerprint"] && p["fill"] && p["height"] && p["parallelism"]);
  now["nnz_L"] = 1050;  // exactly +5%: passes
  EXPECT_TRUE(run(now)["fill"]);
  now["nnz_L"] = 1051;  // past it: fails
  EXPECT_FALSE(run(now)["fill"]);
  now = old;
  now["etree_height"] = 21;  // exactly +5%
  EXPECT_TRUE(run(now)["height"]);
  now["etree_height"] = 22;
  EXPECT_FALSE(run(now)["height"]);
  now = old;
  now["work_span"] = 3.8;  // ratio exactly 0.95
  EXPECT_TRUE(run(now)["parallelism"]);
  now["work_span"] = 3.79;
  EXPECT_FALSE(run(now)["parallelism"]);
  now = old;
  now["fingerprint"] = "g";
  auto cases = compare_to_baseline("m.mtx", old, now, t, "re-create it");
  EXPECT_FALSE(cases[0].passed);
  EXPECT_NE(cases[0].message.find("re-create it"), std::string::npos);
}

// A baseline whose shape is wrong is an input error naming what is wrong, never a JSON type
// error in the comparison (which the CLI would report as an internal error).
TEST(Check, MalformedBaselinesAreInputErrors) {
  const nlohmann::json good = {{"format", "spax-baseline"},
                               {"version", kBaselineFormatVersion},
                               {"ordering", "amd"},
                               {"matrices",
                                {{"a.mtx",
                                  {{"fingerprint", "03055c50077cbbf01b94bd2d6d88a933"},
                                   {"n", 4},
                                   {"rows", 4},
                                   {"nnz", 10},
                                   {"nnz_L", 7},
                                   {"flops", 20.5},
                                   {"etree_height", 3},
                                   {"work_span", 1.5},
                                   {"supernodes", 2},
                                   {"path", "/x/a.mtx"}}},
                                 {"r.mtx",
                                  {{"fingerprint", "00000000000000000000000000000000"},
                                   {"n", 2},
                                   {"rows", 3},
                                   {"nnz", 0},
                                   {"note", "rectangular: no ordering metrics"}}}}}};
  const nlohmann::json doc = parse_baseline(good.dump(), "b.json");
  EXPECT_EQ(doc, good);
  // Each mutation of the good document, and the word its message must contain.
  struct Case {
    std::string what;
    nlohmann::json::json_pointer where;
    nlohmann::json value;  // null with erase = true removes the key
    bool erase;
    std::string says;
  };
  using P = nlohmann::json::json_pointer;
  const std::vector<Case> cases = {
      {"version as a string", P("/version"), "1", false, "version"},
      {"version 2", P("/version"), 2, false, "version 2"},
      {"no version", P("/version"), nullptr, true, "version"},
      {"ordering a number", P("/ordering"), 5, false, "ordering"},
      {"unknown ordering", P("/ordering"), "bogus", false, "ordering"},
      {"entry a number", P("/matrices/a.mtx"), 5, false, "a.mtx"},
      {"fingerprint a number", P("/matrices/a.mtx/fingerprint"), 7, false, "fingerprint"},
      {"fingerprint short", P("/matrices/a.mtx/fingerprint"), "abc", false, "fingerprint"},
      {"fingerprint not hex", P("/matrices/a.mtx/fingerprint"), std::string(32, 'z'), false,
       "fingerprint"},
      {"n a string", P("/matrices/a.mtx/n"), "x", false, "n missing"},
      {"n negative", P("/matrices/a.mtx/n"), -1, false, "n missing"},
      {"n fractional", P("/matrices/a.mtx/n"), 4.5, false, "n missing"},
      {"no nnz", P("/matrices/a.mtx/nnz"), nullptr, true, "nnz missing"},
      {"nnz_L null", P("/matrices/a.mtx/nnz_L"), nullptr, false, "nnz_L"},
      {"work_span negative", P("/matrices/a.mtx/work_span"), -1.0, false, "work_span"},
      {"flops a string", P("/matrices/a.mtx/flops"), "many", false, "flops"},
      {"path a number", P("/matrices/a.mtx/path"), 3, false, "path"},
      {"matrices an array", P("/matrices"), nlohmann::json::array(), false, "not a spax baseline"},
      {"wrong format", P("/format"), "other", false, "not a spax baseline"},
      {"format a number", P("/format"), 1, false, "not a spax baseline"},
  };
  for (const auto& c : cases) {
    nlohmann::json d = good;
    if (c.erase)
      d[c.where.parent_pointer()].erase(c.where.back());
    else
      d[c.where] = c.value;
    try {
      parse_baseline(d.dump(), "b.json");
      ADD_FAILURE() << "accepted: " << c.what;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::input) << c.what;
      EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos)
          << c.what << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("b.json"), std::string::npos) << c.what;
    }
  }
  for (const char* text :
       {"", "{", "[1, 2]", "null", "{\"format\": \"spax-baseline\"}", "\xff\xfe{}"}) {
    try {
      parse_baseline(text, "b.json");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::input) << text;
    }
  }
}

}  // namespace
}  // namespace spax
