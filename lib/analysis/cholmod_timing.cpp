#include "analysis/cholmod_timing.hpp"

#include <cholmod.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "analysis/cholmod_common.hpp"
#include "core/blas_threads.hpp"
#include "spax/timer.hpp"

namespace spax::detail {

SpdUpper spd_upper(const SparseMatrix& a) {
  const index_t n = a.ncols;
  std::vector<std::vector<index_t>> cols(static_cast<std::size_t>(n));
  for (index_t j = 0; j < n; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      index_t i = a.rowind[p];
      if (i < j) cols[j].push_back(i);
      if (j < i) cols[i].push_back(j);
    }
  std::vector<index_t> degree(static_cast<std::size_t>(n), 0);
  for (index_t j = 0; j < n; ++j) {
    auto& c = cols[j];
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    for (index_t i : c) {
      ++degree[i];
      ++degree[j];
    }
  }
  SpdUpper out;
  out.n = n;
  out.colptr.assign(static_cast<std::size_t>(n) + 1, 0);
  for (index_t j = 0; j < n; ++j) {
    for (index_t i : cols[j]) {
      out.rowind.push_back(i);
      out.values.push_back(-1.0);
    }
    out.rowind.push_back(j);
    out.values.push_back(1.0 + static_cast<double>(degree[j]));
    out.colptr[j + 1] = static_cast<index_t>(out.rowind.size());
  }
  return out;
}

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0.0;
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

CholmodTimes time_cholmod_supernodal(const SpdUpper& a, std::span<const index_t> perm,
                                     const std::vector<int>& threads, int max_rounds,
                                     double budget_seconds) {
  CholmodTimes out;
  out.seconds.assign(threads.size(), std::numeric_limits<double>::infinity());
  out.cpu_seconds = out.seconds;
  serialize_openmp();
  // A fixed threshold turns off glibc's dynamic one: every large block (the factor) is mapped
  // fresh and released at free, so each run pays its first touch.
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 256 * 1024);
  CholmodCommon common(CHOLMOD_GIVEN, CHOLMOD_SUPERNODAL);
  cholmod_common* c = common.get();
  cholmod_sparse A =
      cholmod_upper_view(a.n, a.colptr.data(), a.rowind.data(), a.values.size(), a.values.data());
  std::vector<index_t> p(perm.begin(), perm.end());
  if (p.empty()) {
    p.resize(static_cast<std::size_t>(a.n));
    std::iota(p.begin(), p.end(), index_t{0});
  }
  cholmod_factor* symbolic = cholmod_l_analyze_p(&A, p.data(), nullptr, 0, c);
  if (!symbolic)
    throw_internal("cholmod_analyze failed (status " + std::to_string(c->status) + ")");
  const int saved = blas_threads();
  Timer all;
  try {
    for (int round = 0; round < std::max(max_rounds, 1); ++round) {
      if (round > 0 && all.seconds() >= budget_seconds) break;
      for (std::size_t t = 0; t < threads.size(); ++t) {
        set_blas_threads(threads[t]);
        cholmod_factor* l = cholmod_l_copy_factor(symbolic, c);
        if (!l) throw_internal("cholmod_copy_factor failed");
        const double cpu0 = thread_cpu_seconds();
        Timer timer;
        const int ok = cholmod_l_factorize(&A, l, c);
        const double s = timer.seconds();
        const double cpu = thread_cpu_seconds() - cpu0;
        const int status = c->status;
        cholmod_l_free_factor(&l, c);
        if (!ok || status != CHOLMOD_OK) {
          if (status == CHOLMOD_NOT_POSDEF)
            throw_numerical("CHOLMOD: matrix not positive definite");
          throw_internal("cholmod_factorize failed (status " + std::to_string(status) + ")");
        }
        out.seconds[t] = std::min(out.seconds[t], s);
        out.cpu_seconds[t] = std::min(out.cpu_seconds[t], cpu);
      }
      ++out.rounds;
    }
  } catch (...) {
    set_blas_threads(saved);
    cholmod_l_free_factor(&symbolic, c);
    throw;
  }
  set_blas_threads(saved);
  cholmod_l_free_factor(&symbolic, c);
  return out;
}

}  // namespace spax::detail
