#include "analysis/etree_cholmod.hpp"

#include "analysis/cholmod_common.hpp"

#include <cholmod.h>

#include <string>
#include <type_traits>

#include "spax/analysis.hpp"

namespace spax::detail {

namespace {

cholmod_sparse view(const UpperPattern& u) {
  return cholmod_upper_view(u.n, u.colptr.data(), u.rowind.data(), u.rowind.size());
}

[[noreturn]] void fail(const char* what, int status) {
  throw_internal(std::string("CHOLMOD ") + what + " failed (status " + std::to_string(status) +
                 ")");
}

}  // namespace

CholmodCounts cholmod_counts(const UpperPattern& u) {
  CholmodCounts out;
  if (u.n == 0) return out;
  CholmodCommon common(CHOLMOD_NATURAL, CHOLMOD_SIMPLICIAL);
  cholmod_common* c = common.get();
  cholmod_sparse a = view(u);
  cholmod_factor* l = cholmod_l_analyze(&a, c);
  if (l == nullptr || c->status < CHOLMOD_OK) fail("analyze", c->status);
  const auto* cc = static_cast<const index_t*>(l->ColCount);
  out.colcount.assign(cc, cc + u.n);
  out.lnz = c->lnz;
  out.fl = c->fl;
  cholmod_l_free_factor(&l, c);
  return out;
}

std::vector<index_t> cholmod_supernodes(const UpperPattern& u) {
  if (u.n == 0) return {0};
  CholmodCommon common(CHOLMOD_NATURAL, CHOLMOD_SUPERNODAL);
  cholmod_common* c = common.get();
  cholmod_sparse a = view(u);
  cholmod_factor* l = cholmod_l_analyze(&a, c);
  if (l == nullptr || c->status < CHOLMOD_OK) fail("supernodal analyze", c->status);
  if (!l->is_super) {
    cholmod_l_free_factor(&l, c);
    throw_internal("CHOLMOD returned a simplicial factor for a supernodal analysis");
  }
  const auto* super = static_cast<const index_t*>(l->super);
  std::vector<index_t> first(super, super + l->nsuper + 1);
  cholmod_l_free_factor(&l, c);
  return first;
}

std::vector<index_t> cholmod_row_counts(const UpperPattern& u, std::span<const index_t> parent) {
  const index_t n = u.n;
  if (n == 0) return {};
  // Lower form: the transpose of the upper pattern (column i holds rows k >= i).
  std::vector<index_t> lp(static_cast<std::size_t>(n) + 1, 0), li(u.rowind.size());
  for (index_t i : u.rowind) ++lp[static_cast<std::size_t>(i) + 1];
  for (index_t i = 0; i < n; ++i) lp[i + 1] += lp[i];
  std::vector<index_t> next(lp.begin(), lp.end() - 1);
  for (index_t k = 0; k < n; ++k)
    for (index_t p = u.colptr[k]; p < u.colptr[k + 1]; ++p)
      li[static_cast<std::size_t>(next[u.rowind[p]]++)] = k;
  cholmod_sparse a{};
  a.nrow = a.ncol = static_cast<std::size_t>(n);
  a.nzmax = li.size();
  a.p = lp.data();
  a.i = li.data();
  a.stype = -1;
  a.itype = CHOLMOD_LONG;
  a.xtype = CHOLMOD_PATTERN;
  a.dtype = CHOLMOD_DOUBLE;
  a.sorted = 1;
  a.packed = 1;
  std::vector<index_t> par(parent.begin(), parent.end());
  std::vector<index_t> post = tree_postorder(parent);
  std::vector<index_t> rowcount(static_cast<std::size_t>(n)), colcount(static_cast<std::size_t>(n)),
      first(static_cast<std::size_t>(n)), level(static_cast<std::size_t>(n));
  CholmodCommon common(CHOLMOD_NATURAL);
  cholmod_common* c = common.get();
  if (!cholmod_l_rowcolcounts(&a, nullptr, 0, par.data(), post.data(), rowcount.data(),
                              colcount.data(), first.data(), level.data(), c))
    fail("rowcolcounts", c->status);
  return rowcount;
}

SupernodalStructure cholmod_supernodal_structure(const UpperPattern& u) {
  SupernodalStructure st;
  st.n = u.n;
  if (u.n == 0) {
    st.first = {0};
    st.update_ptr = {0};
    return st;
  }
  CholmodCommon common(CHOLMOD_NATURAL, CHOLMOD_SUPERNODAL);
  cholmod_common* c = common.get();
  cholmod_sparse a = view(u);
  cholmod_factor* l = cholmod_l_analyze(&a, c);
  if (l == nullptr || c->status < CHOLMOD_OK) fail("supernodal analyze", c->status);
  if (!l->is_super) {
    cholmod_l_free_factor(&l, c);
    throw_internal("CHOLMOD returned a simplicial factor for a supernodal analysis");
  }
  const auto ns = static_cast<index_t>(l->nsuper);
  const auto* super = static_cast<const index_t*>(l->super);
  const auto* pi = static_cast<const index_t*>(l->pi);
  const auto* ls = static_cast<const index_t*>(l->s);
  st.first.assign(super, super + ns + 1);
  std::vector<index_t> smap(static_cast<std::size_t>(u.n));
  for (index_t s = 0; s < ns; ++s)
    for (index_t j = super[s]; j < super[s + 1]; ++j) smap[static_cast<std::size_t>(j)] = s;
  st.parent.assign(static_cast<std::size_t>(ns), -1);
  st.nrows.resize(static_cast<std::size_t>(ns));
  st.a_entries.assign(static_cast<std::size_t>(ns), 0);
  // Entries of the lower part of the symmetric pattern in column i: one per upper entry (i, j).
  for (index_t j = 0; j < u.n; ++j)
    for (index_t p = u.colptr[j]; p < u.colptr[j + 1]; ++p)
      ++st.a_entries[static_cast<std::size_t>(smap[static_cast<std::size_t>(u.rowind[p])])];
  // Updates grouped by target: count, then fill.
  std::vector<index_t> count(static_cast<std::size_t>(ns) + 1, 0);
  auto each_update = [&](auto&& emit) {
    for (index_t d = 0; d < ns; ++d) {
      const index_t k = super[d + 1] - super[d];
      const index_t m = pi[d + 1] - pi[d];
      for (index_t q = k; q < m;) {
        const index_t target = smap[static_cast<std::size_t>(ls[pi[d] + q])];
        index_t e = q;
        while (e < m && ls[pi[d] + e] < super[target + 1]) ++e;
        emit(d, target, SupernodeUpdate{k, e - q, m - q});
        q = e;
      }
    }
  };
  each_update([&](index_t, index_t target, const SupernodeUpdate&) { ++count[target + 1]; });
  for (index_t s = 0; s < ns; ++s) count[s + 1] += count[s];
  st.update_ptr = count;
  st.updates.resize(static_cast<std::size_t>(count[ns]));
  std::vector<index_t> next(count.begin(), count.end() - 1);
  each_update([&](index_t d, index_t target, const SupernodeUpdate& up) {
    st.updates[static_cast<std::size_t>(next[target]++)] = up;
    if (st.parent[d] == -1) st.parent[d] = target;  // the first target is the parent
  });
  for (index_t s = 0; s < ns; ++s) st.nrows[s] = pi[s + 1] - pi[s];
  cholmod_l_free_factor(&l, c);
  return st;
}

}  // namespace spax::detail
