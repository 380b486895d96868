// Elimination tree (Liu's algorithm with path compression), postorder, level sets, critical
// path and the symbolic Cholesky summary.
#include <algorithm>
#include <string>

#include "analysis/etree_cholmod.hpp"
#include "analysis/graph.hpp"
#include "spax/analysis.hpp"

namespace spax {

namespace {

std::vector<index_t> etree_of_upper(const detail::UpperPattern& u) {
  const index_t n = u.n;
  std::vector<index_t> parent(static_cast<std::size_t>(n), -1);
  std::vector<index_t> ancestor(static_cast<std::size_t>(n), -1);
  for (index_t k = 0; k < n; ++k) {
    for (index_t q = u.colptr[k]; q < u.colptr[k + 1]; ++q) {
      index_t i = u.rowind[q];
      // Walk from i to the root of its current subtree, pointing every node on the way at k.
      while (i != -1 && i < k) {
        index_t next = ancestor[i];
        ancestor[i] = k;
        if (next == -1) parent[i] = k;
        i = next;
      }
    }
  }
  return parent;
}

void check_parent(std::span<const index_t> parent) {
  const auto n = static_cast<index_t>(parent.size());
  for (index_t k = 0; k < n; ++k)
    if (parent[k] != -1 && (parent[k] <= k || parent[k] >= n))
      throw_internal("tree parent array is not topologically ordered at node " + std::to_string(k));
}

}  // namespace

std::vector<index_t> elimination_tree(const SparseMatrix& a, std::span<const index_t> p) {
  detail::require_square(a);
  detail::require_permutation(p, a.ncols);
  return etree_of_upper(detail::upper_pattern(a, p));
}

std::vector<index_t> tree_postorder(std::span<const index_t> parent) {
  const auto n = static_cast<index_t>(parent.size());
  // Children lists in increasing order: insert in decreasing order at the list heads.
  std::vector<index_t> head(static_cast<std::size_t>(n), -1), next(static_cast<std::size_t>(n), -1);
  for (index_t k = n - 1; k >= 0; --k) {
    index_t pk = parent[k];
    if (pk == -1) continue;
    next[k] = head[pk];
    head[pk] = k;
  }
  std::vector<index_t> post;
  post.reserve(static_cast<std::size_t>(n));
  std::vector<index_t> stack;
  for (index_t r = 0; r < n; ++r) {
    if (parent[r] != -1) continue;
    stack.push_back(r);
    while (!stack.empty()) {
      index_t v = stack.back();
      index_t c = head[v];
      if (c == -1) {
        stack.pop_back();
        post.push_back(v);
      } else {
        head[v] = next[c];
        stack.push_back(c);
      }
    }
  }
  if (static_cast<index_t>(post.size()) != n) throw_internal("tree parent array has a cycle");
  return post;
}

SymbolicCholesky symbolic_cholesky(const SparseMatrix& a, std::span<const index_t> p) {
  detail::require_square(a);
  detail::require_permutation(p, a.ncols);
  detail::UpperPattern u = detail::upper_pattern(a, p);
  SymbolicCholesky s;
  s.n = u.n;
  s.parent = etree_of_upper(u);
  s.postorder = tree_postorder(s.parent);
  detail::CholmodCounts counts = detail::cholmod_counts(u);
  s.colcount = std::move(counts.colcount);
  for (index_t c : s.colcount) {
    s.nnz_l += c;
    s.flops += static_cast<double>(c) * static_cast<double>(c);
  }
  return s;
}

SummaryStats summary_stats(std::vector<double> values) {
  SummaryStats s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.max = values.back();
  double sum = 0.0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  std::size_t m = values.size() / 2;
  s.median = values.size() % 2 == 1 ? values[m] : 0.5 * (values[m - 1] + values[m]);
  return s;
}

TreeLevels tree_levels(std::span<const index_t> parent) {
  check_parent(parent);
  const auto n = static_cast<index_t>(parent.size());
  TreeLevels t;
  t.n = n;
  t.level.assign(static_cast<std::size_t>(n), 0);
  t.subtree_size.assign(static_cast<std::size_t>(n), 1);
  std::vector<char> has_child(static_cast<std::size_t>(n), 0);
  for (index_t k = 0; k < n; ++k) {
    index_t pk = parent[k];
    if (pk == -1) {
      ++t.n_roots;
      continue;
    }
    has_child[pk] = 1;
    t.level[pk] = std::max(t.level[pk], t.level[k] + 1);
    t.subtree_size[pk] += t.subtree_size[k];
  }
  for (index_t k = 0; k < n; ++k) {
    if (!has_child[k]) ++t.n_leaves;
    t.height = std::max(t.height, t.level[k] + 1);
  }
  t.widths.assign(static_cast<std::size_t>(t.height), 0);
  for (index_t k = 0; k < n; ++k) ++t.widths[t.level[k]];
  // Depth from the root, top-down (parents have larger indices).
  std::vector<index_t> depth(static_cast<std::size_t>(n), 0);
  t.widths_alap.assign(static_cast<std::size_t>(t.height), 0);
  for (index_t k = n - 1; k >= 0; --k) {
    depth[k] = parent[k] == -1 ? 0 : depth[parent[k]] + 1;
    ++t.widths_alap[depth[k]];
  }
  if (t.height > 0) {
    t.max_width = *std::max_element(t.widths.begin(), t.widths.end());
    t.min_width = *std::min_element(t.widths.begin(), t.widths.end());
    t.avg_width = static_cast<double>(n) / static_cast<double>(t.height);
  }
  std::vector<double> sizes(t.subtree_size.begin(), t.subtree_size.end());
  t.subtree_stats = summary_stats(std::move(sizes));
  return t;
}

CriticalPath critical_path(std::span<const index_t> parent, std::span<const index_t> colcount) {
  check_parent(parent);
  if (colcount.size() != parent.size())
    throw_internal("critical_path: parent and colcount differ in length");
  const auto n = static_cast<index_t>(parent.size());
  CriticalPath cp;
  std::vector<double> best_child(static_cast<std::size_t>(n), 0.0);
  for (index_t k = 0; k < n; ++k) {
    double w = static_cast<double>(colcount[k]) * static_cast<double>(colcount[k]);
    cp.total_flops += w;
    double path = w + best_child[k];
    cp.critical_path = std::max(cp.critical_path, path);
    if (parent[k] != -1) best_child[parent[k]] = std::max(best_child[parent[k]], path);
  }
  cp.work_span = cp.critical_path > 0.0 ? cp.total_flops / cp.critical_path : 1.0;
  return cp;
}

}  // namespace spax
