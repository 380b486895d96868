// `spax bench --batch K` results as a text table, JSON and CSV.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "spax/batch.hpp"
#include "spax/bench.hpp"

namespace spax {

struct SPAX_API BatchBenchReport {
  std::vector<BatchBenchCase> cases;  // in run order
  int count = 0, warmup = 0, runs = 0;
  std::uint64_t seed = 1;
  MachineInfo machine;
};

// One table per matrix: per solver the batch time (mean +- sigma, the fastest marked '*', the
// others as a multiple of it), the time per matrix, matrices per second, where a device backend's
// time went (copies, kernels, host), the worst backward error and the fallbacks.
SPAX_API std::string batch_bench_text(const BatchBenchReport& r);
SPAX_API nlohmann::json batch_bench_json(const BatchBenchReport& r);
SPAX_API std::string batch_bench_csv(const BatchBenchReport& r);

}  // namespace spax
