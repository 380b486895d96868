// Reverse Cuthill-McKee with George-Liu pseudo-peripheral start nodes, and the bandwidth.
#include <algorithm>
#include <cstdlib>

#include "analysis/graph.hpp"
#include "spax/analysis.hpp"

namespace spax {

namespace {

// BFS from `root` over unnumbered-in-this-search nodes of its component; returns the level
// structure's nodes in visit order and the start of the last level. `mark`/`stamp` avoid
// clearing per search.
struct Bfs {
  std::vector<index_t> order;
  index_t last_level_begin = 0;
  index_t eccentricity = 0;
};

void bfs(const detail::Graph& g, index_t root, std::vector<index_t>& mark, index_t stamp,
         Bfs& out) {
  out.order.clear();
  out.order.push_back(root);
  mark[root] = stamp;
  std::size_t level_begin = 0;
  out.eccentricity = 0;
  out.last_level_begin = 0;
  while (true) {
    std::size_t level_end = out.order.size();
    for (std::size_t q = level_begin; q < level_end; ++q) {
      index_t v = out.order[q];
      for (index_t e = g.xadj[v]; e < g.xadj[v + 1]; ++e) {
        index_t w = g.adj[e];
        if (mark[w] != stamp) {
          mark[w] = stamp;
          out.order.push_back(w);
        }
      }
    }
    if (out.order.size() == level_end) break;
    level_begin = level_end;
    out.last_level_begin = static_cast<index_t>(level_begin);
    ++out.eccentricity;
  }
}

}  // namespace

std::vector<index_t> rcm_ordering(const SparseMatrix& a) {
  detail::require_square(a);
  const detail::Graph g = detail::adjacency_graph(a);
  const index_t n = g.n;
  auto degree = [&](index_t v) { return g.xadj[v + 1] - g.xadj[v]; };
  std::vector<index_t> perm;
  perm.reserve(static_cast<std::size_t>(n));
  std::vector<char> numbered(static_cast<std::size_t>(n), 0);
  std::vector<index_t> mark(static_cast<std::size_t>(n), -1);
  index_t stamp = 0;
  Bfs search;
  std::vector<index_t> nbrs;
  for (index_t seed = 0; seed < n; ++seed) {
    if (numbered[seed]) continue;
    // The component of `seed`: a BFS, then its minimum-degree node (smallest index on ties).
    bfs(g, seed, mark, stamp++, search);
    index_t start = seed;
    for (index_t v : search.order)
      if (degree(v) < degree(start) || (degree(v) == degree(start) && v < start)) start = v;
    // George-Liu: move to a minimum-degree node of the last level while eccentricity grows.
    bfs(g, start, mark, stamp++, search);
    while (true) {
      index_t cand = -1;
      for (std::size_t q = static_cast<std::size_t>(search.last_level_begin);
           q < search.order.size(); ++q) {
        index_t v = search.order[q];
        if (cand == -1 || degree(v) < degree(cand) || (degree(v) == degree(cand) && v < cand))
          cand = v;
      }
      index_t ecc = search.eccentricity;
      Bfs trial;
      bfs(g, cand, mark, stamp++, trial);
      if (trial.eccentricity > ecc) {
        start = cand;
        search = std::move(trial);
      } else {
        break;
      }
    }
    // Cuthill-McKee from start: neighbours by increasing degree, then index.
    std::size_t head = perm.size();
    perm.push_back(start);
    numbered[start] = 1;
    while (head < perm.size()) {
      index_t v = perm[head++];
      nbrs.clear();
      for (index_t e = g.xadj[v]; e < g.xadj[v + 1]; ++e) {
        index_t w = g.adj[e];
        if (!numbered[w]) {
          numbered[w] = 1;
          nbrs.push_back(w);
        }
      }
      std::sort(nbrs.begin(), nbrs.end(), [&](index_t x, index_t y) {
        return degree(x) != degree(y) ? degree(x) < degree(y) : x < y;
      });
      perm.insert(perm.end(), nbrs.begin(), nbrs.end());
    }
  }
  std::reverse(perm.begin(), perm.end());
  return perm;
}

index_t bandwidth(const SparseMatrix& a, std::span<const index_t> p) {
  std::vector<index_t> pinv;
  if (!p.empty()) {
    detail::require_square(a);
    detail::require_permutation(p, a.ncols);
    pinv = invert_permutation(p);
  }
  index_t bw = 0;
  for (index_t j = 0; j < a.ncols; ++j) {
    index_t pj = pinv.empty() ? j : pinv[j];
    for (index_t q = a.colptr[j]; q < a.colptr[j + 1]; ++q) {
      index_t i = a.rowind[q];
      index_t pi = pinv.empty() ? i : pinv[i];
      bw = std::max(bw, pi > pj ? pi - pj : pj - pi);
    }
  }
  return bw;
}

}  // namespace spax
