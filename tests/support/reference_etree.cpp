#include "reference_etree.hpp"

#include <algorithm>

namespace spax::test {

std::optional<ReferenceSymbolic> reference_symbolic(const SparseMatrix& a,
                                                    std::span<const index_t> p, double max_work) {
  const index_t n = a.ncols;
  std::vector<index_t> pinv(static_cast<std::size_t>(n));
  for (index_t k = 0; k < n; ++k) pinv[p.empty() ? k : p[k]] = k;
  // Lower part of C = B + B^T, B = A(p,p), column by column.
  std::vector<std::vector<index_t>> lower(static_cast<std::size_t>(n));
  for (index_t j = 0; j < n; ++j)
    for (index_t q = a.colptr[j]; q < a.colptr[j + 1]; ++q) {
      index_t r = pinv[a.rowind[q]], c = pinv[j];
      if (r == c) continue;
      lower[std::min(r, c)].push_back(std::max(r, c));
    }
  std::vector<std::vector<index_t>> lstruct(static_cast<std::size_t>(n));
  std::vector<std::vector<index_t>> contributors(static_cast<std::size_t>(n));
  std::vector<index_t> mark(static_cast<std::size_t>(n), -1);
  ReferenceSymbolic ref;
  ref.parent.assign(static_cast<std::size_t>(n), -1);
  ref.colcount.assign(static_cast<std::size_t>(n), 1);
  double work = 0;
  for (index_t j = 0; j < n; ++j) {
    std::vector<index_t>& s = lstruct[j];
    auto add = [&](index_t i) {
      if (i > j && mark[i] != j) {
        mark[i] = j;
        s.push_back(i);
      }
    };
    for (index_t i : lower[j]) add(i);
    for (index_t k : contributors[j]) {
      work += static_cast<double>(lstruct[k].size());
      if (work > max_work) return std::nullopt;
      for (index_t i : lstruct[k]) add(i);
    }
    std::sort(s.begin(), s.end());
    for (index_t i : s) contributors[i].push_back(j);
    if (!s.empty()) ref.parent[j] = s.front();
    ref.colcount[j] = static_cast<index_t>(s.size()) + 1;
    ref.nnz_l += ref.colcount[j];
    ref.flops += static_cast<double>(ref.colcount[j]) * static_cast<double>(ref.colcount[j]);
    // Columns whose every row is now past are no longer needed.
    lower[j].clear();
    lower[j].shrink_to_fit();
  }
  return ref;
}

SparseMatrix pattern_matrix(index_t n, const std::vector<std::pair<index_t, index_t>>& entries) {
  TripletMatrix t;
  t.nrows = n;
  t.ncols = n;
  t.field = Field::pattern;
  for (auto [r, c] : entries) {
    t.rows.push_back(r);
    t.cols.push_back(c);
  }
  return to_csc(t);
}

SparseMatrix tridiagonal(index_t n) {
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t i = 0; i < n; ++i) {
    e.emplace_back(i, i);
    if (i + 1 < n) {
      e.emplace_back(i, i + 1);
      e.emplace_back(i + 1, i);
    }
  }
  return pattern_matrix(n, e);
}

SparseMatrix arrow_last(index_t n) {
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t i = 0; i < n; ++i) {
    e.emplace_back(i, i);
    if (i + 1 < n) {
      e.emplace_back(n - 1, i);
      e.emplace_back(i, n - 1);
    }
  }
  return pattern_matrix(n, e);
}

SparseMatrix diagonal_matrix(index_t n) {
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t i = 0; i < n; ++i) e.emplace_back(i, i);
  return pattern_matrix(n, e);
}

SparseMatrix dense_pattern(index_t n) {
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < n; ++j) e.emplace_back(i, j);
  return pattern_matrix(n, e);
}

SparseMatrix grid2d(index_t k) {
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t r = 0; r < k; ++r)
    for (index_t c = 0; c < k; ++c) {
      index_t v = r * k + c;
      e.emplace_back(v, v);
      if (c + 1 < k) {
        e.emplace_back(v, v + 1);
        e.emplace_back(v + 1, v);
      }
      if (r + 1 < k) {
        e.emplace_back(v, v + k);
        e.emplace_back(v + k, v);
      }
    }
  return pattern_matrix(k * k, e);
}

}  // namespace spax::test
