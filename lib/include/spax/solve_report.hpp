// The report of a solve: the verdict on a SequenceResult (passed, or which failure with which
// exit code), and the one JSON document and the text summary `spax solve` prints; the registry's
// document (`spax solvers --json`) and a SolverSession's statistics. Built here so that the
// command line, the Python module and library users print the same thing.
#pragma once

#include <string>
#include <vector>

#include "spax/common.hpp"
#include "spax/solve.hpp"

namespace spax {

// What the caller knows beyond the result.
struct SPAX_API SolveReportContext {
  std::vector<std::string> files;  // the matrices' names, in sequence order
  bool values_synthesized = false;
  double read_seconds = 0.0;
  // The backward error (direct) or relative residual (iterative) above which the run fails.
  double tolerance = kDefaultTolerance;
};

// The outcome: exit code 0 (passed), 1 (a pattern changed under strict_pattern) or that of the
// failure's category (3 numerical: singular, not converged, above the tolerance or the condition
// limit; 2 usage or input), with a one-line message.
struct SPAX_API SolveVerdict {
  int exit_code = 0;
  ErrorKind kind = ErrorKind::numerical;  // when exit_code is 2, 3 or 4
  std::string message;
};
SPAX_API SolveVerdict solve_verdict(const SequenceResult& r, const SequenceOptions& o,
                                    const SolveReportContext& c);
// The verdict of a run that threw before any result (bad input, unknown solver).
SPAX_API SolveVerdict solve_verdict(const Error& e);

// The JSON document (stable keys: solver, ordering, n, nnz, nnz_L, nnz_U, flops, rcond,
// backward_error, forward_error, chosen_because, timings, cache, refactor_fallbacks, ...;
// `warnings`; `patterns` per pattern; `error` {category, message, exit_code} when it failed).
SPAX_API std::string solve_report_json(const SequenceResult& r, const SequenceOptions& o,
                                       const SolveReportContext& c, const SolveVerdict& v);
// The same for a run that has no result at all (the input was refused).
SPAX_API std::string solve_error_json(const SolveVerdict& v);
// The text summary (warnings are not in it: the caller prints them on stderr).
SPAX_API std::string solve_report_text(const SequenceResult& r, const SequenceOptions& o,
                                       const SolveReportContext& c);

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
