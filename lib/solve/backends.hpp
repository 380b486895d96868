// Internal: the backend factories behind create_solver, and shared helpers.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "spax/solve.hpp"

namespace spax::solve_detail {

std::unique_ptr<Solver> make_klu(const SolverOptions& o);
std::unique_ptr<Solver> make_umfpack(const SolverOptions& o);
std::unique_ptr<Solver> make_cholmod(const SolverOptions& o);
std::unique_ptr<Solver> make_superlu(const SolverOptions& o);
std::unique_ptr<Solver> make_eigen_lu(const SolverOptions& o);
std::unique_ptr<Solver> make_dense(const SolverOptions& o);
// cg, bicgstab, gmres, amg, optionally "+PRECOND" (iterative_backend.cpp).
std::unique_ptr<Solver> make_iterative(const std::string& name, const SolverOptions& o);

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
