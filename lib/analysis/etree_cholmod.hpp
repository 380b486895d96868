// Internal: the CHOLMOD calls of the symbolic analysis (column counts, relaxed supernodes).
#pragma once

#include <span>
#include <vector>

#include "analysis/graph.hpp"
#include "spax/predict.hpp"

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

// Row counts of L (diagonal included) for the upper pattern u with elimination tree `parent`
// (cholmod_l_rowcolcounts on the lower form).
std::vector<index_t> cholmod_row_counts(const UpperPattern& u, std::span<const index_t> parent);

// The same analysis, with every supernode's rows and the updates it receives (predict.hpp).
SupernodalStructure cholmod_supernodal_structure(const UpperPattern& u);

}  // namespace spax::detail
