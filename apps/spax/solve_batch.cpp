// spax solve --batch A1.mtx A2.mtx ...: the matrices (one pattern) as one batch: analysed and
// factored once, all refactored with that pivot order and solved (a GPU backend's batched
// refactorization, or a loop on the host), every answer checked.
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "batch_cmds.hpp"
#include "spax/batch.hpp"
#include "spax/io.hpp"
#include "spax/report/json_text.hpp"
#include "spax/timer.hpp"

namespace spax::app {
namespace {
nlohmann::json num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}
}  // namespace

void run_solve_batch(const SolveBatchArgs& a) {
  Timer read_timer;
  ReadOptions ro;
  ro.threads = a.threads;
  std::vector<SparseMatrix> ms;
  bool synthesized = false;
  for (const auto& f : a.files) {
    MatrixFile mf = read_matrix_market(f, ro);
    if (!mf.matrix.has_values()) {
      mf.matrix = synthesize_values(mf.matrix);
      synthesized = true;
    }
    ms.push_back(std::move(mf.matrix));
  }
  if (synthesized)
    warn("pattern-only matrix: values synthesized (strictly diagonally dominant, as analyze does)");
  std::vector<RightHandSide> rhs;
  for (const auto& f : a.rhs) {
    DenseMatrix d = read_dense(f, ro);
    if (d.is_complex()) throw_input("a batch takes real right-hand sides", f);
    RightHandSide r;
    r.nrhs = d.ncols;
    r.values = d.values;
    for (double v : r.values)
      if (!std::isfinite(v)) throw_input("right-hand side has a non-finite value", f);
    rhs.push_back(std::move(r));
  }
  const double read_seconds = read_timer.seconds();

  BatchOptions bo;
  bo.solver = a.solver;
  bo.threads = a.threads;
  bo.solver_options.ordering = a.ordering;
  bo.solver_options.threads = a.threads;
  bo.solver_options.options = bind_backend_flags(a.solver, a.solver_options, *a.flags);
  if (is_iterative_solver(a.solver))
    throw_usage("--batch takes a direct solver (it refactors with one pivot order)");
  const BatchResult r = run_batch(ms, rhs, bo);

  if (!a.out.empty()) {
    DenseMatrix d;
    d.nrows = r.n;
    for (auto k : r.nrhs) d.ncols += k;
    for (const auto& x : r.x) d.values.insert(d.values.end(), x.begin(), x.end());
    write_dense(a.out, d, "solution of spax solve --batch (one column per right-hand side)");
  }
  double worst = 0.0;
  for (double e : r.backward_error)
    if (!(e <= worst)) worst = e;
  const auto& t = r.device_timings;
  nlohmann::json be = nlohmann::json::array(), fe = nlohmann::json::array();
  for (double e : r.backward_error) be.push_back(num(e));
  for (double e : r.forward_error) fe.push_back(num(e));
  nlohmann::json j = {
      {"solver", r.solver},
      {"method", r.method},
      {"device", r.device.empty() ? nlohmann::json() : nlohmann::json(r.device)},
      {"ordering", r.ordering},
      {"n", r.n},
      {"nnz", r.nnz},
      {"matrices", r.count},
      {"nnz_L", r.stats.nnz_L >= 0 ? nlohmann::json(r.stats.nnz_L) : nlohmann::json()},
      {"nnz_U", r.stats.nnz_U >= 0 ? nlohmann::json(r.stats.nnz_U) : nlohmann::json()},
      {"flops", num(r.stats.flops)},
      {"rcond", num(r.stats.rcond)},
      {"values_synthesized", synthesized},
      {"backward_error", be},
      {"forward_error", fe},
      {"refactor_fallbacks", r.refactor_fallbacks},
      {"chosen_because",
       r.chosen_because.empty() ? nlohmann::json() : nlohmann::json(r.chosen_because)},
      {"matrices_per_second", r.batch_seconds > 0 ? r.count / r.batch_seconds : 0.0},
      {"timings",
       {{"read", read_seconds},
        {"analyze", r.analyze_seconds},
        {"factor", r.factor_seconds},
        {"batch_setup", r.batch_setup_seconds},
        {"batch", r.batch_seconds},
        {"per_matrix", r.count ? r.batch_seconds / r.count : 0.0},
        {"upload", t.upload_seconds},
        {"compute", t.compute_seconds},
        {"download", t.download_seconds},
        {"host", t.host_seconds},
        {"check", r.check_seconds},
        {"fallback", r.fallback_seconds}}},
  };
  if (a.json) {
    std::cout << json_text(j, 2) << "\n";
  } else {
    std::cout << "solver          " << r.solver << "\n";
    if (!r.chosen_because.empty()) std::cout << "chosen because  " << r.chosen_because << "\n";
    std::cout << "batch           " << r.count << " matrices, " << r.method
              << (r.device.empty() ? "" : " on " + r.device) << "\n"
              << "ordering        " << r.ordering << "\n"
              << "n, nnz          " << r.n << ", " << r.nnz << "\n"
              << "backward error  worst " << format_double(worst) << "\n"
              << "time analyze    " << r.analyze_seconds << " s\n"
              << "time factor     " << r.factor_seconds << " s (first matrix, fresh)\n"
              << "time set-up     " << r.batch_setup_seconds << " s (batch schedule)\n"
              << "time batch      " << r.batch_seconds << " s (refactor + solve of all, "
              << j["matrices_per_second"].get<double>() << " matrices/s)\n";
    if (!r.device.empty())
      std::cout << "  of which       upload " << t.upload_seconds << " s, kernels "
                << t.compute_seconds << " s, download " << t.download_seconds << " s, host "
                << t.host_seconds << " s\n";
    std::cout << "time check      " << r.check_seconds << " s\n";
    if (!r.refactor_fallbacks.empty())
      std::cout << "refactor fallbacks at matrices " << json_text(j["refactor_fallbacks"]) << "\n";
  }
  if (worst > a.tol) {
    std::ostringstream msg;
    msg << "backward error " << format_double(worst) << " is above the tolerance "
        << format_double(a.tol);
    throw_numerical(msg.str());
  }
}

}  // namespace spax::app
