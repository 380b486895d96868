#include "reference_scatter.hpp"

#include <algorithm>
#include <numeric>

namespace spax::test {

namespace {
std::vector<std::set<std::pair<index_t, index_t>>> device_positions(const StampMap& map) {
  std::vector<std::set<std::pair<index_t, index_t>>> pos;
  for (const auto& m : map.models)
    for (index_t d = 0; d < m.n_devices; ++d) {
      std::set<std::pair<index_t, index_t>> s;
      for (index_t k = m.jac_ptr[static_cast<std::size_t>(d)];
           k < m.jac_ptr[static_cast<std::size_t>(d) + 1]; ++k) {
        index_t r = m.jac_rows[static_cast<std::size_t>(k)];
        index_t c = m.jac_cols[static_cast<std::size_t>(k)];
        if (r >= 0 && c >= 0) s.insert({r, c});
      }
      pos.push_back(s);
    }
  return pos;
}
}  // namespace

ReferenceScatter reference_scatter(const StampMap& map) {
  ReferenceScatter ref;
  ref.positions = device_positions(map);
  const std::size_t nd = ref.positions.size();
  for (const auto& s : ref.positions)
    for (const auto& p : s) ++ref.fan_in[p];
  for (const auto& [p, k] : ref.fan_in) {
    ++ref.fan_in_distribution[k];
    ref.n_edges += k * (k - 1) / 2;
  }
  // adjacency by set intersection of every pair
  std::vector<std::vector<char>> adj(nd, std::vector<char>(nd, 0));
  ref.degree.assign(nd, 0);
  for (std::size_t a = 0; a < nd; ++a)
    for (std::size_t b = a + 1; b < nd; ++b) {
      bool share = false;
      for (const auto& p : ref.positions[a])
        if (ref.positions[b].count(p)) {
          share = true;
          break;
        }
      if (share) {
        adj[a][b] = adj[b][a] = 1;
        ++ref.distinct_pairs;
        ++ref.degree[a];
        ++ref.degree[b];
      }
    }
  std::vector<std::size_t> order(nd);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return ref.degree[x] > ref.degree[y]; });
  ref.greedy_colour.assign(nd, -1);
  for (std::size_t d : order) {
    std::set<std::int64_t> used;
    for (std::size_t e = 0; e < nd; ++e)
      if (adj[d][e] && ref.greedy_colour[e] >= 0) used.insert(ref.greedy_colour[e]);
    std::int64_t c = 0;
    while (used.count(c)) ++c;
    ref.greedy_colour[d] = c;
    ref.n_colours = std::max<index_t>(ref.n_colours, c + 1);
  }
  for (const auto& m : map.models) {
    if (!m.has_residuals) continue;
    for (index_t d = 0; d < m.n_devices; ++d) {
      std::set<index_t> s;
      for (index_t k = m.res_ptr[static_cast<std::size_t>(d)];
           k < m.res_ptr[static_cast<std::size_t>(d) + 1]; ++k)
        if (m.res_indices[static_cast<std::size_t>(k)] >= 0)
          s.insert(m.res_indices[static_cast<std::size_t>(k)]);
      for (index_t i : s) ++ref.residual_fan_in[i];
    }
  }
  return ref;
}

bool schedule_is_valid(const StampMap& map, const std::vector<std::int64_t>& colour) {
  const auto pos = device_positions(map);
  if (colour.size() != pos.size()) return false;
  std::map<std::pair<std::int64_t, std::pair<index_t, index_t>>, std::size_t> owner;
  for (std::size_t d = 0; d < pos.size(); ++d) {
    if (colour[d] < 0) return false;
    for (const auto& p : pos[d])
      if (!owner.emplace(std::make_pair(colour[d], p), d).second) return false;
  }
  return true;
}

}  // namespace spax::test
