// The schedule predictions of `spax analyze` as JSON (orderings.NAME.schedule, the
// machine_model key, the threaded measurements), as text, and as an SVG.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "spax/analyze_report.hpp"

namespace spax {

// orderings.NAME.schedule; `measured` (may be null) adds predicted_vs_measured.
SPAX_API nlohmann::ordered_json schedule_json(const SchedulePrediction& s,
                                              const MeasuredFactorization* measured);
// The top-level machine_model key.
SPAX_API nlohmann::ordered_json machine_model_info_json(const MachineModelInfo& m);
// Adds the supernodal timings with 1 and 2 BLAS threads (and the MUMPS placeholders) to an
// orderings.NAME.measured object.
SPAX_API void add_threaded_measure(nlohmann::ordered_json& measured,
                                   const MeasuredFactorization& m);

// The summary's "Predicted schedule" section ("" without predictions).
SPAX_API std::string schedule_summary(const AnalyzeResult& r);

// schedule.svg: predicted speedup against workers (1 to 64, log scale) for every ordering, tree
// parallelism (dashed) and tree + within-front (solid), with the measured 2-thread CHOLMOD
// speedups as points when measured. Empty string without predictions.
SPAX_API std::string schedule_svg(const AnalyzeResult& r);

// `spax calibrate`'s summary: where the model was saved, what was measured (the best rate of
// each kernel per thread count, the barrier, the backend overhead and its fit).
SPAX_API std::string machine_model_summary(const MachineModel& m, const std::string& path);

}  // namespace spax
