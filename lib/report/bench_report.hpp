// Internal: `spax bench` results as a text table, Markdown, CSV and JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "spax/bench.hpp"

namespace spax {

struct SPAX_API BenchReport {
  std::vector<BenchCase> cases;  // in run order
  BenchOptions options;
  MachineInfo machine;
};

// For each matrix and phase, the smallest mean time among the cases that ran (NaN if none).
SPAX_API double fastest_mean(const BenchReport& r, const std::string& matrix,
                             const std::string& phase);

// One table per matrix: per case and phase "mean +- sigma", the fastest marked with '*' and the
// others as a ratio to it; failed cases with their reason.
SPAX_API std::string bench_text_table(const BenchReport& r);
SPAX_API std::string bench_markdown(const BenchReport& r);
SPAX_API std::string bench_csv(const BenchReport& r);
SPAX_API nlohmann::json bench_json(const BenchReport& r);
// Warnings for noisy phases (sigma / mean above 10%).
SPAX_API std::vector<std::string> bench_noise_warnings(const BenchReport& r);

}  // namespace spax
