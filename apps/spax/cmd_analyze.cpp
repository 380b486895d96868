// spax analyze A.mtx [B.mtx ...]: what a matrix offers a parallel direct solver.
#include <filesystem>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "progress.hpp"
#include "spax/analyze_report.hpp"
#include "spax/io.hpp"

namespace spax::app {
namespace {

struct AnalyzeCliOptions {
  std::vector<std::string> files;
  std::string output_dir;
  bool json = false;
  std::string orderings = "all";
  std::string lu_fill = "superlu,klu";
  double lu_timeout = 60.0;
  int lu_relax = 0;
  std::string name;
  int threads = 0;
  bool measure = false;
  std::string measure_solvers = "cholmod,klu,mumps";
  std::string stamps;
  bool html = false;
  bool calibrate = false;
  bool no_predict = false;
  std::string machine_model;
  int max_workers = 64;
};

const Registration reg("analyze", [](CLI::App& app) {
  auto opts = std::make_shared<AnalyzeCliOptions>();
  auto* sub = app.add_subcommand(
      "analyze",
      "Analyse what a square sparse matrix offers a parallel direct solver: structure\n"
      "statistics, the elimination tree of A+A^T and its level sets, supernodes, LU fill under\n"
      "SuperLU's and KLU's orderings, RCM, and for each fill-reducing ordering (natural, amd,\n"
      "metis, colamd, mmd, rcm) the tree height, level widths, nnz(L), flops, critical path,\n"
      "work/span and predicted factor memory, and the predicted time of CHOLMOD's supernodal\n"
      "factorization on 1, 2, 4, ... 64 workers (tree, within-front and both), of level-scheduled\n"
      "triangular solves, a GPU batch plan and the memory per process, from this machine's model\n"
      "(spax calibrate; the documented default model without one). The first file is analysed;\n"
      "all files feed the pattern-stability section (a Newton loop's Jacobians).\n"
      "stdout: the summary text (or the JSON with --json). Files written to DIR (default\n"
      "spax-out/NAME): parallelism_analysis.json, parallelism_summary.txt,\n"
      "level_set_widths.csv, etree_parent.npy, schedule.svg, and per ordering perm_NAME.npy,\n"
      "level_set_widths_NAME.csv, etree_parent_NAME.npy (each written whole or not at all).\n"
      "Pattern-only matrices are factored with synthesized, diagonally dominant values.");
  sub->add_option("files", opts->files, "Matrix Market files (.mtx or .mtx.gz)")->required();
  sub->add_option("--output-dir,-o", opts->output_dir,
                  "Directory for the output files (default spax-out/NAME)");
  sub->add_flag("--json", opts->json, "Print the JSON document instead of the summary");
  sub->add_option(
         "--orderings", opts->orderings,
         "Comma-separated orderings to analyse, or 'all' (" + ordering_names_joined() + ")")
      ->capture_default_str();
  sub->add_option("--lu-fill", opts->lu_fill,
                  "LU fill libraries: 'superlu', 'klu', 'superlu,klu' or 'none'")
      ->capture_default_str();
  sub->add_option("--lu-timeout", opts->lu_timeout,
                  "Seconds allowed per LU factorization; past it the entry says skipped")
      ->capture_default_str()
      ->check(positive());
  auto* relax_option =
      sub->add_option(
             "--lu-relax", opts->lu_relax,
             "SuperLU relaxed-supernode size for the fill counts. 0 (auto): scipy's (10) "
             "when it ends within 3x the time of a run without relaxation, else that run's "
             "counts, with a note (relaxed supernodes can cost 100x on matrices with dense "
             "rows; counts differ only by ties in the pivot search)")
          ->capture_default_str()
          ->check(non_negative(NumberKind::integer));
  sub->add_flag("--measure", opts->measure,
                "Factor once per ordering (CHOLMOD on the symmetric pattern, KLU with that "
                "ordering) and report the seconds, and time CHOLMOD's supernodal factorization "
                "with 1 and 2 BLAS threads beside the predictions; each ordering under "
                "--lu-timeout");
  sub->add_option(
         "--measure-solvers", opts->measure_solvers,
         "What --measure times, comma-separated: cholmod, klu, mumps (its factorization on 1 "
         "and 2 MPI processes, each an MPI job through mpirun, where the mumps backend "
         "is available)")
      ->capture_default_str();
  sub->add_flag("--calibrate", opts->calibrate,
                "Measure this machine first (as `spax calibrate`, a few seconds) and cache the "
                "model the predictions use");
  sub->add_option("--machine-model", opts->machine_model,
                  "Machine model file (default: this machine's cache file; with --calibrate, "
                  "where the new model is written)");
  sub->add_flag("--no-predict", opts->no_predict,
                "Skip the schedule predictions (orderings.NAME.schedule)");
  sub->add_option("--max-workers", opts->max_workers,
                  "Largest worker count of the predictions (1, 2, 4, ... up to it)")
      ->capture_default_str()
      ->check(between(1, 4096, NumberKind::integer));
  sub->add_option("--name", opts->name, "Report name (default: the first file's stem)");
  sub->add_flag("--html", opts->html,
                "Also write DIR/report.html: one self-contained page (summary, tables, pictures)");
  sub->add_option("--stamps", opts->stamps,
                  "Stamp map (JSON or .csv) of the assembly that produced the matrix: adds the "
                  "scatter-conflict analysis (device_parallelism) and device_batches.npy");
  add_threads_option(*sub, opts->threads);
  sub->callback([opts, relax_option] {
    AnalyzeOptions ao;
    set_analyze_orderings(ao, opts->orderings, "--orderings");
    set_analyze_lu_fill(ao, opts->lu_fill, "--lu-fill");
    ao.lu_timeout = opts->lu_timeout;
    ao.superlu_relax = opts->lu_relax;
    // An option that applies to nothing is a usage error, never silently dropped.
    if (relax_option->count() > 0 && !ao.superlu)
      throw_usage("--lu-relax applies to SuperLU's LU fill, which --lu-fill leaves out");
    ao.threads = opts->threads;
    // The name becomes a directory under spax-out/ (and a title): one path component.
    if (!opts->name.empty() && !is_plain_name(opts->name))
      throw_usage("--name '" + opts->name +
                  "' is not a plain name (no '/', not '.' or '..'); give a directory with "
                  "--output-dir");
    ao.name = opts->name;
    ao.measure = opts->measure;
    ao.measure_with.cholmod = ao.measure_with.klu = false;
    for (const auto& lib : split_comma_list(opts->measure_solvers)) {
      if (lib == "cholmod") {
        ao.measure_with.cholmod = true;
      } else if (lib == "klu") {
        ao.measure_with.klu = true;
      } else if (lib == "mumps") {
        // Not inside an MPI job (it starts jobs of its own); elsewhere each ordering says why
        // MUMPS was not measured when the backend is missing.
        ao.measure_with.mumps = !in_multi_process_job();
      } else {
        throw_usage("--measure-solvers: unknown solver '" + lib + "' (cholmod, klu or mumps)");
      }
    }
    ao.calibrate = opts->calibrate;
    ao.predict = !opts->no_predict;
    if (opts->calibrate && opts->no_predict)
      throw_usage("--calibrate and --no-predict contradict each other");
    ao.machine_model_path = opts->machine_model;
    ao.max_workers = opts->max_workers;
    ao.stamps = opts->stamps;
    // The output directory is checked before the analysis, not after it.
    const std::string name = analyze_report_name(opts->files, ao);
    const std::string dir =
        opts->output_dir.empty()
            ? (std::filesystem::path("spax-out") / (is_plain_name(name) ? name : "matrix")).string()
            : opts->output_dir;
    require_output_directory(dir, opts->output_dir.empty() ? "" : "--output-dir");
    Progress progress("analyze");
    if (progress.enabled())
      ao.progress = [&progress](std::size_t done, std::size_t total, const std::string& what) {
        progress.update(done, total, what);
      };
    AnalyzeResult r = analyze_files(opts->files, ao);
    if (r.machine_model && !r.machine_model->warning.empty()) warn(r.machine_model->warning);
    progress.step("writing " + dir);
    std::string summary;
    write_analyze_outputs(r, dir, opts->html, &summary);
    progress.finish();
    if (opts->json) {
      std::cout << analyze_json(r, 2) << '\n';
    } else {
      std::cout << summary;
      std::cout << "\nFiles written to " << dir << "\n";
    }
  });
});

}  // namespace
}  // namespace spax::app
