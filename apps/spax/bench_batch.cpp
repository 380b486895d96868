// spax bench --batch K FILE...: per matrix and solver, K perturbed copies solved as one batch.
#include <iostream>

#include "batch_cmds.hpp"
#include "spax/batch.hpp"
#include "spax/io.hpp"
#include "spax/report/batch_report.hpp"
#include "spax/report/json_text.hpp"

namespace spax::app {

void run_bench_batch(const BenchBatchArgs& a) {
  // In batch mode a solver may carry its options: cuda-rf:batch=rfbatch:fact_alg=1.
  for (const auto& s : a.solvers) {
    auto [name, options] = split_solver_spec(s);
    options.erase("host_loop");  // not a backend option: run_batch's loop on the host
    SolverOptions so;
    if (auto it = options.find("ordering"); it != options.end()) {
      so.ordering = it->second;
      options.erase(it);
    }
    so.options = options;
    resolve_solver(name, so);
    if (is_iterative_solver(name)) throw_usage("--batch takes direct solvers only (" + s + ")");
  }
  ReadOptions ro;
  ro.threads = a.bench.threads;
  std::vector<MatrixFile> mats;
  for (const auto& f : a.files) mats.push_back(read_matrix_market(f, ro));
  BatchBenchReport report;
  report.count = a.count;
  report.warmup = a.bench.warmup;
  report.runs = a.bench.runs;
  report.seed = a.bench.seed;
  report.machine = machine_info();
  for (const auto& mf : mats)
    for (const auto& s : a.solvers) {
      const std::string name = mf.path.substr(mf.path.find_last_of('/') + 1);
      report.cases.push_back(run_batch_bench_case(mf.matrix, name, s, a.count, a.bench.warmup,
                                                  a.bench.runs, a.bench.timeout, a.bench.seed,
                                                  a.bench.threads));
    }
  std::cout << batch_bench_text(report);
  if (!a.export_json.empty())
    write_file_atomic(a.export_json, [&](std::ostream& out) {
      out << json_text(batch_bench_json(report), 2) << '\n';
    });
  if (!a.export_csv.empty())
    write_file_atomic(a.export_csv, [&](std::ostream& out) { out << batch_bench_csv(report); });
}

}  // namespace spax::app
