#include "core/blas_threads.hpp"

#include <dlfcn.h>

namespace spax::detail {
namespace {

template <class F>
F lookup(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_DEFAULT, name));
}

}  // namespace

int blas_threads() {
  if (auto f = lookup<int (*)()>("openblas_get_num_threads")) return f();
  return 1;
}

bool set_blas_threads(int n) {
  if (auto f = lookup<void (*)(int)>("openblas_set_num_threads")) {
    f(n < 1 ? 1 : n);
    return true;
  }
  return false;
}

std::string blas_config() {
  if (auto f = lookup<char* (*)()>("openblas_get_config"))
    if (const char* s = f()) return s;
  return "unknown BLAS";
}

bool serialize_openmp() {
  auto levels = lookup<void (*)(int)>("omp_set_max_active_levels");
  if (!levels) return false;
  // With no active level allowed, a parallel region (num_threads clause or not) gets a team of
  // one thread at once (no thread-count resolution, no load-average query).
  levels(0);
  return true;
}

}  // namespace spax::detail
