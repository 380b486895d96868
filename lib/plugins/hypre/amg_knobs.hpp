// Internal to the hypre plugin: BoomerAMG's settings from the amg preconditioner's options, shared
// by the one-process preconditioner (hypre_amg.cpp) and the distributed solvers
// (hypre_distributed.cpp, hypre_ranks.cpp).
#pragma once

#include <HYPRE_parcsr_ls.h>

#include <map>
#include <string>

namespace spax::hypre_plugin {

struct AmgKnobs {
  int coarsen = 10, interp = 6, relax = 8, cycle = 1;
  double strong = -1.0;  // -1: auto (0.25, or 0.5 with more than 6 entries per row)
  int agg_levels = -1;   // -1: auto (1 with more than 6 entries per row, else 0)
  int max_levels = 25, pmax = 4, sweeps = 1;

  // Validates every option (usage errors naming amg and the key).
  static AmgKnobs parse(const std::map<std::string, std::string>& options);
  // The strength threshold for a matrix with these entries per row (auto resolved).
  double strong_for(double entries_per_row) const {
    return strong >= 0 ? strong : (entries_per_row > 6.0 ? 0.5 : 0.25);
  }
  // Levels of aggressive coarsening for a matrix with these entries per row (auto resolved): on
  // 3D stencils one level halves the setup and the memory and lets the setup scale across
  // processes, for a few more iterations (README: "Iterative solvers across processes").
  int agg_levels_for(double entries_per_row) const {
    return agg_levels >= 0 ? agg_levels : (entries_per_row > 6.0 ? 1 : 0);
  }
  // Sets everything but the iteration count and tolerance on a created BoomerAMG solver, the
  // automatic choices resolved for a matrix with these entries per row.
  void apply(HYPRE_Solver amg, double entries_per_row) const {
    const double strong_threshold = strong_for(entries_per_row);
    HYPRE_BoomerAMGSetPrintLevel(amg, 0);
    HYPRE_BoomerAMGSetCoarsenType(amg, coarsen);
    HYPRE_BoomerAMGSetInterpType(amg, interp);
    HYPRE_BoomerAMGSetPMaxElmts(amg, pmax);
    HYPRE_BoomerAMGSetStrongThreshold(amg, strong_threshold);
    HYPRE_BoomerAMGSetRelaxType(amg, relax);
    HYPRE_BoomerAMGSetNumSweeps(amg, sweeps);
    HYPRE_BoomerAMGSetCycleType(amg, cycle);
    HYPRE_BoomerAMGSetAggNumLevels(amg, agg_levels_for(entries_per_row));
    HYPRE_BoomerAMGSetMaxLevels(amg, max_levels);
  }
  // As "key=value" lines (to send to the other ranks) and back.
  std::string encode() const;
  static AmgKnobs decode(const std::string& text);
};

// MPI and hypre started (through the runtime the MPI plugins share), once.
void ensure_hypre();

// Registers the distributed variants of cg, gmres, bicgstab and amg (hypre_distributed.cpp).
void register_distributed();

}  // namespace spax::hypre_plugin
