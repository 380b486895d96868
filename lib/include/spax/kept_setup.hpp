// The Newton-sequence policy of spax's iterative backends, one for all of them (in one process or
// across MPI ranks), for a plugin's iterative backend too.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "spax/solve.hpp"

namespace spax {

// The preconditioner setup is kept across refactors; a solve on a kept setup may take up to the
// rebuild bound (rebuild_iters when > 0, else twice the iterations of the first solve after a
// fresh setup plus 5), and past it the setup is rebuilt and that right-hand side solved again
// from zero, within max_iter.
struct SPAX_API IterativeOutcome {
  int iterations = -1;
  bool converged = false;
  double residual = 0.0;  // ||b - A x||_2 / ||b||_2, recomputed from the matrix
  std::string breakdown;  // why the method stopped early, if it did
};
struct SPAX_API KeptSetup {
  bool fresh = false;          // the setup was built for the current values
  int reference_iters = -1;    // iterations of the first solve after it was built
  double pending_setup = 0.0;  // setup seconds not yet reported in SolverStats::setup_seconds
  // A setup was just built (by factor, or a rebuild), in `seconds`.
  void built(double seconds) {
    fresh = true;
    reference_iters = -1;
    pending_setup += seconds;
  }
};
struct SPAX_API KeptSetupSolve {
  std::string name;  // the backend, for the message when a right-hand side does not converge
  int max_iter = 0;
  int rebuild_iters = 0;
  double tol = 0.0;
  // Runs the method from x (b, x and the residual history of one right-hand side) within
  // max_iter iterations; rebuilds the setup for the current values.
  std::function<IterativeOutcome(const std::vector<double>& b, std::vector<double>& x, int max_iter,
                                 std::vector<double>& history)>
      iterate;
  std::function<void()> setup;
};
// Solves the nrhs right-hand sides of b (n entries each, overwritten by the solutions) under the
// policy, and sets stats' iterations, relative_residual, rebuilt, residual_history and
// setup_seconds. A right-hand side that does not converge is a numerical error naming the
// residual reached.
SPAX_API void solve_keeping_setup(KeptSetup& kept, const KeptSetupSolve& how, SolverStats& stats,
                                  std::span<double> b, index_t n, index_t nrhs);

}  // namespace spax
