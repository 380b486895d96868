#include "solve/memory_cap.hpp"

#include <SuiteSparse_config.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace spax::solve_detail {
namespace {

// Every block carries its size in a 16-byte header (keeping malloc's 16-byte alignment).
constexpr std::size_t kHeader = 16;
constexpr std::size_t kNoLimit = static_cast<std::size_t>(-1);

std::atomic<std::size_t> g_in_use{0};
std::atomic<std::size_t> g_limit{kNoLimit};
std::atomic<bool> g_refused{false};
std::atomic<std::size_t> g_refused_request{0};
std::atomic<std::size_t> g_refused_in_use{0};
std::atomic<double> g_cap_bytes{0.0};  // the active cap, for backends that hold it themselves

// Reserves `add` more bytes; false (and the refusal recorded) when that passes the limit.
bool reserve(std::size_t add) {
  const std::size_t before = g_in_use.fetch_add(add, std::memory_order_relaxed);
  const std::size_t limit = g_limit.load(std::memory_order_relaxed);
  if (limit != kNoLimit && before + add > limit) {
    g_in_use.fetch_sub(add, std::memory_order_relaxed);
    if (!g_refused.exchange(true)) {
      g_refused_request = add;
      g_refused_in_use = before;
    }
    return false;
  }
  return true;
}

void* finish(void* raw, std::size_t size) {
  if (!raw) {
    g_in_use.fetch_sub(size, std::memory_order_relaxed);
    return nullptr;
  }
  std::memcpy(raw, &size, sizeof size);
  return static_cast<char*>(raw) + kHeader;
}

std::size_t size_of(void* p) {
  std::size_t size;
  std::memcpy(&size, static_cast<char*>(p) - kHeader, sizeof size);
  return size;
}

// Blocks are zero-filled (calloc; fresh pages cost nothing): UMFPACK and KLU save parts of their
// objects that they never wrote, and those bytes would otherwise carry old heap contents (paths,
// other data of the process) into cache files.
void* counted_malloc(std::size_t size) {
  if (size > kNoLimit - kHeader || !reserve(size)) return nullptr;
  return finish(std::calloc(1, size + kHeader), size);
}

void* counted_calloc(std::size_t n, std::size_t each) {
  if (each != 0 && n > (kNoLimit - kHeader) / each) return nullptr;
  const std::size_t size = n * each;
  if (!reserve(size)) return nullptr;
  return finish(std::calloc(1, size + kHeader), size);
}

void counted_free(void* p) {
  if (!p) return;
  g_in_use.fetch_sub(size_of(p), std::memory_order_relaxed);
  std::free(static_cast<char*>(p) - kHeader);
}

void* counted_realloc(void* p, std::size_t size) {
  if (!p) return counted_malloc(size);
  if (size > kNoLimit - kHeader) return nullptr;
  const std::size_t old = size_of(p);
  if (size > old && !reserve(size - old)) return nullptr;
  void* raw = std::realloc(static_cast<char*>(p) - kHeader, size + kHeader);
  if (!raw) {
    if (size > old) g_in_use.fetch_sub(size - old, std::memory_order_relaxed);
    return nullptr;  // the old block is untouched
  }
  if (size < old) g_in_use.fetch_sub(old - size, std::memory_order_relaxed);
  if (size > old) std::memset(static_cast<char*>(raw) + kHeader + old, 0, size - old);
  std::memcpy(raw, &size, sizeof size);
  return static_cast<char*>(raw) + kHeader;
}

// Installed when the library loads, before anything can allocate through SuiteSparse, so every
// block SuiteSparse frees was allocated here.
struct Install {
  Install() {
    SuiteSparse_config.malloc_func = counted_malloc;
    SuiteSparse_config.calloc_func = counted_calloc;
    SuiteSparse_config.realloc_func = counted_realloc;
    SuiteSparse_config.free_func = counted_free;
  }
} const g_install;

}  // namespace

std::string format_megabytes(double bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1024.0 * 1024.0));
  return buf;
}

bool memory_cap_supported(const std::string& solver) {
  const BackendInfo* b = find_backend(solver);
  return b && b->caps.memory_cap;
}

void require_memory_cap_support(const std::string& solver, double max_memory_mb) {
  if (!(max_memory_mb > 0) || memory_cap_supported(solver)) return;
  std::string capped;
  for (const auto& b : registered_backends())
    if (b.caps.memory_cap) capped += (capped.empty() ? "" : ", ") + b.name;
  throw_usage("the memory cap holds " + capped + "; " + solver +
              " allocates outside spax's accounting and cannot be capped");
}

std::size_t suitesparse_bytes_in_use() noexcept {
  return g_in_use.load(std::memory_order_relaxed);
}

FactorMemoryCap::FactorMemoryCap(double max_memory_mb) {
  if (!(max_memory_mb > 0)) return;
  const double b = std::ceil(max_memory_mb * 1024.0 * 1024.0);
  bytes_ = b >= static_cast<double>(kNoLimit / 2) ? kNoLimit / 2 : static_cast<std::size_t>(b);
  g_refused = false;
  base_ = g_in_use.load();
  g_limit = base_ + bytes_;
  g_cap_bytes = static_cast<double>(bytes_);
}

FactorMemoryCap::~FactorMemoryCap() {
  if (!active()) return;
  g_limit = kNoLimit;
  g_cap_bytes = 0.0;
}

bool FactorMemoryCap::refused() const noexcept {
  return active() && g_refused.load();
}

void FactorMemoryCap::check_estimate(const Solver& s) const {
  const double need = s.stats().factor_bytes_estimate;
  if (!active() || !(need > static_cast<double>(bytes_))) return;
  estimate_exceeded_ = true;
  throw_numerical("the factorization needs about " + format_megabytes(need) + " (" + s.name() +
                  "'s estimate after the symbolic analysis), above the memory cap of " +
                  format_megabytes(static_cast<double>(bytes_)));
}

std::string FactorMemoryCap::refusal_message(const std::string& solver) const {
  const std::size_t in_use = g_refused_in_use.load();
  const std::size_t used = in_use > base_ ? in_use - base_ : 0;  // taken under this cap
  return "the factorization needs more than the memory cap of " +
         format_megabytes(static_cast<double>(bytes_)) + ": " + solver + " asked for " +
         format_megabytes(static_cast<double>(g_refused_request.load())) + " more with " +
         format_megabytes(static_cast<double>(used)) + " in use";
}

}  // namespace spax::solve_detail

namespace spax {
double memory_cap_bytes() noexcept {
  return solve_detail::g_cap_bytes.load();
}
}  // namespace spax
