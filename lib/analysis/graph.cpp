#include "analysis/graph.hpp"

#include <string>

namespace spax::detail {

void require_square(const SparseMatrix& a) {
  if (!a.is_square())
    throw_usage("analysis needs a square matrix (got " + std::to_string(a.nrows) + " x " +
                std::to_string(a.ncols) + ")");
}

void require_permutation(std::span<const index_t> p, index_t n) {
  if (p.empty() && n > 0) return;
  if (!is_permutation(p, n))
    throw_usage("ordering is not a permutation of 0.." + std::to_string(n - 1));
}

namespace {

// Sorted, duplicate-free upper pattern from (row < col) pairs produced by `each(emit)`.
template <class Each>
UpperPattern build_upper(index_t n, index_t max_entries, bool with_diagonal, Each each) {
  // Pass 1: bucket the pairs by row (counting sort), pass 2: scatter by row into the columns, so
  // every column comes out sorted by row; duplicates are then adjacent.
  std::vector<index_t> rcount(static_cast<std::size_t>(n) + 1, 0);
  each([&](index_t r, index_t) { ++rcount[static_cast<std::size_t>(r) + 1]; });
  for (index_t i = 0; i < n; ++i) rcount[i + 1] += rcount[i];
  std::vector<index_t> bycol(static_cast<std::size_t>(rcount[n]));
  {
    std::vector<index_t> next(rcount.begin(), rcount.end() - 1);
    each([&](index_t r, index_t c) { bycol[static_cast<std::size_t>(next[r]++)] = c; });
  }
  (void)max_entries;
  std::vector<index_t> ccount(static_cast<std::size_t>(n) + 1, 0);
  for (index_t c : bycol) ++ccount[static_cast<std::size_t>(c) + 1];
  if (with_diagonal)
    for (index_t k = 0; k < n; ++k) ++ccount[k + 1];
  for (index_t k = 0; k < n; ++k) ccount[k + 1] += ccount[k];
  std::vector<index_t> tmp(static_cast<std::size_t>(ccount[n]));
  std::vector<index_t> next(ccount.begin(), ccount.end() - 1);
  for (index_t r = 0; r < n; ++r)
    for (index_t q = rcount[r]; q < rcount[r + 1]; ++q) {
      index_t c = bycol[static_cast<std::size_t>(q)];
      tmp[static_cast<std::size_t>(next[c]++)] = r;
    }
  if (with_diagonal)
    for (index_t k = 0; k < n; ++k) tmp[static_cast<std::size_t>(next[k]++)] = k;
  bycol.clear();
  bycol.shrink_to_fit();
  // Compact duplicates in place.
  UpperPattern u;
  u.n = n;
  u.colptr.assign(static_cast<std::size_t>(n) + 1, 0);
  index_t out = 0;
  for (index_t k = 0; k < n; ++k) {
    index_t begin = ccount[k], end = ccount[k + 1];
    u.colptr[k] = out;
    for (index_t q = begin; q < end; ++q) {
      index_t r = tmp[static_cast<std::size_t>(q)];
      if (q > begin && tmp[static_cast<std::size_t>(q - 1)] == r) continue;
      tmp[static_cast<std::size_t>(out++)] = r;
    }
  }
  u.colptr[n] = out;
  tmp.resize(static_cast<std::size_t>(out));
  tmp.shrink_to_fit();
  u.rowind = std::move(tmp);
  return u;
}

}  // namespace

UpperPattern upper_pattern(const SparseMatrix& a, std::span<const index_t> p) {
  require_square(a);
  const index_t n = a.ncols;
  std::vector<index_t> pinv;
  if (!p.empty()) pinv = invert_permutation(p);
  auto each = [&](auto&& emit) {
    for (index_t j = 0; j < n; ++j) {
      index_t pj = pinv.empty() ? j : pinv[j];
      for (index_t q = a.colptr[j]; q < a.colptr[j + 1]; ++q) {
        index_t i = a.rowind[q];
        index_t pi = pinv.empty() ? i : pinv[i];
        if (pi < pj)
          emit(pi, pj);
        else if (pj < pi)
          emit(pj, pi);
      }
    }
  };
  return build_upper(n, a.nnz(), true, each);
}

Graph adjacency_graph(const SparseMatrix& a) {
  UpperPattern u = upper_pattern(a, {});
  const index_t n = u.n;
  Graph g;
  g.n = n;
  g.xadj.assign(static_cast<std::size_t>(n) + 1, 0);
  for (index_t k = 0; k < n; ++k)
    for (index_t q = u.colptr[k]; q < u.colptr[k + 1]; ++q) {
      index_t i = u.rowind[q];
      if (i == k) continue;
      ++g.xadj[i + 1];
      ++g.xadj[k + 1];
    }
  for (index_t v = 0; v < n; ++v) g.xadj[v + 1] += g.xadj[v];
  g.adj.resize(static_cast<std::size_t>(g.xadj[n]));
  std::vector<index_t> next(g.xadj.begin(), g.xadj.end() - 1);
  // Column k of the upper part lists the neighbours i < k of k in increasing order; visiting
  // columns in increasing k appends k to each i in increasing order too. Neighbours of k below
  // k come first (from column k), then those above (appended later): both runs are sorted, and
  // every lower neighbour is smaller than every upper one, so each list is sorted.
  for (index_t k = 0; k < n; ++k)
    for (index_t q = u.colptr[k]; q < u.colptr[k + 1]; ++q) {
      index_t i = u.rowind[q];
      if (i == k) continue;
      g.adj[static_cast<std::size_t>(next[k]++)] = i;
    }
  for (index_t k = 0; k < n; ++k)
    for (index_t q = u.colptr[k]; q < u.colptr[k + 1]; ++q) {
      index_t i = u.rowind[q];
      if (i == k) continue;
      g.adj[static_cast<std::size_t>(next[i]++)] = k;
    }
  return g;
}

}  // namespace spax::detail
