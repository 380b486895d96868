// LU without pivoting counted from the structure alone (Gilbert-Peierls reach with symmetric
// pruning): the counts of partial pivoting on matrices whose pivoting provably keeps the diagonal.
#include <vector>

#include "spax/structure.hpp"

namespace spax {

LuCounts lu_nopivot_counts(const SparseMatrix& a, const std::vector<index_t>& q) {
  const index_t n = a.ncols;
  if (!a.is_square()) throw_usage("lu_nopivot_counts needs a square matrix");
  if (!is_permutation(q, n))
    throw_usage("lu_nopivot_counts: q is not a permutation of the columns");
  // B = A(q, q) in CSC: B(i, j) = A(q[i], q[j]).
  std::vector<index_t> qinv = invert_permutation(q);
  std::vector<index_t> bp(static_cast<std::size_t>(n) + 1, 0), bi;
  bi.reserve(static_cast<std::size_t>(a.nnz()));
  for (index_t j = 0; j < n; ++j) {
    const index_t c = q[static_cast<std::size_t>(j)];
    for (index_t p = a.colptr[c]; p < a.colptr[c + 1]; ++p)
      bi.push_back(qinv[static_cast<std::size_t>(a.rowind[p])]);
    bp[static_cast<std::size_t>(j) + 1] = static_cast<index_t>(bi.size());
  }
  // Column j of L and U is the set reached from B(:, j) in the graph of L(:, 0:j-1) (Gilbert and
  // Peierls); reached rows above j form U(:, j), rows below j form L(:, j). Symmetric pruning
  // (Eisenstat and Liu): once U(k, j) and L(j, k) are both nonzero, rows of L(:, k) below j are
  // reachable through j, so later searches stop at row j.
  std::vector<index_t> lstart(static_cast<std::size_t>(n) + 1, 0),
      lend(static_cast<std::size_t>(n));
  std::vector<index_t> li;
  std::vector<index_t> mark(static_cast<std::size_t>(n), -1), stack, ucols;
  std::vector<char> pruned(static_cast<std::size_t>(n), 0);
  LuCounts c;
  for (index_t j = 0; j < n; ++j) {
    ucols.clear();
    index_t lcount = 0;
    bool diag = false;
    auto visit = [&](index_t i) {
      if (mark[static_cast<std::size_t>(i)] == j) return;
      mark[static_cast<std::size_t>(i)] = j;
      if (i < j) {
        stack.push_back(i);
        ucols.push_back(i);
      } else if (i == j) {
        diag = true;
      } else {
        li.push_back(i);
        ++lcount;
      }
    };
    lstart[static_cast<std::size_t>(j)] = static_cast<index_t>(li.size());
    for (index_t p = bp[static_cast<std::size_t>(j)]; p < bp[static_cast<std::size_t>(j) + 1];
         ++p) {
      visit(bi[static_cast<std::size_t>(p)]);
      while (!stack.empty()) {
        index_t k = stack.back();
        stack.pop_back();
        for (index_t t = lstart[static_cast<std::size_t>(k)]; t < lend[static_cast<std::size_t>(k)];
             ++t)
          visit(li[static_cast<std::size_t>(t)]);
      }
    }
    if (!diag) {
      c.zero_pivot = j;
      return c;
    }
    lend[static_cast<std::size_t>(j)] = static_cast<index_t>(li.size());
    c.L += lcount + 1;  // with the unit diagonal
    c.U += static_cast<index_t>(ucols.size()) + 1;
    // Prune L(:, k) for every k with U(k, j) != 0 whose column holds row j.
    for (index_t k : ucols) {
      auto ks = static_cast<std::size_t>(k);
      if (pruned[ks]) continue;
      index_t s = lstart[ks], e = lend[ks];
      bool has_j = false;
      for (index_t t = s; t < e && !has_j; ++t) has_j = li[static_cast<std::size_t>(t)] == j;
      if (!has_j) continue;
      // Keep rows <= j at the front of the column and stop the search there.
      index_t w = s;
      for (index_t t = s; t < e; ++t)
        if (li[static_cast<std::size_t>(t)] <= j)
          std::swap(li[static_cast<std::size_t>(t)], li[static_cast<std::size_t>(w++)]);
      lend[ks] = w;
      pruned[ks] = 1;
    }
  }
  c.ok = true;
  return c;
}

}  // namespace spax
