// Slow, obviously correct references for the scatter analysis: sets of positions per device,
// an explicit adjacency matrix, and a plain greedy colouring over it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "spax/scatter.hpp"

namespace spax::test {

struct ReferenceScatter {
  std::vector<std::set<std::pair<index_t, index_t>>> positions;  // per device (global order)
  std::map<std::pair<index_t, index_t>, index_t> fan_in;         // position -> devices
  std::map<index_t, index_t> fan_in_distribution;
  index_t n_edges = 0;
  index_t distinct_pairs = 0;
  std::vector<index_t> degree;
  std::vector<std::int64_t> greedy_colour;  // largest degree first, ties by device number
  index_t n_colours = 0;
  std::map<index_t, index_t> residual_fan_in;  // unknown -> devices
};

ReferenceScatter reference_scatter(const StampMap& map);

// True when no two devices with the same colour share a Jacobian position.
bool schedule_is_valid(const StampMap& map, const std::vector<std::int64_t>& colour);

}  // namespace spax::test
