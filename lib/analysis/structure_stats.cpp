// Structure statistics of a sparse matrix (see spax/structure.hpp for the definitions).
#include <btf.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>

#include "spax/structure.hpp"

namespace spax {
namespace {

static_assert(sizeof(SuiteSparse_long) == sizeof(index_t), "BTF needs 64-bit SuiteSparse_long");

SuiteSparse_long* ss_ptr(const std::vector<index_t>& v) {
  // BTF takes non-const pointers but does not modify its inputs.
  return reinterpret_cast<SuiteSparse_long*>(const_cast<index_t*>(v.data()));
}

// Row-wise view: for each row, the columns (ascending) and the position of the entry in A.
struct RowView {
  std::vector<index_t> rowptr, colind, pos;
};

RowView row_view(const SparseMatrix& a) {
  RowView r;
  r.rowptr.assign(static_cast<std::size_t>(a.nrows) + 1, 0);
  for (index_t i : a.rowind) ++r.rowptr[static_cast<std::size_t>(i) + 1];
  for (index_t i = 0; i < a.nrows; ++i) r.rowptr[i + 1] += r.rowptr[i];
  std::vector<index_t> next(r.rowptr.begin(), r.rowptr.end() - 1);
  r.colind.resize(a.rowind.size());
  r.pos.resize(a.rowind.size());
  for (index_t j = 0; j < a.ncols; ++j) {
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      index_t q = next[a.rowind[p]]++;
      r.colind[q] = j;
      r.pos[q] = p;
    }
  }
  return r;
}

index_t find_root(std::vector<index_t>& parent, index_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

bool values_equal(const SparseMatrix& a, index_t p, index_t q) {
  if (!a.has_values()) return true;
  if (a.is_complex()) return a.zvalues[p] == a.zvalues[q];
  return a.values[p] == a.values[q];
}

double abs_value(const SparseMatrix& a, index_t p) {
  if (!a.has_values()) return 1.0;
  if (a.is_complex()) return std::abs(a.zvalues[p]);
  return std::abs(a.values[p]);
}

}  // namespace

MatrixStructure analyze_structure(const SparseMatrix& a, index_t duplicates_summed) {
  MatrixStructure s;
  const index_t m = a.nrows, n = a.ncols, nnz = a.nnz();
  s.nrows = m;
  s.ncols = n;
  s.nnz = nnz;
  s.square = (m == n);
  s.has_values = a.has_values();
  s.duplicates_summed = duplicates_summed;
  s.density_pct =
      (m > 0 && n > 0) ? 100.0 * static_cast<double>(nnz) / (static_cast<double>(m) * n) : 0.0;
  if (m == 0 || n == 0) s.notes.push_back("empty matrix: statistics are zero");

  // Degrees, bandwidth, profile, diagonal, explicit zeros, dominance.
  std::vector<index_t> row_count(static_cast<std::size_t>(m), 0);
  std::vector<index_t> row_first(static_cast<std::size_t>(m), -1);  // first column <= i
  std::vector<double> diag_abs(static_cast<std::size_t>(m), 0.0);
  std::vector<double> off_abs(static_cast<std::size_t>(m), 0.0);
  index_t col_min = nnz, col_max = 0;
  for (index_t j = 0; j < n; ++j) {
    index_t c = a.colptr[j + 1] - a.colptr[j];
    col_min = std::min(col_min, c);
    col_max = std::max(col_max, c);
    if (c == 0) ++s.empty_cols;
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      index_t i = a.rowind[p];
      ++row_count[i];
      s.lower_bandwidth = std::max(s.lower_bandwidth, i - j);
      s.upper_bandwidth = std::max(s.upper_bandwidth, j - i);
      if (j <= i && row_first[i] < 0) row_first[i] = j;
      double v = abs_value(a, p);
      if (v != 0.0) s.profile += i > j ? i - j : j - i;
      if (i == j) {
        ++s.nnz_diagonal;
        diag_abs[i] = v;
      } else {
        off_abs[i] += v;
      }
      if (a.has_values() &&
          (a.is_complex() ? a.zvalues[p] == complex_t(0.0, 0.0) : a.values[p] == 0.0))
        ++s.explicit_zeros;
    }
  }
  s.bandwidth = std::max(s.lower_bandwidth, s.upper_bandwidth);
  index_t row_min = nnz, row_max = 0;
  for (index_t i = 0; i < m; ++i) {
    row_min = std::min(row_min, row_count[i]);
    row_max = std::max(row_max, row_count[i]);
    if (row_count[i] == 0) ++s.empty_rows;
    if (row_first[i] >= 0) s.envelope += i - row_first[i];
    if (diag_abs[i] != 0.0 && diag_abs[i] >= off_abs[i]) ++s.dominant_rows;
  }
  s.total_rows = m;
  s.dominant_pct =
      m > 0 ? 100.0 * static_cast<double>(s.dominant_rows) / static_cast<double>(m) : 0.0;
  s.degrees.row_min = m > 0 ? row_min : 0;
  s.degrees.row_max = row_max;
  s.degrees.row_mean = m > 0 ? static_cast<double>(nnz) / static_cast<double>(m) : 0.0;
  s.degrees.col_min = n > 0 ? col_min : 0;
  s.degrees.col_max = col_max;
  s.degrees.col_mean = n > 0 ? static_cast<double>(nnz) / static_cast<double>(n) : 0.0;
  if (!a.has_values()) s.notes.push_back("pattern-only matrix: diagonal dominance uses all ones");

  // Symmetry: merge column j of A with row j of A (= column j of A^T).
  if (s.square) {
    RowView r = row_view(a);
    index_t off = 0, matched = 0, equal = 0;
    for (index_t j = 0; j < n; ++j) {
      index_t p = a.colptr[j], pe = a.colptr[j + 1];
      index_t q = r.rowptr[j], qe = r.rowptr[j + 1];
      while (p < pe) {
        index_t i = a.rowind[p];
        if (i == j) {
          ++p;
          continue;
        }
        ++off;
        while (q < qe && r.colind[q] < i) ++q;
        if (q < qe && r.colind[q] == i) {  // A(j, i) is stored
          ++matched;
          if (values_equal(a, p, r.pos[q])) ++equal;
        }
        ++p;
      }
    }
    s.pattern_symmetry = off > 0 ? static_cast<double>(matched) / static_cast<double>(off) : 1.0;
    s.numeric_symmetry = off > 0 ? static_cast<double>(equal) / static_cast<double>(off) : 1.0;
    s.is_structurally_symmetric = (matched == off);
    s.is_numerically_symmetric = (equal == off);

    // Connected components of A + A^T by union-find.
    std::vector<index_t> parent(static_cast<std::size_t>(n));
    std::iota(parent.begin(), parent.end(), index_t{0});
    for (index_t j = 0; j < n; ++j) {
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
        index_t x = find_root(parent, a.rowind[p]), y = find_root(parent, j);
        if (x != y) parent[std::max(x, y)] = std::min(x, y);
      }
    }
    std::vector<index_t> size(static_cast<std::size_t>(n), 0);
    for (index_t i = 0; i < n; ++i) ++size[find_root(parent, i)];
    std::vector<index_t> sizes;
    for (index_t i = 0; i < n; ++i)
      if (size[i] > 0) sizes.push_back(size[i]);
    s.connected_components = static_cast<index_t>(sizes.size());
    std::sort(sizes.begin(), sizes.end(), std::greater<>());
    if (sizes.size() > 10) sizes.resize(10);
    s.component_sizes = sizes;
  } else {
    s.pattern_symmetry = 0.0;
    s.numeric_symmetry = 0.0;
    s.notes.push_back(
        "rectangular matrix: symmetry, connected components of A+A^T, strongly connected "
        "blocks, elimination tree, supernodes, orderings and LU fill do not apply");
  }

  // Structural rank (maximum transversal) and strongly connected blocks (BTF).
  if (m > 0 && n > 0) {
    std::vector<index_t> match(static_cast<std::size_t>(m));
    std::vector<index_t> work(static_cast<std::size_t>(5 * n));
    double w = 0.0;
    s.structural_rank = btf_l_maxtrans(m, n, ss_ptr(a.colptr), ss_ptr(a.rowind), 0.0, &w,
                                       reinterpret_cast<SuiteSparse_long*>(match.data()),
                                       reinterpret_cast<SuiteSparse_long*>(work.data()));
    if (s.square) {
      std::vector<index_t> P(n), Q(n), R(n + 1);
      SuiteSparse_long nmatch = 0;
      index_t nb = btf_l_order(n, ss_ptr(a.colptr), ss_ptr(a.rowind), 0.0, &w,
                               reinterpret_cast<SuiteSparse_long*>(P.data()),
                               reinterpret_cast<SuiteSparse_long*>(Q.data()),
                               reinterpret_cast<SuiteSparse_long*>(R.data()), &nmatch,
                               reinterpret_cast<SuiteSparse_long*>(work.data()));
      s.scc_blocks = nb;
      s.scc_largest = 0;
      for (index_t b = 0; b < nb; ++b) s.scc_largest = std::max(s.scc_largest, R[b + 1] - R[b]);
    }
  } else if (s.square) {
    s.scc_blocks = 0;
    s.scc_largest = 0;
  }
  return s;
}

}  // namespace spax
