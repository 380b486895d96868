#include "analysis/cholmod_timing.hpp"

#include <cholmod.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
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

// CHOLMOD's allocations while a timing runs: blocks of kFreshBytes or more (the factor, the
// large workspaces) are mapped fresh from the system and unmapped at free, so each run pays the
// first touch of its factor as a first factorization does; smaller ones come from malloc. Only
// CHOLMOD's allocator is replaced (SuiteSparse_config), not glibc's: a process-wide fixed mmap
// threshold (mallopt) also made every multi-threaded OpenBLAS call map, touch and unmap the
// buffer it mallocs per call, which made 2 BLAS threads up to 20x slower than one on small
// fronts and was measured as CHOLMOD's. Each block carries its size in a header, which says how
// it was made.
constexpr std::size_t kFreshBytes = 256 * 1024;
constexpr std::size_t kHeader = 64;  // keeps the block 64-byte aligned for mapped blocks

bool mapped(std::size_t bytes) {
  return bytes >= kFreshBytes;
}
std::size_t& bytes_of(void* p) {
  return *reinterpret_cast<std::size_t*>(static_cast<char*>(p) - kHeader);
}

void* fresh_malloc(std::size_t bytes) {
  void* base = nullptr;
  if (mapped(bytes)) {
    base = ::mmap(nullptr, bytes + kHeader, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                  0);
    if (base == MAP_FAILED) return nullptr;
  } else if (!(base = std::malloc(bytes + kHeader))) {
    return nullptr;
  }
  void* p = static_cast<char*>(base) + kHeader;
  bytes_of(p) = bytes;
  return p;
}

void fresh_free(void* p) {
  if (!p) return;
  const std::size_t bytes = bytes_of(p);
  void* base = static_cast<char*>(p) - kHeader;
  if (mapped(bytes))
    ::munmap(base, bytes + kHeader);
  else
    std::free(base);
}

void* fresh_calloc(std::size_t count, std::size_t size) {
  if (size != 0 && count > static_cast<std::size_t>(-1) / size) return nullptr;
  void* p = fresh_malloc(count * size);
  // Mapped pages are zero already (and writing them would be the first touch of the run).
  if (p && !mapped(count * size)) std::memset(p, 0, count * size);
  return p;
}

void* fresh_realloc(void* p, std::size_t bytes) {
  if (!p) return fresh_malloc(bytes);
  const std::size_t old = bytes_of(p);
  void* q = fresh_malloc(bytes);
  if (!q) return nullptr;
  std::memcpy(q, p, std::min(old, bytes));
  fresh_free(p);
  return q;
}

// Installs the allocator above for CHOLMOD and restores the previous one; declared before any
// CHOLMOD object of the timing, so everything allocated through it is freed through it.
class FreshCholmodAllocations {
 public:
  FreshCholmodAllocations() : saved_(SuiteSparse_config) {
    SuiteSparse_config.malloc_func = fresh_malloc;
    SuiteSparse_config.calloc_func = fresh_calloc;
    SuiteSparse_config.realloc_func = fresh_realloc;
    SuiteSparse_config.free_func = fresh_free;
  }
  ~FreshCholmodAllocations() { SuiteSparse_config = saved_; }
  FreshCholmodAllocations(const FreshCholmodAllocations&) = delete;
  FreshCholmodAllocations& operator=(const FreshCholmodAllocations&) = delete;

 private:
  SuiteSparse_config_struct saved_;
};

}  // namespace

CholmodTimes time_cholmod_supernodal(const SpdUpper& a, std::span<const index_t> perm,
                                     const std::vector<int>& threads, int max_rounds,
                                     double budget_seconds) {
  CholmodTimes out;
  out.seconds.assign(threads.size(), std::numeric_limits<double>::infinity());
  out.cpu_seconds = out.seconds;
  serialize_openmp();
  const FreshCholmodAllocations fresh;
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
