// spax report A.mtx [--stamps S] -o report.html [--orderings LIST] [--threads N]: `spax analyze`
// without the LU fill and the schedule predictions, written as one self-contained HTML page
// (the summary, tables, the pictures inline and, with a stamp map, the scatter section).
#include <iostream>
#include <memory>

#include "command.hpp"
#include "spax/analyze_report.hpp"
#include "spax/io.hpp"

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

Registration reg("report", [](CLI::App& app) {
  auto opts = std::make_shared<ReportOptions>();
  auto* sub = app.add_subcommand(
      "report",
      "Analyse a matrix under several orderings and write one self-contained HTML page: spax\n"
      "analyze's summary, tables and pictures, without its LU fill and schedule predictions. A\n"
      "rectangular matrix, or a stamp map of another size, gives a warning and the page shows\n"
      "what can be shown.");
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
    AnalyzeOptions ao;
    set_analyze_orderings(ao, opts->orderings, "--orderings");  // analyze's syntax, "all" too
    require_extension(opts->out, {".html", ".htm"}, "HTML", "--out");
    require_writable_output(opts->out, "--out");
    ao.superlu = ao.klu = false;
    ao.predict = false;
    ao.threads = opts->threads;
    ao.name = opts->name;
    ao.stamps = opts->stamps;
    ao.stamps_must_match = false;
    const AnalyzeResult r = analyze_files({opts->file}, ao);
    // What the page cannot show (a rectangular matrix, a stamp map of another size).
    for (const auto& note : r.notes) warn(note);
    const std::string html = analyze_html(r);
    write_output(opts->out, [&html](std::ostream& o) { o << html; });
    (is_stdout_path(opts->out) ? std::cerr : std::cout)
        << "report of " << r.name << " (" << r.orderings.size() << " orderings) -> " << opts->out
        << " (" << html.size() << " bytes)\n";
  });
});

}  // namespace
}  // namespace spax::app
