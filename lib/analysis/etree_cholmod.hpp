// Internal: the CHOLMOD calls of the symbolic analysis (column counts, relaxed supernodes).
#pragma once

#include <vector>

#include "analysis/graph.hpp"

namespace spax::detail {

struct CholmodCounts {
  std::vector<index_t> colcount;  // diagonal included
  double lnz = 0.0;               // CHOLMOD's Common->lnz
  double fl = 0.0;                // CHOLMOD's Common->fl
};
// Simplicial analysis of the (already permuted) upper pattern, natural order, no postorder.
CholmodCounts cholmod_counts(const UpperPattern& u);

// Supernodal analysis of the same; returns L->super (nsuper + 1 boundaries).
std::vector<index_t> cholmod_supernodes(const UpperPattern& u);

}  // namespace spax::detail
