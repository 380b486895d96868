// spax order A.mtx --ordering NAME --out perm.npy: computes one fill-reducing ordering and
// writes it as an int64 .npy (0-based, p[k] = original index of the k-th pivot).
#include <cstdio>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "spax/report/text_format.hpp"

namespace spax::app {
namespace {

struct OrderOptions {
  std::string file;
  std::string ordering;
  std::string out;
  int threads = 0;
};

Registration reg("order", [](CLI::App& app) {
  auto opts = std::make_shared<OrderOptions>();
  auto* sub = app.add_subcommand(
      "order", "Compute a fill-reducing ordering of A+A^T and write it as int64 .npy");
  sub->add_option("file", opts->file, "Matrix Market file (.mtx, .mtx.gz, or - for stdin)")
      ->required();
  sub->add_option("--ordering", opts->ordering, "Ordering: " + ordering_names_joined())->required();
  sub->add_option("--out", opts->out,
                  "Output .npy file (int64, p[k] = old index of pivot k); - for standard output")
      ->required();
  add_threads_option(*sub, opts->threads);
  sub->callback([opts] {
    // Check the name before reading anything, so a typo fails fast with the list of names.
    if (!is_ordering_name(opts->ordering))
      throw_usage("unknown ordering '" + opts->ordering + "' (known: " + ordering_names_joined() +
                  ")");
    require_extension(opts->out, {".npy"}, "a NumPy .npy array", "--out");
    require_writable_output(opts->out, "--out");
    ReadOptions ro;
    ro.threads = opts->threads;
    MatrixFile mf = read_matrix_market(opts->file, ro);
    const SparseMatrix& a = mf.matrix;
    Ordering o = compute_ordering(a, opts->ordering);
    SymbolicCholesky s = symbolic_cholesky(a, o.perm);
    write_npy(opts->out, std::span<const std::int64_t>(o.perm.data(), o.perm.size()));
    // With --out -, standard output holds the .npy bytes: the summary goes to stderr.
    (is_stdout_path(opts->out) ? std::cerr : std::cout)
        << "ordering " << o.name << ": n = " << a.ncols << ", nnz(L) = " << s.nnz_l << ", "
        << format_seconds(o.seconds) << " -> " << opts->out << "\n";
  });
});

}  // namespace
}  // namespace spax::app
