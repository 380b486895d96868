// NumPy .npy files: one-dimensional int64 and float64 arrays written, integer arrays read (the
// header parsed strictly).
#include <bit>
#include <charconv>
#include <cstring>
#include <fstream>

#include "spax/io.hpp"

namespace spax {

namespace {

std::string npy_header(const char* descr, std::size_t n) {
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" +
                     std::to_string(n) + ",), }";
  // magic(6) + version(2) + header_len(2) + dict + padding + '\n' is a multiple of 64.
  std::size_t total = 10 + dict.size() + 1;
  std::size_t pad = (64 - total % 64) % 64;
  dict.append(pad, ' ');
  dict += '\n';
  std::uint16_t len = static_cast<std::uint16_t>(dict.size());
  const char pre[10] = {'\x93',
                        'N',
                        'U',
                        'M',
                        'P',
                        'Y',
                        '\x01',
                        '\x00',
                        static_cast<char>(len & 0xff),
                        static_cast<char>(len >> 8)};
  std::string h(pre, sizeof pre);
  h.append(dict);
  return h;
}

template <class T>
void write_npy_stream(std::ostream& out, std::span<const T> data, const char* descr) {
  static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
  std::string h = npy_header(descr, data.size());
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size() * sizeof(T)));
}

template <class T>
void write_npy_impl(const std::string& path, std::span<const T> data, const char* descr) {
  write_output(path, [&](std::ostream& out) { write_npy_stream(out, data, descr); });
}

// The header of a .npy file is a Python dict literal, e.g.
//   {'descr': '<i8', 'fortran_order': False, 'shape': (5,), }
// Parsed strictly: quoted keys, values that are a quoted string, True/False or a tuple of
// non-negative integers; anything else is an input error (never an out-of-range read).
// fortran_order must be there, but for a one-dimensional array its value changes nothing.
struct NpyHeader {
  std::string descr;
  std::vector<std::uint64_t> shape;
  bool has_descr = false, has_fortran = false, has_shape = false;
};

NpyHeader parse_npy_header(const std::string& text, const std::string& path) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto fail = [&](const std::string& why) {
    throw_input(".npy header is malformed (" + why + " at offset " + std::to_string(i) + ")", path);
  };
  auto skip = [&] {
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  auto expect = [&](char c) {
    skip();
    if (i >= n || text[i] != c) fail(std::string("expected '") + c + "'");
    ++i;
  };
  auto quoted = [&] {
    skip();
    if (i >= n || (text[i] != '\'' && text[i] != '"')) fail("expected a quoted string");
    const char q = text[i++];
    const std::size_t b = i;
    while (i < n && text[i] != q) ++i;
    if (i >= n) fail("unterminated string");
    return text.substr(b, i++ - b);
  };
  NpyHeader h;
  expect('{');
  for (;;) {
    skip();
    if (i < n && text[i] == '}') break;
    const std::string key = quoted();
    expect(':');
    skip();
    if (key == "descr") {
      h.descr = quoted();
      h.has_descr = true;
    } else if (key == "fortran_order") {
      if (text.compare(i, 4, "True") == 0) {
        i += 4;
      } else if (text.compare(i, 5, "False") == 0) {
        i += 5;
      } else {
        fail("fortran_order is not True or False");
      }
      h.has_fortran = true;
    } else if (key == "shape") {
      expect('(');
      for (;;) {
        skip();
        if (i < n && text[i] == ')') break;
        std::uint64_t d = 0;
        auto [p, ec] = std::from_chars(text.data() + i, text.data() + n, d);
        if (ec != std::errc()) fail("shape holds something other than a non-negative integer");
        i = static_cast<std::size_t>(p - text.data());
        h.shape.push_back(d);
        skip();
        if (i < n && text[i] == ',')
          ++i;
        else if (i >= n || text[i] != ')')
          fail("expected ',' or ')' in shape");
      }
      ++i;
      h.has_shape = true;
    } else {
      fail("unknown key '" + key + "'");
    }
    skip();
    if (i < n && text[i] == ',') {
      ++i;
      continue;
    }
    if (i >= n || text[i] != '}') fail("expected ',' or '}'");
  }
  if (!h.has_descr) throw_input(".npy header lacks 'descr'", path);
  if (!h.has_fortran) throw_input(".npy header lacks 'fortran_order'", path);
  if (!h.has_shape) throw_input(".npy header lacks 'shape'", path);
  return h;
}
}  // namespace

void write_npy(const std::string& path, std::span<const std::int64_t> data) {
  write_npy_impl(path, data, "<i8");
}
void write_npy(const std::string& path, std::span<const double> data) {
  write_npy_impl(path, data, "<f8");
}
void write_npy(std::ostream& out, std::span<const std::int64_t> data) {
  write_npy_stream(out, data, "<i8");
}

std::vector<std::int64_t> read_npy_int64(const std::string& path) {
  require_readable_file(path, ".npy");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input("cannot open", path);
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw_input("not a NumPy .npy file (bad magic)", path);
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t hlen = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw_input("truncated .npy header", path);
    hlen = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw_input("truncated .npy header", path);
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  } else {
    throw_input("unsupported .npy version " + std::to_string(major), path);
  }
  if (hlen > (1u << 20)) throw_input(".npy header too long", path);
  std::string header(hlen, '\0');
  if (!in.read(header.data(), hlen)) throw_input("truncated .npy header", path);
  const NpyHeader h = parse_npy_header(header, path);
  std::size_t width = 0;
  bool is_signed = true;
  if (h.descr == "<i8" || h.descr == "i8") {
    width = 8;
  } else if (h.descr == "<i4" || h.descr == "i4") {
    width = 4;
  } else if (h.descr == "<u8" || h.descr == "u8") {
    width = 8;
    is_signed = false;
  } else if (h.descr == "<u4" || h.descr == "u4") {
    width = 4;
    is_signed = false;
  } else {
    throw_input(".npy dtype '" + h.descr + "' is not a little-endian 32/64-bit integer", path);
  }
  std::uint64_t n = 1;
  int non_one = 0;
  for (auto d : h.shape) {
    if (d != 1) ++non_one;
    if (d != 0 && n > (std::uint64_t{1} << 40) / d) throw_input(".npy array too large", path);
    n *= d;
  }
  if (h.shape.empty() || non_one > 1)
    throw_input(".npy array must be one-dimensional, shape has " + std::to_string(h.shape.size()) +
                    " dimensions",
                path);
  // Check the file holds the data before allocating.
  auto here = in.tellg();
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(here);
  if (size < here || static_cast<std::uint64_t>(size - here) < n * width)
    throw_input(".npy data is shorter than its shape says (truncated file)", path);
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  if (width == 8) {
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n * 8));
    if (!is_signed)
      for (auto v : out)
        if (v < 0) throw_input(".npy uint64 value does not fit int64", path);
  } else {
    std::vector<std::int32_t> tmp(static_cast<std::size_t>(n));
    in.read(reinterpret_cast<char*>(tmp.data()), static_cast<std::streamsize>(n * 4));
    for (std::size_t k = 0; k < n; ++k)
      out[k] = is_signed ? tmp[k] : static_cast<std::int64_t>(static_cast<std::uint32_t>(tmp[k]));
  }
  if (!in) throw_input(".npy data is shorter than its shape says", path);
  return out;
}

}  // namespace spax
