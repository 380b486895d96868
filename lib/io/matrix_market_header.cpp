// Matrix Market reader: the header, parsed once, serially: the banner, the comments and the
// size line, with the limits checked before anything is allocated.
#include <cstdio>
#include <limits>

#include "io/matrix_market_parse.hpp"

namespace spax::detail::mm {

namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

}  // namespace

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

}  // namespace spax::detail::mm
