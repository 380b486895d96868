// Internal: timing CHOLMOD's supernodal numeric factorization with a given number of BLAS
// threads (for `analyze --measure` and the calibration of the machine model).
#pragma once

#include <span>
#include <vector>

#include "spax/common.hpp"
#include "spax/sparse.hpp"

namespace spax::detail {

// Upper triangle (diagonal included) of the pattern of A + A^T + I with values that make it
// strictly diagonally dominant (SPD): off-diagonal -1, diagonal 1 + the number of off-diagonal
// entries in the row of the full symmetric matrix.
struct SpdUpper {
  index_t n = 0;
  std::vector<index_t> colptr, rowind;
  std::vector<double> values;
};
SpdUpper spd_upper(const SparseMatrix& a);

struct CholmodTimes {
  std::vector<double> seconds;      // best wall time per thread count (order as requested)
  std::vector<double> cpu_seconds;  // best CPU time of the calling thread (meaningful for one
                                    // BLAS thread: the whole factorization runs on it)
  int rounds = 0;                   // timed rounds (each times every thread count once)
};

// The symbolic analysis of A(perm, perm) (CHOLMOD_GIVEN, no postordering, supernodal) once,
// then rounds of cholmod_l_factorize, each on a fresh copy of the symbolic factor (so each run
// allocates and touches its factor, as a first factorization does), once per thread count in
// turn (openblas_set_num_threads). At least one round; more while the rounds done so far took
// less than budget_seconds in all and fewer than max_rounds were done. CHOLMOD's own OpenMP
// loops are serialized first (serialize_openmp), so only the BLAS is threaded, and CHOLMOD's
// large allocations come fresh from the system (its allocator is replaced while this runs; the
// BLAS's own allocations are left alone), as in a first factorization: call it in a child
// process. Throws Error (numerical / internal) when CHOLMOD fails.
CholmodTimes time_cholmod_supernodal(const SpdUpper& a, std::span<const index_t> perm,
                                     const std::vector<int>& threads, int max_rounds,
                                     double budget_seconds);

}  // namespace spax::detail
