// `spax analyze`'s summary text (parallelism_summary.txt and stdout) from one AnalyzeResult.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/analyze_common.hpp"
#include "spax/analyze_report.hpp"
#include "spax/report/schedule_report.hpp"
#include "spax/report/text_format.hpp"

namespace spax {
namespace {

using detail::best_for_fill;
using detail::best_for_parallelism;
using detail::lu_bytes;
using detail::lu_for_ordering;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string widths_text(const std::vector<index_t>& w) {
  std::ostringstream o;
  auto put = [&](std::size_t k) { o << (k ? " " : "") << w[k]; };
  if (w.size() <= 20) {
    for (std::size_t k = 0; k < w.size(); ++k) put(k);
  } else {
    for (std::size_t k = 0; k < 10; ++k) put(k);
    o << " ...";
    for (std::size_t k = w.size() - 10; k < w.size(); ++k) o << ' ' << w[k];
  }
  return o.str();
}

std::string pad(const std::string& s, std::size_t w, bool right = true) {
  if (s.size() >= w) return s;
  return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

}  // namespace

std::string analyze_summary(const AnalyzeResult& r) {
  std::ostringstream o;
  const MatrixStructure& m = r.matrix;
  o << "Parallelism analysis: " << r.name << "\n";
  o << "Input: " << r.input_path << " (values: " << r.values << ")\n\n";

  o << "== Matrix ==\n";
  o << "  size                " << m.nrows << " x " << m.ncols << ", nnz " << m.nnz << ", density "
    << fmt("%.4g", m.density_pct) << " %\n";
  o << "  bandwidth           " << m.bandwidth << " (lower " << m.lower_bandwidth << ", upper "
    << m.upper_bandwidth << ")\n";
  o << "  profile             " << with_commas(m.profile) << " (sum of |i - j|), envelope "
    << with_commas(m.envelope) << "\n";
  o << "  symmetry            structural " << (m.is_structurally_symmetric ? "yes" : "no")
    << ", numerical " << (m.is_numerically_symmetric ? "yes" : "no") << "; pattern "
    << fmt("%.4f", m.pattern_symmetry) << ", numeric " << fmt("%.4f", m.numeric_symmetry) << "\n";
  if (m.square) {
    o << "  components (A+A^T)  " << m.connected_components;
    if (!m.component_sizes.empty()) o << ", largest " << m.component_sizes.front();
    o << "\n";
    o << "  BTF                 structural rank " << m.structural_rank << ", " << m.scc_blocks
      << " strongly connected blocks, largest " << m.scc_largest << "\n";
  } else {
    o << "  structural rank     " << m.structural_rank << "\n";
  }
  o << "  diagonal            " << m.nnz_diagonal << " stored; dominant rows " << m.dominant_rows
    << " / " << m.total_rows << " (" << fmt("%.1f", m.dominant_pct) << " %)\n";
  o << "  row degree          min " << m.degrees.row_min << ", max " << m.degrees.row_max
    << ", mean " << fmt("%.2f", m.degrees.row_mean) << "\n";
  o << "  col degree          min " << m.degrees.col_min << ", max " << m.degrees.col_max
    << ", mean " << fmt("%.2f", m.degrees.col_mean) << "\n";
  o << "  empty rows/cols     " << m.empty_rows << " / " << m.empty_cols << "; explicit zeros "
    << m.explicit_zeros << "; duplicates summed " << m.duplicates_summed << "\n";
  for (const auto& n : m.notes) o << "  note: " << n << "\n";
  o << "\n";

  o << "== Elimination tree (A+A^T, natural order) ==\n";
  if (r.has_tree) {
    const TreeLevels& L = r.levels;
    o << "  height              " << L.height << ", leaves " << L.n_leaves << ", roots "
      << L.n_roots << "\n";
    o << "  parallelism         max " << L.max_width << ", avg " << fmt("%.2f", L.avg_width)
      << ", min " << L.min_width << " (n/height = " << fmt("%.2f", L.avg_width) << "x)\n";
    o << "  level widths (ASAP) " << widths_text(L.widths) << "\n";
    o << "  level widths (ALAP) " << widths_text(L.widths_alap) << "\n";
    o << "  subtree sizes       min " << fmt("%.0f", L.subtree_stats.min) << ", max "
      << fmt("%.0f", L.subtree_stats.max) << ", mean " << fmt("%.2f", L.subtree_stats.mean)
      << ", median " << fmt("%.1f", L.subtree_stats.median) << "\n\n";
    o << "== Supernodes (natural order) ==\n";
    const auto& names = supernode_bucket_names();
    auto line = [&](const char* label, const SupernodeStats& s) {
      o << "  " << label << s.count << ", largest " << s.largest << ", mean "
        << fmt("%.2f", s.mean_size) << ", median " << fmt("%.1f", s.median_size) << "; sizes";
      for (std::size_t k = 0; k < names.size(); ++k) o << ' ' << names[k] << ':' << s.histogram[k];
      o << "\n";
    };
    line("chains              ", r.chain_supernodes);
    line("fundamental         ", r.fundamental_supernodes);
    if (r.relaxed_supernode_count >= 0)
      o << "  relaxed (CHOLMOD)   " << r.relaxed_supernode_count << "\n";
  } else {
    o << "  " << (r.notes.empty() ? "not applicable" : r.notes.front()) << "\n";
  }
  o << "\n";

  o << "== LU fill ==\n";
  if (!r.lu_requested) {
    o << "  not computed (--lu-fill none)\n";
  } else if (!r.fill.applicable) {
    o << "  " << r.fill.note << "\n";
  } else {
    o << "  original nnz        " << r.fill.original_nnz << " (values: " << r.fill.values << ")\n";
    auto entry = [&](const LuFillEntry& e) {
      o << "  " << pad(e.library + " " + e.name, 24, false);
      if (!e.skipped.empty()) {
        o << "skipped: " << e.skipped << "\n";
      } else if (!e.ok) {
        o << "error: " << e.error << "\n";
      } else {
        o << "L " << e.L_nnz << ", U " << e.U_nnz << ", L+U-n " << e.factor_nnz << ", fill ratio "
          << fmt("%.2f", e.fill_ratio) << " (" << format_seconds(e.seconds) << ")\n";
        if (!e.note.empty()) o << "  " << pad("", 24, false) << "note: " << e.note << "\n";
      }
    };
    for (const auto& e : r.fill.superlu) entry(e);
    for (const auto& e : r.fill.klu) entry(e);
    if (!r.fill.best_ordering.empty())
      o << "  best (SuperLU)      " << r.fill.best_ordering << "\n";
    if (!r.fill.best_klu_ordering.empty())
      o << "  best (KLU)          " << r.fill.best_klu_ordering << "\n";
    if (!r.fill.note.empty()) o << "  note: " << r.fill.note << "\n";
  }
  o << "\n";

  o << "== RCM ordering ==\n";
  if (r.has_rcm) {
    double red = m.bandwidth > 0 ? 100.0 * static_cast<double>(m.bandwidth - r.bandwidth_rcm) /
                                       static_cast<double>(m.bandwidth)
                                 : 0.0;
    o << "  bandwidth           " << m.bandwidth << " -> " << r.bandwidth_rcm << " ("
      << fmt("%.1f", red) << " % reduction)\n\n";
  } else {
    o << "  not applicable\n\n";
  }

  if (r.stability) {
    const PatternStability& s = *r.stability;
    o << "== Pattern stability ==\n";
    o << "  samples             " << s.n_samples << ", pattern "
      << (s.is_fixed ? "fixed" : "changes") << "\n";
    if (s.has_mismatch)
      o << "  first mismatch      sample " << s.mismatch_index << ": +" << s.added_entries << " / -"
        << s.removed_entries << " entries\n";
    if (s.has_value_variation)
      o << "  value variation     mean " << fmt("%.4g", s.mean_relative_variation) << ", median "
        << fmt("%.4g", s.median_relative_variation) << ", max "
        << fmt("%.4g", s.max_relative_variation) << " (std/|mean|)\n";
    o << "  note: " << s.note << "\n\n";
  }

  if (!r.orderings.empty()) {
    o << "== Orderings (A+A^T under each ordering) ==\n";
    const std::vector<std::pair<std::string, std::size_t>> cols = {
        {"ordering", 9}, {"time", 10},      {"height", 9},      {"max width", 10}, {"nnz(L)", 13},
        {"flops", 11},   {"work/span", 10}, {"snodes f/r", 16}, {"mem L", 10}};
    for (const auto& [h, w] : cols) o << pad(h, w, h != "ordering");
    o << "\n";
    for (const auto& x : r.orderings) {
      o << pad(x.ordering, 9, false) << pad(format_seconds(x.seconds), 10)
        << pad(std::to_string(x.height), 9) << pad(std::to_string(x.max_width), 10)
        << pad(std::to_string(x.nnz_l), 13) << pad(format_count(x.flops), 11)
        << pad(fmt("%.1f", x.work_span), 10)
        << pad(std::to_string(x.fundamental_supernodes) + "/" +
                   std::to_string(x.relaxed_supernodes),
               16)
        << pad(format_bytes(x.memory_bytes), 10) << "\n";
    }
    if (!r.measured.empty()) {
      o << "measured factorization (numeric phase only):\n";
      for (std::size_t k = 0; k < r.orderings.size() && k < r.measured.size(); ++k) {
        const MeasuredFactorization& mf = r.measured[k];
        o << "  " << pad(r.orderings[k].ordering, 9, false);
        if (!mf.skipped.empty()) {
          o << "skipped: " << mf.skipped << "\n";
        } else if (!mf.ok) {
          o << "error: " << mf.error << "\n";
        } else {
          o << "CHOLMOD " << format_seconds(mf.cholmod_seconds) << ", KLU ";
          if (mf.klu_seconds >= 0) {
            o << format_seconds(mf.klu_seconds) << "\n";
          } else {
            o << mf.klu_error << "\n";
          }
        }
      }
    }
    if (const OrderingAnalysis* b = best_for_fill(r))
      o << "best for fill:        " << b->ordering << " (nnz(L) " << b->nnz_l << ")\n";
    if (const OrderingAnalysis* b = best_for_parallelism(r))
      o << "best for parallelism: " << b->ordering << " (work/span " << fmt("%.1f", b->work_span)
        << ", height " << b->height << ")\n";
  }
  if (std::string sched = schedule_summary(r); !sched.empty()) o << "\n" << sched;
  if (r.scatter) o << "\n" << scatter_summary(*r.scatter);
  return o.str();
}

}  // namespace spax
