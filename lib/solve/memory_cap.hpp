// Internal: --max-memory, a cap on the memory a factorization may take. Two checks: the
// backend's own estimate after the symbolic analysis (KLU, UMFPACK, CHOLMOD, dense), and, for the
// SuiteSparse backends, an allocation limit: spax installs a counting allocator into
// SuiteSparse_config, so KLU, UMFPACK and CHOLMOD see an allocation past the cap fail as out of
// memory, which the cap turns into a numerical error naming the cap and the need.
#pragma once

#include <cstddef>
#include <string>

#include "spax/backend.hpp"
#include "spax/solve.hpp"

namespace spax::solve_detail {

// Backends whose factorization the cap can hold (caps.memory_cap: estimate and/or allocation
// limit).
bool memory_cap_supported(const std::string& solver);
// A usage error when the cap is set for a backend it cannot hold.
void require_memory_cap_support(const std::string& solver, double max_memory_mb);

// Bytes SuiteSparse has allocated through spax's allocator and not freed yet.
std::size_t suitesparse_bytes_in_use() noexcept;

// While alive (and max_memory_mb > 0), SuiteSparse allocations beyond max_memory_mb MB more than
// were in use at construction fail. One cap at a time per process.
class FactorMemoryCap {
 public:
  explicit FactorMemoryCap(double max_memory_mb);
  ~FactorMemoryCap();
  FactorMemoryCap(const FactorMemoryCap&) = delete;
  FactorMemoryCap& operator=(const FactorMemoryCap&) = delete;

  bool active() const noexcept { return bytes_ > 0; }
  // Throws a numerical error when the backend's estimate (after analyze) is above the cap.
  void check_estimate(const Solver& s) const;
  // True once check_estimate threw.
  bool estimate_exceeded() const noexcept { return estimate_exceeded_; }
  // True once an allocation was refused.
  bool refused() const noexcept;
  // The error message for a refused allocation: the cap, what was in use, what was asked for.
  std::string refusal_message(const std::string& solver) const;

 private:
  std::size_t bytes_ = 0;
  std::size_t base_ = 0;  // SuiteSparse bytes in use when the cap started
  mutable bool estimate_exceeded_ = false;
};

// "12.3 MB" (MB = 2^20 bytes, as --max-memory counts).
std::string format_megabytes(double bytes);

}  // namespace spax::solve_detail
