#include "reference_structure.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <set>

namespace spax::test {

std::map<std::pair<std::int64_t, std::int64_t>, std::complex<double>> reference_entries(
    const SparseMatrix& a) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::complex<double>> e;
  for (std::int64_t j = 0; j < a.ncols; ++j) {
    for (std::int64_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      std::complex<double> v = 1.0;
      if (a.is_complex()) {
        v = a.zvalues[p];
      } else if (a.has_values()) {
        v = a.values[p];
      }
      e[{a.rowind[p], j}] = v;
    }
  }
  return e;
}

ReferenceStructure reference_structure(const SparseMatrix& a) {
  ReferenceStructure r;
  auto e = reference_entries(a);
  const std::int64_t m = a.nrows, n = a.ncols;
  std::vector<std::int64_t> rowc(m, 0), colc(n, 0);
  std::vector<std::int64_t> first(m, -1);
  std::vector<double> diag(m, 0.0), off(m, 0.0);
  std::int64_t offdiag = 0, matched = 0, equal = 0;
  for (const auto& [pos, v] : e) {
    auto [i, j] = pos;
    ++rowc[i];
    ++colc[j];
    r.bandwidth = std::max(r.bandwidth, std::abs(i - j));
    if (!a.has_values() || v != 0.0) r.profile += std::abs(i - j);
    if (j <= i && (first[i] < 0 || j < first[i])) first[i] = j;
    if (i == j) {
      ++r.nnz_diagonal;
      diag[i] = std::abs(a.has_values() ? v : 1.0);
    } else {
      off[i] += std::abs(a.has_values() ? v : 1.0);
      ++offdiag;
      auto t = e.find({j, i});
      if (t != e.end()) {
        ++matched;
        if (t->second == v) ++equal;
      }
    }
  }
  for (std::int64_t i = 0; i < m; ++i) {
    if (first[i] >= 0) r.envelope += i - first[i];
    if (diag[i] != 0.0 && diag[i] >= off[i]) ++r.dominant_rows;
    if (rowc[i] == 0) ++r.empty_rows;
  }
  for (std::int64_t j = 0; j < n; ++j)
    if (colc[j] == 0) ++r.empty_cols;
  if (m > 0) {
    r.row_min = *std::min_element(rowc.begin(), rowc.end());
    r.row_max = *std::max_element(rowc.begin(), rowc.end());
  }
  if (n > 0) {
    r.col_min = *std::min_element(colc.begin(), colc.end());
    r.col_max = *std::max_element(colc.begin(), colc.end());
  }
  r.pattern_symmetry = offdiag ? static_cast<double>(matched) / offdiag : 1.0;
  r.numeric_symmetry = offdiag ? static_cast<double>(equal) / offdiag : 1.0;
  r.structurally_symmetric = matched == offdiag;
  r.numerically_symmetric = equal == offdiag;

  if (m == n) {
    // Components by breadth-first search on adjacency sets of A + A^T.
    std::vector<std::set<std::int64_t>> adj(n);
    for (const auto& [pos, v] : e) {
      adj[pos.first].insert(pos.second);
      adj[pos.second].insert(pos.first);
    }
    std::vector<bool> seen(n, false);
    for (std::int64_t s = 0; s < n; ++s) {
      if (seen[s]) continue;
      std::int64_t size = 0;
      std::queue<std::int64_t> q;
      q.push(s);
      seen[s] = true;
      while (!q.empty()) {
        auto x = q.front();
        q.pop();
        ++size;
        for (auto y : adj[x])
          if (!seen[y]) {
            seen[y] = true;
            q.push(y);
          }
      }
      r.component_sizes.push_back(size);
    }
    r.components = static_cast<std::int64_t>(r.component_sizes.size());
    std::sort(r.component_sizes.begin(), r.component_sizes.end(), std::greater<>());
  }

  // Structural rank: maximum bipartite matching by augmenting paths (iterative DFS).
  std::vector<std::vector<std::int64_t>> cols_rows(n);
  for (const auto& [pos, v] : e) cols_rows[pos.second].push_back(pos.first);
  std::vector<std::int64_t> row_match(m, -1);
  std::vector<std::int64_t> visited_stamp(m, -1);
  for (std::int64_t j = 0; j < n; ++j) {
    std::function<bool(std::int64_t)> augment = [&](std::int64_t c) {
      for (auto i : cols_rows[c]) {
        if (visited_stamp[i] == j) continue;
        visited_stamp[i] = j;
        if (row_match[i] < 0 || augment(row_match[i])) {
          row_match[i] = c;
          return true;
        }
      }
      return false;
    };
    if (augment(j)) ++r.structural_rank;
  }
  return r;
}

std::pair<std::int64_t, std::int64_t> reference_lu_nopivot_counts(const SparseMatrix& a,
                                                                  const std::vector<index_t>& q) {
  const auto n = static_cast<std::size_t>(a.ncols);
  std::vector<std::size_t> pos(n);
  for (std::size_t k = 0; k < n; ++k) pos[static_cast<std::size_t>(q[k])] = k;
  std::vector<std::vector<char>> m(n, std::vector<char>(n, 0));
  for (const auto& [ij, v] : reference_entries(a))
    m[pos[static_cast<std::size_t>(ij.first)]][pos[static_cast<std::size_t>(ij.second)]] = 1;
  for (std::size_t k = 0; k < n; ++k) {
    if (!m[k][k]) return {-1, -1};
    for (std::size_t i = k + 1; i < n; ++i) {
      if (!m[i][k]) continue;
      for (std::size_t j = k + 1; j < n; ++j)
        if (m[k][j]) m[i][j] = 1;
    }
  }
  std::int64_t l = 0, u = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (i > j && m[i][j]) ++l;
      if (i <= j && m[i][j]) ++u;
    }
  return {l + static_cast<std::int64_t>(n), u};
}

}  // namespace spax::test
