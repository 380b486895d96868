// Matrix Market reader: the header is parsed once, serially; the entries of a coordinate file are
// parsed in large blocks, each block split at line boundaries into one piece per thread, each
// piece parsed with std::from_chars into that thread's own coordinate arrays; the arrays are then
// assembled into CSC in parallel (symmetric expansion, duplicates summed).
//
// This file puts the parts together (matrix_market_parse.hpp names them) and counts what was
// read.
#include <algorithm>
#include <limits>

#include "io/matrix_market_parse.hpp"
#include "io/source.hpp"
#include "spax/io.hpp"
#include "spax/parallel.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace {

using detail::ByteSource;
using detail::mm::Header;
using detail::mm::LineReader;

// Explicit zeros and diagonal entries (stored, and of those the nonzero ones), counted over
// column ranges in parallel.
void count_zeros_and_diagonal(const SparseMatrix& a, int threads, ReadStats& stats) {
  if (a.nnz() < (index_t{1} << 18)) threads = 1;
  const auto nt = static_cast<std::size_t>(threads);
  std::vector<index_t> zeros(nt, 0), diag(nt, 0), diag_zero(nt, 0);
  parallel_ranges(threads, a.ncols, [&](index_t b, index_t e, int t) {
    index_t z = 0, d = 0, dz = 0;
    for (index_t j = b; j < e; ++j)
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
        bool zero = false;
        if (a.is_complex()) {
          zero = a.zvalues[p] == complex_t(0.0, 0.0);
        } else if (a.has_values()) {
          zero = a.values[p] == 0.0;
        }
        z += zero;
        if (a.rowind[p] == j) {
          ++d;
          dz += zero;
        }
      }
    zeros[static_cast<std::size_t>(t)] = z;
    diag[static_cast<std::size_t>(t)] = d;
    diag_zero[static_cast<std::size_t>(t)] = dz;
  });
  stats.explicit_zeros = 0;
  stats.diagonal_entries = 0;
  stats.diagonal_nonzeros = 0;
  for (std::size_t t = 0; t < nt; ++t) {
    stats.explicit_zeros += zeros[t];
    stats.diagonal_entries += diag[t];
    stats.diagonal_nonzeros += diag[t] - diag_zero[t];
  }
}

MatrixFile read_from(ByteSource& src, const ReadOptions& options) {
  Timer timer;
  const std::string& name = src.name();
  MatrixFile mf;
  mf.path = name;
  LineReader lr(src);
  Header hd = detail::mm::parse_header(lr, name, options);
  const auto& h = hd.h;
  mf.header = h;
  // Reject a declared count that the text cannot hold, before allocating for it.
  const std::uint64_t stored = src.stored_size();
  // bzip2 can expand by millions to one: its text has no useful bound (the reserve above is
  // capped instead, and entries are stored as they are parsed).
  if (stored > 0 && src.compression() != detail::Compression::bzip2) {
    std::uint64_t text_bound = stored;
    if (src.gzip()) text_bound = stored * 1100;  // deflate cannot expand beyond ~1032:1
    const std::uint64_t remaining = text_bound > lr.bytes_read() - (lr.end() - lr.pos())
                                        ? text_bound - (lr.bytes_read() - (lr.end() - lr.pos()))
                                        : 0;
    const std::uint64_t can_hold = remaining / detail::mm::min_entry_bytes(h) + 1;
    if (static_cast<std::uint64_t>(h.declared_entries) > can_hold) {
      throw_input("declares " + std::to_string(h.declared_entries) +
                      (h.coordinate ? " entries" : " values") + " but the file's remaining " +
                      std::to_string(remaining) + " bytes can hold at most " +
                      std::to_string(can_hold),
                  name, hd.size_line);
    }
  }
  const int threads = resolve_threads(options.threads);
  mf.stats.threads = h.coordinate ? threads : 1;
  if (h.coordinate) {
    detail::mm::read_coordinate_entries(lr, src, name, h, threads, mf);
  } else {
    detail::mm::read_array(lr, name, h, mf);
  }
  auto& a = mf.matrix;
  a.field = h.field;
  a.symmetry = h.symmetry;
  mf.stats.stored_nonzeros = a.nnz();
  count_zeros_and_diagonal(a, resolve_threads(options.threads), mf.stats);
  mf.stats.file_bytes = stored;
  mf.stats.text_bytes = lr.bytes_read();
  mf.stats.gzip = src.gzip();
  mf.stats.compression = detail::to_string(src.compression());
  mf.stats.seconds = timer.seconds();
  return mf;
}

}  // namespace

MatrixFile read_matrix_market(const std::string& path, const ReadOptions& options) {
  auto src = ByteSource::open_path(path);
  auto mf = read_from(src, options);
  mf.path = path;
  if (mf.stats.file_bytes == 0) mf.stats.file_bytes = mf.stats.text_bytes;
  return mf;
}

MatrixFile parse_matrix_market(std::string_view text, const std::string& name,
                               const ReadOptions& options) {
  auto src = ByteSource::from_memory(text, name);
  auto mf = read_from(src, options);
  mf.path = name;
  return mf;
}

}  // namespace spax
