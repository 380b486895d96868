// The mumps plugin's statistics: what MUMPS's analysis estimated and what its factorization
// used (INFOG, RINFOG, each rank's INFO(22)), as the Solver's stats and details, and its notes.
#include <algorithm>

#include "mumps_solver.hpp"

namespace spax::mumps_plugin::detail {

void MumpsSolver::analysed_stats() {
  Instance& in = inst();
  stats_.ordering = ordering_name_of(in.INFOG(7), in.INFOG(32), given_name_);
  stats_.processes = mpi::size();
  // INFOG(16/17), (26/27): estimated memory of the factorization in millions of bytes, max
  // per rank and total, in-core and out-of-core.
  stats_.factor_bytes_estimate = static_cast<double>(in.INFOG(ooc_ ? 27 : 17)) * 1e6;
  auto& d = stats_.details;
  d["sym"] = sym_;
  d["analyses"] = analyses_ + analyses_restored_;
  d["estimated_factor_entries"] = count_field(in.INFOG(20));
  d["estimated_flops"] = in.RINFOG(1);
  d["estimated_memory_max_per_process_bytes"] = in.INFOG(16) * 1e6;
  d["estimated_memory_total_bytes"] = in.INFOG(17) * 1e6;
  d["estimated_ooc_memory_max_per_process_bytes"] = in.INFOG(26) * 1e6;
  d["estimated_ooc_memory_total_bytes"] = in.INFOG(27) * 1e6;
  d["parallel_analysis"] = in.INFOG(32) == 2 ? 1 : 0;
  d["ooc"] = ooc_ ? 1 : 0;
}

void MumpsSolver::factored_stats() {
  Instance& in = inst();
  const double entries = count_field(in.INFOG(29));
  if (sym_ != 0) {
    stats_.nnz_L = static_cast<index_t>(entries);
    stats_.nnz_U = stats_.nnz_L;
  } else {
    // MUMPS counts the entries of L and U together.
    stats_.nnz_L = static_cast<index_t>(entries);
    stats_.nnz_U = -1;
  }
  stats_.flops = in.RINFOG(3);
  stats_.processes = mpi::size();
  stats_.memory_per_process.clear();
  for (double mb : in.memory_mb) stats_.memory_per_process.push_back(mb * 1e6);
  auto& d = stats_.details;
  d["factor_entries"] = entries;
  d["memory_used_max_per_process_bytes"] = in.INFOG(21) * 1e6;
  d["memory_used_total_bytes"] = in.INFOG(22) * 1e6;
  d["delayed_pivots"] = in.INFOG(13);
  if (sym_ != 0) d["negative_pivots"] = in.INFOG(12);
  d["relax"] = in.ICNTL(14);
  d["sym"] = sym_;
  d["analyses"] = analyses_ + analyses_restored_;
}

void MumpsSolver::note(const std::string& w) {
  if (std::find(stats_.warnings.begin(), stats_.warnings.end(), w) == stats_.warnings.end())
    stats_.warnings.push_back(w);
}

}  // namespace spax::mumps_plugin::detail
