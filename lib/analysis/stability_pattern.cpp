// Pattern stability over a sequence of matrices: compare_patterns against the first sample,
// ValueVariation (Welford) over the samples that share its pattern.
#include <string>

#include "spax/structure.hpp"

namespace spax {

void PatternStabilityAccumulator::add(const SparseMatrix& a) {
  const index_t index = n_++;
  if (!values_) {
    values_.emplace(a);
    return;
  }
  const PatternDiff d = compare_patterns(values_->pattern(), a, 0);
  if (!d.identical()) {
    if (!has_mismatch_) {
      has_mismatch_ = true;
      mismatch_index_ = index;
      added_ = d.added;
      removed_ = d.removed;
    }
    return;
  }
  values_->add(a);
}

PatternStability PatternStabilityAccumulator::result() const {
  PatternStability r;
  r.n_samples = n_;
  r.is_fixed = !has_mismatch_;
  r.has_mismatch = has_mismatch_;
  r.mismatch_index = mismatch_index_;
  r.added_entries = added_;
  r.removed_entries = removed_;
  const index_t same = values_ ? values_->samples() : 0;  // samples with A_0's pattern
  r.samples_in_variation = same;
  if (n_ < 2) {
    r.note = "fewer than two samples: nothing to compare";
    return r;
  }
  if (same >= 2) {
    const ValueVariation::Summary v = values_->summary();
    if (v.entries > 0) {
      r.has_value_variation = true;
      r.mean_relative_variation = v.mean_relative;
      r.max_relative_variation = v.max_relative;
      r.median_relative_variation = v.median_relative;
    }
  }
  if (r.is_fixed) {
    r.note = "the pattern is the same in all " + std::to_string(n_) +
             " samples: one symbolic analysis can be reused";
  } else {
    r.note = "the pattern changes (first at sample " + std::to_string(mismatch_index_) +
             "): the symbolic analysis must be redone; value variation is over the " +
             std::to_string(same) + " samples that share the first pattern";
  }
  if (!values_->has_values()) r.note += "; pattern-only samples have no value variation";
  return r;
}

}  // namespace spax
