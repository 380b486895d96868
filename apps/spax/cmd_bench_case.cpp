// spax bench-case (hidden): one bench case in this process, its result as one JSON document on
// stdout. spax bench --ranks runs it as `mpirun -np K spax bench-case ...`; under mpirun rank 0
// prints, the other ranks take part in the backend's collective calls.
#include <iostream>
#include <memory>

#include "command.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"

namespace spax::app {
namespace {

struct BenchCaseOptions {
  std::string file, solver, ordering = "default";
  BenchOptions bench;
};

const Registration reg("bench-case", [](CLI::App& app) {
  auto o = std::make_shared<BenchCaseOptions>();
  auto* sub = app.add_subcommand("bench-case", "");
  sub->group("");  // hidden: spax bench --ranks runs it
  sub->add_option("file", o->file)->required();
  sub->add_option("--solver", o->solver)->required();
  sub->add_option("--ordering", o->ordering);
  sub->add_option("--warmup", o->bench.warmup)->check(between(0, 1000, NumberKind::integer));
  sub->add_option("--runs", o->bench.runs)->check(between(1, 100000, NumberKind::integer));
  sub->add_option("--sequence", o->bench.sequence)->check(between(0, 100000, NumberKind::integer));
  sub->add_option("--max-memory", o->bench.max_memory_mb)->check(non_negative());
  sub->add_option("--seed", o->bench.seed);
  sub->add_option("--tol", o->bench.tol);
  sub->add_option("--max-iter", o->bench.max_iter)->check(positive(NumberKind::integer));
  sub->add_option("--precond-options", o->bench.precond_options);
  add_threads_option(*sub, o->bench.threads);
  sub->callback([o] {
    ReadOptions ro;
    ro.threads = o->bench.threads;
    const MatrixFile mf = read_matrix_market(o->file, ro);
    std::cout << bench_case_here(mf.matrix, o->solver, o->ordering, o->bench) << '\n';
  });
});

}  // namespace
}  // namespace spax::app
