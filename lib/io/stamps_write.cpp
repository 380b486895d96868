// Writes a stamp map as JSON in the layout read_stamps_json reads (n_unknowns first).
#include <charconv>
#include <cstdio>
#include <ostream>
#include <string>

#include "spax/generate.hpp"
#include "spax/io.hpp"

namespace spax {
namespace {

void put_lists(std::string& buf, std::ostream& out, const std::vector<index_t>& ptr,
               const std::vector<stamp_index_t>& v, index_t ndev) {
  buf += '[';
  char tmp[24];
  for (index_t d = 0; d < ndev; ++d) {
    if (d > 0) buf += ',';
    buf += '[';
    for (index_t k = ptr[static_cast<std::size_t>(d)]; k < ptr[static_cast<std::size_t>(d) + 1];
         ++k) {
      if (k > ptr[static_cast<std::size_t>(d)]) buf += ',';
      auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v[static_cast<std::size_t>(k)]);
      (void)ec;
      buf.append(tmp, p);
    }
    buf += ']';
    if (buf.size() > (1u << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  buf += ']';
}

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char u[8];
      std::snprintf(u, sizeof u, "\\u%04x", static_cast<unsigned>(c));
      o += u;
    } else {
      o += c;
    }
  }
  return o + '"';
}

}  // namespace

void write_stamps_json(const StampMap& map, const std::string& path) {
  write_file_atomic(path, [&](std::ostream& out) {
    std::string buf;
    buf.reserve(1u << 21);
    buf += "{\"n_unknowns\": " + std::to_string(map.n_unknowns) + ", \"models\": {";
    for (std::size_t mi = 0; mi < map.models.size(); ++mi) {
      const StampModel& m = map.models[mi];
      buf += mi ? ",\n" : "\n";
      buf += json_string(m.name) + ": {\"jac_row_indices\": ";
      put_lists(buf, out, m.jac_ptr, m.jac_rows, m.n_devices);
      buf += ",\n\"jac_col_indices\": ";
      put_lists(buf, out, m.jac_ptr, m.jac_cols, m.n_devices);
      buf += ",\n\"res_indices\": ";
      if (m.has_residuals) {
        put_lists(buf, out, m.res_ptr, m.res_indices, m.n_devices);
      } else {
        std::vector<index_t> zero(static_cast<std::size_t>(m.n_devices) + 1, 0);
        put_lists(buf, out, zero, m.res_indices, m.n_devices);
      }
      buf += '}';
    }
    buf += "}}\n";
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  });
}

}  // namespace spax
