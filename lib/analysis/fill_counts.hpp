// Internal: what an LU-fill factorization reports back from its child process, as JSON (the one
// format every spax child uses), and SuperLU's fill counted as scipy's splu computes it.
#pragma once

#include <string>
#include <vector>

#include "spax/structure.hpp"

namespace spax::detail {

struct FillCounts {
  bool ok = false;
  std::string error;
  index_t L = 0, U = 0, off = 0;
  double seconds = 0.0;
  std::string method;  // how the counts were obtained
  std::string note;
};
std::string to_json_text(const FillCounts& c);
// A payload that is not such a document (a child that died, "ERR ..." from its exception) gives
// ok = false with the reason.
FillCounts fill_counts_from(const std::string& payload);

// SuperLU's L and U counts for the column ordering `colperm` (SuperLU's colperm_t: MMD_AT_PLUS_A,
// COLAMD), partial pivoting with threshold 1.0, counted as scipy's LU_to_csc does. With
// `order_fd` >= 0 the column order get_perm_c computed is written there first, as JSON, and the
// descriptor closed (read_column_order reads it).
FillCounts superlu_fill_counts(const SparseMatrix& a, int colperm, const LuFillOptions& opt,
                               bool synthesized, int order_fd);
// The column order a superlu_fill_counts child sent: spax's convention (perm[k] = column in
// position k) and the seconds it took; false when nothing usable came (the descriptor is closed).
bool read_column_order(int fd, index_t n, std::vector<index_t>& perm, double& seconds);

}  // namespace spax::detail
