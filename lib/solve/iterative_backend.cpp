// The iterative backends cg, bicgstab, gmres (each with a preconditioner: none, jacobi,
// block-jacobi, ilut, amg) and amg (BoomerAMG cycles on their own), behind the Solver interface:
// analyze = the row-wise copy of the pattern, factor = the preconditioner setup, refactor = new
// values only (the setup is kept), solve = iterate from x = 0. A kept setup that needs more
// iterations than the rebuild bound is rebuilt from the current values and the solve redone.
// Convergence is judged on ||b - A x|| / ||b|| recomputed from the matrix, never on the
// method's own estimate; not converging is a numerical error carrying the residual reached.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "solve/backends.hpp"
#include "solve/iterative.hpp"
#include "solve/plugins.hpp"
#include "spax/kept_setup.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace solve_detail {
namespace {

class IterativeSolver final : public Solver {
 public:
  // `o.options` is resolved (create_solver validated the keys and filled the defaults).
  IterativeSolver(std::string method, const SolverOptions& o) : method_(std::move(method)) {
    const auto& opt = o.options;
    precond_ = opt.at("precond");
    name_ = method_ == "amg" ? method_ : method_ + "+" + precond_;
    tol_ = option_number(opt, name_, "tol", 1e-300, 1.0);
    if (!(tol_ > 0.0)) throw_usage(name_ + ": option tol must be positive");
    max_iter_ = static_cast<int>(option_number(opt, name_, "max_iter", 1, 1e9));
    rebuild_iters_ = static_cast<int>(option_number(opt, name_, "rebuild_iters", 0, 1e9));
    if (opt.count("restart"))
      restart_ = static_cast<int>(option_number(opt, name_, "restart", 1, 1e6));
    // Validates the preconditioner's options before any work.
    const PreconditionerInfo* p = find_preconditioner(precond_);
    if (!p) throw_usage(name_ + ": unknown preconditioner '" + precond_ + "'");
    pre_ = p->factory(opt);
    stats_.iterative = true;
    stats_.ordering = "natural";
  }

  std::string name() const override { return name_; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    if (a.is_complex()) throw_usage(name() + ": iterative solvers take real matrices only");
    if (!a.is_square()) throw_input("matrix is not square");
    a_ = a;
    if (a_.values.empty()) a_.values.assign(static_cast<std::size_t>(a.nnz()), 1.0);
    csr_ = make_csr(a_);
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    stats_.residual_history.clear();  // a history belongs to the solve after this setup
    load_values(a);
    pre_->prepare();
    Timer t;
    pre_->setup(a_, csr_);
    const double s = t.seconds();
    kept_.built(s);
    stats_.setup_seconds = s;
    stats_.factor_seconds = s;
  }

  // New values, same pattern: the preconditioner setup is kept (solve decides whether it still
  // converges well enough).
  void refactor(const SparseMatrix& a) override {
    Timer t;
    stats_.residual_history.clear();
    load_values(a);
    kept_.fresh = false;
    stats_.refactor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    if (transpose) throw_usage(name() + ": iterative solvers do not solve with the transpose");
    Timer t;
    const index_t n = a_.nrows;
    KeptSetupSolve how;
    how.name = name();
    how.max_iter = max_iter_;
    how.rebuild_iters = rebuild_iters_;
    how.tol = tol_;
    how.iterate = [this](const std::vector<double>& rhs, std::vector<double>& x, int max_iter,
                         std::vector<double>& hist) { return iterate(rhs, x, max_iter, hist); };
    how.setup = [this] { pre_->setup(a_, csr_); };
    solve_keeping_setup(kept_, how, stats_, b, n, nrhs);
    stats_.solve_seconds = t.seconds();
  }

  void solve(std::span<complex_t>, index_t, bool) override {
    throw_usage(name() + ": iterative solvers take real matrices only");
  }

 private:
  void load_values(const SparseMatrix& a) {
    if (a.nrows != a_.nrows || a.colptr != a_.colptr || a.rowind != a_.rowind) analyze(a);
    if (a.values.empty())
      std::fill(a_.values.begin(), a_.values.end(), 1.0);
    else
      a_.values = a.values;
    update_csr_values(csr_, a_);
  }

  // Runs the method from x (at most max_iter iterations in all), restarting it from the current
  // x while its own estimate says converged but the recomputed residual does not.
  IterativeOutcome iterate(const std::vector<double>& b, std::vector<double>& x, int max_iter,
                           std::vector<double>& hist) {
    IterativeOutcome o;
    o.iterations = 0;
    const double bnorm = norm2(b.data(), a_.nrows);
    if (bnorm == 0.0) {
      std::fill(x.begin(), x.end(), 0.0);
      hist.assign(1, 0.0);
      o.converged = true;
      return o;
    }
    hist.assign(1, residual_norm(csr_, b.data(), x.data()) / bnorm);
    for (;;) {
      KrylovControl c;
      c.tol = tol_;
      c.max_iter = max_iter - o.iterations;
      c.restart = restart_;
      c.bnorm = bnorm;
      c.history = &hist;
      int done = 0;
      if (method_ == "cg")
        done = run_cg(csr_, *pre_, b.data(), x.data(), c);
      else if (method_ == "bicgstab")
        done = run_bicgstab(csr_, *pre_, b.data(), x.data(), c);
      else if (method_ == "gmres")
        done = run_gmres(csr_, *pre_, b.data(), x.data(), c);
      else
        done = run_richardson(csr_, *pre_, b.data(), x.data(), c);
      o.iterations += done;
      o.residual = residual_norm(csr_, b.data(), x.data()) / bnorm;
      if (!std::isfinite(o.residual)) o.residual = INFINITY;
      if (hist.size() > 1) hist.back() = o.residual;  // the recomputed one, not the estimate
      o.breakdown = c.breakdown;
      o.converged = o.residual <= tol_;
      if (o.converged || o.iterations >= max_iter || done == 0 || !c.breakdown.empty() ||
          !std::isfinite(o.residual))
        return o;
    }
  }

  std::string method_, precond_, name_;
  double tol_ = kDefaultTolerance;
  int max_iter_ = kDefaultMaxIterations;
  int restart_ = kDefaultRestart;
  int rebuild_iters_ = 0;
  std::unique_ptr<Preconditioner> pre_;
  SparseMatrix a_;
  Csr csr_;
  KeptSetup kept_;
};

}  // namespace

namespace {
std::vector<BackendOption> iterative_options(const std::string& precond) {
  char tol[32], iters[32];
  std::snprintf(tol, sizeof tol, "%g", kDefaultTolerance);
  std::snprintf(iters, sizeof iters, "%d", kDefaultMaxIterations);
  return {{"precond", precond, "the preconditioner (also given as METHOD+PRECOND)"},
          {"tol", tol, "relative residual ||b - A x|| / ||b|| to reach"},
          {"max_iter", iters, "iterations at most; not converging is a numerical error"},
          {"rebuild_iters", "0",
           "in a sequence, rebuild the kept setup when a solve needs more iterations (0: twice "
           "the first count, plus 5)"}};
}

BackendInfo iterative_backend(const std::string& method, const std::string& summary,
                              const std::string& precond) {
  BackendInfo b;
  b.name = method;
  b.kind = BackendKind::iterative;
  b.summary = summary;
  b.caps.needs_preconditioner = true;
  b.options = iterative_options(precond);
  b.factory = [method](const SolverOptions& o) {
    return std::unique_ptr<Solver>(new IterativeSolver(method, o));
  };
  return b;
}
}  // namespace

BackendInfo cg_backend() {
  return iterative_backend(
      "cg", "preconditioned conjugate gradients (symmetric positive definite matrices)", "amg");
}
BackendInfo bicgstab_backend() {
  return iterative_backend("bicgstab", "BiCGSTAB, right-preconditioned", "ilut");
}
BackendInfo gmres_backend() {
  BackendInfo b = iterative_backend("gmres", "restarted GMRES(m), right-preconditioned", "ilut");
  b.options.push_back({"restart", std::to_string(kDefaultRestart), "the restart length m"});
  return b;
}
BackendInfo amg_backend() {
  BackendInfo b =
      iterative_backend("amg", "hypre's BoomerAMG on its own: V-cycles x += M^-1 (b - A x)", "amg");
  b.preconditioners = {"amg"};
  b.unavailable_reason = [] {
    return find_preconditioner("amg") ? std::string() : preconditioner_missing_reason("amg");
  };
  return b;
}

}  // namespace solve_detail
}  // namespace spax
