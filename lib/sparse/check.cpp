#include "spax/check.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace spax {

PatternDiff compare_patterns(const SparseMatrix& ref, const SparseMatrix& cand, std::size_t keep) {
  PatternDiff d;
  d.ref_rows = ref.nrows;
  d.ref_cols = ref.ncols;
  d.rows = cand.nrows;
  d.cols = cand.ncols;
  d.same_dimensions = ref.nrows == cand.nrows && ref.ncols == cand.ncols;
  auto note = [&](std::vector<std::pair<index_t, index_t>>& v, index_t& count, index_t i,
                  index_t j) {
    ++count;
    if (v.size() < keep) v.emplace_back(i, j);
  };
  const index_t ncols = std::max(ref.ncols, cand.ncols);
  for (index_t j = 0; j < ncols; ++j) {
    index_t p = j < ref.ncols ? ref.colptr[j] : 0, pe = j < ref.ncols ? ref.colptr[j + 1] : 0;
    index_t q = j < cand.ncols ? cand.colptr[j] : 0, qe = j < cand.ncols ? cand.colptr[j + 1] : 0;
    while (p < pe || q < qe) {
      if (q >= qe || (p < pe && ref.rowind[p] < cand.rowind[q])) {
        note(d.first_removed, d.removed, ref.rowind[p], j);
        ++p;
      } else if (p >= pe || cand.rowind[q] < ref.rowind[p]) {
        note(d.first_added, d.added, cand.rowind[q], j);
        ++q;
      } else {
        ++p;
        ++q;
      }
    }
  }
  return d;
}

namespace {
double magnitude(const SparseMatrix& a, index_t p) {
  if (a.is_complex()) return std::abs(a.zvalues[static_cast<std::size_t>(p)]);
  return a.values[static_cast<std::size_t>(p)];
}
}  // namespace

ValueVariation::ValueVariation(const SparseMatrix& first) {
  pattern_ = pattern_of(first);
  has_values_ = first.has_values();
  mean_.assign(static_cast<std::size_t>(first.nnz()), 0.0);
  m2_.assign(static_cast<std::size_t>(first.nnz()), 0.0);
  add(first);
}

void ValueVariation::add(const SparseMatrix& s) {
  if (s.nrows != pattern_.nrows || s.ncols != pattern_.ncols || s.colptr != pattern_.colptr ||
      s.rowind != pattern_.rowind)
    throw_internal("value statistics need samples with one pattern");
  ++samples_;
  if (!has_values_ || !s.has_values()) {
    has_values_ = false;
    return;
  }
  const double k = static_cast<double>(samples_);
  for (index_t p = 0; p < s.nnz(); ++p) {
    const double x = magnitude(s, p);
    auto& m = mean_[static_cast<std::size_t>(p)];
    const double delta = x - m;
    m += delta / k;
    m2_[static_cast<std::size_t>(p)] += delta * (x - m);
  }
}

ValueVariation::Summary ValueVariation::summary() const {
  Summary s;
  s.n_samples = samples_;
  if (!has_values_ || samples_ == 0) return s;
  std::vector<double> rel;
  rel.reserve(mean_.size());
  for (std::size_t p = 0; p < mean_.size(); ++p) {
    if (mean_[p] == 0.0 || !std::isfinite(mean_[p])) continue;
    const double var = m2_[p] / static_cast<double>(samples_);
    rel.push_back(std::sqrt(std::max(var, 0.0)) / std::fabs(mean_[p]));
  }
  s.entries = static_cast<index_t>(rel.size());
  if (rel.empty()) return s;
  double sum = 0.0;
  for (double r : rel) sum += r;
  s.mean_relative = sum / static_cast<double>(rel.size());
  s.max_relative = *std::max_element(rel.begin(), rel.end());
  std::sort(rel.begin(), rel.end());
  const std::size_t m = rel.size() / 2;
  s.median_relative = rel.size() % 2 ? rel[m] : 0.5 * (rel[m - 1] + rel[m]);
  return s;
}

double parse_fraction(const std::string& text, const std::string& option) {
  std::string t = text;
  bool percent = !t.empty() && t.back() == '%';
  if (percent) t.pop_back();
  double v = 0.0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v) || v < 0)
    throw_usage(option + " takes a non-negative number or percentage (e.g. 5% or 0.05), not '" +
                text + "'");
  return percent ? v / 100.0 : v;
}

}  // namespace spax
