// Internal to the analyze report: what its JSON document and its summary text both read from an
// AnalyzeResult.
#pragma once

#include <string>

#include "spax/analyze_report.hpp"

namespace spax::detail {

// The LU fill entry that used this ordering (KLU's AMD, SuperLU's MMD or COLAMD), if it ran.
const LuFillEntry* lu_for_ordering(const AnalyzeResult& r, const std::string& ordering);
// Bytes of LU factors with factor_nnz entries (values and indices, CSC pointers).
double lu_bytes(index_t n, index_t factor_nnz);
// The ordering with the least nnz(L), and the one with the largest work / span (null if none).
const OrderingAnalysis* best_for_fill(const AnalyzeResult& r);
const OrderingAnalysis* best_for_parallelism(const AnalyzeResult& r);

}  // namespace spax::detail
