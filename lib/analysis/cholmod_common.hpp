// Internal: CHOLMOD's 64-bit interface as the analysis uses it: a Common that starts quiet with
// one ordering method and no postorder and finishes itself, and a view of an upper-triangular CSC
// pattern or matrix as a cholmod_sparse, without copying.
#pragma once

#include <cholmod.h>

#include <cstddef>
#include <type_traits>

#include "spax/common.hpp"

namespace spax::detail {

static_assert(std::is_same_v<SuiteSparse_long, index_t>, "CHOLMOD long must be 64-bit index_t");

class CholmodCommon {
 public:
  // ordering: CHOLMOD_NATURAL, CHOLMOD_GIVEN, ...; supernodal: CHOLMOD_SIMPLICIAL, _AUTO, ...
  explicit CholmodCommon(int ordering, int supernodal = CHOLMOD_AUTO) {
    cholmod_l_start(&c_);
    c_.print = 0;
    c_.nmethods = 1;
    c_.method[0].ordering = ordering;
    c_.postorder = 0;
    c_.supernodal = supernodal;
  }
  ~CholmodCommon() { cholmod_l_finish(&c_); }
  CholmodCommon(const CholmodCommon&) = delete;
  CholmodCommon& operator=(const CholmodCommon&) = delete;
  cholmod_common* get() { return &c_; }

 private:
  cholmod_common c_{};
};

// The n x n upper-triangular (stype 1), sorted, packed CSC matrix (colptr, rowind, values) as a
// cholmod_sparse; a pattern (CHOLMOD_PATTERN) when values is null. CHOLMOD reads it only.
inline cholmod_sparse cholmod_upper_view(index_t n, const index_t* colptr, const index_t* rowind,
                                         std::size_t nnz, const double* values = nullptr) {
  cholmod_sparse s{};
  s.nrow = s.ncol = static_cast<std::size_t>(n);
  s.nzmax = nnz;
  s.p = const_cast<index_t*>(colptr);
  s.i = const_cast<index_t*>(rowind);
  s.x = const_cast<double*>(values);
  s.stype = 1;
  s.itype = CHOLMOD_LONG;
  s.xtype = values ? CHOLMOD_REAL : CHOLMOD_PATTERN;
  s.dtype = CHOLMOD_DOUBLE;
  s.sorted = 1;
  s.packed = 1;
  return s;
}

}  // namespace spax::detail
