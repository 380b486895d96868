// Internal: the backend factories behind create_solver, and shared helpers.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "spax/backend.hpp"
#include "spax/solve.hpp"

namespace spax::solve_detail {

// The built-in backends' descriptions (one per backend file), registered in this order by the
// one list in registry.cpp.
BackendInfo klu_backend();
BackendInfo umfpack_backend();
BackendInfo cholmod_backend();
BackendInfo superlu_backend();
BackendInfo eigen_lu_backend();
BackendInfo dense_backend();
BackendInfo cg_backend();  // iterative_backend.cpp
BackendInfo bicgstab_backend();
BackendInfo gmres_backend();
BackendInfo amg_backend();

// `auto`'s rules, shared by the backends that state them: the matrix looks symmetric (Hermitian)
// positive definite (a positive real diagonal and A = A^H), and its entries per column.
bool looks_positive_definite(const SparseMatrix& a);
double entries_per_column(const SparseMatrix& a);

// Appends/reads plain values to/from a byte string (cache payloads).
template <class T>
void put(std::string& s, const T& v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <class T>
void put_array(std::string& s, const T* p, std::size_t n) {
  put<std::uint64_t>(s, n);
  s.append(reinterpret_cast<const char*>(p), n * sizeof(T));
}
struct Reader {
  const std::string& s;
  std::size_t pos = 0;
  bool ok = true;
  template <class T>
  T get() {
    T v{};
    if (pos + sizeof(T) > s.size()) {
      ok = false;
      return v;
    }
    std::memcpy(&v, s.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> get_array() {
    auto n = get<std::uint64_t>();
    if (!ok || n > (s.size() - pos) / sizeof(T)) {
      ok = false;
      return {};
    }
    std::vector<T> v(n);
    std::memcpy(v.data(), s.data() + pos, n * sizeof(T));
    pos += n * sizeof(T);
    return v;
  }
};

// A cached symbolic analysis restored by re-running `analyze` with the cached ordering `perm` in
// place of the options' own (which are kept), then recording the cached ordering's name and no
// analysis time. For the backends whose symbolic object is cheap to rebuild from its ordering.
template <class Analyze>
void reanalyze_with_ordering(SolverOptions& options, SolverStats& stats, std::vector<index_t> perm,
                             std::string ordering_name, Analyze&& analyze) {
  SolverOptions saved = options;
  options.ordering = "given";
  options.permutation = std::move(perm);
  analyze();
  options = std::move(saved);
  stats.ordering = std::move(ordering_name);
  stats.analyze_seconds = 0.0;
}

// The column ordering the options ask for, validated against n ("given" only).
void check_given(const SolverOptions& o, index_t n);
// True when A equals its (conjugate) transpose exactly.
bool is_hermitian(const SparseMatrix& a);

}  // namespace spax::solve_detail
