// Fill-reducing orderings by name (AMD, METIS, COLAMD, SuperLU's MMD, RCM, natural) and the
// per-ordering symbolic analysis.
#include <amd.h>
#include <colamd.h>
#include <metis.h>
#include <slu_ddefs.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <string>

#include "analysis/etree_cholmod.hpp"
#include "analysis/graph.hpp"
#include "spax/analysis.hpp"
#include "spax/parallel.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace {

const std::vector<std::string>& names() {
  static const std::vector<std::string> list = {"natural", "amd", "metis", "colamd", "mmd", "rcm"};
  return list;
}

std::vector<index_t> identity(index_t n) {
  std::vector<index_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), index_t{0});
  return p;
}

std::vector<index_t> amd_order(const SparseMatrix& a) {
  const index_t n = a.ncols;
  std::vector<index_t> p(static_cast<std::size_t>(n));
  double info[AMD_INFO];
  // AMD rejects a null Ai, which is what an empty matrix's rowind gives.
  const index_t none = 0;
  const index_t* ai = a.rowind.empty() ? &none : a.rowind.data();
  int status = amd_l_order(n, a.colptr.data(), ai, p.data(), nullptr, info);
  if (status != AMD_OK && status != AMD_OK_BUT_JUMBLED)
    throw_internal("AMD failed (status " + std::to_string(status) + ")");
  return p;
}

std::vector<index_t> metis_order(const SparseMatrix& a) {
  const detail::Graph g = detail::adjacency_graph(a);
  const index_t n = g.n;
  if (g.adj.empty()) return identity(n);
  idx_t nv = to_int32(n, "matrix dimension for METIS");
  to_int32(static_cast<index_t>(g.adj.size()), "graph edges for METIS");
  std::vector<idx_t> xadj(g.xadj.begin(), g.xadj.end());
  std::vector<idx_t> adj(g.adj.begin(), g.adj.end());
  std::vector<idx_t> perm(static_cast<std::size_t>(n)), iperm(static_cast<std::size_t>(n));
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_NUMBERING] = 0;
  int status =
      METIS_NodeND(&nv, xadj.data(), adj.data(), nullptr, options, perm.data(), iperm.data());
  if (status != METIS_OK)
    throw_internal("METIS_NodeND failed (status " + std::to_string(status) + ")");
  // METIS: row k of the permuted matrix is row perm[k] of the original.
  return std::vector<index_t>(perm.begin(), perm.end());
}

std::vector<index_t> colamd_order(const SparseMatrix& a) {
  const index_t n = a.ncols;
  const index_t nnz = a.nnz();
  auto alen = static_cast<index_t>(colamd_l_recommended(nnz, a.nrows, n));
  if (alen <= 0) throw_internal("COLAMD: matrix too large");
  std::vector<index_t> rows(static_cast<std::size_t>(alen));
  std::copy(a.rowind.begin(), a.rowind.end(), rows.begin());
  std::vector<index_t> p(a.colptr.begin(), a.colptr.end());
  double knobs[COLAMD_KNOBS];
  colamd_l_set_defaults(knobs);
  index_t stats[COLAMD_STATS];
  if (!colamd_l(a.nrows, n, alen, rows.data(), p.data(), knobs, stats))
    throw_internal("COLAMD failed (status " + std::to_string(stats[COLAMD_STATUS]) + ")");
  p.resize(static_cast<std::size_t>(n));
  return p;
}

std::vector<index_t> mmd_order(const SparseMatrix& a) {
  const index_t n = a.ncols;
  if (n == 0) return {};
  int n32 = to_int32(n, "matrix dimension for SuperLU");
  int nnz32 = to_int32(a.nnz(), "nonzeros for SuperLU");
  std::vector<int> colptr(a.colptr.begin(), a.colptr.end());
  std::vector<int> rowind(a.rowind.begin(), a.rowind.end());
  std::vector<double> values(static_cast<std::size_t>(std::max(1, nnz32)), 1.0);
  std::vector<int> perm_c(static_cast<std::size_t>(n));
  // get_perm_c and genmmd keep no static state, so concurrent calls are safe.
  SuperMatrix sa;
  dCreate_CompCol_Matrix(&sa, n32, n32, nnz32, values.data(), rowind.data(), colptr.data(), SLU_NC,
                         SLU_D, SLU_GE);
  get_perm_c(MMD_AT_PLUS_A, &sa, perm_c.data());
  Destroy_SuperMatrix_Store(&sa);
  // SuperLU: perm_c[i] = j means column i goes to position j.
  std::vector<index_t> pos(perm_c.begin(), perm_c.end());
  if (!is_permutation(pos, n)) throw_internal("SuperLU MMD returned no permutation");
  return invert_permutation(pos);
}

}  // namespace

std::vector<std::string> ordering_names() {
  return names();
}

bool is_ordering_name(const std::string& name) {
  return std::find(names().begin(), names().end(), name) != names().end();
}

std::string ordering_names_joined() {
  std::string s;
  for (const auto& n : names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::vector<std::string> parse_ordering_list(const std::string& list, const std::string& option) {
  std::vector<std::string> out;
  for (const std::string& item : split_comma_list(list)) {
    if (item == "all") {
      for (const auto& n : names())
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
      continue;
    }
    if (!is_ordering_name(item))
      throw_usage(option + ": unknown ordering '" + item + "' (known: " + ordering_names_joined() +
                  ", or all)");
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  }
  if (out.empty()) throw_usage(option + ": empty list");
  return out;
}

static void require_known(const std::string& name) {
  if (!is_ordering_name(name))
    throw_usage("unknown ordering '" + name + "' (known: " + ordering_names_joined() + ")");
}

Ordering compute_ordering(const SparseMatrix& a, const std::string& name) {
  require_known(name);
  detail::require_square(a);
  Timer timer;
  Ordering o;
  o.name = name;
  if (a.ncols == 0 || name == "natural")
    o.perm = identity(a.ncols);
  else if (name == "amd")
    o.perm = amd_order(a);
  else if (name == "metis")
    o.perm = metis_order(a);
  else if (name == "colamd")
    o.perm = colamd_order(a);
  else if (name == "mmd")
    o.perm = mmd_order(a);
  else
    o.perm = rcm_ordering(a);
  o.seconds = timer.seconds();
  if (!is_permutation(o.perm, a.ncols))
    throw_internal("ordering '" + name + "' did not return a permutation");
  return o;
}

double predicted_factor_bytes(index_t n, index_t nnz_l) {
  return static_cast<double>(nnz_l) * 16.0 + static_cast<double>(n + 1) * 8.0;
}

OrderingAnalysis analyze_ordering(const SparseMatrix& a, const Ordering& ordering,
                                  const AnalysisOptions& options) {
  detail::require_square(a);
  detail::require_permutation(ordering.perm, a.ncols);
  Timer timer;
  OrderingAnalysis r;
  r.ordering = ordering.name;
  r.perm = ordering.perm.empty() ? identity(a.ncols) : ordering.perm;
  r.seconds = ordering.seconds;
  r.bandwidth = bandwidth(a, r.perm);
  SymbolicCholesky s = symbolic_cholesky(a, r.perm);
  TreeLevels t = tree_levels(s.parent);
  r.height = t.height;
  r.n_leaves = t.n_leaves;
  r.level_widths = std::move(t.widths);
  r.max_width = t.max_width;
  r.avg_width = t.avg_width;
  r.nnz_l = s.nnz_l;
  r.flops = s.flops;
  CriticalPath cp = critical_path(s.parent, s.colcount);
  r.critical_path = cp.critical_path;
  r.work_span = cp.work_span;
  SupernodeStats fund = fundamental_supernodes(s.parent, s.colcount);
  r.fundamental_supernodes = fund.count;
  if (options.relaxed && options.model &&
      (!options.predict_ordering || options.predict_ordering(ordering.name))) {
    SupernodalStructure st = supernodal_structure(a, r.perm);
    SupernodeStats rel = supernode_stats(st.first, s.parent);
    r.relaxed_supernodes = rel.count;
    r.supernodal_tree_height = rel.tree_height;
    r.supernodal_tree_max_width = rel.tree_max_width;
    r.schedule =
        predict_schedule(a, r.perm, s.parent, s.colcount, st, *options.model, options.predict);
  } else if (options.relaxed) {
    SupernodeStats rel = relaxed_supernodes(a, r.perm, s.parent);
    r.relaxed_supernodes = rel.count;
    r.supernodal_tree_height = rel.tree_height;
    r.supernodal_tree_max_width = rel.tree_max_width;
  } else {
    r.relaxed_supernodes = -1;
    r.supernodal_tree_height = fund.tree_height;
    r.supernodal_tree_max_width = fund.tree_max_width;
  }
  r.memory_bytes = predicted_factor_bytes(a.ncols, r.nnz_l);
  r.parent = std::move(s.parent);
  r.colcount = std::move(s.colcount);
  r.analysis_seconds = timer.seconds();
  return r;
}

std::vector<OrderingAnalysis> analyze_orderings(const SparseMatrix& a,
                                                const std::vector<std::string>& names_in,
                                                const AnalysisOptions& options) {
  for (const auto& name : names_in) require_known(name);
  detail::require_square(a);
  std::vector<OrderingAnalysis> out(names_in.size());
  const int threads = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(resolve_threads(options.threads)),
                            std::max<std::size_t>(1, names_in.size())));
  std::atomic<std::size_t> next{0};
  run_parallel(threads, [&](int) {
    for (std::size_t i = next++; i < names_in.size(); i = next++) {
      Ordering o;
      if (!options.provided || !options.provided(names_in[i], o) ||
          !is_permutation(o.perm, a.ncols))
        o = compute_ordering(a, names_in[i]);
      out[i] = analyze_ordering(a, o, options);
      if (options.on_ordering_done) options.on_ordering_done(names_in[i]);
    }
  });
  return out;
}

}  // namespace spax
