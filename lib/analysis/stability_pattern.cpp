// Pattern stability over a sequence of matrices, with Welford running statistics of the values.
#include <algorithm>
#include <cmath>
#include <vector>

#include "spax/structure.hpp"

namespace spax {
namespace {

bool same_pattern(const SparseMatrix& a, const SparseMatrix& b) {
  return a.nrows == b.nrows && a.ncols == b.ncols && a.colptr == b.colptr && a.rowind == b.rowind;
}

// Entries of b not in a (added) and of a not in b (removed), by merging sorted columns.
void pattern_difference(const SparseMatrix& a, const SparseMatrix& b, index_t& added,
                        index_t& removed) {
  added = removed = 0;
  const index_t ncols = std::max(a.ncols, b.ncols);
  for (index_t j = 0; j < ncols; ++j) {
    index_t p = j < a.ncols ? a.colptr[j] : 0, pe = j < a.ncols ? a.colptr[j + 1] : 0;
    index_t q = j < b.ncols ? b.colptr[j] : 0, qe = j < b.ncols ? b.colptr[j + 1] : 0;
    while (p < pe || q < qe) {
      if (q >= qe || (p < pe && a.rowind[p] < b.rowind[q])) {
        ++removed;
        ++p;
      } else if (p >= pe || b.rowind[q] < a.rowind[p]) {
        ++added;
        ++q;
      } else {
        ++p;
        ++q;
      }
    }
  }
}

double value_at(const SparseMatrix& a, std::size_t k) {
  return a.is_complex() ? std::abs(a.zvalues[k]) : a.values[k];
}

}  // namespace

void PatternStabilityAccumulator::add(const SparseMatrix& a) {
  const index_t index = n_++;
  if (index == 0) {
    first_ = pattern_of(a);
    values_ = a.has_values();
    same_ = 1;
    if (values_) {
      mean_.assign(a.rowind.size(), 0.0);
      m2_.assign(a.rowind.size(), 0.0);
      for (std::size_t k = 0; k < mean_.size(); ++k) mean_[k] = value_at(a, k);
    }
    return;
  }
  if (!same_pattern(first_, a)) {
    if (!has_mismatch_) {
      has_mismatch_ = true;
      mismatch_index_ = index;
      pattern_difference(first_, a, added_, removed_);
    }
    return;
  }
  ++same_;
  if (!a.has_values()) values_ = false;
  if (!values_) return;
  const double count = static_cast<double>(same_);
  for (std::size_t k = 0; k < mean_.size(); ++k) {
    double x = value_at(a, k);
    double delta = x - mean_[k];
    mean_[k] += delta / count;
    m2_[k] += delta * (x - mean_[k]);
  }
}

PatternStability PatternStabilityAccumulator::result() const {
  PatternStability r;
  r.n_samples = n_;
  r.is_fixed = !has_mismatch_;
  r.has_mismatch = has_mismatch_;
  r.mismatch_index = mismatch_index_;
  r.added_entries = added_;
  r.removed_entries = removed_;
  r.samples_in_variation = same_;
  if (n_ < 2) {
    r.note = "fewer than two samples: nothing to compare";
    return r;
  }
  if (values_ && same_ >= 2) {
    std::vector<double> rel;
    rel.reserve(mean_.size());
    const double count = static_cast<double>(same_);
    for (std::size_t k = 0; k < mean_.size(); ++k) {
      if (mean_[k] == 0.0) continue;
      double sd = std::sqrt(std::max(0.0, m2_[k] / count));
      rel.push_back(sd / std::abs(mean_[k]));
    }
    if (!rel.empty()) {
      r.has_value_variation = true;
      double sum = 0.0, mx = 0.0;
      for (double v : rel) {
        sum += v;
        mx = std::max(mx, v);
      }
      r.mean_relative_variation = sum / static_cast<double>(rel.size());
      r.max_relative_variation = mx;
      std::sort(rel.begin(), rel.end());
      std::size_t h = rel.size() / 2;
      r.median_relative_variation = rel.size() % 2 ? rel[h] : 0.5 * (rel[h - 1] + rel[h]);
    }
  }
  if (r.is_fixed) {
    r.note = "the pattern is the same in all " + std::to_string(n_) +
             " samples: one symbolic analysis can be reused";
  } else {
    r.note = "the pattern changes (first at sample " + std::to_string(mismatch_index_) +
             "): the symbolic analysis must be redone; value variation is over the " +
             std::to_string(same_) + " samples that share the first pattern";
  }
  if (!values_) r.note += "; pattern-only samples have no value variation";
  return r;
}

}  // namespace spax
