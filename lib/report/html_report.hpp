// Internal: one self-contained HTML page for the analysis of a matrix: the summary text, tables
// and the SVG pictures inlined, with inline CSS only (no script, no font or file fetched from
// anywhere), readable on a phone (viewport meta, fluid tables, pictures scale to the width) and
// printable (@media print).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "spax/analysis.hpp"
#include "spax/sparse.hpp"

namespace spax {

// Section ids of the page, in page order. Every page has all of them (a section without
// content says so).
// summary, matrix, elimination-tree, supernodes, orderings, fill-in, pictures.
SPAX_API const std::vector<std::string>& html_section_ids();

struct SPAX_API HtmlTable {
  std::string section;  // one of html_section_ids() (unknown ids go to "summary")
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string note;  // optional line under the table
};

struct SPAX_API HtmlPicture {
  std::string title;
  std::string svg;  // a standalone SVG document (the XML declaration is dropped when inlined)
};

struct SPAX_API HtmlReportInput {
  std::string matrix_name;
  std::string subtitle;      // e.g. the input path and the spax version
  std::string summary_text;  // preformatted text (e.g. the analyze summary); may be empty
  std::vector<HtmlTable> tables;
  std::vector<HtmlPicture> pictures;
  // Optional extra section (e.g. "scatter" for a stamp map), placed before the pictures.
  std::string extra_section_id;
  std::string extra_section_title;
  std::vector<HtmlTable> extra_tables;
  std::string extra_text;
};

// The page.
SPAX_API std::string analysis_html(const HtmlReportInput& input);

// A page input built from the per-ordering analysis alone (the tables of `spax report`): matrix
// figures, tree, supernodes, orderings and symbolic fill per ordering, and the pictures of
// analysis_svgs. `natural_supernodes` is shown in the supernodes section; summary_text may be
// empty (a short summary is generated). fan_in adds the fan-in picture. `pictures`: the
// analysis_svgs already rendered for the same arguments (rendered here when null).
SPAX_API HtmlReportInput analysis_report_input(
    const std::string& matrix_name, const SparseMatrix& a,
    const std::vector<OrderingAnalysis>& orderings, const SupernodeStats& natural_supernodes,
    const std::string& summary_text = {}, const std::map<index_t, index_t>* fan_in = nullptr,
    const std::vector<std::pair<std::string, std::string>>* pictures = nullptr);

}  // namespace spax
