// Supernode partitions (chains, fundamental, CHOLMOD's relaxed) and their statistics.
#include <algorithm>
#include <string>

#include "analysis/etree_cholmod.hpp"
#include "analysis/graph.hpp"
#include "spax/analysis.hpp"

namespace spax {

const std::array<const char*, 5>& supernode_bucket_names() {
  static const std::array<const char*, 5> names = {"1", "2-4", "5-10", "11-50", "51+"};
  return names;
}

namespace {

std::size_t bucket_of(index_t size) {
  if (size <= 1) return 0;
  if (size <= 4) return 1;
  if (size <= 10) return 2;
  if (size <= 50) return 3;
  return 4;
}

std::vector<index_t> child_counts(std::span<const index_t> parent) {
  std::vector<index_t> nchild(parent.size(), 0);
  for (index_t pk : parent)
    if (pk != -1) {
      if (pk < 0 || static_cast<std::size_t>(pk) >= parent.size())
        throw_internal("tree parent out of range");
      ++nchild[static_cast<std::size_t>(pk)];
    }
  return nchild;
}

}  // namespace

SupernodeStats supernode_stats(std::span<const index_t> first, std::span<const index_t> parent) {
  const auto n = static_cast<index_t>(parent.size());
  if (first.empty() || first.front() != 0 || first.back() != n)
    throw_internal("supernode boundaries do not cover the columns");
  SupernodeStats s;
  s.first.assign(first.begin(), first.end());
  s.count = static_cast<index_t>(first.size()) - 1;
  std::vector<double> sizes;
  sizes.reserve(static_cast<std::size_t>(s.count));
  std::vector<index_t> snode(static_cast<std::size_t>(n));
  for (index_t sn = 0; sn < s.count; ++sn) {
    index_t size = first[sn + 1] - first[sn];
    if (size <= 0) throw_internal("supernode boundaries are not increasing");
    for (index_t j = first[sn]; j < first[sn + 1]; ++j) snode[j] = sn;
    s.largest = std::max(s.largest, size);
    ++s.histogram[bucket_of(size)];
    sizes.push_back(static_cast<double>(size));
  }
  SummaryStats st = summary_stats(std::move(sizes));
  s.mean_size = st.mean;
  s.median_size = st.median;
  s.parent.assign(static_cast<std::size_t>(s.count), -1);
  for (index_t sn = 0; sn < s.count; ++sn) {
    index_t last = first[sn + 1] - 1;
    index_t pj = parent[last];
    s.parent[sn] = pj == -1 ? -1 : snode[pj];
  }
  TreeLevels t = tree_levels(s.parent);
  s.tree_height = t.height;
  s.tree_max_width = t.max_width;
  return s;
}

SupernodeStats chain_supernodes(std::span<const index_t> parent) {
  const auto n = static_cast<index_t>(parent.size());
  std::vector<index_t> nchild = child_counts(parent);
  std::vector<index_t> first;
  for (index_t k = 0; k < n; ++k)
    if (k == 0 || !(parent[k - 1] == k && nchild[k] == 1)) first.push_back(k);
  first.push_back(n);
  return supernode_stats(first, parent);
}

SupernodeStats fundamental_supernodes(std::span<const index_t> parent,
                                      std::span<const index_t> colcount) {
  const auto n = static_cast<index_t>(parent.size());
  if (static_cast<index_t>(colcount.size()) != n)
    throw_internal("fundamental_supernodes: parent and colcount differ in length");
  std::vector<index_t> nchild = child_counts(parent);
  std::vector<index_t> first;
  for (index_t k = 0; k < n; ++k)
    if (k == 0 || !(parent[k - 1] == k && nchild[k] == 1 && colcount[k - 1] == colcount[k] + 1))
      first.push_back(k);
  first.push_back(n);
  return supernode_stats(first, parent);
}

SupernodeStats relaxed_supernodes(const SparseMatrix& a, std::span<const index_t> p,
                                  std::span<const index_t> parent) {
  detail::require_square(a);
  detail::require_permutation(p, a.ncols);
  if (static_cast<index_t>(parent.size()) != a.ncols)
    throw_internal("relaxed_supernodes: parent has the wrong length");
  std::vector<index_t> first = detail::cholmod_supernodes(detail::upper_pattern(a, p));
  return supernode_stats(first, parent);
}

}  // namespace spax
