// Scatter-conflict analysis: hand-built maps with known fan-in and colourings, and random maps
// against the brute-force reference in tests/support/reference_scatter.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "reference_scatter.hpp"
#include "spax/scatter.hpp"
#include "spax/sparse.hpp"

namespace spax::test {
namespace {

using Stamps = std::vector<std::pair<int, int>>;

StampModel model(const std::string& name, const std::vector<Stamps>& devices,
                 const std::vector<std::vector<int>>& res = {}) {
  StampModel m;
  m.name = name;
  m.n_devices = static_cast<index_t>(devices.size());
  for (const auto& d : devices) {
    for (auto [r, c] : d) {
      m.jac_rows.push_back(r);
      m.jac_cols.push_back(c);
    }
    m.jac_ptr.push_back(static_cast<index_t>(m.jac_rows.size()));
  }
  m.has_residuals = !res.empty();
  for (const auto& d : res) {
    m.res_indices.insert(m.res_indices.end(), d.begin(), d.end());
    m.res_ptr.push_back(static_cast<index_t>(m.res_indices.size()));
  }
  return m;
}

ScatterResult run(const StampMap& map, index_t heavy = 64, index_t max_masks = 8192) {
  ScatterOptions o;
  o.threads = 2;
  o.heavy_fan_in = heavy;
  o.max_heavy_masks = max_masks;
  return analyze_scatter(map, o);
}

TEST(Scatter, StarHubAndLeaves) {
  // Hub device writes (i,i) for i = 1..k; leaf i writes (i,i) and its private (i,0).
  const int k = 6;
  Stamps hub;
  std::vector<Stamps> leaves;
  for (int i = 1; i <= k; ++i) {
    hub.push_back({i, i});
    leaves.push_back({{i, i}, {i, 0}});
  }
  StampMap map;
  map.n_unknowns = k + 1;
  map.models.push_back(model("hub", {hub}));
  map.models.push_back(model("leaf", leaves));
  for (index_t heavy : {2, 64}) {
    auto r = run(map, heavy);
    EXPECT_EQ(r.total_devices, k + 1);
    EXPECT_EQ(r.jacobian.total_positions, 2 * k);
    EXPECT_EQ(r.jacobian.conflict_positions, k);
    EXPECT_DOUBLE_EQ(r.jacobian.conflict_pct, 50.0);
    EXPECT_EQ(r.jacobian.max_fan_in, 2);
    EXPECT_EQ(r.jacobian.fan_in_distribution, (std::map<index_t, index_t>{{1, k}, {2, k}}));
    EXPECT_EQ(r.jacobian.n_edges, k);
    EXPECT_EQ(r.distinct_conflict_pairs, k);
    EXPECT_EQ(r.schedule.max_degree, k);
    EXPECT_EQ(r.schedule.n_batches, 2);
    EXPECT_EQ(r.schedule.lower_bound, 2);
    EXPECT_EQ(r.schedule.colour[0], 0);  // the hub has the largest degree: first, colour 0
    for (int i = 1; i <= k; ++i) EXPECT_EQ(r.schedule.colour[static_cast<std::size_t>(i)], 1);
    EXPECT_EQ(r.schedule.batch_sizes, (std::vector<index_t>{1, k}));
    EXPECT_TRUE(schedule_is_valid(map, r.schedule.colour));
    EXPECT_FALSE(r.has_residuals);
  }
}

TEST(Scatter, ChainOfTwoTerminalDevices) {
  // Device i writes (i,i), (i,i+1), (i+1,i), (i+1,i+1): neighbours share one diagonal entry.
  const int m = 5;
  std::vector<Stamps> devs;
  std::vector<std::vector<int>> res;
  for (int i = 0; i < m; ++i) {
    devs.push_back({{i, i}, {i, i + 1}, {i + 1, i}, {i + 1, i + 1}});
    res.push_back({i, i + 1});
  }
  StampMap map;
  map.n_unknowns = m + 1;
  map.models.push_back(model("resistor", devs, res));
  auto r = run(map);
  EXPECT_EQ(r.jacobian.total_positions, 3 * m + 1);
  EXPECT_EQ(r.jacobian.conflict_positions, m - 1);
  EXPECT_EQ(r.jacobian.max_fan_in, 2);
  EXPECT_EQ(r.distinct_conflict_pairs, m - 1);
  // Order: devices 1,2,3 (degree 2) then 0,4 (degree 1): colours 0,1,0 then 1,1.
  EXPECT_EQ(r.schedule.colour, (std::vector<std::int64_t>{1, 0, 1, 0, 1}));
  EXPECT_EQ(r.schedule.n_batches, 2);
  EXPECT_EQ(r.schedule.batch_sizes, (std::vector<index_t>{2, 3}));
  ASSERT_TRUE(r.has_residuals);
  EXPECT_EQ(r.residual.total_positions, m + 1);
  EXPECT_EQ(r.residual.conflict_positions, m - 1);
  EXPECT_EQ(r.residual.max_fan_in, 2);
  EXPECT_EQ(r.model_types[0].jac_entries_per_device, 4);
  EXPECT_EQ(r.model_types[0].residuals_per_device, 2);
  EXPECT_EQ(r.model_types[0].unique_positions_per_device.min, 4);
  EXPECT_EQ(r.model_types[0].nodes_per_device.max, 2);
}

TEST(Scatter, CliqueSharingTwoPositions) {
  // k devices all write (0,0) and (1,1), plus a private diagonal entry each.
  const int k = 7;
  std::vector<Stamps> devs;
  for (int i = 0; i < k; ++i) devs.push_back({{0, 0}, {1, 1}, {2 + i, 2 + i}});
  StampMap map;
  map.n_unknowns = k + 2;
  map.models.push_back(model("dev", devs));
  for (index_t heavy : {2, 3, 64}) {
    auto r = run(map, heavy);
    EXPECT_EQ(r.jacobian.max_fan_in, k);
    EXPECT_EQ(r.jacobian.n_edges, 2 * k * (k - 1) / 2);  // the script's count: per position
    EXPECT_EQ(r.distinct_conflict_pairs, k * (k - 1) / 2);
    EXPECT_EQ(r.schedule.n_batches, k);
    EXPECT_EQ(r.schedule.lower_bound, k);
    for (int i = 0; i < k; ++i) EXPECT_EQ(r.schedule.colour[static_cast<std::size_t>(i)], i);
    EXPECT_EQ(r.schedule.batch_sizes, std::vector<index_t>(k, 1));
  }
}

TEST(Scatter, GroundStampsAndDuplicatesWithinADevice) {
  // A resistor to ground writes (a,a) plus three ground stamps; a diode-connected device
  // repeats a position.
  StampMap map;
  map.n_unknowns = 2;
  map.models.push_back(
      model("r", {{{0, 0}, {0, -1}, {-1, 0}, {-1, -1}}, {{0, 0}, {0, 1}, {1, 0}, {1, 1}}},
            {{0, -1}, {0, 1}}));
  map.models.push_back(model("d", {{{1, 1}, {1, 1}}}, {{1, 1}}));
  auto r = run(map);
  EXPECT_EQ(r.jacobian.stamps, 7);
  EXPECT_EQ(r.jacobian.duplicate_stamps, 1);
  EXPECT_EQ(r.jacobian.total_positions, 4);
  EXPECT_EQ(r.jacobian.fan_in_distribution, (std::map<index_t, index_t>{{1, 2}, {2, 2}}));
  EXPECT_EQ(r.distinct_conflict_pairs, 2);  // r0-r1 on (0,0), r1-d on (1,1)
  EXPECT_EQ(r.model_types[0].nodes_per_device.min, 1);
  EXPECT_EQ(r.model_types[0].unique_positions_per_device.min, 1);
  EXPECT_EQ(r.residual.duplicate_stamps, 1);
  EXPECT_EQ(r.residual.fan_in_distribution, (std::map<index_t, index_t>{{2, 2}}));
}

StampMap random_map(std::uint64_t seed, int ndev, int n, bool hubs) {
  std::mt19937_64 rng(seed);
  auto below = [&](int m) { return static_cast<int>(rng() % static_cast<std::uint64_t>(m)); };
  StampMap map;
  map.n_unknowns = n;
  for (int mi = 0; mi < 3; ++mi) {
    const int terms = 2 + mi;
    std::vector<Stamps> devs;
    std::vector<std::vector<int>> res;
    for (int d = 0; d < ndev / 3; ++d) {
      std::vector<int> t;
      for (int j = 0; j < terms; ++j) {
        int node = below(10) == 0 ? -1 : below(n);
        if (hubs && below(4) == 0) node = below(3);  // a few very shared nodes
        t.push_back(node);
      }
      Stamps s;
      for (int a : t)
        for (int b : t) s.push_back({a, b});
      devs.push_back(s);
      res.push_back(t);
    }
    map.models.push_back(model("m" + std::to_string(mi), devs, res));
  }
  return map;
}

TEST(Scatter, RandomMapsAgainstBruteForce) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const StampMap map = random_map(seed, 150, seed % 2 ? 40 : 200, seed > 3);
    const ReferenceScatter ref = reference_scatter(map);
    for (auto [heavy, masks] : std::vector<std::pair<index_t, index_t>>{
             {2, 8192}, {2, 3}, {4, 8192}, {10, 8192}, {64, 8192}, {1000000, 8192}}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " heavy " + std::to_string(heavy) + " masks " +
                   std::to_string(masks));
      const auto r = run(map, heavy, masks);
      EXPECT_EQ(r.jacobian.total_positions, static_cast<index_t>(ref.fan_in.size()));
      EXPECT_EQ(r.jacobian.fan_in_distribution, ref.fan_in_distribution);
      EXPECT_EQ(r.jacobian.n_edges, ref.n_edges);
      EXPECT_EQ(r.distinct_conflict_pairs, ref.distinct_pairs);
      EXPECT_EQ(r.schedule.max_degree, *std::max_element(ref.degree.begin(), ref.degree.end()));
      EXPECT_EQ(r.schedule.colour, ref.greedy_colour);
      EXPECT_EQ(r.schedule.n_batches, ref.n_colours);
      EXPECT_GE(r.schedule.n_batches, r.schedule.lower_bound);
      EXPECT_TRUE(schedule_is_valid(map, r.schedule.colour));
      std::map<index_t, index_t> res_dist;
      for (const auto& [i, k] : ref.residual_fan_in) ++res_dist[k];
      EXPECT_EQ(r.residual.fan_in_distribution, res_dist);
    }
  }
}

TEST(Scatter, PatternComparison) {
  // Stamps write (0,0), (1,0), (1,1); the matrix has (0,0), (1,1), (0,1), (2,2).
  StampMap map;
  map.n_unknowns = 3;
  map.models.push_back(model("x", {{{0, 0}, {1, 0}}, {{1, 1}}}));
  TripletMatrix t;
  t.nrows = t.ncols = 3;
  t.rows = {0, 1, 0, 2};
  t.cols = {0, 1, 1, 2};
  t.values = {1, 1, 1, 1};
  const SparseMatrix a = to_csc(t);
  auto r = analyze_scatter(map, {}, &a);
  ASSERT_TRUE(r.has_matrix);
  EXPECT_EQ(r.pattern.matrix_nnz, 4);
  EXPECT_EQ(r.pattern.stamps_outside_pattern, 1);
  ASSERT_EQ(r.pattern.first_outside.size(), 1u);
  EXPECT_EQ(r.pattern.first_outside[0].row, 1);
  EXPECT_EQ(r.pattern.first_outside[0].col, 0);
  EXPECT_EQ(r.pattern.unwritten_entries, 2);
  ASSERT_EQ(r.pattern.first_unwritten.size(), 2u);
  EXPECT_EQ(r.pattern.first_unwritten[0].row, 0);  // (0,1) then (2,2), column-major
  EXPECT_EQ(r.pattern.first_unwritten[0].col, 1);
  EXPECT_EQ(r.pattern.first_unwritten[1].row, 2);
  TripletMatrix wrong;
  wrong.nrows = wrong.ncols = 4;
  const SparseMatrix b = to_csc(wrong);
  EXPECT_THROW(analyze_scatter(map, {}, &b), Error);
}

TEST(Scatter, JsonHasTheScriptKeys) {
  StampMap map;
  map.n_unknowns = 3;
  map.models.push_back(
      model("r", {{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {{1, 1}, {2, 2}}}, {{0, 1}, {1, 2}}));
  auto j = nlohmann::json::parse(scatter_json(run(map)));
  for (const char* k :
       {"n_unknowns", "total_devices", "model_types", "scatter_conflicts", "device_conflict_graph",
        "distinct_conflict_pairs", "conflict_free_schedule", "residual_scatter_conflicts"})
    EXPECT_TRUE(j.contains(k)) << k;
  const auto& mt = j["model_types"]["r"];
  for (const char* k : {"n_devices", "jac_entries_per_device", "residuals_per_device",
                        "unique_positions_per_device", "nodes_per_device"})
    EXPECT_TRUE(mt.contains(k)) << k;
  for (const char* k : {"min", "max", "mean"}) EXPECT_TRUE(mt["nodes_per_device"].contains(k));
  const auto& sc = j["scatter_conflicts"];
  for (const char* k : {"total_positions", "conflict_positions", "conflict_pct", "max_fan_in",
                        "fan_in_distribution"})
    EXPECT_TRUE(sc.contains(k)) << k;
  EXPECT_EQ(sc["fan_in_distribution"]["2"], 1);
  EXPECT_EQ(sc["fan_in_distribution"]["1"], 4);
  for (const char* k : {"n_nodes", "n_edges", "note"})
    EXPECT_TRUE(j["device_conflict_graph"].contains(k)) << k;
  EXPECT_EQ(j["device_conflict_graph"]["n_edges"], 1);
  EXPECT_EQ(j["conflict_free_schedule"]["n_batches"], 2);
}

}  // namespace
}  // namespace spax::test
