// Internal: a spax CSC matrix copied into Eigen's compressed column storage (int indices), for
// the eigen-lu backend and the ilut preconditioner.
#pragma once

#include <Eigen/SparseCore>
#include <string>
#include <type_traits>

#include "spax/sparse.hpp"

namespace spax::solve_detail {

// `who` names the caller in the error for sizes beyond 32-bit indices. A pattern-only real
// matrix gets all-ones values.
template <class Scalar>
void copy_to_eigen(const SparseMatrix& a, Eigen::SparseMatrix<Scalar, Eigen::ColMajor, int>& m,
                   const std::string& who) {
  const int n = to_int32(a.nrows, (who + ": matrix dimension").c_str());
  to_int32(a.nnz(), (who + ": number of nonzeros").c_str());
  m.resize(n, n);
  m.resizeNonZeros(static_cast<Eigen::Index>(a.nnz()));
  for (std::size_t j = 0; j < a.colptr.size(); ++j)
    m.outerIndexPtr()[j] = static_cast<int>(a.colptr[j]);
  for (std::size_t p = 0; p < a.rowind.size(); ++p) {
    m.innerIndexPtr()[p] = static_cast<int>(a.rowind[p]);
    if constexpr (std::is_same_v<Scalar, double>)
      m.valuePtr()[p] = a.values.empty() ? 1.0 : a.values[p];
    else
      m.valuePtr()[p] = a.zvalues[p];
  }
}

}  // namespace spax::solve_detail
