// The mumps plugin's matrix as rank 0 hands it to MUMPS: the pattern and its symmetry (which
// decides SYM), the entries (1-based, one triangle when symmetric) and their values.
#include <algorithm>

#include "mumps_solver.hpp"

namespace spax::mumps_plugin::detail {

void MumpsSolver::setup_pattern(const SparseMatrix& a) {
  if (!a.is_square()) throw_usage("mumps: the matrix is not square");
  n_ = to_int32(a.nrows, "mumps: matrix dimension");
  complex_ = a.is_complex();
  // mirror_[k]: the position of entry (j, i) for entry k = (i, j); -1 when absent.
  const std::size_t nnz = static_cast<std::size_t>(a.nnz());
  mirror_.assign(nnz, -1);
  pattern_symmetric_ = true;
  spd_diagonal_ = !complex_;
  for (index_t j = 0; j < a.ncols; ++j) {
    bool diag = false;
    for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k) {
      const index_t i = a.rowind[k];
      const index_t* first = a.rowind.data() + a.colptr[i];
      const index_t* last = a.rowind.data() + a.colptr[i + 1];
      const index_t* p = std::lower_bound(first, last, j);
      if (p != last && *p == j)
        mirror_[static_cast<std::size_t>(k)] = static_cast<index_t>(p - a.rowind.data());
      else
        pattern_symmetric_ = false;
      if (i == j) {
        diag = true;
        if (!complex_ && !(a.values[static_cast<std::size_t>(k)] > 0)) spd_diagonal_ = false;
      }
    }
    if (!diag) spd_diagonal_ = false;
  }
  if (!pattern_symmetric_) spd_diagonal_ = false;
}

bool MumpsSolver::values_symmetric(const SparseMatrix& a) const {
  if (!pattern_symmetric_) return false;
  for (std::size_t k = 0; k < mirror_.size(); ++k) {
    const auto m = static_cast<std::size_t>(mirror_[k]);
    if (complex_ ? a.zvalues[k] != a.zvalues[m] : a.values[k] != a.values[m]) return false;
  }
  return true;
}

// SYM: 1 (assumed positive definite: LDL^T without pivoting) for a real symmetric matrix with
// a positive diagonal, 2 (general symmetric, pivoting) for other symmetric ones, 0 otherwise.
int MumpsSolver::sym_for(const SparseMatrix& a) const {
  if (!values_symmetric(a)) return 0;
  return spd_diagonal_ ? 1 : 2;
}

// The entries handed to MUMPS: all of them, or the lower triangle when SYM != 0 (MUMPS sums
// both triangles otherwise). 1-based.
void MumpsSolver::build_entries(const SparseMatrix& a) {
  irn_.clear();
  jcn_.clear();
  sel_.clear();
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k) {
      const index_t i = a.rowind[k];
      if (sym_ != 0 && i < j) continue;
      irn_.push_back(static_cast<MUMPS_INT>(i + 1));
      jcn_.push_back(static_cast<MUMPS_INT>(j + 1));
      sel_.push_back(k);
    }
}

void MumpsSolver::gather_values(const SparseMatrix& a) {
  if (complex_) {
    zvals_.resize(sel_.size());
    for (std::size_t q = 0; q < sel_.size(); ++q)
      zvals_[q] = a.zvalues[static_cast<std::size_t>(sel_[q])];
  } else {
    dvals_.resize(sel_.size());
    for (std::size_t q = 0; q < sel_.size(); ++q)
      dvals_[q] = a.values[static_cast<std::size_t>(sel_[q])];
  }
}

void MumpsSolver::set_host_matrix() {
  Instance& in = inst();
  in.with([&](auto& s) {
    s.n = n_;
    s.nnz = static_cast<MUMPS_INT8>(irn_.size());
    s.irn = irn_.data();
    s.jcn = jcn_.data();
  });
  if (complex_)
    in.z.a = reinterpret_cast<ZMUMPS_COMPLEX*>(zvals_.data());
  else
    in.d.a = dvals_.data();
  in.ICNTL(5) = 0;   // assembled
  in.ICNTL(18) = 0;  // centralized on rank 0
}

}  // namespace spax::mumps_plugin::detail
