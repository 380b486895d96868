// `spax bench` results as a text table, Markdown, CSV and JSON.
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

// Sets predicted_speedup of every MPI case of `matrix_name` (bench --ranks): spax analyze's
// schedule prediction (predict.hpp, the tree_front schedule) for each case's process count, from
// this machine's cached machine model (the default model when there is none). The matrix must
// be square; a prediction that cannot be made leaves the cases as they are and returns why.
SPAX_API std::string add_rank_predictions(BenchReport& report, const std::string& matrix_name,
                                          const SparseMatrix& a);

// For each matrix and phase, the smallest median time among the cases that ran (NaN if none).
// Cases are ranked by median: one outlier moves a mean (and sigma) but not a median.
SPAX_API double fastest_median(const BenchReport& r, const std::string& matrix,
                               const std::string& phase);

// Per matrix ("NAME (ROWS x COLS, nnz N)"): a timing table, one row per case and phase with the
// median, its ratio to the fastest median ('*' for the fastest), mean +- sigma (the mean alone
// for one run), min .. max and the outliers ('!'); then a results table, one row per case
// (nnz(L+U), flops, peak memory, backward error, status with the reason of a failure).
SPAX_API std::string bench_text_table(const BenchReport& r);
SPAX_API std::string bench_markdown(const BenchReport& r);
SPAX_API std::string bench_csv(const BenchReport& r);
SPAX_API nlohmann::json bench_json(const BenchReport& r);
// Warnings for noisy phases (sigma / mean above 10%), one per phase (the JSON export's list).
SPAX_API std::vector<std::string> bench_noise_warnings(const BenchReport& r);
// The same as one line for stderr ("" when no phase is noisy).
SPAX_API std::string bench_noise_summary(const BenchReport& r);
// True when there were cases and none of them ran (bench then exits 3).
SPAX_API bool bench_all_failed(const BenchReport& r);

}  // namespace spax
