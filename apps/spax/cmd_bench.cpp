// spax bench: run every solver x ordering on the matrices, report like hyperfine.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "report/bench_report.hpp"
#include "report/json_text.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "spax/timer.hpp"

namespace spax::app {
namespace {

struct BenchCliOptions {
  std::vector<std::string> files;
  std::string solvers = "all";
  std::string orderings = "default";
  BenchOptions bench;
  std::string export_json, export_csv, export_markdown;
  std::string ranks;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void progress(std::size_t done, std::size_t total, const std::string& current, double elapsed) {
  const int width = 30;
  const int filled = total ? static_cast<int>(width * done / total) : width;
  std::cerr << "\r\033[K[" << std::string(static_cast<std::size_t>(filled), '#')
            << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << '/'
            << total << "  " << static_cast<int>(elapsed) << " s  " << current << std::flush;
}

void run_bench(BenchCliOptions& o) {
  std::vector<std::string> solvers =
      o.solvers == "all" ? direct_solver_names() : split_list(o.solvers);
  std::vector<std::string> orderings = split_list(o.orderings);
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
  // --ranks: the multi-process backends run once per process count, as MPI jobs of their own.
  o.bench.ranks.clear();
  for (const auto& k : split_list(o.ranks)) {
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
  const bool tty = ::isatty(2);
  const std::size_t total = mats.size() * solvers.size() * orderings.size();
  std::size_t done = 0;
  Timer elapsed;
  for (const auto& mf : mats) {
    for (const auto& s : solvers)
      for (const auto& ord : orderings) {
        const std::string name = mf.path.substr(mf.path.find_last_of('/') + 1);
        if (!o.bench.ranks.empty() && runs_across_processes(s)) {
          for (int k : o.bench.ranks) {
            if (tty)
              progress(done, total, name + " " + s + " -np " + std::to_string(k) + "/" + ord,
                       elapsed.seconds());
            report.cases.push_back(
                run_bench_case_mpi(mf.path, mf.matrix, name, s, ord, k, o.bench));
          }
        } else {
          if (tty) progress(done, total, name + " " + s + "/" + ord, elapsed.seconds());
          report.cases.push_back(run_bench_case(mf.matrix, name, s, ord, o.bench));
        }
        ++done;
      }
  }
  if (tty) {
    progress(done, total, "done", elapsed.seconds());
    std::cerr << '\n';
  }
  std::cout << bench_text_table(report);
  for (const auto& w : bench_noise_warnings(report)) warn(w);
  if (!o.export_json.empty())
    write_file_atomic(o.export_json,
                      [&](std::ostream& out) { out << json_text(bench_json(report), 2) << '\n'; });
  if (!o.export_csv.empty())
    write_file_atomic(o.export_csv, [&](std::ostream& out) { out << bench_csv(report); });
  if (!o.export_markdown.empty())
    write_file_atomic(o.export_markdown, [&](std::ostream& out) { out << bench_markdown(report); });
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
      ->capture_default_str();
  sub->add_option("--max-iter", o->bench.max_iter, "Iterative solvers: iterations at most")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--precond-options", o->bench.precond_options,
                  "Iterative solvers: key=value,... for every iterative case");
  sub->add_option("--orderings", o->orderings,
                  "Comma-separated orderings: default (the backend's own), or names a backend "
                  "takes (" +
                      ordering_flag_help() + ")")
      ->capture_default_str();
  sub->add_option("--warmup", o->bench.warmup, "Untimed runs per phase")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  sub->add_option("--runs", o->bench.runs, "Timed runs per phase")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  sub->add_option("--sequence", o->bench.sequence,
                  "Newton-like iterations (refactor + solve) per case; 0 = none")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  sub->add_option("--timeout", o->bench.timeout, "Seconds per case before it is stopped")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--max-memory", o->bench.max_memory_mb,
                  "Cap on each case's factorization in MB (0 = none), as spax solve "
                  "--max-memory: a case over it is recorded as out-of-memory (klu, umfpack, "
                  "cholmod, dense; superlu and eigen-lu cannot be capped)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--seed", o->bench.seed, "Seed of the sequence's value perturbation")
      ->capture_default_str();
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
  sub->callback([o] { run_bench(*o); });
});

}  // namespace
}  // namespace spax::app
