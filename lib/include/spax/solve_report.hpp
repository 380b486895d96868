// Solver documents as JSON text, shared by the command line and the Python module so that the
// two cannot drift: the registry as `spax solvers --json` prints it, and a SolverSession's
// statistics under the key names of `spax solve --json`.
#pragma once

#include <string>

#include "spax/common.hpp"
#include "spax/solve.hpp"

namespace spax {

// Every backend this build knows, usable here or not (backends, with capabilities, orderings and
// option keys; the preconditioners; the plugins found): the document of `spax solvers --json`.
// `only`: that backend alone (an unknown name is a usage error).
SPAX_API std::string solvers_json(const std::string& only = {}, int indent = 2);

// A session's statistics. The keys `spax solve --json` also has mean the same (solver, ordering,
// chosen_because, n, nnz, matrices, nnz_L, nnz_U, flops, rcond, pivot_growth,
// factor_bytes_estimate, refactor_fallbacks, reanalysed, timings.analyze, timings.factor), except
// that the per-matrix lists of the command line (backward_error, timings.refactor,
// timings.solve, iterative.*) hold the last matrix's value here: a session lives across an
// unbounded loop. Added: solves, safe, refactor_backward_limit. Numbers that are not available
// are null.
SPAX_API std::string session_json(const SolverSession& session, int indent = -1);

}  // namespace spax
