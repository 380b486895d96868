#include "reference_levels.hpp"

#include <algorithm>
#include <cstdint>

#include "reference_etree.hpp"

namespace spax::test {

ReferenceLevels reference_levels(const SparseMatrix& a, std::span<const index_t> p) {
  const index_t n = a.ncols;
  std::vector<index_t> pinv(static_cast<std::size_t>(n));
  for (index_t k = 0; k < n; ++k) pinv[p.empty() ? k : p[k]] = k;
  // F(i, j) = B(i, j) != 0, B = A(p,p) + I, row-major.
  std::vector<char> f(static_cast<std::size_t>(n * n), 0);
  auto at = [&](index_t i, index_t j) -> char& { return f[static_cast<std::size_t>(i * n + j)]; };
  for (index_t j = 0; j < n; ++j)
    for (index_t q = a.colptr[j]; q < a.colptr[j + 1]; ++q) at(pinv[a.rowind[q]], pinv[j]) = 1;
  for (index_t i = 0; i < n; ++i) at(i, i) = 1;
  // Elimination: eliminating k makes (i, j) nonzero when (i, k) and (k, j) are, for i, j > k.
  for (index_t k = 0; k < n; ++k)
    for (index_t i = k + 1; i < n; ++i)
      if (at(i, k))
        for (index_t j = k + 1; j < n; ++j)
          if (at(k, j)) at(i, j) = 1;
  ReferenceLevels r;
  r.lower_level.assign(static_cast<std::size_t>(n), 0);
  r.upper_level.assign(static_cast<std::size_t>(n), 0);
  r.lower_row_count.assign(static_cast<std::size_t>(n), 0);
  r.upper_row_count.assign(static_cast<std::size_t>(n), 0);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < i; ++j)
      if (at(i, j)) {
        r.lower_level[i] = std::max(r.lower_level[i], r.lower_level[j] + 1);
        ++r.lower_row_count[i];
      }
  for (index_t k = n; k-- > 0;)
    for (index_t j = k + 1; j < n; ++j)
      if (at(k, j)) {
        r.upper_level[k] = std::max(r.upper_level[k], r.upper_level[j] + 1);
        ++r.upper_row_count[k];
      }
  for (index_t i = 0; i < n; ++i) {
    r.lower_levels = std::max(r.lower_levels, r.lower_level[i] + 1);
    r.upper_levels = std::max(r.upper_levels, r.upper_level[i] + 1);
  }
  return r;
}

SparseMatrix random_pattern(index_t n, index_t per_col, unsigned seed) {
  std::uint64_t s =
      0x9e3779b97f4a7c15ull ^ (static_cast<std::uint64_t>(seed) * 0xbf58476d1ce4e5b9ull);
  auto next = [&] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t j = 0; j < n; ++j) {
    e.emplace_back(j, j);
    for (index_t t = 0; t < per_col; ++t)
      e.emplace_back(static_cast<index_t>(next() % static_cast<std::uint64_t>(n)), j);
  }
  return pattern_matrix(n, e);
}

}  // namespace spax::test
