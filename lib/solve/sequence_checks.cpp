#include "solve/sequence_checks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace spax::solve_detail {

void validate_sequence_input(const std::vector<SparseMatrix>& ms,
                             const std::vector<RightHandSide>& rhs, const SequenceOptions& o) {
  if (ms.empty()) throw_usage("no matrix to solve");
  const SparseMatrix& a0 = ms[0];
  for (std::size_t i = 0; i < ms.size(); ++i) {
    const bool named = i < o.names.size();
    const std::string what = named ? "matrix" : "matrix " + std::to_string(i + 1);
    const std::string file = named ? o.names[i] : std::string();
    check_solver_input(ms[i], what, file);
    if (ms[i].is_complex() != a0.is_complex())
      throw_input(what + " mixes real and complex in one sequence", file);
  }
  if (!rhs.empty() && rhs.size() != 1 && rhs.size() != ms.size())
    throw_usage("give one right-hand side, or one per matrix (" + std::to_string(ms.size()) + ")");
  if (o.max_condition < 0 || std::isnan(o.max_condition))
    throw_usage("the condition limit must be positive (0: none)");
}

void check_condition_limit(double rcond, double limit) {
  if (!(limit > 0)) return;
  if (rcond > 0 && 1.0 / rcond <= limit) return;
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "condition estimate %.3g (rcond %.3g) is above the limit %.3g: the answer may be "
                "inaccurate",
                rcond > 0 ? 1.0 / rcond : INFINITY, rcond, limit);
  throw_numerical(buf);
}

std::vector<std::string> accuracy_warnings(const std::vector<SolveRecord>& solves, double limit) {
  std::size_t inaccurate = 0, hidden = 0;
  double worst_bound = 0.0, worst_forward = 0.0, rcond_at_worst = NAN;
  for (const auto& r : solves) {
    if (r.error_bound > limit) {
      ++inaccurate;
      if (!(r.error_bound <= worst_bound)) {
        worst_bound = r.error_bound;
        rcond_at_worst = r.rcond;
      }
    }
    // Iterative solves give no condition estimate; with b = A * ones the error is known.
    if (std::isnan(r.error_bound) && r.forward_error > limit) {
      ++hidden;
      worst_forward = std::max(worst_forward, r.forward_error);
    }
  }
  std::vector<std::string> out;
  char buf[320];
  if (inaccurate > 0) {
    std::snprintf(buf, sizeof buf,
                  "the result may be inaccurate: rcond = %.3g, forward-error bound (backward "
                  "error / rcond) up to %.3g for %zu of %zu solves",
                  rcond_at_worst, worst_bound, inaccurate, solves.size());
    out.emplace_back(buf);
  }
  if (hidden > 0) {
    std::snprintf(buf, sizeof buf,
                  "the result is inaccurate: forward error up to %.3g (b = A * ones) for %zu of "
                  "%zu solves, although the residual met the tolerance (an ill-conditioned "
                  "matrix)",
                  worst_forward, hidden, solves.size());
    out.emplace_back(buf);
  }
  return out;
}

void fill_empty_system_result(SequenceResult& r, const std::vector<SparseMatrix>& ms,
                              const std::vector<RightHandSide>& rhs) {
  r.ordering = "natural";
  r.patterns.push_back({0, static_cast<index_t>(ms.size()) - 1, 0, 0, 0, 0, 0.0, "natural"});
  for (std::size_t i = 0; i < ms.size(); ++i) {
    SolveRecord rec;
    rec.matrix = static_cast<index_t>(i);
    rec.forward_error = rhs.empty() ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    r.solves.push_back(rec);
    r.nrhs.push_back(rhs.empty() ? 1 : (rhs.size() == 1 ? rhs[0] : rhs[i]).nrhs);
    if (ms[0].is_complex())
      r.zx.emplace_back();
    else
      r.x.emplace_back();
    if (i > 0) r.refactor_seconds.push_back(0.0);
  }
}

std::optional<SolveRecord> failed_iterative_record(const SolverStats& stats, std::size_t matrix) {
  if (!stats.iterative || stats.residual_history.empty()) return std::nullopt;
  SolveRecord rec;
  rec.matrix = static_cast<index_t>(matrix);
  rec.backward_error = std::numeric_limits<double>::quiet_NaN();
  rec.residual_history = stats.residual_history;
  rec.relative_residual = 0.0;
  rec.iterations = 0;
  for (const auto& h : rec.residual_history) {
    if (h.empty()) continue;
    rec.relative_residual = std::max(rec.relative_residual, h.back());
    rec.iterations = std::max<index_t>(rec.iterations, static_cast<index_t>(h.size()) - 1);
  }
  return rec;
}

}  // namespace spax::solve_detail
