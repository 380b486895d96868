// Internal: the thread counts of the BLAS (OpenBLAS) and of CHOLMOD's OpenMP loops, and the
// BLAS's self-description. Resolved at run time (dlsym), so a BLAS other than OpenBLAS or a
// CHOLMOD without OpenMP simply leaves these as no-ops.
#pragma once

#include <string>

namespace spax::detail {

// OpenBLAS's current thread count (openblas_get_num_threads); 1 when unknown.
int blas_threads();
// openblas_set_num_threads(n); false when the BLAS has no such function.
bool set_blas_threads(int n);
// openblas_get_config() (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64"), or
// "unknown BLAS".
std::string blas_config();
// Makes the OpenMP parallel regions of this process run on one thread, even those with a
// num_threads clause (CHOLMOD's supernodal assembly loops ask for a fixed 4): no active parallel
// level is allowed (omp_set_max_active_levels(0)), so every region runs inactive on the calling
// thread. Meant for a child process that times CHOLMOD with a given number of BLAS threads only.
// False when the process has no OpenMP runtime.
bool serialize_openmp();

}  // namespace spax::detail
