// Stamp maps in CSV: header `model,device,row,col`, one Jacobian stamp per line.
#include <algorithm>
#include <charconv>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "spax/io.hpp"
#include "spax/scatter.hpp"

namespace spax {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

struct RawModel {
  std::string name;
  std::vector<index_t> device;
  std::vector<stamp_index_t> rows, cols;
  index_t max_device = -1;
};

}  // namespace

StampMap parse_stamps_csv(std::string_view text, const std::string& name) {
  StampMap map;
  std::vector<RawModel> raw;
  std::unordered_map<std::string, std::size_t> index_of;
  index_t declared_n = -1;
  index_t line_no = 0;
  bool have_header = false;
  std::int64_t max_index = -1;
  std::size_t last_model = std::numeric_limits<std::size_t>::max();

  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      std::string_view c = trim(line.substr(1));
      const std::string_view key = "n_unknowns";
      if (c.substr(0, key.size()) == key) {
        if (have_header)
          throw_input("the n_unknowns comment must precede the header", name, line_no);
        c = trim(c.substr(key.size()));
        if (!c.empty() && (c.front() == ':' || c.front() == '=')) c = trim(c.substr(1));
        index_t n = -1;
        auto [p, ec] = std::from_chars(c.data(), c.data() + c.size(), n);
        if (ec != std::errc() || p != c.data() + c.size() || n < 0 ||
            n > std::numeric_limits<stamp_index_t>::max())
          throw_input("n_unknowns '" + std::string(c) + "' is not a valid count", name, line_no);
        declared_n = n;
      }
      continue;
    }
    if (!have_header) {
      std::string h;
      for (char ch : line)
        if (ch != ' ' && ch != '\t') h += ch;
      if (h != "model,device,row,col")
        throw_input("bad CSV header '" + std::string(line) + "': expected model,device,row,col",
                    name, line_no);
      have_header = true;
      continue;
    }
    std::string_view f[4];
    int nf = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == ',') {
        if (nf == 4)
          throw_input("expected 4 fields (model,device,row,col), found more", name, line_no);
        f[nf++] = trim(line.substr(start, i - start));
        start = i + 1;
      }
    }
    if (nf != 4)
      throw_input("expected 4 fields (model,device,row,col), found " + std::to_string(nf), name,
                  line_no);
    if (f[0].empty()) throw_input("empty model name", name, line_no);
    std::int64_t v[3];
    static const char* const kField[3] = {"device", "row", "col"};
    for (int k = 0; k < 3; ++k) {
      std::string_view s = f[k + 1];
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v[k]);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        throw_input(std::string(kField[k]) + " '" + std::string(s) + "' is not an integer", name,
                    line_no);
    }
    if (v[0] < 0) throw_input("device " + std::to_string(v[0]) + " is negative", name, line_no);
    for (int k = 1; k < 3; ++k) {
      if (v[k] < -1)
        throw_input(
            std::string(kField[k]) + ' ' + std::to_string(v[k]) + " is negative (-1 is ground)",
            name, line_no);
      if (declared_n >= 0 && v[k] >= declared_n)
        throw_input(std::string(kField[k]) + ' ' + std::to_string(v[k]) +
                        " is not below n_unknowns " + std::to_string(declared_n),
                    name, line_no);
      if (v[k] >= std::numeric_limits<stamp_index_t>::max())
        throw_input(std::string(kField[k]) + ' ' + std::to_string(v[k]) + " is too large", name,
                    line_no);
      max_index = std::max<std::int64_t>(max_index, v[k]);
    }
    std::size_t mi;
    if (last_model < raw.size() && raw[last_model].name == f[0]) {
      mi = last_model;
    } else {
      std::string key(f[0]);
      auto it = index_of.find(key);
      if (it == index_of.end()) {
        mi = raw.size();
        index_of.emplace(key, mi);
        raw.push_back({});
        raw.back().name = std::move(key);
      } else {
        mi = it->second;
      }
      last_model = mi;
    }
    RawModel& m = raw[mi];
    m.device.push_back(v[0]);
    m.rows.push_back(static_cast<stamp_index_t>(v[1]));
    m.cols.push_back(static_cast<stamp_index_t>(v[2]));
    m.max_device = std::max(m.max_device, v[0]);
  }
  if (!have_header) throw_input("missing CSV header model,device,row,col", name, line_no);
  map.n_unknowns = declared_n >= 0 ? declared_n : max_index + 1;
  for (auto& r : raw) {
    // Device indices number a model's devices 0..D-1, and per-device arrays are sized by the
    // largest. Gaps are allowed, but not so many that a short file allocates gigabytes: D may be
    // at most 16 per stamp line of the model, plus 1024.
    const auto lines = static_cast<index_t>(r.device.size());
    if (r.max_device >= 16 * lines + 1024)
      throw_input("model '" + r.name + "': device " + std::to_string(r.max_device) + " with only " +
                      std::to_string(lines) +
                      " stamp line(s): device indices must number the devices from 0 (at most "
                      "16 per stamp line, plus 1024)",
                  name);
    StampModel m;
    m.name = r.name;
    m.n_devices = r.max_device + 1;
    m.has_residuals = false;
    m.res_ptr.assign(static_cast<std::size_t>(m.n_devices) + 1, 0);
    m.jac_ptr.assign(static_cast<std::size_t>(m.n_devices) + 1, 0);
    for (index_t d : r.device) ++m.jac_ptr[static_cast<std::size_t>(d) + 1];
    for (std::size_t d = 0; d < static_cast<std::size_t>(m.n_devices); ++d)
      m.jac_ptr[d + 1] += m.jac_ptr[d];
    std::vector<index_t> next(m.jac_ptr.begin(), m.jac_ptr.end() - 1);
    m.jac_rows.resize(r.rows.size());
    m.jac_cols.resize(r.cols.size());
    for (std::size_t s = 0; s < r.device.size(); ++s) {
      auto at = static_cast<std::size_t>(next[static_cast<std::size_t>(r.device[s])]++);
      m.jac_rows[at] = r.rows[s];
      m.jac_cols[at] = r.cols[s];
    }
    r = RawModel{};
    map.models.push_back(std::move(m));
  }
  return map;
}

StampMap read_stamps_csv(const std::string& path) {
  require_readable_file(path, "stamp map");
  const std::optional<std::string> text = read_whole_file(path);
  if (!text) throw_input("cannot open the stamp map", path);
  return parse_stamps_csv(*text, path);
}

}  // namespace spax
