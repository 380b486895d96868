// spax solve A.mtx [A2.mtx ...]: direct or iterative solve of one matrix or a sequence with one
// pattern.
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.hpp"
#include "report/json_text.hpp"
#include "spax/backend.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "spax/timer.hpp"

namespace spax::app {
namespace {

struct SolveOptions {
  std::vector<std::string> files;
  std::vector<std::string> rhs;
  std::string solver = "auto";
  std::string ordering = "default";
  std::string perm;
  bool transpose = false;
  std::string out;
  std::string cache;
  int refine = 0;
  double tol = 1e-8;
  double max_memory_mb = 0;
  bool json = false;
  bool strict_pattern = false;
  int threads = 0;
  std::string solver_options;
  // Iterative solvers: shorthands for --solver-options keys.
  std::string precond = "default";
  std::string precond_options;
  int max_iter = kDefaultMaxIterations;
  int restart = kDefaultRestart;
  int rebuild_iters = 0;
  std::string residual_history;
  BackendFlags flags;
};

nlohmann::json num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

void run_solve(const SolveOptions& o) {
  Timer read_timer;
  ReadOptions ro;
  ro.threads = o.threads;
  std::vector<SparseMatrix> ms;
  bool synthesized = false;
  for (const auto& f : o.files) {
    MatrixFile mf = read_matrix_market(f, ro);
    if (!mf.matrix.is_square())
      throw_input("matrix is not square (" + std::to_string(mf.matrix.nrows) + " x " +
                      std::to_string(mf.matrix.ncols) + ")",
                  f);
    if (!mf.matrix.has_values()) {
      mf.matrix = synthesize_values(mf.matrix);
      synthesized = true;
    } else if (auto bad = first_nonfinite_entry(mf.matrix); !bad.empty()) {
      throw_input("matrix has a non-finite value (" + bad + "): refused before factorization", f);
    }
    ms.push_back(std::move(mf.matrix));
  }
  if (synthesized)
    warn("pattern-only matrix: values synthesized (strictly diagonally dominant, as analyze does)");
  const index_t n = ms.front().nrows;
  const bool complex = ms.front().is_complex();
  // The solution file holds one column per solve, and a permutation fits one size: both need
  // every matrix of the sequence to have the first one's size (checked before any solve).
  if (!o.out.empty() || !o.perm.empty())
    for (std::size_t k = 1; k < ms.size(); ++k)
      if (ms[k].nrows != n)
        throw_input("has " + std::to_string(ms[k].nrows) + " rows, the first matrix " +
                        std::to_string(n) + ": " + (o.out.empty() ? "--perm" : "--out") +
                        " needs one size across the sequence",
                    o.files[k]);
  std::vector<RightHandSide> rhs;
  if (!o.rhs.empty() && o.rhs.size() != 1 && o.rhs.size() != ms.size())
    throw_usage("give one --rhs file, or one per matrix (" + std::to_string(ms.size()) + ")");
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
  double read_seconds = read_timer.seconds();

  SequenceOptions so;
  so.solver = o.solver;
  so.solver_options.ordering = o.ordering;
  so.solver_options.threads = o.threads;
  so.solver_options.options = bind_backend_flags(o.solver, o.solver_options, o.flags);
  if (!o.residual_history.empty() && !is_iterative_solver(o.solver))
    throw_usage("--residual-history needs an iterative solver (" +
                join_names(backend_names(BackendKind::iterative)) + ")");
  if (!o.perm.empty()) {
    so.solver_options.ordering = "given";
    so.solver_options.permutation = read_npy_int64(o.perm);
    if (!is_permutation(so.solver_options.permutation, n))
      throw_input("not a permutation of 0.." + std::to_string(n - 1), o.perm);
  }
  so.transpose = o.transpose;
  so.refine = o.refine;
  so.strict_pattern = o.strict_pattern;
  so.cache_dir = o.cache;
  so.max_memory_mb = o.max_memory_mb;
  SequenceResult r = run_sequence(ms, rhs, so);
  for (const auto& w : r.warnings) warn(w);

  if (!o.out.empty()) {
    DenseMatrix d;
    d.nrows = n;
    for (auto k : r.nrhs) d.ncols += k;
    for (const auto& x : r.x) d.values.insert(d.values.end(), x.begin(), x.end());
    for (const auto& x : r.zx) d.zvalues.insert(d.zvalues.end(), x.begin(), x.end());
    write_dense(o.out, d, "solution of spax solve (one column per right-hand side, in order)");
  }
  const bool iterative = r.stats.iterative;
  if (!o.residual_history.empty())
    write_file_atomic(o.residual_history, [&](std::ostream& out) {
      out << "matrix,rhs,iteration,relative_residual\n";
      out.precision(17);
      for (const auto& s : r.solves)
        for (std::size_t k = 0; k < s.residual_history.size(); ++k)
          for (std::size_t it = 0; it < s.residual_history[k].size(); ++it)
            out << s.matrix << ',' << k << ',' << it << ',' << s.residual_history[k][it] << '\n';
    });

  nlohmann::json be = nlohmann::json::array(), fe = nlohmann::json::array(),
                 steps = nlohmann::json::array(), solve_t = nlohmann::json::array();
  double worst = 0.0;
  for (const auto& s : r.solves) {
    be.push_back(num(s.backward_error));
    if (!std::isnan(s.forward_error)) fe.push_back(num(s.forward_error));
    steps.push_back(s.refinement_steps);
    solve_t.push_back(s.seconds);
    if (!(s.backward_error <= worst)) worst = s.backward_error;
  }
  nlohmann::json iters = nlohmann::json::array(), relres = nlohmann::json::array(),
                 setup_t = nlohmann::json::array(), rebuilt = nlohmann::json::array();
  double worst_relres = 0.0;
  for (const auto& s : r.solves) {
    iters.push_back(s.iterations);
    relres.push_back(num(s.relative_residual));
    setup_t.push_back(s.setup_seconds);
    rebuilt.push_back(s.rebuilt);
    if (!(s.relative_residual <= worst_relres)) worst_relres = s.relative_residual;
  }
  const auto& st = r.stats;
  nlohmann::json j = {
      {"solver", r.solver},
      {"ordering", r.ordering},
      {"n", r.n},
      {"nnz", r.nnz},
      {"matrices", ms.size()},
      {"nnz_L", st.nnz_L >= 0 ? nlohmann::json(st.nnz_L) : nlohmann::json()},
      {"nnz_U", st.nnz_U >= 0 ? nlohmann::json(st.nnz_U) : nlohmann::json()},
      {"flops", num(st.flops)},
      {"rcond", num(st.rcond)},
      {"pivot_growth", num(st.pivot_growth)},
      {"factor_bytes_estimate", num(st.factor_bytes_estimate)},
      {"transpose", o.transpose},
      {"values_synthesized", synthesized},
      {"backward_error", be},
      {"forward_error", fe},
      {"refinement_steps", steps},
      {"chosen_because",
       r.chosen_because.empty() ? nlohmann::json() : nlohmann::json(r.chosen_because)},
      {"timings",
       {{"read", read_seconds},
        {"analyze", r.analyze_seconds},
        {"factor", r.factor_seconds},
        {"refactor", r.refactor_seconds},
        {"solve", solve_t}}},
      {"cache", {{"symbolic", r.cache_symbolic}, {"numeric", r.cache_numeric}}},
      {"refactor_fallbacks", r.refactor_fallbacks},
      {"reanalysed", r.reanalysed},
  };
  // Multi-process backends (mumps under mpirun): the processes, each one's memory for the
  // factorization, and the backend's own figures.
  j["processes"] = st.processes;
  j["memory_per_process"] = st.memory_per_process;  // empty: the backend gives none
  if (!st.details.empty()) j["backend"] = st.details;
  if (iterative) {
    j["iterative"] = {{"precond_options", o.precond_options},
                      {"tol", o.tol},
                      {"max_iter", o.max_iter},
                      {"iterations", iters},
                      {"relative_residual", relres},
                      {"rebuilt", rebuilt}};
    j["timings"]["setup"] = setup_t;
  }
  if (o.json) {
    std::cout << json_text(j, 2) << "\n";
  } else {
    auto fmt = [](const nlohmann::json& v) {
      return v.is_null() ? std::string("n/a") : json_text(v);
    };
    std::cout << "solver          " << r.solver << "\n";
    if (!r.chosen_because.empty()) std::cout << "chosen because  " << r.chosen_because << "\n";
    std::cout << "ordering        " << r.ordering << "\n"
              << "n, nnz          " << r.n << ", " << r.nnz << "\n"
              << "nnz(L), nnz(U)  " << fmt(j["nnz_L"]) << ", " << fmt(j["nnz_U"]) << "\n"
              << "flops           " << fmt(j["flops"]) << "\n"
              << "rcond estimate  " << fmt(j["rcond"]) << "\n"
              << "pivot growth    " << fmt(j["pivot_growth"]) << "\n"
              << "backward error  " << json_text(be) << "\n";
    if (!fe.empty()) std::cout << "forward error   " << json_text(fe) << "\n";
    if (o.refine > 0) std::cout << "refinement      " << json_text(steps) << "\n";
    std::cout << "time read       " << read_seconds << " s\n"
              << "time analyze    " << r.analyze_seconds << " s\n"
              << "time factor     " << r.factor_seconds << " s\n";
    if (!r.refactor_seconds.empty())
      std::cout << "time refactor   " << json_text(j["timings"]["refactor"]) << "\n";
    if (iterative)
      std::cout << "iterations      " << json_text(iters) << "\n"
                << "rel. residual   " << json_text(relres) << "\n"
                << "setup rebuilt   " << json_text(rebuilt) << "\n"
                << "time setup      " << json_text(setup_t) << "\n";
    if (st.processes > 1) std::cout << "processes       " << st.processes << "\n";
    if (!st.memory_per_process.empty()) {
      std::cout << "memory/process ";
      for (double b : st.memory_per_process) std::cout << " " << format_double(b / 1e6);
      std::cout << " MB\n";
    }
    std::cout << "time solve      " << json_text(solve_t) << "\n"
              << "cache           symbolic " << r.cache_symbolic << ", numeric " << r.cache_numeric
              << "\n";
    if (!r.refactor_fallbacks.empty())
      std::cout << "refactor fallbacks at matrices " << json_text(j["refactor_fallbacks"]) << "\n";
  }
  if (r.pattern_mismatch >= 0) {
    warn("pattern mismatch: " + o.files[r.pattern_mismatch] + " differs from " +
         o.files[r.pattern_mismatch - 1] + " (--strict-pattern)");
    set_exit_code(1);
    return;
  }
  if (iterative) {
    // The iterative backends stop with an error below tolerance; this guards the report.
    if (worst_relres > o.tol) {
      std::ostringstream msg;
      msg << "relative residual " << format_double(worst_relres) << " is above the tolerance "
          << format_double(o.tol);
      throw_numerical(msg.str());
    }
  } else if (worst > o.tol) {
    std::ostringstream msg;
    msg << "backward error " << format_double(worst) << " is above the tolerance "
        << format_double(o.tol);
    throw_numerical(msg.str());
  }
}

Registration reg("solve", [](CLI::App& app) {
  auto o = std::make_shared<SolveOptions>();
  auto* sub = app.add_subcommand(
      "solve",
      "Solve A x = b with a direct or an iterative solver. Several matrices form a sequence with "
      "one pattern (a Newton loop): analyzed once, factored, then refactored; an iterative "
      "solver keeps its preconditioner setup while it converges within the rebuild bound. "
      "Explicit zeros count as pattern entries: a file that drops a stored zero has a different "
      "pattern. Without --rhs, b = A * ones and the forward error is reported.");
  sub->add_option("matrices", o->files, "Matrix Market files (one pattern)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--rhs", o->rhs, "right-hand side(s): one file, or one per matrix");
  sub->add_option("--solver", o->solver, solver_flag_help());
  sub->add_option("--solver-options", o->solver_options,
                  "the backend's own options, key=value,... (spax solvers lists each backend's "
                  "keys and defaults); a key the backend does not declare is a usage error");
  auto* ord = sub->add_option("--ordering", o->ordering, ordering_flag_help());
  sub->add_option("--perm", o->perm,
                  "column ordering from a .npy permutation (as spax order writes)")
      ->excludes(ord);
  sub->add_flag("--transpose", o->transpose, "solve A^T x = b (A^H x = b for complex)");
  sub->add_option("--out", o->out,
                  "write x as a Matrix Market array (one column per right-hand side, in order)");
  sub->add_option("--cache", o->cache, "directory caching symbolic and numeric factorizations");
  sub->add_option("--refine", o->refine, "iterative refinement steps at most")
      ->check(CLI::NonNegativeNumber);
  o->flags.tol = sub->add_option("--tol", o->tol,
                                 "backward error above this exits 3 (default 1e-8); for "
                                 "iterative solvers the relative residual ||b - A x|| / ||b|| to "
                                 "reach (their option tol)");
  add_iterative_flags(*sub, o->flags, o->precond, o->precond_options, o->max_iter, o->restart,
                      o->rebuild_iters);
  sub->add_option("--residual-history", o->residual_history,
                  "iterative: write matrix,rhs,iteration,relative_residual per iteration (CSV)");
  sub->add_option("--max-memory", o->max_memory_mb,
                  "cap on the factorization's memory in MB (0 = none; klu, umfpack, cholmod, "
                  "dense): a factorization predicted or found to need more exits 3")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", o->json, "report as JSON");
  sub->add_flag("--strict-pattern", o->strict_pattern,
                "a matrix whose pattern differs from the previous one exits 1 (no re-analysis)");
  add_threads_option(*sub, o->threads);
  sub->callback([o] { run_solve(*o); });
});

}  // namespace
}  // namespace spax::app
