// Scatter conflicts of parallel assembly: fan-in per position, exact distinct conflicting device
// pairs and a greedy conflict-free schedule, without materialising the conflict graph's edges.
//
// Data: the non-ground stamps, device-major; each gets a position id (distinct (row, col),
// numbered column by column); then two compressed lists: device -> distinct positions and
// position -> distinct devices (sorted by device). A device's conflict neighbours are the union
// of the device lists of its positions. A few positions can be shared by 10^5 devices (supply
// and clock nets); enumerating those lists per device would cost 10^10, so the largest ones
// ("heavy", at most 64) become bits of a per-device mask and are handled through the masks.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <vector>

#include "spax/parallel.hpp"
#include "spax/scatter.hpp"
#include "spax/timer.hpp"

namespace spax {
namespace {

using dev32 = std::int32_t;

MinMaxMean min_max_mean(const std::vector<index_t>& v) {
  MinMaxMean r;
  if (v.empty()) return r;
  r.min = *std::min_element(v.begin(), v.end());
  r.max = *std::max_element(v.begin(), v.end());
  r.mean = static_cast<double>(std::accumulate(v.begin(), v.end(), index_t{0})) /
           static_cast<double>(v.size());
  return r;
}

void finish_fan_in(FanInStats& s, const std::vector<index_t>& fanin) {
  s.total_positions = 0;
  for (index_t k : fanin) {
    if (k == 0) continue;
    ++s.total_positions;
    if (k >= 2) ++s.conflict_positions;
    s.max_fan_in = std::max(s.max_fan_in, k);
    ++s.fan_in_distribution[k];
    s.n_edges += k * (k - 1) / 2;
  }
  s.conflict_pct = s.total_positions > 0 ? 100.0 * static_cast<double>(s.conflict_positions) /
                                               static_cast<double>(s.total_positions)
                                         : 0.0;
}

// Index of the lowest clear bit >= from in a bit set.
index_t next_zero(const std::vector<std::uint64_t>& bits, index_t from) {
  auto w = static_cast<std::size_t>(from / 64);
  std::uint64_t word = ~bits[w] & (~std::uint64_t{0} << (from % 64));
  while (word == 0) {
    ++w;
    if (w == bits.size()) return static_cast<index_t>(w * 64);
    word = ~bits[w];
  }
  return static_cast<index_t>(w * 64) + std::countr_zero(word);
}

}  // namespace

ScatterResult analyze_scatter(const StampMap& map, const ScatterOptions& options,
                              const SparseMatrix* matrix) {
  Timer timer;
  auto lap = [&timer] {
    const double s = timer.seconds();
    timer.reset();
    return s;
  };
  ScatterResult r;
  const index_t n = map.n_unknowns;
  const index_t ndev = map.total_devices();
  if (ndev >= std::numeric_limits<dev32>::max()) throw_input("too many devices in the stamp map");
  const int threads = resolve_threads(options.threads);
  r.n_unknowns = n;
  r.total_devices = ndev;
  const auto un = static_cast<std::size_t>(n);
  const auto udev = static_cast<std::size_t>(ndev);

  // ---- flatten the non-ground stamps; per-model statistics
  std::vector<index_t> dptr(udev + 1, 0);
  std::vector<stamp_index_t> srow, scol;
  {
    index_t total = 0;
    for (const auto& m : map.models) total += static_cast<index_t>(m.jac_rows.size());
    srow.reserve(static_cast<std::size_t>(total));
    scol.reserve(static_cast<std::size_t>(total));
  }
  std::vector<dev32> node_mark(un, -1);
  r.has_residuals = !map.models.empty();
  for (const auto& m : map.models) r.has_residuals = r.has_residuals && m.has_residuals;
  std::vector<index_t> res_fanin(r.has_residuals ? un : 0, 0);
  std::vector<dev32> res_last(r.has_residuals ? un : 0, -1);
  dev32 g = 0;
  for (const auto& m : map.models) {
    ModelTypeStats st;
    st.name = m.name;
    st.n_devices = m.n_devices;
    std::vector<index_t> nodes(static_cast<std::size_t>(m.n_devices));
    for (index_t d = 0; d < m.n_devices; ++d, ++g) {
      const auto ud = static_cast<std::size_t>(d);
      index_t nn = 0;
      for (index_t s = m.jac_ptr[ud]; s < m.jac_ptr[ud + 1]; ++s) {
        const stamp_index_t i = m.jac_rows[static_cast<std::size_t>(s)];
        const stamp_index_t j = m.jac_cols[static_cast<std::size_t>(s)];
        for (stamp_index_t x : {i, j}) {
          if (x >= 0 && node_mark[static_cast<std::size_t>(x)] != g) {
            node_mark[static_cast<std::size_t>(x)] = g;
            ++nn;
          }
        }
        if (i >= 0 && j >= 0) {
          srow.push_back(i);
          scol.push_back(j);
        }
      }
      nodes[ud] = nn;
      st.jac_entries_per_device =
          std::max(st.jac_entries_per_device, m.jac_ptr[ud + 1] - m.jac_ptr[ud]);
      dptr[static_cast<std::size_t>(g) + 1] = static_cast<index_t>(srow.size());
      if (r.has_residuals) {
        st.residuals_per_device =
            std::max(st.residuals_per_device, m.res_ptr[ud + 1] - m.res_ptr[ud]);
        for (index_t s = m.res_ptr[ud]; s < m.res_ptr[ud + 1]; ++s) {
          const stamp_index_t i = m.res_indices[static_cast<std::size_t>(s)];
          if (i < 0) continue;
          ++r.residual.stamps;
          if (res_last[static_cast<std::size_t>(i)] == g) {
            ++r.residual.duplicate_stamps;
            continue;
          }
          res_last[static_cast<std::size_t>(i)] = g;
          ++res_fanin[static_cast<std::size_t>(i)];
        }
      }
    }
    st.nodes_per_device = min_max_mean(nodes);
    r.model_types.push_back(std::move(st));
  }
  node_mark = {};
  res_last = {};
  if (r.has_residuals) finish_fan_in(r.residual, res_fanin);
  res_fanin = {};
  const index_t nst = static_cast<index_t>(srow.size());
  const auto unst = static_cast<std::size_t>(nst);
  r.jacobian.stamps = nst;

  // ---- position ids, column by column
  std::vector<index_t> pcolptr(un + 1, 0);  // first position id of each column
  std::vector<stamp_index_t> prow;          // row of each position
  std::vector<stamp_index_t> pos(unst);     // position of each stamp
  {
    std::vector<index_t> colptr(un + 1, 0);
    for (stamp_index_t c : scol) ++colptr[static_cast<std::size_t>(c) + 1];
    for (std::size_t c = 0; c < un; ++c) colptr[c + 1] += colptr[c];
    std::vector<index_t> bucket(unst);
    {
      std::vector<index_t> next(colptr.begin(), colptr.end() - 1);
      for (index_t s = 0; s < nst; ++s)
        bucket[static_cast<std::size_t>(
            next[static_cast<std::size_t>(scol[static_cast<std::size_t>(s)])]++)] = s;
    }
    std::vector<stamp_index_t> mark(un, -1);
    std::vector<stamp_index_t> id(un, 0);
    stamp_index_t np = 0;
    for (std::size_t c = 0; c < un; ++c) {
      pcolptr[c] = np;
      for (index_t k = colptr[c]; k < colptr[c + 1]; ++k) {
        const auto s = static_cast<std::size_t>(bucket[static_cast<std::size_t>(k)]);
        const auto row = static_cast<std::size_t>(srow[s]);
        if (mark[row] != static_cast<stamp_index_t>(c)) {
          if (np == std::numeric_limits<stamp_index_t>::max())
            throw_input("too many distinct stamp positions");
          mark[row] = static_cast<stamp_index_t>(c);
          id[row] = np++;
          prow.push_back(srow[s]);
        }
        pos[s] = id[row];
      }
    }
    pcolptr[un] = np;
  }
  srow = {};
  scol = {};
  const auto unp = prow.size();

  // ---- fan-in; device -> distinct positions (compacted into pos)
  std::vector<index_t> fanin(unp, 0);
  {
    std::vector<dev32> last(unp, -1);
    index_t w = 0;
    for (std::size_t d = 0; d < udev; ++d) {
      const index_t b = dptr[d], e = dptr[d + 1];
      dptr[d] = w;
      for (index_t s = b; s < e; ++s) {
        const stamp_index_t p = pos[static_cast<std::size_t>(s)];
        if (last[static_cast<std::size_t>(p)] == static_cast<dev32>(d)) {
          ++r.jacobian.duplicate_stamps;
          continue;
        }
        last[static_cast<std::size_t>(p)] = static_cast<dev32>(d);
        ++fanin[static_cast<std::size_t>(p)];
        pos[static_cast<std::size_t>(w++)] = p;
      }
    }
    dptr[udev] = w;
    pos.resize(static_cast<std::size_t>(w));
    pos.shrink_to_fit();
  }
  finish_fan_in(r.jacobian, fanin);
  {
    g = 0;
    for (std::size_t mi = 0; mi < map.models.size(); ++mi) {
      const auto& m = map.models[mi];
      std::vector<index_t> uniq(static_cast<std::size_t>(m.n_devices));
      for (auto& u : uniq) {
        u = dptr[static_cast<std::size_t>(g) + 1] - dptr[static_cast<std::size_t>(g)];
        ++g;
      }
      r.model_types[mi].unique_positions_per_device = min_max_mean(uniq);
    }
  }

  // ---- position -> devices
  std::vector<index_t> pptr(unp + 1, 0);
  for (std::size_t p = 0; p < unp; ++p) pptr[p + 1] = pptr[p] + fanin[p];
  std::vector<dev32> pdev(static_cast<std::size_t>(pptr[unp]));
  {
    std::vector<index_t> next(pptr.begin(), pptr.end() - 1);
    for (std::size_t d = 0; d < udev; ++d)
      for (index_t k = dptr[d]; k < dptr[d + 1]; ++k)
        pdev[static_cast<std::size_t>(
            next[static_cast<std::size_t>(pos[static_cast<std::size_t>(k)])]++)] =
            static_cast<dev32>(d);
  }
  r.timings.emplace_back("fan_in", lap());

  // ---- pattern comparison
  if (matrix) {
    const SparseMatrix& a = *matrix;
    if (a.nrows != n || a.ncols != n)
      throw_input("the matrix is " + std::to_string(a.nrows) + " x " + std::to_string(a.ncols) +
                  " but the stamp map has n_unknowns " + std::to_string(n));
    r.has_matrix = true;
    PatternComparison& pc = r.pattern;
    pc.matrix_nnz = a.nnz();
    std::vector<index_t> amark(un, -1), smark(un, -1);
    for (std::size_t c = 0; c < un; ++c) {
      const auto ic = static_cast<index_t>(c);
      for (index_t k = a.colptr[c]; k < a.colptr[c + 1]; ++k)
        amark[static_cast<std::size_t>(a.rowind[static_cast<std::size_t>(k)])] = ic;
      std::vector<index_t> outside;
      for (index_t p = pcolptr[c]; p < pcolptr[c + 1]; ++p) {
        const auto row = static_cast<std::size_t>(prow[static_cast<std::size_t>(p)]);
        smark[row] = ic;
        if (amark[row] != ic) {
          ++pc.stamps_outside_pattern;
          if (pc.first_outside.size() < 20) outside.push_back(static_cast<index_t>(row));
        }
      }
      std::sort(outside.begin(), outside.end());
      for (index_t row : outside)
        if (pc.first_outside.size() < 20) pc.first_outside.push_back({row, ic});
      for (index_t k = a.colptr[c]; k < a.colptr[c + 1]; ++k) {
        const index_t row = a.rowind[static_cast<std::size_t>(k)];
        if (smark[static_cast<std::size_t>(row)] != ic) {
          ++pc.unwritten_entries;
          if (pc.first_unwritten.size() < 20) pc.first_unwritten.push_back({row, ic});
        }
      }
    }
    r.timings.emplace_back("pattern", lap());
  }

  // ---- heavy positions: the largest fan-ins become mask bits
  std::vector<std::uint64_t> mask(udev, 0);
  std::vector<std::int8_t> heavy_bit(unp, -1);
  std::vector<std::size_t> heavy;  // position of each bit
  {
    std::vector<std::size_t> cand;
    for (std::size_t p = 0; p < unp; ++p)
      if (fanin[p] >= std::max<index_t>(2, options.heavy_fan_in)) cand.push_back(p);
    std::sort(cand.begin(), cand.end(), [&](std::size_t x, std::size_t y) {
      return fanin[x] != fanin[y] ? fanin[x] > fanin[y] : x < y;
    });
    if (cand.size() > 64) cand.resize(64);
    heavy = cand;
  }
  std::unordered_map<std::uint64_t, index_t> hits;  // mask -> devices sharing a heavy bit
  for (;;) {
    std::fill(mask.begin(), mask.end(), 0);
    std::fill(heavy_bit.begin(), heavy_bit.end(), -1);
    for (std::size_t b = 0; b < heavy.size(); ++b) {
      heavy_bit[heavy[b]] = static_cast<std::int8_t>(b);
      for (index_t k = pptr[heavy[b]]; k < pptr[heavy[b] + 1]; ++k)
        mask[static_cast<std::size_t>(pdev[static_cast<std::size_t>(k)])] |= std::uint64_t{1} << b;
    }
    std::unordered_map<std::uint64_t, index_t> count;
    for (std::uint64_t m : mask)
      if (m) ++count[m];
    if (static_cast<index_t>(count.size()) > options.max_heavy_masks &&
        !heavy.empty()) {  // too many combinations: fewer heavy bits
      heavy.resize(heavy.size() / 2);
      continue;
    }
    std::vector<std::pair<std::uint64_t, index_t>> distinct(count.begin(), count.end());
    hits.clear();
    for (const auto& [m, c] : distinct) {
      index_t h = 0;
      for (const auto& [m2, c2] : distinct)
        if (m & m2) h += c2;
      hits[m] = h;
    }
    break;
  }

  // ---- degrees (distinct conflicting devices) in parallel
  std::vector<index_t> degree(udev, 0);
  parallel_ranges(threads, ndev, [&](index_t begin, index_t end, int) {
    std::vector<dev32> mark(udev, -1);
    for (index_t d = begin; d < end; ++d) {
      const auto ud = static_cast<std::size_t>(d);
      const std::uint64_t md = mask[ud];
      index_t cnt = md ? hits.at(md) - 1 : 0;
      for (index_t k = dptr[ud]; k < dptr[ud + 1]; ++k) {
        const auto p = static_cast<std::size_t>(pos[static_cast<std::size_t>(k)]);
        if (heavy_bit[p] >= 0) continue;
        for (index_t q = pptr[p]; q < pptr[p + 1]; ++q) {
          const dev32 e = pdev[static_cast<std::size_t>(q)];
          const auto ue = static_cast<std::size_t>(e);
          if (e == static_cast<dev32>(d) || mark[ue] == static_cast<dev32>(d)) continue;
          mark[ue] = static_cast<dev32>(d);
          if ((mask[ue] & md) == 0) ++cnt;
        }
      }
      degree[ud] = cnt;
    }
  });
  index_t sum_degree = 0;
  for (index_t d : degree) {
    sum_degree += d;
    r.schedule.max_degree = std::max(r.schedule.max_degree, d);
  }
  r.distinct_conflict_pairs = sum_degree / 2;
  r.timings.emplace_back("distinct_pairs", lap());

  // ---- greedy colouring, largest degree first
  ConflictSchedule& sch = r.schedule;
  sch.lower_bound = r.jacobian.max_fan_in;
  sch.colour.assign(udev, -1);
  {
    std::vector<dev32> order(udev);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](dev32 x, dev32 y) {
      return degree[static_cast<std::size_t>(x)] > degree[static_cast<std::size_t>(y)];
    });
    const auto ncol = static_cast<std::size_t>(sch.max_degree) + 66;
    std::vector<dev32> forbid(ncol, -1);
    std::vector<std::vector<std::uint64_t>> used(heavy.size(),
                                                 std::vector<std::uint64_t>(ncol / 64 + 1, 0));
    std::vector<index_t> first_free(heavy.size(), 0);
    auto test = [&](std::size_t b, index_t c) {
      return (used[b][static_cast<std::size_t>(c / 64)] >> (c % 64)) & 1u;
    };
    index_t ncolours = 0;
    for (dev32 d : order) {
      const auto ud = static_cast<std::size_t>(d);
      for (index_t k = dptr[ud]; k < dptr[ud + 1]; ++k) {
        const auto p = static_cast<std::size_t>(pos[static_cast<std::size_t>(k)]);
        if (heavy_bit[p] >= 0) continue;
        for (index_t q = pptr[p]; q < pptr[p + 1]; ++q) {
          const std::int64_t ce =
              sch.colour[static_cast<std::size_t>(pdev[static_cast<std::size_t>(q)])];
          if (ce >= 0) forbid[static_cast<std::size_t>(ce)] = d;
        }
      }
      const std::uint64_t md = mask[ud];
      index_t c = 0;
      for (std::uint64_t m = md; m; m &= m - 1)
        c = std::max(c, first_free[static_cast<std::size_t>(std::countr_zero(m))]);
      for (bool changed = true; changed;) {
        changed = false;
        while (forbid[static_cast<std::size_t>(c)] == d) ++c;
        for (std::uint64_t m = md; m; m &= m - 1) {
          const auto b = static_cast<std::size_t>(std::countr_zero(m));
          if (test(b, c)) {
            c = next_zero(used[b], c);
            changed = true;
          }
        }
      }
      sch.colour[ud] = c;
      ncolours = std::max(ncolours, c + 1);
      for (std::uint64_t m = md; m; m &= m - 1) {
        const auto b = static_cast<std::size_t>(std::countr_zero(m));
        used[b][static_cast<std::size_t>(c / 64)] |= std::uint64_t{1} << (c % 64);
        if (first_free[b] == c) first_free[b] = next_zero(used[b], c);
      }
    }
    sch.n_batches = ncolours;
    sch.batch_sizes.assign(static_cast<std::size_t>(ncolours), 0);
    for (std::int64_t c : sch.colour) ++sch.batch_sizes[static_cast<std::size_t>(c)];
  }
  r.timings.emplace_back("colouring", lap());
  return r;
}

}  // namespace spax
