// Minimal structured parallelism on std::thread.
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "spax/common.hpp"

namespace spax {

// Runs f(t) for t in [0, nthreads) on nthreads threads (the calling thread runs t = 0) and
// rethrows the first exception any of them threw.
template <class F>
void run_parallel(int nthreads, F&& f) {
  if (nthreads <= 1) {
    f(0);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(nthreads));
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(nthreads - 1));
  for (int t = 1; t < nthreads; ++t) {
    workers.emplace_back([&, t] {
      try {
        f(t);
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();
      }
    });
  }
  try {
    f(0);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// Splits [0, n) into nthreads contiguous ranges and runs f(begin, end, t) on each.
template <class F>
void parallel_ranges(int nthreads, index_t n, F&& f) {
  nthreads = static_cast<int>(std::max<index_t>(1, std::min<index_t>(nthreads, n)));
  run_parallel(nthreads, [&](int t) {
    index_t begin = n * t / nthreads, end = n * (t + 1) / nthreads;
    f(begin, end, t);
  });
}

}  // namespace spax
