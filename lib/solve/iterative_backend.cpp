// The iterative backends cg, bicgstab, gmres (each with a preconditioner: none, jacobi,
// block-jacobi, ilut, amg) and amg (BoomerAMG cycles on their own), behind the Solver interface:
// analyze = the row-wise copy of the pattern, factor = the preconditioner setup, refactor = new
// values only (the setup is kept), solve = iterate from x = 0. A kept setup that needs more
// iterations than the rebuild bound is rebuilt from the current values and the solve redone.
// Convergence is judged on ||b - A x|| / ||b|| recomputed from the matrix, never on the
// method's own estimate; not converging is a numerical error carrying the residual reached.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "solve/backends.hpp"
#include "solve/iterative.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace {
const std::vector<std::string> kMethods = {"cg", "bicgstab", "gmres", "amg"};

std::pair<std::string, std::string> split_name(const std::string& name) {
  const auto plus = name.find('+');
  if (plus == std::string::npos) return {name, ""};
  return {name.substr(0, plus), name.substr(plus + 1)};
}
}  // namespace

bool is_iterative_solver(const std::string& name) {
  const auto method = split_name(name).first;
  return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
}

std::string iterative_option_help() {
  std::string s =
      "methods cg, bicgstab, gmres (restart), amg; preconditioners (--precond or "
      "METHOD+PRECOND): ";
  for (const auto& p : solve_detail::preconditioner_names()) {
    s += p;
    const auto knobs = solve_detail::preconditioner_knobs(p);
    if (!knobs.empty()) {
      s += " (";
      for (std::size_t i = 0; i < knobs.size(); ++i) s += (i ? ", " : "") + knobs[i];
      s += ")";
    }
    s += p == "amg" ? "" : ", ";
  }
  return s;
}

namespace solve_detail {
namespace {

class IterativeSolver final : public Solver {
 public:
  IterativeSolver(std::string method, std::string precond, const SolverOptions& o)
      : method_(std::move(method)), precond_(std::move(precond)), opt_(o) {
    if (!(opt_.tol > 0.0) || !std::isfinite(opt_.tol)) throw_usage("--tol must be positive");
    if (opt_.max_iter < 1) throw_usage("--max-iter must be at least 1");
    if (opt_.restart < 1) throw_usage("--restart must be at least 1");
    if (opt_.rebuild_iters < 0) throw_usage("--rebuild-iters must be 0 or more");
    // Validates the preconditioner name and its knobs before any work.
    pre_ = make_preconditioner(precond_, opt_.precond_options);
    stats_.iterative = true;
    stats_.ordering = "natural";
  }

  std::string name() const override {
    return method_ == "amg" ? std::string("amg") : method_ + "+" + precond_;
  }

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
    load_values(a);
    pre_->prepare();
    Timer t;
    pre_->setup(a_, csr_);
    const double s = t.seconds();
    fresh_ = true;
    reference_iters_ = -1;
    pending_setup_ += s;
    stats_.setup_seconds = s;
    stats_.factor_seconds = s;
  }

  // New values, same pattern: the preconditioner setup is kept (solve decides whether it still
  // converges well enough).
  void refactor(const SparseMatrix& a) override {
    Timer t;
    load_values(a);
    fresh_ = false;
    stats_.refactor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    if (transpose) throw_usage(name() + ": iterative solvers do not solve with the transpose");
    Timer t;
    const index_t n = a_.nrows;
    stats_.rebuilt = false;
    stats_.iterations = 0;
    stats_.relative_residual = 0.0;
    stats_.residual_history.assign(static_cast<std::size_t>(std::max<index_t>(nrhs, 0)), {});
    for (index_t k = 0; k < nrhs; ++k) {
      double* bk = b.data() + k * n;
      std::vector<double> rhs(bk, bk + n), x(static_cast<std::size_t>(n), 0.0);
      auto& hist = stats_.residual_history[static_cast<std::size_t>(k)];
      Outcome o;
      if (!fresh_) {
        // The kept setup, allowed up to the rebuild bound.
        const int bound = opt_.rebuild_iters > 0
                              ? opt_.rebuild_iters
                              : (reference_iters_ >= 0 ? 2 * reference_iters_ + 5 : opt_.max_iter);
        o = iterate(rhs, x, std::min(bound, opt_.max_iter), hist);
        if (!o.converged) {
          Timer st;
          pre_->setup(a_, csr_);
          const double s = st.seconds();
          pending_setup_ += s;
          fresh_ = true;
          reference_iters_ = -1;
          stats_.rebuilt = true;
          std::fill(x.begin(), x.end(), 0.0);
          hist.clear();
        }
      }
      if (fresh_ && (o.iterations < 0 || !o.converged)) {
        o = iterate(rhs, x, opt_.max_iter, hist);
        if (reference_iters_ < 0 && o.converged) reference_iters_ = o.iterations;
      }
      if (!o.converged) {
        std::ostringstream m;
        m << name() << ": not converged within " << opt_.max_iter
          << " iterations (--max-iter): relative residual " << o.residual << " reached, tolerance "
          << opt_.tol;
        if (!o.breakdown.empty()) m << "; breakdown: " << o.breakdown;
        throw_numerical(m.str());
      }
      stats_.iterations = std::max<index_t>(stats_.iterations, o.iterations);
      stats_.relative_residual = std::max(stats_.relative_residual, o.residual);
      std::copy(x.begin(), x.end(), bk);
    }
    stats_.setup_seconds = pending_setup_;
    pending_setup_ = 0.0;
    stats_.solve_seconds = t.seconds();
  }

  void solve(std::span<complex_t>, index_t, bool) override {
    throw_usage(name() + ": iterative solvers take real matrices only");
  }

 private:
  struct Outcome {
    int iterations = -1;
    bool converged = false;
    double residual = 0.0;
    std::string breakdown;
  };

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
  Outcome iterate(const std::vector<double>& b, std::vector<double>& x, int max_iter,
                  std::vector<double>& hist) {
    Outcome o;
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
      c.tol = opt_.tol;
      c.max_iter = max_iter - o.iterations;
      c.restart = opt_.restart;
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
      o.converged = o.residual <= opt_.tol;
      if (o.converged || o.iterations >= max_iter || done == 0 || !c.breakdown.empty() ||
          !std::isfinite(o.residual))
        return o;
    }
  }

  std::string method_, precond_;
  SolverOptions opt_;
  std::unique_ptr<Preconditioner> pre_;
  SparseMatrix a_;
  Csr csr_;
  bool fresh_ = false;
  int reference_iters_ = -1;
  double pending_setup_ = 0.0;
};

}  // namespace

std::unique_ptr<Solver> make_iterative(const std::string& name, const SolverOptions& o) {
  auto [method, precond] = split_name(name);
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end())
    throw_usage("unknown iterative method '" + method + "' (cg, bicgstab, gmres, amg)");
  if (precond.empty()) precond = o.precond;
  if (precond == "default" || precond.empty())
    precond = method == "cg" || method == "amg" ? "amg" : "ilut";
  if (!precond.empty() && !name.empty() && name.find('+') != std::string::npos &&
      o.precond != "default" && o.precond != precond)
    throw_usage("solver '" + name + "' and --precond " + o.precond + " disagree");
  if (method == "amg" && precond != "amg")
    throw_usage("amg is a solver on its own: its preconditioner is amg (use cg+" + precond +
                " or gmres+" + precond + ")");
  return std::make_unique<IterativeSolver>(method, precond, o);
}

}  // namespace solve_detail
}  // namespace spax
