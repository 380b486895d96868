// Triangular solves: the dependency DAGs of the forward solve with L and the backward solve with
// U, their level sets, and the level-scheduled and coarsened (HDagg-like) schedules.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>

#include "analysis/etree_cholmod.hpp"
#include "analysis/graph.hpp"
#include "spax/analysis.hpp"
#include "spax/predict.hpp"

namespace spax {
namespace {

// Structurally symmetric off the diagonal?
bool pattern_symmetric(const SparseMatrix& a) {
  const index_t n = a.ncols;
  // Count (i, j) and (j, i) pairs through a transpose of the pattern.
  std::vector<index_t> tp(static_cast<std::size_t>(n) + 1, 0);
  for (index_t i : a.rowind) ++tp[static_cast<std::size_t>(i) + 1];
  for (index_t i = 0; i < n; ++i) tp[i + 1] += tp[i];
  std::vector<index_t> ti(a.rowind.size()), next(tp.begin(), tp.end() - 1);
  for (index_t j = 0; j < n; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) ti[next[a.rowind[p]]++] = j;
  // Column j of A^T lists the columns of row j of A, sorted; compare off-diagonal sets.
  std::vector<index_t> x, y;
  for (index_t j = 0; j < n; ++j) {
    x.clear();
    y.clear();
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      if (a.rowind[p] != j) x.push_back(a.rowind[p]);
    for (index_t p = tp[j]; p < tp[j + 1]; ++p)
      if (ti[p] != j) y.push_back(ti[p]);
    std::sort(x.begin(), x.end());
    x.erase(std::unique(x.begin(), x.end()), x.end());
    y.erase(std::unique(y.begin(), y.end()), y.end());
    if (x != y) return false;
  }
  return true;
}

// CSR of edges keyed by the later node: `each(emit)` calls emit(later, earlier) for every edge,
// twice (a counting pass, then a filling pass).
template <class Each>
void edges_to_csr(SolveDag& d, Each each) {
  d.edge_ptr.assign(static_cast<std::size_t>(d.n) + 1, 0);
  each([&](index_t later, index_t) { ++d.edge_ptr[static_cast<std::size_t>(later) + 1]; });
  for (index_t i = 0; i < d.n; ++i) d.edge_ptr[i + 1] += d.edge_ptr[i];
  d.edge_to.resize(static_cast<std::size_t>(d.edge_ptr[d.n]));
  std::vector<index_t> next(d.edge_ptr.begin(), d.edge_ptr.end() - 1);
  each([&](index_t later, index_t earlier) { d.edge_to[next[later]++] = earlier; });
}

void finish_levels(SolveDag& d) {
  d.levels = d.n == 0 ? 0 : *std::max_element(d.level.begin(), d.level.end()) + 1;
}

// Symmetric pattern: L has the pattern of the Cholesky factor, U = L^T; both DAGs reduce to the
// elimination tree.
void from_etree(const SparseMatrix& a, std::span<const index_t> p, std::span<const index_t> parent,
                std::span<const index_t> colcount, SolveStructure& s) {
  const index_t n = a.ncols;
  std::vector<index_t> rowcount = detail::cholmod_row_counts(detail::upper_pattern(a, p), parent);
  TreeLevels tl = tree_levels(parent);
  s.lower.n = s.upper.n = n;
  s.lower.work.resize(static_cast<std::size_t>(n));
  s.upper.work.resize(static_cast<std::size_t>(n));
  s.lower.level = tl.level;  // leaves first
  s.upper.level.assign(static_cast<std::size_t>(n), 0);
  for (index_t k = n; k-- > 0;)  // depth from the root: the backward solve's order
    s.upper.level[k] = parent[k] == -1 ? 0 : s.upper.level[parent[k]] + 1;
  for (index_t k = 0; k < n; ++k) {
    s.lower.work[k] = static_cast<double>(rowcount[k]);
    s.upper.work[k] = static_cast<double>(colcount[k]);
  }
  edges_to_csr(s.lower, [&](auto emit) {
    for (index_t k = 0; k < n; ++k)
      if (parent[k] != -1) emit(parent[k], k);
  });
  edges_to_csr(s.upper, [&](auto emit) {
    for (index_t k = 0; k < n; ++k)
      if (parent[k] != -1) emit(k, parent[k]);
  });
  finish_levels(s.lower);
  finish_levels(s.upper);
}

// Unsymmetric pattern: symbolic LU without pivoting of B = A(p,p) + I, column by column (column j
// of L and U = what B(:,j) reaches in the graph of L(:, 0:j-1), Gilbert and Peierls; symmetric
// pruning as in lu_nopivot_counts keeps the searches short).
void from_symbolic_lu(const SparseMatrix& a, std::span<const index_t> p, SolveStructure& s) {
  const index_t n = a.ncols;
  std::vector<index_t> q(p.begin(), p.end());
  if (q.empty()) {
    q.resize(static_cast<std::size_t>(n));
    std::iota(q.begin(), q.end(), index_t{0});
  }
  std::vector<index_t> qinv = invert_permutation(q);
  std::vector<index_t> lstart(static_cast<std::size_t>(n)), lend(static_cast<std::size_t>(n));
  std::vector<index_t> li, mark(static_cast<std::size_t>(n), -1), stack, ucols;
  std::vector<char> pruned(static_cast<std::size_t>(n), 0);
  // U by columns (rows k < j of U(:, j)), for the backward solve's edges.
  std::vector<index_t> uptr(static_cast<std::size_t>(n) + 1, 0), uidx;
  SolveDag& L = s.lower;
  SolveDag& U = s.upper;
  L.n = U.n = n;
  L.work.assign(static_cast<std::size_t>(n), 1.0);
  U.work.assign(static_cast<std::size_t>(n), 1.0);
  L.level.assign(static_cast<std::size_t>(n), 0);
  std::vector<index_t> uheight(static_cast<std::size_t>(n), 0);
  for (index_t j = 0; j < n; ++j) {
    ucols.clear();
    lstart[j] = static_cast<index_t>(li.size());
    auto visit = [&](index_t i) {
      if (mark[i] == j) return;
      mark[i] = j;
      if (i < j) {
        stack.push_back(i);
        ucols.push_back(i);
      } else if (i > j) {
        li.push_back(i);
      }
    };
    const index_t col = q[j];
    for (index_t t = a.colptr[col]; t < a.colptr[col + 1]; ++t) {
      visit(qinv[a.rowind[t]]);
      while (!stack.empty()) {
        const index_t k = stack.back();
        stack.pop_back();
        for (index_t t2 = lstart[k]; t2 < lend[k]; ++t2) visit(li[t2]);
      }
    }
    lend[j] = static_cast<index_t>(li.size());
    // Forward solve: row i of L depends on x_j for every i in L(:, j); L.level[j] is final now.
    for (index_t t = lstart[j]; t < lend[j]; ++t) {
      const index_t i = li[t];
      L.work[i] += 1.0;
      L.level[i] = std::max(L.level[i], L.level[j] + 1);
    }
    // Backward solve: x_k (k in U(:, j), k < j) waits for x_j; height above the sinks.
    index_t h = 0;
    for (index_t k : ucols) {
      U.work[k] += 1.0;
      h = std::max(h, uheight[k] + 1);
    }
    uheight[j] = h;
    uidx.insert(uidx.end(), ucols.begin(), ucols.end());
    uptr[j + 1] = static_cast<index_t>(uidx.size());
    // Symmetric pruning of every L(:, k) with U(k, j) != 0 that holds row j.
    for (index_t k : ucols) {
      if (pruned[k]) continue;
      bool has_j = false;
      for (index_t t = lstart[k]; t < lend[k] && !has_j; ++t) has_j = li[t] == j;
      if (!has_j) continue;
      index_t w = lstart[k];
      for (index_t t = lstart[k]; t < lend[k]; ++t)
        if (li[t] <= j) std::swap(li[t], li[w++]);
      lend[k] = w;
      pruned[k] = 1;
    }
  }
  // Backward solve order: the highest first.
  const index_t hmax = n == 0 ? 0 : *std::max_element(uheight.begin(), uheight.end());
  U.level.resize(static_cast<std::size_t>(n));
  for (index_t k = 0; k < n; ++k) U.level[k] = hmax - uheight[k];
  // Edges: the pruned columns of L reach what L does (the pruned rows through row j, which lies
  // between), enough for connected components inside bands of consecutive levels.
  edges_to_csr(L, [&](auto emit) {
    for (index_t k = 0; k < n; ++k)
      for (index_t t = lstart[k]; t < lend[k]; ++t) emit(li[t], k);
  });
  li.clear();
  li.shrink_to_fit();
  edges_to_csr(U, [&](auto emit) {
    for (index_t j = 0; j < n; ++j)
      for (index_t t = uptr[j]; t < uptr[j + 1]; ++t) emit(uidx[t], j);
  });
  finish_levels(L);
  finish_levels(U);
}

}  // namespace

SolveStructure solve_structure(const SparseMatrix& a, std::span<const index_t> p,
                               std::span<const index_t> parent, std::span<const index_t> colcount,
                               double max_entries) {
  detail::require_square(a);
  detail::require_permutation(p, a.ncols);
  SolveStructure s;
  if (pattern_symmetric(a)) {
    s.method = "etree (structurally symmetric: L and U have the pattern of the Cholesky factor)";
    from_etree(a, p, parent, colcount, s);
    return s;
  }
  double bound = 0.0;
  for (index_t c : colcount) bound += static_cast<double>(c);
  if (2.0 * bound > max_entries) {
    s.method = "not computed: nnz(L+U) may reach " +
               std::to_string(static_cast<long long>(2 * bound)) +
               " entries; the A+A^T etree bounds the levels";
    s.exact = false;
    from_etree(a, p, parent, colcount, s);
    return s;
  }
  s.method = "symbolic LU without pivoting";
  from_symbolic_lu(a, p, s);
  return s;
}

std::vector<SolveSchedule> solve_schedules(const SolveDag& dag, std::span<const int> ps,
                                           double seconds_per_entry,
                                           const std::function<double(int)>& barrier) {
  std::vector<SolveSchedule> outs;
  const index_t n = dag.n;
  // Rows by level, and each level's work and largest row.
  std::vector<index_t> lptr(static_cast<std::size_t>(dag.levels) + 1, 0),
      order(static_cast<std::size_t>(n));
  for (index_t v = 0; v < n; ++v) ++lptr[dag.level[v] + 1];
  for (index_t l = 0; l < dag.levels; ++l) lptr[l + 1] += lptr[l];
  {
    std::vector<index_t> next(lptr.begin(), lptr.end() - 1);
    for (index_t v = 0; v < n; ++v) order[next[dag.level[v]]++] = v;
  }
  std::vector<double> lw(static_cast<std::size_t>(dag.levels), 0.0), lmax(lw);
  for (index_t l = 0; l < dag.levels; ++l)
    for (index_t t = lptr[l]; t < lptr[l + 1]; ++t) {
      lw[l] += dag.work[order[t]];
      lmax[l] = std::max(lmax[l], dag.work[order[t]]);
    }
  double total = 0.0;
  for (double w : lw) total += w;
  std::vector<index_t> uf(static_cast<std::size_t>(n));
  std::vector<double> weight(static_cast<std::size_t>(n));
  for (int p : ps) {
    SolveSchedule out;
    p = std::max(p, 1);
    out.levels = dag.levels;
    out.sequential_seconds = total * seconds_per_entry;
    if (n == 0) {
      outs.push_back(out);
      continue;
    }
    const double pd = p;
    const double bar = p > 1 ? barrier(p) : 0.0;
    double level_t = 0.0;
    for (index_t l = 0; l < dag.levels; ++l) level_t += std::max(lw[l] / pd, lmax[l]);
    out.level_seconds = level_t * seconds_per_entry + bar * static_cast<double>(dag.levels - 1);
    if (p == 1) {  // one worker: one band, no barrier
      out.coarse_levels = 1;
      out.coarse_seconds = out.sequential_seconds;
      outs.push_back(out);
      continue;
    }
    // Coarsened: greedy bands of consecutive levels, components by union-find.
    auto find = [&](index_t v) {
      while (uf[v] != v) {
        uf[v] = uf[uf[v]];
        v = uf[v];
      }
      return v;
    };
    auto band_cost = [&](double w, double cmax) {
      return std::max(w / pd, cmax) * seconds_per_entry + bar;
    };
    auto init_level = [&](index_t l) {
      for (index_t t = lptr[l]; t < lptr[l + 1]; ++t) {
        uf[order[t]] = order[t];
        weight[order[t]] = dag.work[order[t]];
      }
    };
    double coarse = 0.0;
    index_t bands = 0, band_level = 0;
    double bw = 0.0, bmax = 0.0;
    for (index_t l = 0; l < dag.levels; ++l) {
      init_level(l);
      if (l == 0) {
        bw = lw[0];
        bmax = lmax[0];
        continue;
      }
      // Tentatively add level l to the band.
      double mw = bw + lw[l], mmax = std::max(bmax, lmax[l]);
      for (index_t t = lptr[l]; t < lptr[l + 1]; ++t) {
        const index_t v = order[t];
        for (index_t e = dag.edge_ptr[v]; e < dag.edge_ptr[v + 1]; ++e) {
          const index_t u = dag.edge_to[e];
          if (dag.level[u] < band_level || dag.level[u] >= l) continue;
          index_t a = find(v), b = find(u);
          if (a == b) continue;
          if (weight[a] < weight[b]) std::swap(a, b);
          uf[b] = a;
          weight[a] += weight[b];
          mmax = std::max(mmax, weight[a]);
        }
      }
      if (band_cost(mw, mmax) <=
          (band_cost(bw, bmax) + band_cost(lw[l], lmax[l])) * (1.0 + 1e-12)) {
        bw = mw;
        bmax = mmax;
      } else {
        coarse += std::max(bw / pd, bmax);
        ++bands;
        init_level(l);
        band_level = l;
        bw = lw[l];
        bmax = lmax[l];
      }
    }
    coarse += std::max(bw / pd, bmax);
    ++bands;
    out.coarse_levels = bands;
    // A barrier between bands, none after the last.
    out.coarse_seconds = coarse * seconds_per_entry + bar * static_cast<double>(bands - 1);
    outs.push_back(out);
  }
  return outs;
}

SolveSchedule solve_schedule(const SolveDag& dag, int p, double seconds_per_entry, double barrier) {
  const int ps[1] = {p};
  return solve_schedules(dag, ps, seconds_per_entry, [&](int) { return barrier; }).front();
}

}  // namespace spax
