// Internal: assembling a CSC matrix from coordinate chunks in parallel, with symmetric expansion
// and duplicate summing. Used by to_csc and by the Matrix Market reader.
#pragma once

#include <algorithm>
#include <complex>
#include <cstdint>
#include <numeric>
#include <vector>

#include "core/memory.hpp"
#include "spax/parallel.hpp"
#include "spax/sparse.hpp"

namespace spax::detail {

struct NoValue {};

template <class V>
inline V mirror_value(const V& v, Symmetry s) {
  if constexpr (std::is_same_v<V, NoValue>) {
    return v;
  } else if constexpr (std::is_same_v<V, complex_t>) {
    if (s == Symmetry::skew_symmetric) return -v;
    if (s == Symmetry::hermitian) return std::conj(v);
    return v;
  } else {
    if (s == Symmetry::skew_symmetric) return -v;
    return v;
  }
}

// One chunk of coordinates: entries k in [0, n) at (rows[k], cols[k]) with vals[k] (vals unused
// for NoValue). Indices are 0-based and already range-checked.
template <class I, class V>
struct CooChunk {
  const I* rows = nullptr;
  const I* cols = nullptr;
  const V* vals = nullptr;
  std::size_t n = 0;
};

template <class V>
struct AssembleResult {
  std::vector<index_t> colptr;
  std::vector<index_t> rowind;
  std::vector<V> vals;
  index_t duplicates = 0;
};

// Sorts rows (with values) of one column segment and sums duplicates, keeping the result at the
// front of the segment; returns the number of entries kept.
template <class V>
index_t sort_and_merge(index_t* r, V* v, index_t len, index_t& dups,
                       std::vector<std::pair<index_t, index_t>>& scratch, std::vector<V>& vtmp) {
  if (len <= 1) return len;
  bool sorted = true;
  for (index_t k = 1; k < len; ++k)
    if (r[k - 1] >= r[k]) {
      sorted = false;
      break;
    }
  if (!sorted) {
    if (len <= 24) {
      for (index_t k = 1; k < len; ++k) {
        index_t key = r[k];
        V val = v[k];
        index_t m = k - 1;
        // Stable insertion sort: equal rows keep their file order, so sums are deterministic.
        while (m >= 0 && r[m] > key) {
          r[m + 1] = r[m];
          v[m + 1] = v[m];
          --m;
        }
        r[m + 1] = key;
        v[m + 1] = val;
      }
    } else {
      scratch.resize(static_cast<std::size_t>(len));
      for (index_t k = 0; k < len; ++k) scratch[static_cast<std::size_t>(k)] = {r[k], k};
      std::sort(scratch.begin(), scratch.end());  // (row, original position): stable
      vtmp.assign(v, v + len);
      for (index_t k = 0; k < len; ++k) {
        r[k] = scratch[static_cast<std::size_t>(k)].first;
        v[k] = vtmp[static_cast<std::size_t>(scratch[static_cast<std::size_t>(k)].second)];
      }
    }
  }
  index_t out = 0;
  for (index_t k = 0; k < len; ++k) {
    if (out > 0 && r[out - 1] == r[k]) {
      if constexpr (!std::is_same_v<V, NoValue>) v[out - 1] += v[k];
      ++dups;
    } else {
      r[out] = r[k];
      v[out] = v[k];
      ++out;
    }
  }
  return out;
}

// Assembles chunks into CSC. When `sym` is not general, every off-diagonal entry (i, j) is also
// stored at (j, i) with the mirrored value. Deterministic: the result does not depend on the
// number of threads.
template <class I, class V>
AssembleResult<V> assemble_csc(index_t nrows, index_t ncols,
                               const std::vector<CooChunk<I, V>>& chunks, Symmetry sym,
                               int threads) {
  const bool expand = sym != Symmetry::general;
  const std::size_t nchunks = chunks.size();
  const std::size_t nc = static_cast<std::size_t>(ncols);
  // counts[c * ncols + j]: entries chunk c puts in column j; later the chunk's write offset.
  std::vector<index_t> counts;
  resize_large(counts, nchunks * nc);
  run_parallel(static_cast<int>(std::min<std::size_t>(nchunks, static_cast<std::size_t>(threads))),
               [&](int t) {
                 int nt = static_cast<int>(
                     std::min<std::size_t>(nchunks, static_cast<std::size_t>(threads)));
                 for (std::size_t c = static_cast<std::size_t>(t); c < nchunks; c += nt) {
                   index_t* cnt = counts.data() + c * nc;
                   const auto& ch = chunks[c];
                   for (std::size_t k = 0; k < ch.n; ++k) {
                     ++cnt[ch.cols[k]];
                     if (expand && ch.rows[k] != ch.cols[k]) ++cnt[ch.rows[k]];
                   }
                 }
               });
  AssembleResult<V> res;
  res.colptr.assign(nc + 1, 0);
  for (std::size_t j = 0; j < nc; ++j) {
    index_t pos = res.colptr[j];
    for (std::size_t c = 0; c < nchunks; ++c) {
      index_t cnt = counts[c * nc + j];
      counts[c * nc + j] = pos;
      pos += cnt;
    }
    res.colptr[j + 1] = pos;
  }
  const index_t total = res.colptr[nc];
  resize_large(res.rowind, static_cast<std::size_t>(total));
  resize_large(res.vals, static_cast<std::size_t>(total));
  {
    int nt = static_cast<int>(std::min<std::size_t>(nchunks, static_cast<std::size_t>(threads)));
    run_parallel(nt, [&](int t) {
      for (std::size_t c = static_cast<std::size_t>(t); c < nchunks; c += nt) {
        index_t* off = counts.data() + c * nc;
        const auto& ch = chunks[c];
        for (std::size_t k = 0; k < ch.n; ++k) {
          index_t i = static_cast<index_t>(ch.rows[k]), j = static_cast<index_t>(ch.cols[k]);
          V v{};
          if constexpr (!std::is_same_v<V, NoValue>) v = ch.vals[k];
          index_t p = off[j]++;
          res.rowind[static_cast<std::size_t>(p)] = i;
          res.vals[static_cast<std::size_t>(p)] = v;
          if (expand && i != j) {
            index_t q = off[i]++;
            res.rowind[static_cast<std::size_t>(q)] = j;
            res.vals[static_cast<std::size_t>(q)] = mirror_value(v, sym);
          }
        }
      }
    });
  }
  std::vector<index_t>().swap(counts);
  // Sort each column and merge duplicates in place, then compact.
  std::vector<index_t> kept(nc, 0);
  std::vector<index_t> dup_per_thread(static_cast<std::size_t>(std::max(threads, 1)), 0);
  parallel_ranges(threads, ncols, [&](index_t b, index_t e, int t) {
    std::vector<std::pair<index_t, index_t>> scratch;
    std::vector<V> vtmp;
    index_t d = 0;
    for (index_t j = b; j < e; ++j) {
      index_t s = res.colptr[static_cast<std::size_t>(j)];
      index_t len = res.colptr[static_cast<std::size_t>(j) + 1] - s;
      kept[static_cast<std::size_t>(j)] =
          sort_and_merge(res.rowind.data() + s, res.vals.data() + s, len, d, scratch, vtmp);
    }
    dup_per_thread[static_cast<std::size_t>(t)] = d;
  });
  for (index_t d : dup_per_thread) res.duplicates += d;
  if (res.duplicates > 0) {
    index_t out = 0;
    for (std::size_t j = 0; j < nc; ++j) {
      index_t s = res.colptr[j];
      index_t len = kept[j];
      if (out != s) {
        std::copy(res.rowind.begin() + s, res.rowind.begin() + s + len, res.rowind.begin() + out);
        std::copy(res.vals.begin() + s, res.vals.begin() + s + len, res.vals.begin() + out);
      }
      res.colptr[j] = out;
      out += len;
    }
    res.colptr[nc] = out;
    res.rowind.resize(static_cast<std::size_t>(out));
    res.rowind.shrink_to_fit();
    res.vals.resize(static_cast<std::size_t>(out));
    res.vals.shrink_to_fit();
  }
  (void)nrows;
  return res;
}

}  // namespace spax::detail
