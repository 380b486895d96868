// Pattern comparison and value statistics across a sequence of matrices, for CI checks.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "spax/sparse.hpp"

namespace spax {

// Difference between the patterns of a reference and a candidate matrix.
struct SPAX_API PatternDiff {
  bool same_dimensions = true;
  index_t ref_rows = 0, ref_cols = 0, rows = 0, cols = 0;
  index_t added = 0;    // entries stored in the candidate but not in the reference
  index_t removed = 0;  // entries stored in the reference but not in the candidate
  // The first `keep` added / removed positions in column-major order, 0-based (row, col).
  std::vector<std::pair<index_t, index_t>> first_added, first_removed;
  bool identical() const noexcept { return same_dimensions && added == 0 && removed == 0; }
};

// Compares the stored patterns (explicit zeros count as entries). O(nnz). When the dimensions
// differ, positions are compared over the common part and the rest counts as added/removed.
SPAX_API PatternDiff compare_patterns(const SparseMatrix& ref, const SparseMatrix& cand,
                                      std::size_t keep = 20);

// Running statistics (Welford) of every stored value across samples that share one pattern:
// memory is one pattern plus three doubles per entry, whatever the number of samples.
// Per entry the relative variation is std / |mean| (population std, over the samples); entries
// whose mean is exactly zero are left out of the summary (their relative variation is undefined).
class SPAX_API ValueVariation {
 public:
  // Starts with `first` as sample 1 (pattern matrices contribute nothing; complex: modulus).
  explicit ValueVariation(const SparseMatrix& first);
  // Adds a sample; it must have the first sample's pattern (internal error otherwise).
  void add(const SparseMatrix& sample);
  index_t samples() const noexcept { return samples_; }
  // The first sample's pattern, which every later sample must share.
  const SparseMatrix& pattern() const noexcept { return pattern_; }
  // False once a pattern-only sample was added (then there is no value variation).
  bool has_values() const noexcept { return has_values_; }

  struct Summary {
    index_t n_samples = 0;
    index_t entries = 0;         // entries in the summary (nonzero mean)
    double mean_relative = 0.0;  // mean over entries of std/|mean|
    double max_relative = 0.0;
    double median_relative = 0.0;  // median (mean of the middle two for an even count)
  };
  Summary summary() const;

 private:
  SparseMatrix pattern_;
  std::vector<double> mean_, m2_;
  index_t samples_ = 0;
  bool has_values_ = true;
};

// Parses a threshold: "5%" -> 0.05, "0.05" -> 0.05. Usage error on anything else.
SPAX_API double parse_fraction(const std::string& text, const std::string& option);

}  // namespace spax
