// Internal to the bench report: a case's speedup over the same case on one process, which the
// tables (bench_report.cpp) and the CSV and JSON exports (bench_export.cpp) both show.
#pragma once

#include <string>

#include "spax/report/bench_report.hpp"

namespace spax::detail::bench {

// Speedup over one process for a phase (NaN when either is missing).
double speedup(const BenchReport& r, const BenchCase& c, const std::string& phase);

}  // namespace spax::detail::bench
