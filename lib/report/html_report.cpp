// The self-contained HTML analysis page (see html_report.hpp).
#include "report/html_report.hpp"
#include "spax/report/text_format.hpp"

#include <algorithm>
#include <cstdio>

#include "spax/common.hpp"
#include "spax/report/svg_plots.hpp"

namespace spax {
namespace {

const char* kCss = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1b1f24; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: #0b3c5d; color: #ffffff; padding: 14px 18px; }
header h1 { margin: 0; font-size: 1.5rem; overflow-wrap: anywhere; }
header p { margin: 4px 0 0; opacity: 0.85; font-size: 0.9rem; overflow-wrap: anywhere; }
nav { display: flex; flex-wrap: wrap; gap: 6px 14px; padding: 8px 18px; background: #e8edf2;
  font-size: 0.9rem; }
nav a { color: #0b3c5d; text-decoration: none; }
main { max-width: 1100px; margin: 0 auto; padding: 4px 12px 24px; }
section { background: #ffffff; border: 1px solid #d8dde3; border-radius: 6px; margin: 14px 0;
  padding: 10px 16px 14px; }
h2 { font-size: 1.2rem; margin: 4px 0 10px; color: #0b3c5d; }
h3 { font-size: 1rem; margin: 14px 0 6px; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e4e7eb; text-align: right;
  white-space: nowrap; }
th { background: #f0f3f6; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
p.note, p.empty { color: #555f6b; font-size: 0.88rem; margin: 6px 0; }
pre { background: #f3f5f7; border: 1px solid #e1e5ea; padding: 8px 10px; font-size: 0.82rem;
  white-space: pre-wrap; overflow-wrap: anywhere; }
figure { margin: 14px 0 18px; }
figure > svg { display: block; max-width: 100%; height: auto; border: 1px solid #e4e7eb; }
figcaption { font-size: 0.88rem; color: #555f6b; margin-top: 4px; }
footer { text-align: center; color: #6b7480; font-size: 0.8rem; padding: 10px; }
@media (max-width: 640px) {
  header h1 { font-size: 1.2rem; }
  main { padding: 2px 6px 16px; }
  section { padding: 8px 10px 10px; margin: 10px 0; }
  th, td { padding: 3px 6px; font-size: 0.8rem; }
}
@media print {
  body { background: #ffffff; color: #000000; }
  header { background: none; color: #000000; border-bottom: 2px solid #000000; padding: 0 0 6px; }
  nav, footer { display: none; }
  main { max-width: none; padding: 0; }
  section { border: none; padding: 0; margin: 12px 0; }
  .table-wrap { overflow: visible; }
  table, figure { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure > svg { border: none; }
}
)css";

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string sci(double v) {
  char buf[64];
  if (v != 0.0 && (v >= 1e7 || v < 1e-3)) {
    std::snprintf(buf, sizeof buf, "%.3e", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  }
  return buf;
}

std::string section_title(const std::string& id) {
  if (id == "summary") return "Summary";
  if (id == "matrix") return "Matrix";
  if (id == "elimination-tree") return "Elimination tree";
  if (id == "supernodes") return "Supernodes";
  if (id == "orderings") return "Orderings";
  if (id == "fill-in") return "Fill-in";
  if (id == "pictures") return "Pictures";
  return id;
}

void render_table(std::string& h, const HtmlTable& t) {
  if (!t.title.empty()) h += "<h3>" + xml_escape(t.title) + "</h3>\n";
  h += "<div class=\"table-wrap\"><table>\n";
  if (!t.header.empty()) {
    h += "<thead><tr>";
    for (const auto& c : t.header) h += "<th scope=\"col\">" + xml_escape(c) + "</th>";
    h += "</tr></thead>\n";
  }
  h += "<tbody>\n";
  for (const auto& row : t.rows) {
    h += "<tr>";
    for (const auto& c : row) h += "<td>" + xml_escape(c) + "</td>";
    h += "</tr>\n";
  }
  h += "</tbody></table></div>\n";
  if (!t.note.empty()) h += "<p class=\"note\">" + xml_escape(t.note) + "</p>\n";
}

// The SVG element of a standalone document: no XML declaration, no namespace attribute (the
// HTML parser puts <svg> in the SVG namespace by itself).
std::string inline_svg(const std::string& svg) {
  std::string s = svg;
  if (s.rfind("<?xml", 0) == 0) {
    auto e = s.find("?>");
    if (e != std::string::npos) s.erase(0, e + 2);
  }
  const std::string ns = " xmlns=\"http://www.w3.org/2000/svg\"";
  auto p = s.find(ns);
  if (p != std::string::npos) s.erase(p, ns.size());
  while (!s.empty() && (s.front() == '\n' || s.front() == ' ')) s.erase(0, 1);
  return s;
}

}  // namespace

const std::vector<std::string>& html_section_ids() {
  static const std::vector<std::string> ids = {
      "summary", "matrix", "elimination-tree", "supernodes", "orderings", "fill-in", "pictures"};
  return ids;
}

std::string analysis_html(const HtmlReportInput& in) {
  const auto& ids = html_section_ids();
  std::string h;
  h.reserve(1 << 16);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>spax report: " + xml_escape(in.matrix_name) + "</title>\n";
  h += "<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n";
  h += "<header><h1>" + xml_escape(in.matrix_name) + "</h1>";
  if (!in.subtitle.empty()) h += "<p>" + xml_escape(in.subtitle) + "</p>";
  h += "</header>\n<nav>";
  for (const auto& id : ids) {
    if (id == "pictures" && !in.extra_section_id.empty())
      h += "<a href=\"#" + xml_escape(in.extra_section_id) + "\">" +
           xml_escape(in.extra_section_title) + "</a>";
    h += "<a href=\"#" + id + "\">" + xml_escape(section_title(id)) + "</a>";
  }
  h += "</nav>\n<main>\n";
  for (const auto& id : ids) {
    if (id == "pictures" && !in.extra_section_id.empty()) {
      h += "<section id=\"" + xml_escape(in.extra_section_id) + "\">\n<h2>" +
           xml_escape(in.extra_section_title) + "</h2>\n";
      if (!in.extra_text.empty()) h += "<pre>" + xml_escape(in.extra_text) + "</pre>\n";
      for (const auto& t : in.extra_tables) render_table(h, t);
      h += "</section>\n";
    }
    h += "<section id=\"" + id + "\">\n<h2>" + xml_escape(section_title(id)) + "</h2>\n";
    bool any = false;
    if (id == "summary" && !in.summary_text.empty()) {
      h += "<pre>" + xml_escape(in.summary_text) + "</pre>\n";
      any = true;
    }
    for (const auto& t : in.tables) {
      bool known = std::find(ids.begin(), ids.end(), t.section) != ids.end();
      if (t.section == id || (!known && id == "summary")) {
        render_table(h, t);
        any = true;
      }
    }
    if (id == "pictures") {
      for (const auto& p : in.pictures) {
        h += "<figure>\n" + inline_svg(p.svg);
        if (!p.title.empty()) h += "<figcaption>" + xml_escape(p.title) + "</figcaption>\n";
        h += "</figure>\n";
        any = true;
      }
    }
    if (!any) h += "<p class=\"empty\">Nothing to show for this matrix.</p>\n";
    h += "</section>\n";
  }
  h += "</main>\n<footer>spax " + xml_escape(version()) + "</footer>\n</body>\n</html>\n";
  return h;
}

HtmlReportInput analysis_report_input(
    const std::string& matrix_name, const SparseMatrix& a,
    const std::vector<OrderingAnalysis>& orderings, const SupernodeStats& natural_supernodes,
    const std::string& summary_text, const std::map<index_t, index_t>* fan_in,
    const std::vector<std::pair<std::string, std::string>>* pictures) {
  HtmlReportInput in;
  in.matrix_name = matrix_name;
  const index_t n = a.ncols;
  const index_t nnz = a.nnz();
  double cells = static_cast<double>(a.nrows) * static_cast<double>(a.ncols);
  double density = cells > 0 ? 100.0 * static_cast<double>(nnz) / cells : 0.0;

  // Matrix figures.
  HtmlTable m;
  m.section = "matrix";
  m.header = {"property", "value"};
  m.rows.push_back({"rows", with_commas(a.nrows)});
  m.rows.push_back({"columns", with_commas(a.ncols)});
  m.rows.push_back({"stored entries (nnz)", with_commas(nnz)});
  m.rows.push_back({"density %", density < 0.01 && density > 0 ? sci(density) : fixed(density, 4)});
  m.rows.push_back({"stored diagonal entries", with_commas(diagonal_nnz(a))});
  m.rows.push_back({"bandwidth (natural order)", with_commas(bandwidth(a))});
  m.rows.push_back({"value field", to_string(a.field)});
  m.rows.push_back({"declared symmetry", to_string(a.symmetry)});
  index_t sym_nnz_with_diag = 0;
  if (a.is_square()) {
    SparseMatrix s = symmetrized_pattern(a);
    m.rows.push_back({"structurally symmetric", s.nnz() == nnz ? "yes" : "no"});
    m.rows.push_back({"nnz(A + A^T)", with_commas(s.nnz())});
    sym_nnz_with_diag = s.nnz() + (n - diagonal_nnz(s));
  }
  in.tables.push_back(std::move(m));

  const char* not_square = "The tree, supernode and fill figures need a square matrix.";
  if (orderings.empty()) {
    HtmlTable t;
    t.section = "elimination-tree";
    t.note = a.is_square() ? "No ordering was analysed." : not_square;
    in.tables.push_back(t);
  }

  // Best orderings.
  const OrderingAnalysis* best_fill = nullptr;
  const OrderingAnalysis* best_par = nullptr;
  for (const auto& o : orderings) {
    if (best_fill == nullptr || o.nnz_l < best_fill->nnz_l) best_fill = &o;
    if (best_par == nullptr || o.work_span > best_par->work_span) best_par = &o;
  }

  if (!orderings.empty()) {
    HtmlTable t;
    t.section = "elimination-tree";
    t.title = "Elimination tree of A(p,p) + A(p,p)^T per ordering";
    t.header = {"ordering",        "height",           "leaves",
                "max level width", "mean level width", "critical path (flops)",
                "work / span"};
    for (const auto& o : orderings)
      t.rows.push_back({o.ordering, with_commas(o.height), with_commas(o.n_leaves),
                        with_commas(o.max_width), fixed(o.avg_width, 1), sci(o.critical_path),
                        fixed(o.work_span, 1)});
    t.note =
        "Levels are ASAP (0 = leaves): the schedule of a level-scheduled factorization. "
        "work / span = flops / critical path, the speedup the ordering allows on unlimited "
        "processors.";
    in.tables.push_back(std::move(t));

    HtmlTable s;
    s.section = "supernodes";
    s.title = "Supernodes per ordering";
    s.header = {"ordering", "fundamental", "relaxed (CHOLMOD)", "supernodal tree height",
                "supernodal tree max width"};
    for (const auto& o : orderings)
      s.rows.push_back({o.ordering, with_commas(o.fundamental_supernodes),
                        o.relaxed_supernodes < 0 ? "-" : with_commas(o.relaxed_supernodes),
                        with_commas(o.supernodal_tree_height),
                        with_commas(o.supernodal_tree_max_width)});
    in.tables.push_back(std::move(s));

    HtmlTable hist;
    hist.section = "supernodes";
    hist.title = "Supernode sizes, natural order";
    hist.header = {"size (columns)", "supernodes"};
    const auto& names = supernode_bucket_names();
    for (std::size_t i = 0; i < names.size(); ++i)
      hist.rows.push_back({names[i], with_commas(natural_supernodes.histogram[i])});
    hist.note = with_commas(natural_supernodes.count) + " supernodes, largest " +
                with_commas(natural_supernodes.largest) + ", mean size " +
                fixed(natural_supernodes.mean_size, 2) + ", median size " +
                fixed(natural_supernodes.median_size, 1) + ".";
    in.tables.push_back(std::move(hist));

    HtmlTable o;
    o.section = "orderings";
    o.title = "Orderings side by side";
    o.header = {"ordering", "ordering time (s)", "bandwidth",       "nnz(L)",
                "flops",    "work / span",       "memory of L (MB)"};
    for (const auto& x : orderings)
      o.rows.push_back({x.ordering, fixed(x.seconds, 3), with_commas(x.bandwidth),
                        with_commas(x.nnz_l), sci(x.flops), fixed(x.work_span, 1),
                        fixed(x.memory_bytes / 1e6, 1)});
    o.note = "Best for fill: " + best_fill->ordering + " (nnz(L) " + with_commas(best_fill->nnz_l) +
             "). Best for parallelism: " + best_par->ordering + " (work / span " +
             fixed(best_par->work_span, 1) + ").";
    in.tables.push_back(std::move(o));

    HtmlTable f;
    f.section = "fill-in";
    f.title = "Symbolic Cholesky fill of A(p,p) + A(p,p)^T";
    f.header = {"ordering", "nnz(L)", "nnz(L + L^T)", "fill-in entries", "fill ratio"};
    for (const auto& x : orderings) {
      index_t full = 2 * x.nnz_l - n;
      double ratio = sym_nnz_with_diag > 0
                         ? static_cast<double>(full) / static_cast<double>(sym_nnz_with_diag)
                         : 1.0;
      f.rows.push_back({x.ordering, with_commas(x.nnz_l), with_commas(full),
                        with_commas(full - sym_nnz_with_diag), fixed(ratio, 2)});
    }
    f.note =
        "Fill ratio = nnz(L + L^T) / nnz(A + A^T + I). LU with partial pivoting (spax analyze) "
        "can fill differently.";
    in.tables.push_back(std::move(f));
  }

  if (!summary_text.empty()) {
    in.summary_text = summary_text;
  } else {
    std::string s = matrix_name + ": " + with_commas(a.nrows) + " x " + with_commas(a.ncols) +
                    ", " + with_commas(nnz) + " stored entries\n";
    if (orderings.empty()) {
      s += a.is_square() ? "No ordering was analysed.\n" : std::string(not_square) + "\n";
    } else {
      for (const auto& o : orderings) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "  %-8s nnz(L) %14s  height %10s  work/span %10.1f\n",
                      o.ordering.c_str(), with_commas(o.nnz_l).c_str(),
                      with_commas(o.height).c_str(), o.work_span);
        s += buf;
      }
      s += "Best for fill: " + best_fill->ordering +
           "; best for parallelism: " + best_par->ordering + ".\n";
    }
    in.summary_text = s;
  }

  if (pictures) {
    for (const auto& [file, svg] : *pictures) in.pictures.push_back({file, svg});
  } else {
    for (auto& [file, svg] : analysis_svgs(a, orderings, natural_supernodes, fan_in))
      in.pictures.push_back({file, std::move(svg)});
  }
  return in;
}

}  // namespace spax
