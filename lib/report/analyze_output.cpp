// `spax analyze`'s files (the JSON, the summary, CSV, .npy and SVG files) and its HTML page, all
// from one AnalyzeResult.
#include <filesystem>
#include <ostream>

#include "report/html_report.hpp"
#include "spax/analyze_report.hpp"
#include "spax/io.hpp"
#include "spax/report/schedule_report.hpp"
#include "spax/report/svg_plots.hpp"

namespace spax {

namespace {

// The HTML page of an analysis, from its summary and, when already rendered, its pictures.
std::string analyze_page(const AnalyzeResult& r, const std::string& summary,
                         const std::vector<std::pair<std::string, std::string>>* svgs = nullptr) {
  HtmlReportInput in = analysis_report_input(
      r.name, r.pattern, r.orderings, r.has_tree ? r.chain_supernodes : SupernodeStats{}, summary,
      r.scatter ? &r.scatter->jacobian.fan_in_distribution : nullptr, svgs);
  in.subtitle = (r.input_path.empty() ? r.name : r.input_path) + " - " +
                std::to_string(r.pattern.nrows) + " x " + std::to_string(r.pattern.ncols) + ", " +
                std::to_string(r.pattern.nnz()) + " stored entries";
  if (r.scatter) {
    in.extra_section_id = "scatter";
    in.extra_section_title = "Scatter conflicts";
    in.extra_text = scatter_summary(*r.scatter);
  }
  return analysis_html(in);
}

}  // namespace

std::vector<std::string> write_analyze_outputs(const AnalyzeResult& r, const std::string& dir,
                                               bool html, std::string* summary_out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw_input("cannot create output directory: " + ec.message(), dir);
  std::vector<std::string> written;
  auto path = [&](const std::string& name) { return (fs::path(dir) / name).string(); };
  auto csv = [&](const std::string& name, const std::vector<index_t>& widths) {
    write_file_atomic(path(name), [&](std::ostream& out) {
      out << "level,width\n";
      for (std::size_t k = 0; k < widths.size(); ++k) out << k << ',' << widths[k] << '\n';
    });
    written.push_back(path(name));
  };
  auto npy = [&](const std::string& name, const std::vector<index_t>& v) {
    write_npy(path(name), std::span<const std::int64_t>(v.data(), v.size()));
    written.push_back(path(name));
  };
  std::string json = analyze_json(r, 2);
  write_file_atomic(path("parallelism_analysis.json"),
                    [&](std::ostream& out) { out << json << '\n'; });
  written.push_back(path("parallelism_analysis.json"));
  std::string summary = analyze_summary(r);
  write_file_atomic(path("parallelism_summary.txt"), [&](std::ostream& out) { out << summary; });
  written.push_back(path("parallelism_summary.txt"));
  csv("level_set_widths.csv", r.has_tree ? r.levels.widths : std::vector<index_t>{});
  npy("etree_parent.npy", r.has_tree ? r.etree_parent : std::vector<index_t>{});
  if (r.scatter) {
    write_npy(path("device_batches.npy"),
              std::span<const std::int64_t>(r.scatter->schedule.colour));
    written.push_back(path("device_batches.npy"));
  }
  const std::vector<std::pair<std::string, std::string>> svgs =
      analysis_svgs(r.pattern, r.orderings, r.has_tree ? r.chain_supernodes : SupernodeStats{},
                    r.scatter ? &r.scatter->jacobian.fan_in_distribution : nullptr);
  for (const auto& picture : svgs) {
    const std::string& svg = picture.second;
    write_file_atomic(path(picture.first), [&svg](std::ostream& out) { out << svg; });
    written.push_back(path(picture.first));
  }
  if (std::string svg = schedule_svg(r); !svg.empty()) {
    write_file_atomic(path("schedule.svg"), [&](std::ostream& out) { out << svg; });
    written.push_back(path("schedule.svg"));
  }
  for (const auto& o : r.orderings) {
    npy("perm_" + o.ordering + ".npy", o.perm);
    csv("level_set_widths_" + o.ordering + ".csv", o.level_widths);
    npy("etree_parent_" + o.ordering + ".npy", o.parent);
  }
  if (html) {
    const std::string page = analyze_page(r, summary, &svgs);
    write_file_atomic(path("report.html"), [&](std::ostream& out) { out << page; });
    written.push_back(path("report.html"));
  }
  if (summary_out) *summary_out = std::move(summary);
  return written;
}

std::string analyze_html(const AnalyzeResult& r) {
  return analyze_page(r, analyze_summary(r));
}

}  // namespace spax
