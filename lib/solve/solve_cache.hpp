// Internal: the on-disk cache of the sequence runner. Symbolic work is keyed by the pattern
// fingerprint, numeric work by pattern and values; both by backend, ordering and field. A file
// that is missing, damaged or does not fit is rebuilt (with a warning for the last two).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spax/solve.hpp"

namespace spax::solve_detail {

class SolveCache {
 public:
  // `dir` empty: no cache (analyze and factor run plainly, the status stays "off").
  SolveCache(std::string dir, const SolverOptions& options, std::vector<std::string>& warnings)
      : dir_(std::move(dir)), options_(options), warnings_(warnings) {}

  // s.analyze(a), or the cached symbolic work; stores what the backend exports.
  void analyze(Solver& s, const SparseMatrix& a);
  // s.factor(a), or the cached numeric factorization (backends that support it).
  void factor(Solver& s, const SparseMatrix& a);

  // hit, miss, unsupported, off.
  const std::string& symbolic_status() const { return symbolic_; }
  const std::string& numeric_status() const { return numeric_; }

 private:
  std::string path(const Solver& s, const std::string& kind, const SparseMatrix& a,
                   bool with_values) const;
  std::optional<std::string> load(const std::string& path);
  void store(const std::string& path, const std::string& bytes);

  std::string dir_;
  const SolverOptions& options_;
  std::vector<std::string>& warnings_;
  std::string symbolic_ = "off", numeric_ = "off";
};

}  // namespace spax::solve_detail
