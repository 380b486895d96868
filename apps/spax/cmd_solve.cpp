// spax solve A.mtx [A2.mtx ...]: direct or iterative solve of one matrix or a sequence with one
// pattern.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "batch_cmds.hpp"
#include "command.hpp"
#include "spax/backend.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "spax/solve_report.hpp"
#include "spax/timer.hpp"

namespace spax::app {
namespace {

struct SolveOptions {
  std::vector<std::string> files;
  std::vector<std::string> rhs;
  std::string perm;
  std::string out;
  double tol = kDefaultTolerance;
  bool json = false;
  std::string solver_options;
  // Iterative solvers: shorthands for --solver-options keys.
  std::string precond = "default";
  std::string precond_options;
  int max_iter = kDefaultMaxIterations;
  int restart = kDefaultRestart;
  int rebuild_iters = 0;
  std::string residual_history;
  BackendFlags flags;
  bool batch = false;
  // The library's options, bound to their flags directly.
  SequenceOptions seq;
};

// Reads the matrices (synthesizing values for pattern files) and the right-hand sides; the
// sequence runner validates them (square, finite, one field) before any work.
std::vector<SparseMatrix> read_matrices(const SolveOptions& o, SolveReportContext& c) {
  ReadOptions ro;
  ro.threads = o.seq.solver_options.threads;
  std::vector<SparseMatrix> ms;
  for (const auto& f : o.files) {
    MatrixFile mf = read_matrix_market(f, ro);
    if (!mf.matrix.has_values() && mf.matrix.is_square()) {
      mf.matrix = synthesize_values(mf.matrix);
      c.values_synthesized = true;
    }
    ms.push_back(std::move(mf.matrix));
  }
  if (c.values_synthesized)
    warn("pattern-only matrix: values synthesized (strictly diagonally dominant, as analyze does)");
  return ms;
}

std::vector<RightHandSide> read_rhs(const SolveOptions& o, index_t n, bool complex) {
  ReadOptions ro;
  ro.threads = o.seq.solver_options.threads;
  std::vector<RightHandSide> rhs;
  for (const auto& f : o.rhs) {
    DenseMatrix d = read_dense(f, ro);
    if (d.nrows != n)
      throw_input("right-hand side has " + std::to_string(d.nrows) + " rows, the matrix has " +
                      std::to_string(n),
                  f);
    RightHandSide r;
    r.nrhs = d.ncols;
    if (complex) {
      if (d.is_complex())
        r.zvalues = d.zvalues;
      else
        r.zvalues.assign(d.values.begin(), d.values.end());
    } else {
      if (d.is_complex()) throw_input("complex right-hand side for a real matrix", f);
      r.values = d.values;
    }
    auto refuse = [&](std::size_t k, const std::string& v) {
      throw_input("right-hand side has a non-finite value (" + v + " at row " +
                      std::to_string(k % static_cast<std::size_t>(n) + 1) + ", column " +
                      std::to_string(k / static_cast<std::size_t>(n) + 1) +
                      "): refused before factorization",
                  f);
    };
    for (std::size_t k = 0; k < r.values.size(); ++k)
      if (!std::isfinite(r.values[k])) refuse(k, format_double(r.values[k]));
    for (std::size_t k = 0; k < r.zvalues.size(); ++k)
      if (!std::isfinite(r.zvalues[k].real()) || !std::isfinite(r.zvalues[k].imag()))
        refuse(k, "(" + format_double(r.zvalues[k].real()) + ", " +
                      format_double(r.zvalues[k].imag()) + ")");
    rhs.push_back(std::move(r));
  }
  return rhs;
}

// The solutions (only for a run that passed: a failed run's set would be incomplete or wrong)
// and the residual history (always: it shows why an iterative solve failed).
void write_outputs(const SolveOptions& o, const SequenceResult& r, index_t n, bool passed) {
  if (passed && !o.out.empty()) {
    DenseMatrix d;
    d.nrows = n;
    for (auto k : r.nrhs) d.ncols += k;
    for (const auto& x : r.x) d.values.insert(d.values.end(), x.begin(), x.end());
    for (const auto& x : r.zx) d.zvalues.insert(d.zvalues.end(), x.begin(), x.end());
    write_dense(o.out, d, "solution of spax solve (one column per right-hand side, in order)");
  }
  if (!o.residual_history.empty())
    write_output(o.residual_history, [&](std::ostream& out) {
      out << "matrix,rhs,iteration,relative_residual\n";
      out.precision(17);
      for (const auto& s : r.solves)
        for (std::size_t k = 0; k < s.residual_history.size(); ++k)
          for (std::size_t it = 0; it < s.residual_history[k].size(); ++it)
            out << s.matrix << ',' << k << ',' << it << ',' << s.residual_history[k][it] << '\n';
    });
}

void run_solve(SolveOptions& o) {
  if (o.batch)
    return run_solve_batch({o.files, o.rhs, o.seq.solver, o.seq.solver_options.ordering,
                            o.solver_options, &o.flags, o.tol, o.json, o.out,
                            o.seq.solver_options.threads});
  SolveReportContext c;
  c.files = o.files;
  c.tolerance = o.tol;
  SequenceOptions& so = o.seq;
  so.names = o.files;
  so.keep_partial_results = true;
  so.solver_options.options = bind_backend_flags(so.solver, o.solver_options, o.flags);
  if (!o.residual_history.empty() && !is_iterative_solver(so.solver))
    throw_usage("--residual-history needs an iterative solver (" +
                join_names(backend_names(BackendKind::iterative)) + ")");
  if (std::count(o.files.begin(), o.files.end(), "-") > 1)
    throw_usage("standard input ('-') can be read once");
  Timer read_timer;
  std::vector<SparseMatrix> ms = read_matrices(o, c);
  const index_t n = ms.front().nrows;
  // The solution file holds one column per solve, and a permutation fits one size: both need
  // every matrix of the sequence to have the first one's size (checked before any solve).
  if (!o.out.empty() || !o.perm.empty())
    for (std::size_t k = 1; k < ms.size(); ++k)
      if (ms[k].nrows != n)
        throw_input("has " + std::to_string(ms[k].nrows) + " rows, the first matrix " +
                        std::to_string(n) + ": " + (o.out.empty() ? "--perm" : "--out") +
                        " needs one size across the sequence",
                    o.files[k]);
  if (!o.rhs.empty() && o.rhs.size() != 1 && o.rhs.size() != ms.size())
    throw_usage("give one --rhs file, or one per matrix (" + std::to_string(ms.size()) + ")");
  const std::vector<RightHandSide> rhs = read_rhs(o, n, ms.front().is_complex());
  if (!o.perm.empty()) {
    so.solver_options.ordering = "given";
    so.solver_options.permutation = read_npy_int64(o.perm);
    if (!is_permutation(so.solver_options.permutation, n))
      throw_input("not a permutation of 0.." + std::to_string(n - 1), o.perm);
  }
  c.read_seconds = read_timer.seconds();

  const SequenceResult r = run_sequence(ms, rhs, so);
  for (const auto& w : r.warnings) warn(w);
  const SolveVerdict v = solve_verdict(r, so, c);
  write_outputs(o, r, n, v.exit_code == 0);
  // The text report is printed for a run that got to the end (a failure says its reason on
  // stderr); the JSON document always, with the error and what was obtained before it.
  if (o.json)
    std::cout << solve_report_json(r, so, c, v) << "\n";
  else if (!r.failure)
    std::cout << solve_report_text(r, so, c);
  if (v.exit_code == 0) return;
  if (o.json) mark_json_printed();
  if (v.exit_code == 1) {
    warn(v.message);
    set_exit_code(1);
    return;
  }
  throw Error(v.kind, v.message);
}

Registration reg("solve", [](CLI::App& app) {
  auto o = std::make_shared<SolveOptions>();
  o->seq.solver = "auto";
  SequenceOptions& so = o->seq;
  auto* sub = app.add_subcommand(
      "solve",
      "Solve A x = b with a direct or an iterative solver. Several matrices form a sequence with "
      "one pattern (a Newton loop): analyzed once, factored, then refactored; an iterative "
      "solver keeps its preconditioner setup while it converges within the rebuild bound. "
      "Explicit zeros count as pattern entries: a file that drops a stored zero has a different "
      "pattern. Without --rhs, b = A * ones and the forward error is reported. Every answer "
      "comes with its backward error and, for direct solvers, a condition estimate: when their "
      "product (the forward-error bound) is above 1e-2 a warning says the result may be "
      "inaccurate; --max-cond makes an ill-conditioned system exit 3.");
  sub->add_option("matrices", o->files, "Matrix Market files (one pattern), or - for stdin")
      ->required()
      ->check(existing_file_or_stdin());
  sub->add_option("--rhs", o->rhs, "right-hand side(s): one file, or one per matrix")
      ->check(existing_file_or_stdin());
  sub->add_option("--solver", so.solver, solver_flag_help());
  sub->add_option("--solver-options", o->solver_options,
                  "the backend's own options, key=value,... (spax solvers lists each backend's "
                  "keys and defaults); a key the backend does not declare is a usage error");
  auto* ord = sub->add_option("--ordering", so.solver_options.ordering, ordering_flag_help());
  sub->add_option("--perm", o->perm,
                  "column ordering from a .npy permutation (as spax order writes)")
      ->excludes(ord);
  sub->add_flag("--transpose", so.transpose, "solve A^T x = b (A^H x = b for complex)");
  sub->add_option("--out", o->out,
                  "write x as a Matrix Market array (one column per right-hand side, in order; - "
                  "for standard output), checked before any work")
      ->check(output_file());
  sub->add_option("--cache", so.cache_dir,
                  "directory caching symbolic and numeric factorizations (created if missing)")
      ->check(output_directory());
  sub->add_option("--refine", so.refine, "iterative refinement steps at most")
      ->check(non_negative(NumberKind::integer));
  o->flags.tol = sub->add_option("--tol", o->tol,
                                 "backward error above this exits 3 (default 1e-8); for "
                                 "iterative solvers the relative residual ||b - A x|| / ||b|| to "
                                 "reach (their option tol)")
                     ->check(positive());
  sub->add_option("--max-cond", so.max_condition,
                  "exit 3 when the condition estimate (1 / rcond) of a factorization is above "
                  "this (default 0: only the warning)")
      ->check(non_negative());
  add_iterative_flags(*sub, o->flags, o->precond, o->precond_options, o->max_iter, o->restart,
                      o->rebuild_iters);
  sub->add_option("--residual-history", o->residual_history,
                  "iterative: write matrix,rhs,iteration,relative_residual per iteration (CSV; - "
                  "for standard output), checked before any work")
      ->check(output_file());
  sub->add_option("--max-memory", so.max_memory_mb,
                  "cap on the factorization's memory in MB (0 = none; " + memory_cap_backends() +
                      "): a factorization predicted or found to need more exits 3")
      ->check(non_negative());
  sub->add_flag("--json", o->json,
                "report as one JSON document, also when the run fails (then with an error object "
                "and every result obtained before the failure)");
  sub->add_flag("--strict-pattern", so.strict_pattern,
                "a matrix whose pattern differs from the previous one exits 1 (no re-analysis)");
  add_threads_option(*sub, so.solver_options.threads);
  sub->add_flag("--batch", o->batch,
                "the matrices (one pattern) as one batch: factored once, all refactored with "
                "that pivot order and solved at once (GPU backends batch on the device; others "
                "loop on the host); every answer checked")
      ->excludes("--transpose")
      ->excludes("--cache")
      ->excludes("--refine")
      ->excludes("--strict-pattern")
      ->excludes("--perm")
      ->excludes("--residual-history");
  sub->callback([o] { run_solve(*o); });
});

}  // namespace
}  // namespace spax::app
