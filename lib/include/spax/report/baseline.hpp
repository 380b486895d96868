// Per-matrix metrics recorded in a CI baseline and compared against it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "spax/report/check_report.hpp"
#include "spax/sparse.hpp"

namespace spax {

// fingerprint, n, nnz and, for a square matrix, the metrics of `ordering`: nnz_L, flops,
// etree_height, work_span, supernodes (relaxed, as CHOLMOD amalgamates them).
SPAX_API nlohmann::json baseline_metrics(const SparseMatrix& a, const std::string& ordering);

struct SPAX_API BaselineThresholds {
  double max_fill_increase = 0.05;      // nnz_L may grow by at most this fraction
  double max_height_increase = 0.05;    // etree height likewise
  double min_parallelism_ratio = 0.95;  // new work/span >= this * old work/span
};

// One case per check (fingerprint, fill, height, parallelism) comparing `now` with `old`.
// Exactly at a threshold passes; past it fails.
SPAX_API std::vector<CheckCase> compare_to_baseline(const std::string& file,
                                                    const nlohmann::json& old,
                                                    const nlohmann::json& now,
                                                    const BaselineThresholds& t,
                                                    const std::string& recreate_hint);

constexpr int kBaselineFormatVersion = 1;

// A baseline document from its text, checked against the format above: a top-level object with
// format "spax-baseline", an integer version, an optional known ordering name and "matrices", an
// object whose entries each have a fingerprint (32 hex digits), integer n, rows and nnz and, when
// present, non-negative finite metrics. Anything else is an input error naming `path` and the
// offending key (never a JSON type error later, in the comparison).
SPAX_API nlohmann::json parse_baseline(std::string_view text, const std::string& path);
// The same, reading the file at `path`.
SPAX_API nlohmann::json load_baseline(const std::string& path);

}  // namespace spax
