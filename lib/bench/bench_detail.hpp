// Internal: the pieces of spax bench that the in-process runner (bench.cpp) and the MPI
// launcher (bench_mpi.cpp) share.
#pragma once

#include <string>

#include "spax/bench.hpp"

namespace spax::bench_detail {

// One case in this process, as the JSON text of its result.
std::string case_payload(const SparseMatrix& input, const std::string& solver,
                         const std::string& ordering, const BenchOptions& o);
// Fills a case (status, phases, statistics) from that JSON text; a text that is not JSON is a
// failed case.
void read_payload(BenchCase& c, const std::string& payload, bool synthesized);

}  // namespace spax::bench_detail
