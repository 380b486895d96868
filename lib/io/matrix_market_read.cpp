// Matrix Market reader: the header is parsed once, serially; the entries of a coordinate file are
// parsed in large blocks, each block split at line boundaries into one piece per thread, each
// piece parsed with std::from_chars into that thread's own coordinate arrays; the arrays are then
// assembled into CSC in parallel (symmetric expansion, duplicates summed).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "core/memory.hpp"
#include "io/source.hpp"
#include "sparse/assemble.hpp"
#include "spax/io.hpp"
#include "spax/parallel.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace {

using detail::ByteSource;

constexpr std::size_t kBlockPerThread = std::size_t{16} << 20;  // 16 MiB of text per thread

struct ParseError {
  index_t line = 0;  // 1-based line number within the piece/file, 0 = none
  std::string message;
};

inline bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> toks;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (is_blank(line[i]))) ++i;
    std::size_t s = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > s) toks.push_back(line.substr(s, i - s));
  }
  return toks;
}

// Parses a double from [p, end): accepts a leading '+', inf/nan, and values that underflow to
// zero or a subnormal; rejects values beyond the double range. Returns nullptr on failure.
inline const char* parse_double(const char* p, const char* end, double& out, bool& overflow) {
  overflow = false;
  const char* s = p;
  if (s < end && *s == '+') ++s;
  auto [ptr, ec] = std::from_chars(s, end, out);
  if (ec == std::errc()) return ptr;
  if (ec == std::errc::result_out_of_range) {
    // Decide between underflow (accept) and overflow (reject) with strtod on a copy.
    char tmp[128];
    std::size_t len = static_cast<std::size_t>(ptr - p);
    if (len == 0 || len >= sizeof tmp) {
      overflow = true;
      return nullptr;
    }
    std::memcpy(tmp, p, len);
    tmp[len] = 0;
    double v = std::strtod(tmp, nullptr);
    if (std::isinf(v)) {
      overflow = true;
      return nullptr;
    }
    out = v;
    return ptr;
  }
  return nullptr;
}

inline const char* skip_blanks(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  return p;
}

// --- Buffered line access for the header and array bodies ----------------------------------

class LineReader {
 public:
  explicit LineReader(ByteSource& src) : src_(src) { buf_.resize(1 << 20); }

  // Next line without its terminator ('\n', optional '\r' stripped); nullopt at the end.
  std::optional<std::string_view> next() {
    for (;;) {
      const char* b = buf_.data() + pos_;
      const char* e = buf_.data() + end_;
      const char* nl =
          static_cast<const char*>(std::memchr(b, '\n', static_cast<std::size_t>(e - b)));
      if (nl) {
        std::string_view line(b, static_cast<std::size_t>(nl - b));
        pos_ = static_cast<std::size_t>(nl - buf_.data()) + 1;
        ++line_no_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
      }
      if (eof_) {
        if (pos_ == end_) return std::nullopt;
        std::string_view line(b, static_cast<std::size_t>(e - b));
        pos_ = end_;
        ++line_no_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
      }
      refill();
    }
  }

  index_t line_no() const { return line_no_; }
  std::uint64_t bytes_read() const { return bytes_read_; }

  // Hands the unread buffered bytes to the block parser.
  std::vector<char>& buffer() { return buf_; }
  std::size_t& pos() { return pos_; }
  std::size_t& end() { return end_; }
  bool& eof() { return eof_; }
  index_t& line_no_ref() { return line_no_; }

  // Moves unread bytes to the front and reads more (growing the buffer when it is full).
  void refill(std::size_t want_capacity = 0) {
    if (pos_ > 0) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (want_capacity > buf_.size()) buf_.resize(want_capacity);
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    const std::size_t before = end_;
    std::size_t got = src_.read(buf_.data() + end_, buf_.size() - end_);
    bytes_read_ += got;
    end_ += got;
    if (got == 0) eof_ = true;
    if (cr_lines_ < 0) detect_line_ends();
    if (cr_lines_ > 0) std::replace(buf_.data() + before, buf_.data() + end_, '\r', '\n');
  }

  // True once the text is known to end its lines with a carriage return alone (old Mac files).
  bool cr_line_ends() const { return cr_lines_ > 0; }

 private:
  ByteSource& src_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  index_t line_no_ = 0;
  std::uint64_t bytes_read_ = 0;
  int cr_lines_ = -1;  // -1 not known yet, 0 '\n' (or "\r\n"), 1 '\r' alone

  // The first line's terminator decides: '\r' not followed by '\n' means old Mac line ends,
  // and every '\r' of the text becomes '\n' as it is read (only for such files; the others
  // pay one check per refill).
  void detect_line_ends() {
    const char* b = buf_.data() + pos_;
    const char* e = buf_.data() + end_;
    const char* p = std::find_if(b, e, [](char c) { return c == '\n' || c == '\r'; });
    if (p == e) {
      if (eof_) cr_lines_ = 0;
      return;
    }
    if (*p == '\n') {
      cr_lines_ = 0;
    } else if (p + 1 < e) {
      cr_lines_ = p[1] == '\n' ? 0 : 1;
    } else if (eof_) {
      cr_lines_ = 1;
    } else {
      return;  // a '\r' at the end of what was read: the next read decides
    }
    if (cr_lines_ > 0) std::replace(buf_.data() + pos_, buf_.data() + end_, '\r', '\n');
  }
};

// --- Header --------------------------------------------------------------------------------

struct Header {
  MatrixMarketHeader h;
  index_t size_line = 0;
};

Header parse_header(LineReader& lr, const std::string& name, const ReadOptions& opt) {
  Header out;
  auto first = lr.next();
  if (!first) throw_input("empty file: not a Matrix Market file", name);
  std::string_view banner = *first;
  // A banner indented by spaces or tabs is read (fast_matrix_market's permissive files).
  while (!banner.empty() && (banner.front() == ' ' || banner.front() == '\t'))
    banner.remove_prefix(1);
  if (banner.substr(0, 14) != "%%MatrixMarket" && lower(banner.substr(0, 14)) != "%%matrixmarket") {
    throw_input("no %%MatrixMarket banner on the first line: not a Matrix Market file", name, 1);
  }
  auto toks = split_ws(banner);
  // Accept "%%MatrixMarket matrix ..." and the rare "%%MatrixMarketmatrix" is not accepted.
  if (toks.size() != 5) {
    throw_input("banner must read '%%MatrixMarket matrix FORMAT FIELD SYMMETRY'", name, 1);
  }
  auto& h = out.h;
  std::string object = lower(toks[1]), format = lower(toks[2]), field = lower(toks[3]),
              symmetry = lower(toks[4]);
  if (object != "matrix")
    throw_input("object '" + std::string(toks[1]) + "' is not supported (only 'matrix')", name, 1);
  h.object = object;
  h.declared_symmetry = symmetry;
  if (format == "coordinate") {
    h.coordinate = true;
  } else if (format == "array") {
    h.coordinate = false;
  } else {
    throw_input("unknown format '" + std::string(toks[2]) + "' (coordinate or array)", name, 1);
  }
  if (field == "real" || field == "double") {
    h.field = Field::real;
  } else if (field == "complex") {
    h.field = Field::complex;
  } else if (field == "integer") {
    h.field = Field::integer;
  } else if (field == "pattern") {
    h.field = Field::pattern;
  } else {
    throw_input("unknown field '" + std::string(toks[3]) + "' (real, complex, integer or pattern)",
                name, 1);
  }
  if (symmetry == "general") {
    h.symmetry = Symmetry::general;
  } else if (symmetry == "symmetric") {
    h.symmetry = Symmetry::symmetric;
  } else if (symmetry == "skew-symmetric") {
    h.symmetry = Symmetry::skew_symmetric;
  } else if (symmetry == "hermitian") {
    h.symmetry = Symmetry::hermitian;
  } else {
    throw_input("unknown symmetry '" + std::string(toks[4]) +
                    "' (general, symmetric, skew-symmetric or hermitian)",
                name, 1);
  }
  if (h.field == Field::pattern && !h.coordinate)
    throw_input("'array pattern' is not a valid combination", name, 1);
  // A real (or integer) hermitian matrix is a symmetric one: read it so (the header keeps what
  // was declared). A pattern has no values to conjugate: hermitian there stays an error.
  if (h.symmetry == Symmetry::hermitian && (h.field == Field::real || h.field == Field::integer))
    h.symmetry = Symmetry::symmetric;
  if (h.symmetry == Symmetry::hermitian && h.field != Field::complex)
    throw_input("hermitian needs the complex field (or real or integer values)", name, 1);

  // Comments and blank lines, then the size line.
  std::optional<std::string_view> line;
  for (;;) {
    line = lr.next();
    if (!line) throw_input("no size line: the file ends after the header", name, lr.line_no());
    std::string_view l = *line;
    std::size_t i = 0;
    while (i < l.size() && is_blank(l[i])) ++i;
    if (i == l.size()) continue;  // blank
    if (l[i] == '%') continue;    // comment
    break;
  }
  out.size_line = lr.line_no();
  auto sz = split_ws(*line);
  const std::size_t want = h.coordinate ? 3 : 2;
  if (sz.size() != want) {
    throw_input(std::string("size line must hold ") + (h.coordinate ? "3" : "2") +
                    " numbers (rows cols" + (h.coordinate ? " entries" : "") + "), found " +
                    std::to_string(sz.size()),
                name, out.size_line);
  }
  index_t v[3] = {0, 0, 0};
  const char* what[3] = {"row count", "column count", "entry count"};
  for (std::size_t k = 0; k < want; ++k) {
    const char* b = sz[k].data();
    const char* e = b + sz[k].size();
    if (*b == '-')
      throw_input(std::string("negative ") + what[k] + " '" + std::string(sz[k]) + "'", name,
                  out.size_line);
    if (*b == '+') ++b;
    std::uint64_t u = 0;
    auto [p, ec] = std::from_chars(b, e, u);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc() && p == e &&
         u > static_cast<std::uint64_t>(std::numeric_limits<index_t>::max()))) {
      throw_input(
          std::string(what[k]) + " " + std::string(sz[k]) + " does not fit the 64-bit index type",
          name, out.size_line);
    }
    if (ec != std::errc() || p != e)
      throw_input(std::string(what[k]) + " '" + std::string(sz[k]) + "' is not a whole number",
                  name, out.size_line);
    v[k] = static_cast<index_t>(u);
  }
  h.nrows = v[0];
  h.ncols = v[1];
  for (int k = 0; k < 2; ++k) {
    if (v[k] > opt.max_dimension) {
      double gb = static_cast<double>(v[k] + 1) * 8.0 / 1e9;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.0f", gb);
      throw_input(std::string(what[k]) + " " + std::to_string(v[k]) + " exceeds the limit of " +
                      std::to_string(opt.max_dimension) + " (column pointers alone would need " +
                      buf + " GB)",
                  name, out.size_line);
    }
  }
  if (h.symmetry != Symmetry::general && h.nrows != h.ncols)
    throw_input(std::string(to_string(h.symmetry)) + " matrix must be square, size line says " +
                    std::to_string(h.nrows) + " x " + std::to_string(h.ncols),
                name, out.size_line);
  const __int128 cells = static_cast<__int128>(h.nrows) * h.ncols;
  if (h.coordinate) {
    h.declared_entries = v[2];
    __int128 maxent = cells;
    if (h.symmetry == Symmetry::symmetric || h.symmetry == Symmetry::hermitian)
      maxent = static_cast<__int128>(h.nrows) * (h.nrows + 1) / 2;
    if (h.symmetry == Symmetry::skew_symmetric)
      maxent = static_cast<__int128>(h.nrows) * (h.nrows - 1) / 2;
    // Duplicates are allowed, so more entries than cells is legal only if the file holds them;
    // the file-size check below bounds that.
    (void)maxent;
  } else {
    __int128 n = cells;
    if (h.symmetry == Symmetry::symmetric || h.symmetry == Symmetry::hermitian)
      n = static_cast<__int128>(h.nrows) * (h.nrows + 1) / 2;
    if (h.symmetry == Symmetry::skew_symmetric)
      n = static_cast<__int128>(h.nrows) * (h.nrows > 0 ? h.nrows - 1 : 0) / 2;
    if (n > static_cast<__int128>(std::numeric_limits<index_t>::max()))
      throw_input("array of " + std::to_string(h.nrows) + " x " + std::to_string(h.ncols) +
                      " values does not fit the 64-bit index type",
                  name, out.size_line);
    h.declared_entries = static_cast<index_t>(n);
  }
  return out;
}

// Smallest number of bytes one entry (coordinate) or value (array) can take in the text.
std::uint64_t min_entry_bytes(const MatrixMarketHeader& h) {
  if (!h.coordinate) return h.field == Field::complex ? 4 : 2;
  switch (h.field) {
    case Field::pattern:
      return 4;  // "1 1\n"
    case Field::complex:
      return 8;  // "1 1 1 1\n"
    default:
      return 6;  // "1 1 1\n"
  }
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

// --- Coordinate body -------------------------------------------------------------------------

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

// --- Array body (serial) ---------------------------------------------------------------------

void read_array(LineReader& lr, const std::string& name, const MatrixMarketHeader& h,
                MatrixFile& mf) {
  const bool cplx = h.field == Field::complex;
  const bool integer = h.field == Field::integer;
  const index_t n_expected = h.declared_entries;
  TripletMatrix t;
  t.nrows = h.nrows;
  t.ncols = h.ncols;
  t.field = cplx ? Field::complex : Field::real;
  index_t count = 0;
  index_t i = 0, j = 0;  // next position in column-major order of the stored triangle
  auto first_row = [&](index_t col) {
    if (h.symmetry == Symmetry::general) return index_t{0};
    if (h.symmetry == Symmetry::skew_symmetric) return col + 1;
    return col;
  };
  if (h.ncols > 0) i = first_row(0);
  while (j < h.ncols && i >= h.nrows) {
    ++j;
    if (j < h.ncols) i = first_row(j);
  }
  while (auto line = lr.next()) {
    auto toks = split_ws(*line);
    if (toks.empty() || toks[0][0] == '%') continue;
    const std::size_t want = cplx ? 2 : 1;
    if (toks.size() != want) {
      throw_input(std::string("array ") + (cplx ? "complex" : to_string(h.field)) +
                      " line must hold " + std::to_string(want) + " number" +
                      (want == 1 ? "" : "s") + ", found " + std::to_string(toks.size()),
                  name, lr.line_no());
    }
    if (count >= n_expected)
      throw_input("more values than the " + std::to_string(n_expected) + " the size line implies",
                  name, lr.line_no());
    double parts[2] = {0, 0};
    for (std::size_t k = 0; k < want; ++k) {
      const char* b = toks[k].data();
      const char* e = b + toks[k].size();
      if (integer) {
        long long iv = 0;
        const char* b2 = *b == '+' ? b + 1 : b;
        auto [p, ec] = std::from_chars(b2, e, iv);
        if (ec != std::errc() || p != e)
          throw_input("value '" + std::string(toks[k]) + "' is not an integer", name, lr.line_no());
        parts[k] = static_cast<double>(iv);
      } else {
        bool overflow = false;
        const char* p = parse_double(b, e, parts[k], overflow);
        if (!p || p != e)
          throw_input(overflow ? "value out of the double range"
                               : "value '" + std::string(toks[k]) + "' is not a number",
                      name, lr.line_no());
      }
    }
    t.rows.push_back(i);
    t.cols.push_back(j);
    if (cplx) {
      t.zvalues.emplace_back(parts[0], parts[1]);
    } else {
      t.values.push_back(parts[0]);
    }
    if (i != j && h.symmetry != Symmetry::general) {
      t.rows.push_back(j);
      t.cols.push_back(i);
      if (cplx) {
        complex_t v(parts[0], parts[1]);
        t.zvalues.push_back(h.symmetry == Symmetry::skew_symmetric ? -v
                            : h.symmetry == Symmetry::hermitian    ? std::conj(v)
                                                                   : v);
      } else {
        t.values.push_back(h.symmetry == Symmetry::skew_symmetric ? -parts[0] : parts[0]);
      }
    }
    ++count;
    ++i;
    while (j < h.ncols && i >= h.nrows) {
      ++j;
      if (j < h.ncols) i = first_row(j);
    }
  }
  if (count < n_expected)
    throw_input("array with fewer values than expected: " + std::to_string(count) + " of " +
                    std::to_string(n_expected),
                name, std::max<index_t>(lr.line_no(), 1));
  index_t dups = 0;
  Field f = t.field;
  mf.matrix = to_csc(t, &dups);
  mf.matrix.field = f;
  mf.stats.entries_in_file = count;
  mf.stats.duplicates_summed = dups;
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
  Header hd = parse_header(lr, name, options);
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
    const std::uint64_t can_hold = remaining / min_entry_bytes(h) + 1;
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
    if (h.nrows <= std::numeric_limits<std::uint32_t>::max() &&
        h.ncols <= std::numeric_limits<std::uint32_t>::max()) {
      dispatch_coordinate<std::uint32_t>(lr, src, name, h, threads, mf);
    } else {
      dispatch_coordinate<std::uint64_t>(lr, src, name, h, threads, mf);
    }
  } else {
    read_array(lr, name, h, mf);
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
