// `spax analyze`'s JSON document (parallelism_analysis.json) from one AnalyzeResult, and what
// the summary shares with it.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "report/analyze_common.hpp"
#include "report/scatter_report.hpp"
#include "spax/analyze_report.hpp"
#include "spax/report/json_text.hpp"
#include "spax/report/schedule_report.hpp"

namespace spax {

namespace detail {

const LuFillEntry* lu_for_ordering(const AnalyzeResult& r, const std::string& ordering) {
  const std::vector<LuFillEntry>* list = nullptr;
  std::string name;
  if (ordering == "mmd") {
    list = &r.fill.superlu;
    name = "MMD_AT_PLUS_A";
  } else if (ordering == "colamd") {
    list = &r.fill.superlu;
    name = "COLAMD";
  } else if (ordering == "amd") {
    list = &r.fill.klu;
    name = "AMD";
  } else {
    return nullptr;
  }
  for (const auto& e : *list)
    if (e.name == name && e.ok) return &e;
  return nullptr;
}

double lu_bytes(index_t n, index_t factor_nnz) {
  return static_cast<double>(factor_nnz) * 16.0 + 2.0 * static_cast<double>(n + 1) * 8.0;
}

const OrderingAnalysis* best_for_fill(const AnalyzeResult& r) {
  const OrderingAnalysis* b = nullptr;
  for (const auto& o : r.orderings)
    if (!b || o.nnz_l < b->nnz_l) b = &o;
  return b;
}

const OrderingAnalysis* best_for_parallelism(const AnalyzeResult& r) {
  const OrderingAnalysis* b = nullptr;
  for (const auto& o : r.orderings)
    if (!b || o.work_span > b->work_span) b = &o;
  return b;
}

}  // namespace detail

namespace {

using detail::best_for_fill;
using detail::best_for_parallelism;
using detail::lu_bytes;
using detail::lu_for_ordering;
using ojson = nlohmann::ordered_json;

constexpr const char* kLevelDefinition =
    "level_widths: ASAP levels, a leaf is at level 0 and a node at 1 + the largest level of its "
    "children (the schedule a level-scheduled factorization runs); level_widths_alap: the "
    "script's count by depth from the root (root first)";
constexpr const char* kBandwidthDefinition = "max |i - j| over stored entries";
constexpr const char* kProfileDefinition =
    "sum of |i - j| over the nonzero entries (the VAJAX script's: stored entries whose value is "
    "exactly zero are skipped, as scipy's nonzero() skips them)";
constexpr const char* kEnvelopeDefinition =
    "sum over rows i of (i - first column index j <= i stored in row i); rows with no entry on "
    "or left of the diagonal add 0";

// Longer than 100: first 50, "...", last 50 under base + "_truncated".
void put_widths(ojson& j, const std::string& base, const std::vector<index_t>& w) {
  if (w.size() <= 100) {
    j[base] = w;
    return;
  }
  ojson t = ojson::array();
  for (std::size_t k = 0; k < 50; ++k) t.push_back(w[k]);
  t.push_back("...");
  for (std::size_t k = w.size() - 50; k < w.size(); ++k) t.push_back(w[k]);
  j[base + "_truncated"] = t;
  j[base + "_length"] = w.size();
}

ojson supernode_json(const SupernodeStats& s) {
  ojson j;
  j["count"] = s.count;
  j["largest"] = s.largest;
  j["mean_size"] = s.mean_size;
  j["median_size"] = s.median_size;
  ojson h;
  const auto& names = supernode_bucket_names();
  for (std::size_t k = 0; k < names.size(); ++k) h[names[k]] = s.histogram[k];
  j["size_histogram"] = h;
  return j;
}

ojson lu_entry_json(const LuFillEntry& e, bool klu) {
  ojson j;
  if (!e.skipped.empty()) {
    j["skipped"] = e.skipped;
    return j;
  }
  if (!e.ok) {
    j["error"] = e.error;
    j["seconds"] = e.seconds;
    return j;
  }
  j["L_nnz"] = e.L_nnz;
  j["U_nnz"] = e.U_nnz;
  if (klu) j["offdiag_nnz"] = e.offdiag_nnz;
  j["factor_nnz"] = e.factor_nnz;
  j["fill_ratio"] = e.fill_ratio;
  j["fill_in"] = e.fill_in;
  j["seconds"] = e.seconds;
  if (!e.method.empty()) j["method"] = e.method;
  if (!e.note.empty()) j["note"] = e.note;
  return j;
}

ojson build_json(const AnalyzeResult& r) {
  ojson j;
  j["name"] = r.name;
  j["input"] = r.input_path;
  j["values"] = r.values;
  j["level_definition"] = kLevelDefinition;

  const MatrixStructure& m = r.matrix;
  ojson mj;
  mj["size"] = m.square ? m.nrows : std::max(m.nrows, m.ncols);
  mj["shape"] = {m.nrows, m.ncols};
  mj["nnz"] = m.nnz;
  mj["density_pct"] = m.density_pct;
  mj["bandwidth"] = m.bandwidth;
  mj["profile"] = m.profile;
  mj["envelope"] = m.envelope;
  mj["is_structurally_symmetric"] = m.is_structurally_symmetric;
  mj["is_numerically_symmetric"] = m.is_numerically_symmetric;
  if (m.square) {
    mj["connected_components"] = m.connected_components;
    mj["component_sizes"] = m.component_sizes;
  } else {
    mj["connected_components"] = nullptr;
    mj["component_sizes"] = ojson::array();
  }
  mj["diagonal_dominance"] = {
      {"dominant_rows", m.dominant_rows}, {"total_rows", m.total_rows}, {"pct", m.dominant_pct}};
  mj["degree_stats"] = {{"row_min", m.degrees.row_min},   {"row_max", m.degrees.row_max},
                        {"row_mean", m.degrees.row_mean}, {"col_min", m.degrees.col_min},
                        {"col_max", m.degrees.col_max},   {"col_mean", m.degrees.col_mean}};
  mj["pattern_symmetry"] = m.pattern_symmetry;
  mj["numeric_symmetry"] = m.numeric_symmetry;
  mj["nnz_diagonal"] = m.nnz_diagonal;
  mj["structural_rank"] = m.structural_rank;
  if (m.square) {
    mj["strongly_connected_blocks"] = m.scc_blocks;
    mj["largest_strongly_connected_block"] = m.scc_largest;
  } else {
    mj["strongly_connected_blocks"] = nullptr;
    mj["largest_strongly_connected_block"] = nullptr;
  }
  mj["empty_rows"] = m.empty_rows;
  mj["empty_cols"] = m.empty_cols;
  mj["explicit_zeros"] = m.explicit_zeros;
  mj["duplicates_summed"] = m.duplicates_summed;
  mj["lower_bandwidth"] = m.lower_bandwidth;
  mj["upper_bandwidth"] = m.upper_bandwidth;
  mj["bandwidth_definition"] = kBandwidthDefinition;
  mj["profile_definition"] = kProfileDefinition;
  mj["envelope_definition"] = kEnvelopeDefinition;
  if (!m.notes.empty()) mj["notes"] = m.notes;
  j["matrix"] = mj;

  // Elimination tree and supernodes (natural order).
  ojson ej, sj;
  if (r.has_tree) {
    const TreeLevels& L = r.levels;
    const double n = static_cast<double>(r.n);
    ej["height"] = L.height;
    ej["n_leaves"] = L.n_leaves;
    ej["n_roots"] = L.n_roots;
    ej["max_parallelism"] = L.max_width;
    ej["avg_parallelism"] = L.avg_width;
    ej["min_parallelism"] = L.min_width;
    put_widths(ej, "level_widths", L.widths);
    put_widths(ej, "level_widths_alap", L.widths_alap);
    ej["level_definition"] = kLevelDefinition;
    ej["subtree_size_stats"] = {{"min", L.subtree_stats.min},
                                {"max", L.subtree_stats.max},
                                {"mean", L.subtree_stats.mean},
                                {"median", L.subtree_stats.median}};
    ej["parallelism_efficiency"] = L.height > 0 ? n / static_cast<double>(L.height) : 0.0;
    std::vector<index_t> sample(
        r.etree_parent.begin(),
        r.etree_parent.begin() +
            static_cast<std::ptrdiff_t>(std::min<std::size_t>(50, r.etree_parent.size())));
    ej["parent_array_sample"] = sample;
    ej["note"] =
        "elimination tree of the pattern of A+A^T in the natural order; the orderings section "
        "gives the tree under fill-reducing orderings";
    sj = supernode_json(r.chain_supernodes);
    sj["definition"] =
        "chains: k and k+1 in one supernode when parent(k) = k+1 and k+1 has one child (the "
        "script's count); fundamental adds colcount(k) = colcount(k+1) + 1";
    sj["fundamental"] = supernode_json(r.fundamental_supernodes);
    if (r.relaxed_supernode_count >= 0) sj["relaxed_count"] = r.relaxed_supernode_count;
    sj["note"] = "natural order; relaxed supernodes are CHOLMOD's amalgamation";
  } else {
    std::string note = r.notes.empty() ? "not applicable" : r.notes.front();
    ej["note"] = note;
    sj["note"] = note;
  }
  j["elimination_tree"] = ej;
  j["supernodes"] = sj;

  // LU fill.
  ojson fj;
  fj["original_nnz"] = r.fill.original_nnz;
  if (!r.lu_requested) {
    fj["skipped"] = "disabled (--lu-fill none)";
  } else if (!r.fill.applicable) {
    fj["note"] = r.fill.note;
  } else {
    ojson oj = ojson::object();
    for (const auto& e : r.fill.superlu) oj[e.name] = lu_entry_json(e, false);
    fj["orderings"] = oj;
    fj["best_ordering"] =
        r.fill.best_ordering.empty() ? ojson(nullptr) : ojson(r.fill.best_ordering);
    if (!r.fill.klu.empty()) {
      ojson kj = ojson::object();
      for (const auto& e : r.fill.klu) kj[e.name] = lu_entry_json(e, true);
      fj["klu"] = {
          {"orderings", kj},
          {"best_ordering",
           r.fill.best_klu_ordering.empty() ? ojson(nullptr) : ojson(r.fill.best_klu_ordering)}};
    }
    fj["values"] = r.fill.values;
    fj["definition"] =
        "SuperLU as scipy's splu: get_perm_c column ordering, dgstrf with partial pivoting "
        "(diag_pivot_thresh 1.0; each entry's method says the relaxed-supernode size, or "
        "'structural' for synthesized values, where pivoting provably keeps the diagonal); L "
        "with its unit diagonal, U with its diagonal; factor_nnz = "
        "L_nnz + U_nnz - n. KLU with BTF: L_nnz = lnz, U_nnz = unz per diagonal block, "
        "factor_nnz = lnz + unz - n + offdiag_nnz";
    if (!r.fill.note.empty()) fj["note"] = r.fill.note;
  }
  j["fill_in"] = fj;

  // RCM.
  ojson rj;
  if (r.has_rcm) {
    bool have_perm = std::any_of(r.orderings.begin(), r.orderings.end(),
                                 [](const OrderingAnalysis& o) { return o.ordering == "rcm"; });
    rj["bandwidth_original"] = m.bandwidth;
    rj["bandwidth_rcm"] = r.bandwidth_rcm;
    rj["bandwidth_reduction_pct"] =
        m.bandwidth > 0 ? 100.0 * static_cast<double>(m.bandwidth - r.bandwidth_rcm) /
                              static_cast<double>(m.bandwidth)
                        : 0.0;
    rj["permutation_available"] = have_perm;
    if (have_perm) rj["permutation_file"] = "perm_rcm.npy";
  } else {
    rj["note"] = r.notes.empty() ? "not applicable" : r.notes.front();
    rj["permutation_available"] = false;
  }
  j["rcm_ordering"] = rj;

  if (r.stability) {
    const PatternStability& s = *r.stability;
    ojson pj;
    pj["is_fixed"] = s.is_fixed;
    pj["n_samples"] = s.n_samples;
    if (s.has_mismatch) {
      pj["first_mismatch"] = {{"index", s.mismatch_index},
                              {"added_entries", s.added_entries},
                              {"removed_entries", s.removed_entries}};
    } else {
      pj["first_mismatch"] = nullptr;
    }
    if (s.has_value_variation) {
      pj["value_variation"] = {{"mean_relative_variation", s.mean_relative_variation},
                               {"max_relative_variation", s.max_relative_variation},
                               {"median_relative_variation", s.median_relative_variation}};
    } else {
      pj["value_variation"] = nullptr;
    }
    pj["note"] = s.note;
    j["pattern_stability"] = pj;
  }

  // Orderings.
  ojson oj = ojson::object();
  for (std::size_t k = 0; k < r.orderings.size(); ++k) {
    const OrderingAnalysis& o = r.orderings[k];
    ojson x;
    x["seconds"] = o.seconds;
    x["analysis_seconds"] = o.analysis_seconds;
    x["bandwidth"] = o.bandwidth;
    x["etree_height"] = o.height;
    x["n_leaves"] = o.n_leaves;
    x["max_level_width"] = o.max_width;
    x["avg_level_width"] = o.avg_width;
    put_widths(x, "level_widths", o.level_widths);
    x["nnz_L"] = o.nnz_l;
    x["flops"] = o.flops;
    x["critical_path_flops"] = o.critical_path;
    x["work_span"] = o.work_span;
    x["fundamental_supernodes"] = o.fundamental_supernodes;
    x["relaxed_supernodes"] = o.relaxed_supernodes;
    x["supernodal_tree_height"] = o.supernodal_tree_height;
    x["supernodal_tree_max_width"] = o.supernodal_tree_max_width;
    x["memory_bytes_L"] = o.memory_bytes;
    if (const LuFillEntry* e = lu_for_ordering(r, o.ordering)) {
      x["memory_bytes_LU"] = lu_bytes(r.n, e->factor_nnz);
      x["memory_bytes_LU_from"] = e->library + " " + e->name;
    }
    if (k < r.measured.size()) {
      const MeasuredFactorization& mf = r.measured[k];
      ojson mj;
      if (!mf.skipped.empty()) {
        mj["skipped"] = mf.skipped;
      } else if (!mf.ok) {
        mj["error"] = mf.error;
      } else {
        mj["cholmod_factor_seconds"] = mf.cholmod_seconds;
        if (mf.klu_seconds >= 0) {
          mj["klu_factor_seconds"] = mf.klu_seconds;
        } else {
          mj["klu_error"] = mf.klu_error;
        }
        add_threaded_measure(mj, mf);
      }
      x["measured"] = mj;
    }
    if (o.schedule)
      x["schedule"] = schedule_json(*o.schedule, k < r.measured.size() ? &r.measured[k] : nullptr);
    x["files"] = {{"perm", "perm_" + o.ordering + ".npy"},
                  {"level_set_widths", "level_set_widths_" + o.ordering + ".csv"},
                  {"etree_parent", "etree_parent_" + o.ordering + ".npy"}};
    oj[o.ordering] = x;
  }
  j["orderings"] = oj;
  if (const OrderingAnalysis* b = best_for_fill(r)) j["best_ordering_fill"] = b->ordering;
  if (const OrderingAnalysis* b = best_for_parallelism(r))
    j["best_ordering_parallelism"] = b->ordering;

  if (r.scatter) j["device_parallelism"] = scatter_json_value(*r.scatter);
  if (r.machine_model) j["machine_model"] = machine_model_info_json(*r.machine_model);

  ojson tj = ojson::object();
  for (const auto& [phase, sec] : r.timings) tj[phase] = sec;
  j["timings"] = tj;
  if (!r.notes.empty()) j["notes"] = r.notes;
  return j;
}

}  // namespace

std::string analyze_json(const AnalyzeResult& r, int indent) {
  return json_text(build_json(r), indent);
}

}  // namespace spax
