// spax report A.mtx [--stamps S] -o report.html [--orderings LIST] [--threads N]: analyses the
// matrix under several orderings and writes one self-contained HTML page (tables and pictures).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "report/html_report.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "spax/scatter.hpp"

namespace spax::app {
namespace {

struct ReportOptions {
  std::string file;
  std::string out;
  std::string stamps;
  std::string orderings = "natural,amd,metis,colamd,rcm";
  std::string name;
  int threads = 0;
};

std::string default_name(const std::string& path) {
  if (path == "-") return "stdin";
  std::filesystem::path p(path);
  std::string name = p.filename().string();
  for (const char* ext : {".gz", ".mtx"}) {
    std::string e = ext;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0)
      name.erase(name.size() - e.size());
  }
  return name;
}

Registration reg("report", [](CLI::App& app) {
  auto opts = std::make_shared<ReportOptions>();
  auto* sub = app.add_subcommand(
      "report", "Analyse a matrix under several orderings and write one self-contained HTML page");
  sub->add_option("file", opts->file, "Matrix Market file (.mtx, .mtx.gz, or - for stdin)")
      ->required();
  sub->add_option("-o,--out", opts->out, "Output .html file (- for standard output)")->required();
  sub->add_option("--orderings", opts->orderings,
                  "Comma-separated orderings, or 'all' (default natural,amd,metis,colamd,rcm; "
                  "known: " +
                      ordering_names_joined() + ")");
  sub->add_option("--stamps", opts->stamps,
                  "Stamp map (.json or .csv) of the assembly: adds the scatter section and the "
                  "fan-in histogram");
  sub->add_option("--name", opts->name, "Name shown on the page (default: the file's stem)");
  add_threads_option(*sub, opts->threads);
  sub->callback([opts] {
    // The same list syntax as analyze's ("all" included).
    std::vector<std::string> names = parse_ordering_list(opts->orderings);
    require_extension(opts->out, {".html", ".htm"}, "HTML", "--out");
    require_writable_output(opts->out, "--out");
    ReadOptions ro;
    ro.threads = opts->threads;
    MatrixFile mf = read_matrix_market(opts->file, ro);
    const SparseMatrix& a = mf.matrix;
    std::string name = opts->name.empty() ? default_name(opts->file) : opts->name;

    std::vector<OrderingAnalysis> orderings;
    SupernodeStats natural_sn;
    if (a.is_square()) {
      AnalysisOptions ao;
      ao.threads = opts->threads;
      orderings = analyze_orderings(a, names, ao);
      auto nat = std::find_if(orderings.begin(), orderings.end(),
                              [](const OrderingAnalysis& o) { return o.ordering == "natural"; });
      if (nat != orderings.end()) {
        natural_sn = fundamental_supernodes(nat->parent, nat->colcount);
      } else {
        SymbolicCholesky s = symbolic_cholesky(a);
        natural_sn = fundamental_supernodes(s.parent, s.colcount);
      }
    } else {
      warn("the matrix is " + std::to_string(a.nrows) + " x " + std::to_string(a.ncols) +
           ": orderings, tree and fill need a square matrix; the page shows the rest");
    }

    std::unique_ptr<ScatterResult> scatter;
    if (!opts->stamps.empty()) {
      StampMap map = read_stamps(opts->stamps);
      ScatterOptions so;
      so.threads = opts->threads;
      bool match = a.is_square() && map.n_unknowns == a.nrows;
      if (!match)
        warn("the stamp map has " + std::to_string(map.n_unknowns) +
             " unknowns but the matrix is " + std::to_string(a.nrows) + " x " +
             std::to_string(a.ncols) + ": the pattern comparison is left out");
      scatter = std::make_unique<ScatterResult>(analyze_scatter(map, so, match ? &a : nullptr));
      scatter->source = opts->stamps;
      if (match) scatter->matrix_path = opts->file;
    }

    HtmlReportInput in =
        analysis_report_input(name, a, orderings, natural_sn, {},
                              scatter ? &scatter->jacobian.fan_in_distribution : nullptr);
    in.subtitle = opts->file + " - " + std::to_string(a.nrows) + " x " + std::to_string(a.ncols) +
                  ", " + std::to_string(a.nnz()) + " stored entries";
    if (scatter) {
      in.extra_section_id = "scatter";
      in.extra_section_title = "Scatter conflicts";
      in.extra_text = scatter_summary(*scatter);
    }
    std::string html = analysis_html(in);
    write_output(opts->out, [&html](std::ostream& o) { o << html; });
    (is_stdout_path(opts->out) ? std::cerr : std::cout)
        << "report of " << name << " (" << orderings.size() << " orderings, " << in.pictures.size()
        << " pictures) -> " << opts->out << " (" << html.size() << " bytes)\n";
  });
});

}  // namespace
}  // namespace spax::app
