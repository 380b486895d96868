// Internal: the sequence runner's checks and verdicts that need no solver state (beside the
// public per-matrix rules of spax/solve.hpp: check_solver_input, check_no_empty_line,
// refactor_or_factor, refactor_answer_rejected): input validation of the whole sequence, the
// condition limit, the accuracy warnings, and the record of a failed iterative solve.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spax/solve.hpp"

namespace spax::solve_detail {

// Square, with values, one field, finite, a right-hand side count that fits, a valid condition
// limit: input and usage errors naming the matrix (options.names) before any work.
void validate_sequence_input(const std::vector<SparseMatrix>& ms,
                             const std::vector<RightHandSide>& rhs, const SequenceOptions& o);
// A numerical error when the condition estimate 1 / rcond passes `limit` (> 0; 0: no limit).
void check_condition_limit(double rcond, double limit);
// The warnings about answers that may be inaccurate: a forward-error bound above `limit`, or, for
// solves without a condition estimate (iterative), a known forward error above it.
std::vector<std::string> accuracy_warnings(const std::vector<SolveRecord>& solves, double limit);
// The result of a sequence of 0-by-0 systems: the empty solution, exactly.
void fill_empty_system_result(SequenceResult& r, const std::vector<SparseMatrix>& ms,
                              const std::vector<RightHandSide>& rhs);
// The record of an iterative solve that failed (its residual history shows why); nullopt when the
// stats hold no history of a solve.
std::optional<SolveRecord> failed_iterative_record(const SolverStats& stats, std::size_t matrix);

}  // namespace spax::solve_detail
