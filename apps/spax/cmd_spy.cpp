// spax spy A.mtx -o spy.svg [--ordering NAME] [--size PIXELS]: a spy plot of A (or of A(p,p)
// under an ordering) as an SVG density raster of at most 512 x 512 cells.
#include <iostream>
#include <memory>

#include "command.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "spax/report/svg_plots.hpp"

namespace spax::app {
namespace {

struct SpyCliOptions {
  std::string file;
  std::string out;
  std::string ordering;
  int size = 512;
  int threads = 0;
};

Registration reg("spy", [](CLI::App& app) {
  auto opts = std::make_shared<SpyCliOptions>();
  auto* sub = app.add_subcommand(
      "spy", "Write a spy plot (density raster of at most 512 x 512 cells) as SVG");
  sub->add_option("file", opts->file, "Matrix Market file (.mtx, .mtx.gz, or - for stdin)")
      ->required();
  sub->add_option("-o,--out", opts->out, "Output .svg file (- for standard output)")->required();
  sub->add_option("--ordering", opts->ordering,
                  "Plot A(p,p) under this ordering: " + ordering_names_joined());
  sub->add_option("--size", opts->size, "Pixels of the longer side of the raster (64..4096)")
      ->check(between(64, 4096, NumberKind::integer));
  add_threads_option(*sub, opts->threads);
  sub->callback([opts] {
    if (!opts->ordering.empty() && !is_ordering_name(opts->ordering))
      throw_usage("unknown ordering '" + opts->ordering + "' (known: " + ordering_names_joined() +
                  ")");
    require_extension(opts->out, {".svg"}, "SVG", "--out");
    require_writable_output(opts->out, "--out");
    ReadOptions ro;
    ro.threads = opts->threads;
    MatrixFile mf = read_matrix_market(opts->file, ro);
    const SparseMatrix& a = mf.matrix;
    SpyOptions so;
    so.size_px = opts->size;
    so.max_cells = std::min(512, opts->size);
    so.ordering = opts->ordering;
    std::string svg;
    if (opts->ordering.empty() || opts->ordering == "natural") {
      svg = spy_svg(a, {}, so);
    } else {
      Ordering o = compute_ordering(a, opts->ordering);
      svg = spy_svg(a, o.perm, so);
    }
    write_output(opts->out, [&svg](std::ostream& o) { o << svg; });
    (is_stdout_path(opts->out) ? std::cerr : std::cout)
        << "spy plot of " << a.nrows << " x " << a.ncols << ", nnz = " << a.nnz()
        << (opts->ordering.empty() ? std::string() : ", ordering " + opts->ordering) << " -> "
        << opts->out << " (" << svg.size() << " bytes)\n";
  });
});

}  // namespace
}  // namespace spax::app
