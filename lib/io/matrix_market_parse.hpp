// Internal to the Matrix Market reader: the text helpers, the buffered line reader and the
// parts that matrix_market_read.cpp puts together: the header (matrix_market_header.cpp), the
// coordinate body (matrix_market_coordinate.cpp) and the array body (matrix_market_array.cpp).
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/source.hpp"
#include "spax/io.hpp"

namespace spax::detail::mm {

inline bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

inline std::vector<std::string_view> split_ws(std::string_view line) {
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

// Parses the banner, the comments and the size line (the limits of `opt` checked).
Header parse_header(LineReader& lr, const std::string& name, const ReadOptions& opt);

// Smallest number of bytes one entry (coordinate) or value (array) can take in the text.
std::uint64_t min_entry_bytes(const MatrixMarketHeader& h);

// The entries of a coordinate file, parsed in parallel and assembled into mf.matrix (CSC).
void read_coordinate_entries(LineReader& lr, ByteSource& src, const std::string& name,
                             const MatrixMarketHeader& h, int threads, MatrixFile& mf);

// The values of an array file, serially, into mf.matrix.
void read_array(LineReader& lr, const std::string& name, const MatrixMarketHeader& h,
                MatrixFile& mf);

}  // namespace spax::detail::mm
