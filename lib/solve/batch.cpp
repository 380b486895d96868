// run_batch: many matrices of one pattern, analysed and factored once, then refactored with that
// pivot order and solved, by the backend's own batch (BatchRefactorSolver) or by a loop on the
// host; every answer's backward error checked on the host, and a failed one redone with a fresh
// factorization of its matrix.
#include "spax/batch.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "spax/timer.hpp"

namespace spax {

DeviceSolver::~DeviceSolver() = default;
BatchRefactorSolver::~BatchRefactorSolver() = default;

namespace {

void validate(const std::vector<SparseMatrix>& ms, const std::vector<RightHandSide>& rhs) {
  if (ms.empty()) throw_usage("no matrix to solve");
  const SparseMatrix& a0 = ms[0];
  for (std::size_t k = 0; k < ms.size(); ++k) {
    const SparseMatrix& a = ms[k];
    const std::string which = "matrix " + std::to_string(k + 1);
    if (!a.is_square())
      throw_input(which + " is not square (" + std::to_string(a.nrows) + " x " +
                  std::to_string(a.ncols) + ")");
    if (!a.has_values()) throw_usage(which + " has no values");
    if (a.is_complex()) throw_usage("a batch takes real matrices only (" + which + " is complex)");
    if (auto bad = first_nonfinite_entry(a); !bad.empty())
      throw_input(which + " has a non-finite value (" + bad + "): refused before factorization");
    if (a.nrows != a0.nrows || a.colptr != a0.colptr || a.rowind != a0.rowind)
      throw_input(which + " has another pattern than matrix 1: a batch needs one pattern");
  }
  if (!rhs.empty() && rhs.size() != 1 && rhs.size() != ms.size())
    throw_usage("give one right-hand side, or one per matrix (" + std::to_string(ms.size()) + ")");
  for (std::size_t k = 0; k < rhs.size(); ++k) {
    if (rhs[k].nrhs != rhs[0].nrhs)
      throw_input("every right-hand side of a batch needs the same number of columns");
    if (static_cast<index_t>(rhs[k].values.size()) != a0.nrows * rhs[k].nrhs)
      throw_input("right-hand side " + std::to_string(k + 1) + " does not have " +
                  std::to_string(a0.nrows) + " real rows");
  }
}

// The worst backward error over the right-hand sides of one matrix.
double worst_backward_error(const SparseMatrix& a, const std::vector<double>& x,
                            const std::vector<double>& b, index_t nrhs, double anorm) {
  const auto n = static_cast<std::size_t>(a.nrows);
  double w = 0.0;
  for (index_t r = 0; r < nrhs; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * n;
    const double e = backward_error(a, std::span<const double>(x.data() + o, n),
                                    std::span<const double>(b.data() + o, n), false, anorm);
    if (!(e <= w)) w = e;
  }
  return w;
}

}  // namespace

BatchResult run_batch(const std::vector<SparseMatrix>& ms, const std::vector<RightHandSide>& rhs,
                      const BatchOptions& o) {
  validate(ms, rhs);
  BatchResult r;
  const SparseMatrix& a0 = ms[0];
  const auto K = ms.size();
  r.n = a0.nrows;
  r.nnz = a0.nnz();
  r.count = static_cast<index_t>(K);
  const index_t nrhs = rhs.empty() ? 1 : rhs[0].nrhs;
  const auto n = static_cast<std::size_t>(a0.nrows);
  std::string name = o.solver;
  if (name == "auto") {
    SolverChoice c = choose_solver(a0, o.solver_options);
    name = c.name;
    r.chosen_because = c.because;
  }
  r.solver = name;
  // Right-hand sides (b = A * ones when none is given) and the solutions' storage.
  std::vector<std::vector<double>> b(K);
  for (std::size_t k = 0; k < K; ++k) {
    if (rhs.empty()) {
      std::vector<double> ones(n, 1.0);
      b[k].assign(n, 0.0);
      multiply(ms[k], ones, b[k]);
    } else {
      b[k] = (rhs.size() == 1 ? rhs[0] : rhs[k]).values;
    }
  }
  r.x = b;
  r.nrhs.assign(K, nrhs);
  if (n == 0) {
    r.method = "none (0 x 0)";
    r.backward_error.assign(K, 0.0);
    if (rhs.empty()) r.forward_error.assign(K, 0.0);
    return r;
  }

  std::unique_ptr<Solver> s = create_solver(name, o.solver_options);
  Timer t;
  s->analyze(a0);
  r.analyze_seconds = t.seconds();
  t.reset();
  s->factor(a0);
  r.factor_seconds = t.seconds();
  r.stats = s->stats();
  r.ordering = r.stats.ordering;
  auto* device = dynamic_cast<DeviceSolver*>(s.get());
  auto* batcher = o.host_loop ? nullptr : dynamic_cast<BatchRefactorSolver*>(s.get());
  if (batcher) {
    Timer pt;
    batcher->prepare_batch(a0, static_cast<index_t>(K));
    r.batch_setup_seconds = pt.seconds();
  }
  if (device) {
    r.device = device->device_name();
    device->reset_device_timings();
  }

  std::vector<char> suspect(K, 0);
  Timer bt;
  if (batcher) {
    r.method = batcher->batch_method();
    std::vector<const SparseMatrix*> mp(K);
    std::vector<double*> xp(K);
    for (std::size_t k = 0; k < K; ++k) {
      mp[k] = &ms[k];
      xp[k] = r.x[k].data();
    }
    batcher->refactor_solve_batch(mp, xp, nrhs, suspect);
  } else {
    r.method = "host loop";
    for (std::size_t k = 0; k < K; ++k) {
      s->refactor(ms[k]);
      if (s->refactor_suspect()) {
        s->factor(ms[k]);
        r.refactor_fallbacks.push_back(static_cast<index_t>(k));
      }
      s->solve(std::span<double>(r.x[k]), nrhs, false);
    }
  }
  r.batch_seconds = bt.seconds();
  if (device) r.device_timings = device->device_timings();

  // Every answer checked, on all cores.
  Timer ct;
  r.backward_error.assign(K, 0.0);
  const int threads = std::max(1, std::min<int>(resolve_threads(o.threads), static_cast<int>(K)));
  {
    std::vector<std::thread> pool;
    for (int w = 0; w < threads; ++w)
      pool.emplace_back([&, w] {
        for (std::size_t k = static_cast<std::size_t>(w); k < K;
             k += static_cast<std::size_t>(threads))
          r.backward_error[k] = worst_backward_error(ms[k], r.x[k], b[k], nrhs, -1.0);
      });
    for (auto& th : pool) th.join();
  }
  r.check_seconds = ct.seconds();

  // Answers whose kept pivots failed: a fresh factorization of that matrix, solved again.
  Timer ft;
  for (std::size_t k = 0; k < K; ++k) {
    const bool fell_back_already =
        std::find(r.refactor_fallbacks.begin(), r.refactor_fallbacks.end(),
                  static_cast<index_t>(k)) != r.refactor_fallbacks.end();
    // A fresh factorization already made this answer: nothing better to try.
    if (fell_back_already) continue;
    if (!suspect[k] && r.backward_error[k] <= o.refactor_backward_limit) continue;
    s->factor(ms[k]);
    r.x[k] = b[k];
    s->solve(std::span<double>(r.x[k]), nrhs, false);
    r.backward_error[k] = worst_backward_error(ms[k], r.x[k], b[k], nrhs, -1.0);
    r.refactor_fallbacks.push_back(static_cast<index_t>(k));
  }
  std::sort(r.refactor_fallbacks.begin(), r.refactor_fallbacks.end());
  r.fallback_seconds = ft.seconds();

  if (rhs.empty()) {
    r.forward_error.assign(K, 0.0);
    for (std::size_t k = 0; k < K; ++k)
      for (double v : r.x[k])
        if (!(std::abs(v - 1.0) <= r.forward_error[k])) r.forward_error[k] = std::abs(v - 1.0);
  }
  return r;
}

}  // namespace spax
