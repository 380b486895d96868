// Matrix Market reader: the entries of a coordinate file, parsed in large blocks, each block
// split at line boundaries into one piece per thread, each piece parsed with std::from_chars into
// that thread's own coordinate arrays; the arrays are then assembled into CSC in parallel
// (symmetric expansion, duplicates summed).
#include <cstdio>
#include <limits>

#include "core/memory.hpp"
#include "io/matrix_market_parse.hpp"
#include "sparse/assemble.hpp"
#include "spax/parallel.hpp"

namespace spax::detail::mm {

namespace {

constexpr std::size_t kBlockPerThread = std::size_t{16} << 20;  // 16 MiB of text per thread

struct ParseError {
  index_t line = 0;  // 1-based line number within the piece/file, 0 = none
  std::string message;
};

inline const char* skip_blanks(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  return p;
}

std::string snippet(const char* p, const char* end) {
  std::string s;
  while (p < end && *p != '\n' && *p != '\r' && s.size() < 24) {
    unsigned char c = static_cast<unsigned char>(*p++);
    if (c >= 32 && c < 127) {
      s += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      s += buf;
    }
  }
  return s;
}

template <class I, class V>
struct PieceOut {
  std::vector<I> rows, cols;
  std::vector<V> vals;
  index_t lines = 0;                       // lines consumed in the current piece
  index_t entries = 0;                     // entries in the current piece
  index_t zero_line = 0;                   // line (within the piece) of the first index 0, 0 = none
  std::uint64_t max_row = 0, max_col = 0;  // largest indices as written
  std::optional<ParseError> error;
};

template <class V>
constexpr Field field_of() {
  if constexpr (std::is_same_v<V, complex_t>) return Field::complex;
  if constexpr (std::is_same_v<V, detail::NoValue>) return Field::pattern;
  return Field::real;
}

// Parses the lines in [p, end) (whole lines; the last may lack its '\n').
template <class I, class V>
void parse_piece(const char* p, const char* end, const MatrixMarketHeader& h, PieceOut<I, V>& out) {
  const std::uint64_t nr = static_cast<std::uint64_t>(h.nrows),
                      nc = static_cast<std::uint64_t>(h.ncols);
  const bool skew = h.symmetry == Symmetry::skew_symmetric;
  const bool integer = h.field == Field::integer;
  index_t line = 0;
  auto fail = [&](std::string msg) {
    out.error = ParseError{line, std::move(msg)};
    out.lines = line;
  };
  while (p < end) {
    ++line;
    const char* q = skip_blanks(p, end);
    if (q >= end || *q == '\n' || *q == '\r' || *q == '%') {
      // Blank line or comment: skip to the next line.
      const char* nl =
          static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(end - q)));
      p = nl ? nl + 1 : end;
      if (q < end && *q == '\r' && (q + 1 >= end || q[1] != '\n') && !(nl && nl == q + 1)) {
        // A lone '\r' followed by other text is not a line break we accept.
        const char* r = skip_blanks(q + 1, nl ? nl : end);
        if (r < (nl ? nl : end)) return fail("stray carriage return inside a line");
      }
      continue;
    }
    std::uint64_t r = 0, c = 0;
    auto [p1, e1] = std::from_chars(q, end, r);
    if (e1 != std::errc() || p1 == q) {
      if (*q == '-') return fail("negative row index");
      return fail("expected a row index, found '" + snippet(q, end) + "'");
    }
    const char* q2 = skip_blanks(p1, end);
    if (q2 == p1 || q2 >= end || *q2 == '\n' || *q2 == '\r')
      return fail("entry has a row index but no column index");
    auto [p2, e2] = std::from_chars(q2, end, c);
    if (e2 != std::errc() || p2 == q2) {
      if (*q2 == '-') return fail("negative column index");
      return fail("expected a column index");
    }
    if ((r == 0 || c == 0) && out.zero_line == 0) out.zero_line = line;
    if (r > nr)
      return fail("row index " + std::to_string(r) + " out of range 1.." + std::to_string(nr));
    if (c > nc)
      return fail("column index " + std::to_string(c) + " out of range 1.." + std::to_string(nc));
    if (skew && r == c) return fail("skew-symmetric matrix with a diagonal entry");
    const char* t = p2;
    V val{};
    if constexpr (!std::is_same_v<V, detail::NoValue>) {
      constexpr int nvals = std::is_same_v<V, complex_t> ? 2 : 1;
      double parts[2] = {0.0, 0.0};
      for (int k = 0; k < nvals; ++k) {
        const char* s = skip_blanks(t, end);
        if (s == t || s >= end || *s == '\n' || *s == '\r') {
          return fail(nvals == 2 ? (k == 0 ? "complex entry without a value"
                                           : "complex entry without an imaginary part")
                                 : "entry without a value");
        }
        if (integer) {
          const char* s2 = (*s == '+') ? s + 1 : s;
          long long iv = 0;
          auto [pi, ei] = std::from_chars(s2, end, iv);
          if (ei == std::errc::result_out_of_range) return fail("integer value out of range");
          if (ei != std::errc() || pi == s2) return fail("value is not an integer");
          parts[k] = static_cast<double>(iv);
          t = pi;
        } else {
          bool overflow = false;
          const char* pv = parse_double(s, end, parts[k], overflow);
          if (!pv) {
            if (overflow) return fail("value out of the double range");
            return fail("value is not a number");
          }
          t = pv;
        }
      }
      if constexpr (std::is_same_v<V, complex_t>) {
        val = complex_t(parts[0], parts[1]);
      } else {
        val = parts[0];
      }
    }
    const char* u = skip_blanks(t, end);
    if (u < end && *u == '\r') ++u;
    if (u < end && *u != '\n') {
      if (t == u) return fail("malformed number");
      return fail(h.field == Field::pattern ? "pattern entry with a value (extra tokens)"
                                            : "extra tokens after the entry");
    }
    p = u < end ? u + 1 : end;
    if (r > out.max_row) out.max_row = r;
    if (c > out.max_col) out.max_col = c;
    out.rows.push_back(static_cast<I>(r));  // as written; the base is settled after the body
    out.cols.push_back(static_cast<I>(c));
    if constexpr (!std::is_same_v<V, detail::NoValue>) out.vals.push_back(val);
    ++out.entries;
  }
  out.lines = line;
}

// Counts entry lines in [p, end) until the k-th (1-based) and returns its line offset.
index_t line_of_entry(const char* p, const char* end, index_t k) {
  index_t line = 0, seen = 0;
  while (p < end) {
    ++line;
    const char* q = skip_blanks(p, end);
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!(q >= end || *q == '\n' || *q == '\r' || *q == '%')) {
      if (++seen == k) return line;
    }
    p = nl ? nl + 1 : end;
  }
  return line;
}

template <class I, class V>
void read_coordinate(LineReader& lr, ByteSource& src, const std::string& name,
                     const MatrixMarketHeader& h, int max_threads, MatrixFile& mf) {
  const index_t declared = h.declared_entries;
  const int threads_all = max_threads;
  std::vector<PieceOut<I, V>> outs(static_cast<std::size_t>(max_threads));
  // Reserve what the declared count needs, but never more than the text can hold.
  index_t reserve = declared;
  if (src.stored_size() == 0 || src.compressed())
    reserve = std::min<index_t>(declared, index_t{1} << 22);
  for (auto& o : outs) {
    std::size_t per = static_cast<std::size_t>(reserve / max_threads + 16);
    detail::reserve_large(o.rows, per);
    detail::reserve_large(o.cols, per);
    if constexpr (!std::is_same_v<V, detail::NoValue>) detail::reserve_large(o.vals, per);
  }
  const std::size_t block = kBlockPerThread * static_cast<std::size_t>(max_threads);
  index_t total_entries = 0;
  index_t first_zero_line = 0;
  std::uint64_t max_row = 0, max_col = 0;
  for (;;) {
    // Make the buffer hold a block (or the rest of the input).
    while (!lr.eof() && lr.end() - lr.pos() < block) lr.refill();
    const char* b = lr.buffer().data() + lr.pos();
    const char* e = lr.buffer().data() + lr.end();
    if (b == e) break;
    // Cut at the last newline unless the input has ended.
    const char* cut = e;
    if (!lr.eof()) {
      const char* q = e;
      while (q > b && q[-1] != '\n') --q;
      if (q == b) {  // one line longer than the block: read more
        lr.refill(lr.buffer().size() * 2);
        continue;
      }
      cut = q;
    }
    // Split [b, cut) into pieces at newlines; small inputs are not worth a thread each.
    const int threads =
        static_cast<int>(std::clamp<std::ptrdiff_t>((cut - b) / (1 << 18), 1, max_threads));
    std::vector<const char*> bounds(static_cast<std::size_t>(threads) + 1);
    bounds[0] = b;
    for (int t = 1; t < threads; ++t) {
      const char* q = b + (cut - b) * t / threads;
      if (q < bounds[static_cast<std::size_t>(t) - 1]) q = bounds[static_cast<std::size_t>(t) - 1];
      while (q < cut && q > b && q[-1] != '\n') ++q;
      bounds[static_cast<std::size_t>(t)] = q;
    }
    bounds[static_cast<std::size_t>(threads)] = cut;
    std::vector<std::size_t> before(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      auto& o = outs[static_cast<std::size_t>(t)];
      before[static_cast<std::size_t>(t)] = o.rows.size();
      o.entries = 0;
      o.lines = 0;
    }
    run_parallel(threads, [&](int t) {
      parse_piece<I, V>(bounds[static_cast<std::size_t>(t)],
                        bounds[static_cast<std::size_t>(t) + 1], h,
                        outs[static_cast<std::size_t>(t)]);
    });
    index_t base_line = lr.line_no();
    for (int t = 0; t < threads; ++t) {
      auto& o = outs[static_cast<std::size_t>(t)];
      if (total_entries + o.entries > declared) {
        index_t k = declared - total_entries + 1;
        index_t l = line_of_entry(bounds[static_cast<std::size_t>(t)],
                                  bounds[static_cast<std::size_t>(t) + 1], k);
        if (!o.error || l <= o.error->line)
          throw_input("more entries than the " + std::to_string(declared) + " declared", name,
                      base_line + l);
      }
      if (o.error) throw_input(o.error->message, name, base_line + o.error->line);
      if (o.zero_line > 0 && first_zero_line == 0) first_zero_line = base_line + o.zero_line;
      o.zero_line = 0;
      max_row = std::max(max_row, o.max_row);
      max_col = std::max(max_col, o.max_col);
      total_entries += o.entries;
      base_line += o.lines;
    }
    lr.line_no_ref() = base_line;
    lr.pos() = static_cast<std::size_t>(cut - lr.buffer().data());
    if (lr.eof() && lr.pos() == lr.end()) break;
  }
  if (total_entries < declared) {
    throw_input("fewer entries than declared: " + std::to_string(total_entries) + " of " +
                    std::to_string(declared) + " (file truncated?)",
                name, std::max<index_t>(lr.line_no(), 1));
  }
  std::vector<char>().swap(lr.buffer());
  // Index base. Matrix Market is 1-based. Some collections hold files written 0-based, which
  // other readers (CHOLMOD's) accept; spax reads a file as 0-based only when the evidence is
  // unambiguous: an index 0 appears, every index fits the 0-based range, and the 0-based reading
  // uses every row and every column (the 1-based one would never use the last). Anything else
  // with an index 0 is rejected at the first such line.
  bool zero_based = false;
  if (first_zero_line > 0) {
    bool fits = max_row < static_cast<std::uint64_t>(h.nrows) &&
                max_col < static_cast<std::uint64_t>(h.ncols);
    bool all_used = false;
    if (fits) {
      std::vector<char> row_used(static_cast<std::size_t>(h.nrows), 0),
          col_used(static_cast<std::size_t>(h.ncols), 0);
      for (auto& o : outs)
        for (std::size_t k = 0; k < o.rows.size(); ++k) {
          row_used[o.rows[k]] = 1;
          col_used[o.cols[k]] = 1;
          if (h.symmetry != Symmetry::general) {
            row_used[o.cols[k]] = 1;
            col_used[o.rows[k]] = 1;
          }
        }
      all_used = std::find(row_used.begin(), row_used.end(), 0) == row_used.end() &&
                 std::find(col_used.begin(), col_used.end(), 0) == col_used.end();
    }
    if (!fits || !all_used)
      throw_input("index 0: Matrix Market indices are 1-based", name, first_zero_line);
    zero_based = true;
  }
  if (!zero_based) {
    run_parallel(static_cast<int>(outs.size()), [&](int t) {
      auto& o = outs[static_cast<std::size_t>(t)];
      for (auto& r : o.rows) --r;
      for (auto& c : o.cols) --c;
    });
  }
  mf.stats.zero_based = zero_based;
  std::vector<detail::CooChunk<I, V>> chunks;
  for (auto& o : outs) {
    detail::CooChunk<I, V> c;
    c.rows = o.rows.data();
    c.cols = o.cols.data();
    c.vals = o.vals.data();
    c.n = o.rows.size();
    chunks.push_back(c);
  }
  const int asm_threads = total_entries < (1 << 16) ? 1 : threads_all;
  auto res = detail::assemble_csc<I, V>(h.nrows, h.ncols, chunks, h.symmetry, asm_threads);
  outs.clear();
  auto& a = mf.matrix;
  a.nrows = h.nrows;
  a.ncols = h.ncols;
  a.colptr = std::move(res.colptr);
  a.rowind = std::move(res.rowind);
  if constexpr (std::is_same_v<V, double>) a.values = std::move(res.vals);
  if constexpr (std::is_same_v<V, complex_t>) a.zvalues = std::move(res.vals);
  mf.stats.entries_in_file = total_entries;
  mf.stats.duplicates_summed = res.duplicates;
}

template <class I>
void dispatch_coordinate(LineReader& lr, ByteSource& src, const std::string& name,
                         const MatrixMarketHeader& h, int threads, MatrixFile& mf) {
  switch (h.field) {
    case Field::pattern:
      read_coordinate<I, detail::NoValue>(lr, src, name, h, threads, mf);
      break;
    case Field::complex:
      read_coordinate<I, complex_t>(lr, src, name, h, threads, mf);
      break;
    default:
      read_coordinate<I, double>(lr, src, name, h, threads, mf);
      break;
  }
}

}  // namespace

void read_coordinate_entries(LineReader& lr, ByteSource& src, const std::string& name,
                             const MatrixMarketHeader& h, int threads, MatrixFile& mf) {
  if (h.nrows <= std::numeric_limits<std::uint32_t>::max() &&
      h.ncols <= std::numeric_limits<std::uint32_t>::max()) {
    dispatch_coordinate<std::uint32_t>(lr, src, name, h, threads, mf);
  } else {
    dispatch_coordinate<std::uint64_t>(lr, src, name, h, threads, mf);
  }
}

}  // namespace spax::detail::mm
