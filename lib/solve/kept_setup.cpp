// The Newton-sequence policy of the iterative backends (spax/kept_setup.hpp): a kept preconditioner
// setup, rebuilt when a solve on it passes the rebuild bound.
#include <algorithm>
#include <sstream>

#include "spax/kept_setup.hpp"
#include "spax/timer.hpp"

namespace spax {

void solve_keeping_setup(KeptSetup& kept, const KeptSetupSolve& how, SolverStats& stats,
                         std::span<double> b, index_t n, index_t nrhs) {
  stats.rebuilt = false;
  stats.iterations = 0;
  stats.relative_residual = 0.0;
  stats.residual_history.assign(static_cast<std::size_t>(std::max<index_t>(nrhs, 0)), {});
  for (index_t k = 0; k < nrhs; ++k) {
    double* bk = b.data() + k * n;
    std::vector<double> rhs(bk, bk + n), x(static_cast<std::size_t>(n), 0.0);
    auto& hist = stats.residual_history[static_cast<std::size_t>(k)];
    IterativeOutcome o;
    if (!kept.fresh) {
      // The kept setup, allowed up to the rebuild bound.
      const int bound =
          how.rebuild_iters > 0
              ? how.rebuild_iters
              : (kept.reference_iters >= 0 ? 2 * kept.reference_iters + 5 : how.max_iter);
      o = how.iterate(rhs, x, std::min(bound, how.max_iter), hist);
      if (!o.converged) {
        Timer st;
        how.setup();
        kept.built(st.seconds());
        stats.rebuilt = true;
        std::fill(x.begin(), x.end(), 0.0);
        hist.clear();
      }
    }
    if (kept.fresh && (o.iterations < 0 || !o.converged)) {
      o = how.iterate(rhs, x, how.max_iter, hist);
      if (kept.reference_iters < 0 && o.converged) kept.reference_iters = o.iterations;
    }
    if (!o.converged) {
      std::ostringstream m;
      m << how.name << ": not converged within " << how.max_iter
        << " iterations (max_iter): relative residual " << o.residual << " reached, tolerance "
        << how.tol;
      if (!o.breakdown.empty()) m << "; breakdown: " << o.breakdown;
      throw_numerical(m.str());
    }
    stats.iterations = std::max<index_t>(stats.iterations, o.iterations);
    stats.relative_residual = std::max(stats.relative_residual, o.residual);
    std::copy(x.begin(), x.end(), bk);
  }
  stats.setup_seconds = kept.pending_setup;
  kept.pending_setup = 0.0;
}

}  // namespace spax
