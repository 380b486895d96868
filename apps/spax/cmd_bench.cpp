// spax bench: run every solver x ordering on the matrices, report like hyperfine.

#include <iostream>
#include <memory>
#include <sstream>

#include "batch_cmds.hpp"
#include "command.hpp"
#include "progress.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "spax/report/bench_report.hpp"
#include "spax/report/json_text.hpp"
#include "spax/solve.hpp"

namespace spax::app {
namespace {

struct BenchCliOptions {
  std::vector<std::string> files;
  std::string solvers = "all";
  std::string orderings = "default";
  BenchOptions bench;
  std::string export_json, export_csv, export_markdown;
  int batch = 0;
  // The iterative-only options given on the command line (not applying to direct solvers).
  std::vector<std::string> iterative_options_given;
  std::string ranks;
};

void run_bench(BenchCliOptions& o) {
  std::vector<std::string> solvers =
      o.solvers == "all" ? direct_solver_names() : split_comma_list(o.solvers);
  if (o.batch > 0)
    return run_bench_batch({o.files, solvers, o.bench, o.batch, o.export_json, o.export_csv});
  std::vector<std::string> orderings = split_comma_list(o.orderings);
  // Every solver name, ordering and option is validated before any case runs.
  for (const auto& s : solvers) {
    SolverOptions so;
    if (is_iterative_solver(s)) {
      so.options = parse_option_list(o.bench.precond_options);
      so.set("tol", o.bench.tol).set("max_iter", o.bench.max_iter);
    }
    resolve_solver(s, so);
  }
  for (const auto& ord : orderings) {
    bool taken = ord == "default";
    for (const auto& s : solvers)
      for (const auto& k : require_backend(s).orderings) taken = taken || k == ord;
    if (!taken)
      throw_usage("unknown ordering '" + ord + "' in --orderings: none of " + join_names(solvers) +
                  " takes it (" + ordering_flag_help() + ")");
  }
  if (solvers.empty() || orderings.empty()) throw_usage("no solver or ordering to run");
  // An option that applies to no case is a usage error, never silently dropped.
  if (!o.iterative_options_given.empty() &&
      std::none_of(solvers.begin(), solvers.end(), is_iterative_solver))
    throw_usage(o.iterative_options_given.front() + " applies to iterative solvers only (" +
                join_names(backend_names(BackendKind::iterative)) + ") and --solvers has none");
  // Export paths are checked before any case runs; "-" writes that export to standard output
  // (then the table goes to stderr, so stdout holds only the export).
  int exports_to_stdout = 0;
  for (const auto& [path, option] :
       {std::pair{o.export_json, "--export-json"}, std::pair{o.export_csv, "--export-csv"},
        std::pair{o.export_markdown, "--export-markdown"}}) {
    if (path.empty()) continue;
    require_writable_output(path, option);
    exports_to_stdout += is_stdout_path(path);
  }
  if (exports_to_stdout > 1) throw_usage("only one export can go to standard output (-)");
  std::ostream& table_out = exports_to_stdout ? std::cerr : std::cout;
  // --ranks: the multi-process backends run once per process count, as MPI jobs of their own.
  o.bench.ranks.clear();
  for (const auto& k : split_comma_list(o.ranks)) {
    int v = 0;
    try {
      std::size_t used = 0;
      v = std::stoi(k, &used);
      if (used != k.size()) v = 0;
    } catch (...) {
      v = 0;
    }
    if (v < 1 || v > 4096)
      throw_usage("--ranks takes process counts from 1 to 4096, not '" + k + "'");
    o.bench.ranks.push_back(v);
  }
  if (!o.bench.ranks.empty()) {
    if (in_multi_process_job())
      throw_usage("--ranks starts MPI jobs of its own: run spax bench without mpirun");
    bool any = false;
    for (const auto& s : solvers) any = any || runs_across_processes(s);
    if (!any)
      throw_usage("--ranks applies to backends that run across processes, and none of " +
                  join_names(solvers) + " does");
    for (const auto& f : o.files)
      if (f == "-")
        throw_usage("--ranks reads the matrix again in each MPI job: give a file, not -");
  }
  ReadOptions ro;
  ro.threads = o.bench.threads;
  // Read every matrix first: an unreadable file stops the run before any case.
  std::vector<MatrixFile> mats;
  for (const auto& f : o.files) mats.push_back(read_matrix_market(f, ro));
  BenchReport report;
  report.options = o.bench;
  report.machine = machine_info();
  std::size_t cases_per_matrix = 0;  // a multi-process backend runs once per --ranks count
  for (const auto& s : solvers)
    cases_per_matrix +=
        orderings.size() *
        (o.bench.ranks.empty() || !runs_across_processes(s) ? 1 : o.bench.ranks.size());
  Progress progress("bench", mats.size() * cases_per_matrix);
  for (const auto& mf : mats) {
    for (const auto& s : solvers)
      for (const auto& ord : orderings) {
        const std::string name = mf.path.substr(mf.path.find_last_of('/') + 1);
        if (!o.bench.ranks.empty() && runs_across_processes(s)) {
          for (int np : o.bench.ranks) {
            const std::string what = name + " " + s + " -np " + std::to_string(np) + "/" + ord;
            progress.step(what);
            report.cases.push_back(
                run_bench_case_mpi(mf.path, mf.matrix, name, s, ord, np, o.bench));
            progress.advance(what + ": " + report.cases.back().status);
          }
        } else {
          progress.step(name + " " + s + "/" + ord);
          report.cases.push_back(run_bench_case(mf.matrix, name, s, ord, o.bench));
          const BenchCase& c = report.cases.back();
          progress.advance(name + " " + s + "/" + ord + ": " + c.status);
        }
      }
  }
  progress.finish();
  // Beside each measured process count, what the analysis predicts for it.
  if (!o.bench.ranks.empty())
    for (const auto& mf : mats) {
      const std::string name = mf.path.substr(mf.path.find_last_of('/') + 1);
      if (const std::string why = add_rank_predictions(report, name, mf.matrix); !why.empty())
        warn(name + ": " + why);
    }
  table_out << bench_text_table(report);
  if (const std::string noise = bench_noise_summary(report); !noise.empty()) warn(noise);
  if (!o.export_json.empty())
    write_output(o.export_json,
                 [&](std::ostream& out) { out << json_text(bench_json(report), 2) << '\n'; });
  if (!o.export_csv.empty())
    write_output(o.export_csv, [&](std::ostream& out) { out << bench_csv(report); });
  if (!o.export_markdown.empty())
    write_output(o.export_markdown, [&](std::ostream& out) { out << bench_markdown(report); });
  // Nothing ran: a numerical-failure exit (3), as solve's, after the table and the exports,
  // which say why each case failed. A script that benchmarks must not read "ok" from it.
  if (bench_all_failed(report))
    throw_numerical("every case failed (" + std::to_string(report.cases.size()) +
                    (report.cases.size() == 1 ? " case" : " cases") + "; reasons in the table)");
}

const Registration reg("bench", [](CLI::App& app) {
  auto o = std::make_shared<BenchCliOptions>();
  auto* sub = app.add_subcommand(
      "bench",
      "Benchmark solver backends and orderings on matrices, hyperfine style: for each matrix x\n"
      "solver x ordering, warm-up runs then timed runs of analyze, factor, refactor and solve\n"
      "(and with --sequence K, K Newton-like refactor + solve iterations with deterministically\n"
      "perturbed values). Each case runs in its own process: a timeout, the memory cap or a\n"
      "failure (singular, not SPD for cholmod) is recorded with its reason and the run goes on.\n"
      "One table per matrix on stdout: mean +- sigma per phase, the fastest marked *, the others\n"
      "as a ratio to it. Pattern-only matrices get synthesized values.");
  sub->add_option("files", o->files, "Matrix Market files")->required();
  sub->add_option("--solvers", o->solvers,
                  "Comma-separated backends, or all (every direct one: " +
                      join_names(backend_names(BackendKind::direct)) +
                      "); iterative ones as METHOD+PRECOND: cg+amg, gmres+ilut, "
                      "bicgstab+block-jacobi, amg (factor = preconditioner setup, solve = "
                      "iterate)")
      ->capture_default_str();
  sub->add_option("--tol", o->bench.tol,
                  "Iterative solvers: relative residual to reach (not reached: the case fails)")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--max-iter", o->bench.max_iter, "Iterative solvers: iterations at most")
      ->capture_default_str()
      ->check(positive(NumberKind::integer));
  sub->add_option("--precond-options", o->bench.precond_options,
                  "Iterative solvers: key=value,... for every iterative case");
  sub->add_option("--orderings", o->orderings,
                  "Comma-separated orderings: default (the backend's own), or names a backend "
                  "takes (" +
                      ordering_flag_help() + ")")
      ->capture_default_str();
  sub->add_option("--warmup", o->bench.warmup, "Untimed runs per phase")
      ->capture_default_str()
      ->check(between(0, 1000, NumberKind::integer));
  sub->add_option("--runs", o->bench.runs, "Timed runs per phase")
      ->capture_default_str()
      ->check(between(1, 100000, NumberKind::integer));
  sub->add_option("--sequence", o->bench.sequence,
                  "Newton-like iterations (refactor + solve) per case; 0 = none")
      ->capture_default_str()
      ->check(between(0, 100000, NumberKind::integer));
  sub->add_option("--timeout", o->bench.timeout, "Seconds per case before it is stopped")
      ->capture_default_str()
      ->check(positive());
  sub->add_option("--max-memory", o->bench.max_memory_mb,
                  "Cap on each case's factorization in MB (0 = none), as spax solve "
                  "--max-memory: a case over it is recorded as out-of-memory (klu, umfpack, "
                  "cholmod, dense; superlu and eigen-lu cannot be capped)")
      ->capture_default_str()
      ->check(non_negative());
  sub->add_option("--seed", o->bench.seed, "Seed of the sequence's value perturbation")
      ->capture_default_str()
      ->check(non_negative(NumberKind::unsigned_integer));
  sub->add_option("--batch", o->batch,
                  "K > 0: per matrix, K perturbed copies (as --sequence makes them) solved as one "
                  "batch per solver (refactor + solve of all K; GPU backends batch on the device, "
                  "the others loop on the host), every answer checked")
      ->check(between(0, 1000000, NumberKind::integer));
  sub->add_option("--ranks", o->ranks,
                  "Comma-separated process counts (1,2,4) for the backends that run across MPI "
                  "processes (mumps; cg+amg, gmres+amg, bicgstab+amg and amg through hypre): one "
                  "case per count, each an MPI job of its own through "
                  "--mpirun (with --oversubscribe past the cores); reported with the speedup "
                  "over 1 process, the parallel efficiency and each process's peak memory");
  sub->add_option("--mpirun", o->bench.mpirun,
                  "The MPI launcher for --ranks, with its own options if any "
                  "('mpirun --hostfile hosts')")
      ->capture_default_str();
  add_threads_option(*sub, o->bench.threads);
  sub->add_option("--export-json", o->export_json,
                  "Every sample, summary statistics, machine and library versions");
  sub->add_option("--export-csv", o->export_csv, "One row per case and phase");
  sub->add_option("--export-markdown", o->export_markdown, "The tables as Markdown");
  sub->callback([o, sub] {
    for (const char* name : {"--tol", "--max-iter", "--precond-options"})
      if (sub->get_option(name)->count() > 0) o->iterative_options_given.push_back(name);
    run_bench(*o);
  });
});

}  // namespace
}  // namespace spax::app
