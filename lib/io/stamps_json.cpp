// Stamp maps in JSON, read with nlohmann's SAX interface: the stamps go straight into flat
// arrays, no document tree is built. Errors name the JSON path of the offending value.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "spax/io.hpp"
#include "spax/scatter.hpp"

namespace spax {

index_t StampMap::total_devices() const noexcept {
  index_t n = 0;
  for (const auto& m : models) n += m.n_devices;
  return n;
}

namespace {

const char* const kListKeys[3] = {"jac_row_indices", "jac_col_indices", "res_indices"};

enum class Role { root, models, model, list, device, skip };

struct Frame {
  Role role;
  bool is_array;
  index_t count = 0;  // arrays: elements started so far
  std::string key;    // objects: the current key
  int kind = -1;      // list/device: 0 rows, 1 cols, 2 residuals
};

struct PendingModel {
  std::string name;
  std::vector<stamp_index_t> vals[3];
  std::vector<index_t> lens[3];
  bool seen[3] = {false, false, false};
};

class StampSax {
 public:
  using json = nlohmann::json;
  explicit StampSax(std::string name) : name_(std::move(name)) {}

  StampMap map;
  bool have_n = false;
  bool have_models = false;

  // ---- values
  bool null() { return scalar("null"); }
  bool boolean(bool) { return scalar("a boolean"); }
  bool number_float(json::number_float_t, const json::string_t& s) {
    return scalar("the number " + s);
  }
  bool string(json::string_t&) { return scalar("a string"); }
  bool binary(json::binary_t&) { return scalar("binary data"); }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
      return integer(std::numeric_limits<std::int64_t>::max());
    return integer(static_cast<std::int64_t>(v));
  }
  bool number_integer(json::number_integer_t v) { return integer(v); }

  // ---- containers
  bool start_object(std::size_t) { return start(false); }
  bool start_array(std::size_t) { return start(true); }
  bool key(json::string_t& k) {
    Frame& f = stack_.back();
    if (f.role == Role::models) {
      for (const auto& m : map.models)
        if (m.name == k) fail(path_with(k), "duplicate model name");
    }
    if (f.role == Role::root && ((k == "models" && have_models) || (k == "n_unknowns" && have_n)))
      fail(k, "duplicate key");
    f.key = std::move(k);
    return true;
  }
  bool end_object() { return end(); }
  bool end_array() { return end(); }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    auto p = what.find("] ");
    if (what.rfind("[json.exception", 0) == 0 && p != std::string::npos) what = what.substr(p + 2);
    throw_input("invalid JSON (byte " + std::to_string(position) + "): " + what, name_);
  }

  void finish() {
    if (!have_n) fail("", "missing key n_unknowns");
    if (!have_models) fail("", "missing key models");
    if (max_index_ >= map.n_unknowns)
      fail(max_path(), "index " + std::to_string(max_index_) + " is not below n_unknowns " +
                           std::to_string(map.n_unknowns));
  }

 private:
  std::string name_;
  std::vector<Frame> stack_;
  PendingModel pending_;
  std::int64_t max_index_ = -1;
  // Where the largest index was seen: model ordinal, list kind, device, entry.
  std::size_t max_model_ = 0;
  int max_kind_ = 0;
  index_t max_device_ = 0, max_entry_ = 0;

  std::string max_path() const {
    const std::string& name =
        max_model_ < map.models.size() ? map.models[max_model_].name : pending_.name;
    return "models." + name + '.' + kListKeys[max_kind_] + '[' + std::to_string(max_device_) +
           "][" + std::to_string(max_entry_) + ']';
  }

  [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
    throw_input(path.empty() ? msg : path + ": " + msg, name_);
  }

  // Path of the containers on the stack down to (not including) frame `upto`.
  std::string path_to(std::size_t upto) const {
    std::string p;
    for (std::size_t i = 0; i < upto && i < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      if (f.is_array) {
        p += '[' + std::to_string(f.count - 1) + ']';
      } else {
        if (!p.empty()) p += '.';
        p += f.key;
      }
    }
    return p;
  }
  // Path of the element currently being read.
  std::string here() const { return path_to(stack_.size()); }
  std::string path_with(const std::string& k) const {
    std::string p = path_to(stack_.size() - 1);
    return p.empty() ? k : p + '.' + k;
  }

  // Called at the start of every value: counts array elements.
  void element() {
    if (!stack_.empty() && stack_.back().is_array) ++stack_.back().count;
  }

  bool scalar(const std::string& what) {
    element();
    if (stack_.empty()) fail("", "expected a JSON object at the top level, found " + what);
    const Frame& f = stack_.back();
    switch (f.role) {
      case Role::skip:
        return true;
      case Role::root:
        if (f.key == "n_unknowns") fail(here(), "expected an integer, found " + what);
        if (f.key == "models") fail(here(), "expected an object of models, found " + what);
        return true;
      case Role::models:
        fail(here(), "expected an object, found " + what);
      case Role::model:
        if (kind_of(f.key) >= 0) fail(here(), "expected a list of lists, found " + what);
        return true;
      case Role::list:
        fail(here(), "expected a list (one per device), found " + what);
      case Role::device:
        fail(here(), "expected an integer index, found " + what);
    }
    return true;
  }

  static int kind_of(const std::string& k) {
    for (int i = 0; i < 3; ++i)
      if (k == kListKeys[i]) return i;
    return -1;
  }

  bool integer(std::int64_t v) {
    if (!stack_.empty()) {
      Frame& f = stack_.back();
      if (f.role == Role::device) {
        ++f.count;
        if (v < -1) fail(here(), "index " + std::to_string(v) + " is negative (-1 is ground)");
        if (have_n && v >= map.n_unknowns)
          fail(here(), "index " + std::to_string(v) + " is not below n_unknowns " +
                           std::to_string(map.n_unknowns));
        if (v > std::numeric_limits<stamp_index_t>::max() - 1)
          fail(here(), "index " + std::to_string(v) + " is too large");
        if (v > max_index_) {
          max_index_ = v;
          max_model_ = map.models.size();
          max_kind_ = f.kind;
          max_device_ = stack_[stack_.size() - 2].count - 1;
          max_entry_ = f.count - 1;
        }
        pending_.vals[f.kind].push_back(static_cast<stamp_index_t>(v));
        return true;
      }
      if (f.role == Role::root && f.key == "n_unknowns") {
        element();
        if (v < 0) fail(here(), "n_unknowns must not be negative");
        if (v > std::numeric_limits<stamp_index_t>::max())
          fail(here(), "n_unknowns " + std::to_string(v) + " is too large for a stamp map");
        map.n_unknowns = v;
        have_n = true;
        if (max_index_ >= v)
          fail(max_path(), "index " + std::to_string(max_index_) + " is not below n_unknowns " +
                               std::to_string(v));
        return true;
      }
    }
    return scalar("the integer " + std::to_string(v));
  }

  bool start(bool is_array) {
    element();
    const char* what = is_array ? "a list" : "an object";
    if (stack_.empty()) {
      if (is_array) fail("", "expected a JSON object at the top level, found a list");
      stack_.push_back({Role::root, false, 0, {}, -1});
      return true;
    }
    const Frame& f = stack_.back();
    Role role = Role::skip;
    int kind = -1;
    switch (f.role) {
      case Role::skip:
        break;
      case Role::root:
        if (f.key == "n_unknowns") fail(here(), std::string("expected an integer, found ") + what);
        if (f.key == "models") {
          if (is_array) fail(here(), "expected an object of models, found a list");
          role = Role::models;
          have_models = true;
        }
        break;
      case Role::models:
        if (is_array) fail(here(), "expected an object, found a list");
        role = Role::model;
        pending_ = PendingModel{};
        pending_.name = f.key;
        break;
      case Role::model:
        kind = kind_of(f.key);
        if (kind >= 0) {
          if (!is_array) fail(here(), "expected a list of lists, found an object");
          if (pending_.seen[kind]) fail(here(), "duplicate key");
          pending_.seen[kind] = true;
          role = Role::list;
        }
        break;
      case Role::list:
        if (!is_array) fail(here(), "expected a list (one per device), found an object");
        role = Role::device;
        kind = f.kind;
        break;
      case Role::device:
        fail(here(), std::string("expected an integer index, found ") + what);
    }
    stack_.push_back({role, is_array, 0, {}, kind});
    return true;
  }

  bool end() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.role == Role::device) {
      pending_.lens[f.kind].push_back(f.count);
    } else if (f.role == Role::model) {
      finish_model();
    }
    return true;
  }

  void finish_model() {
    PendingModel& p = pending_;
    const std::string base = path_with(p.name);
    for (int k = 0; k < 3; ++k)
      if (!p.seen[k]) fail(base, std::string("missing key ") + kListKeys[k]);
    const index_t ndev = static_cast<index_t>(p.lens[0].size());
    for (int k = 1; k < 3; ++k)
      if (static_cast<index_t>(p.lens[k].size()) != ndev)
        fail(base + '.' + kListKeys[k], "has " + std::to_string(p.lens[k].size()) +
                                            " devices, but jac_row_indices has " +
                                            std::to_string(ndev) + " (ragged lists)");
    for (index_t d = 0; d < ndev; ++d) {
      const auto ud = static_cast<std::size_t>(d);
      for (int k = 0; k < 3; ++k) {
        index_t want = k == 1 ? p.lens[0][ud] : p.lens[k][0];
        const char* ref = k == 1 ? "jac_row_indices" : kListKeys[k];
        std::string refdev = k == 1 ? std::to_string(d) : "0";
        if (p.lens[k][ud] != want)
          fail(base + '.' + kListKeys[k] + '[' + std::to_string(d) + ']',
               "has " + std::to_string(p.lens[k][ud]) + " entries, but " + ref + '[' + refdev +
                   "] has " + std::to_string(want) + " (ragged lists)");
      }
    }
    StampModel m;
    m.name = p.name;
    m.n_devices = ndev;
    m.has_residuals = true;
    const index_t per = ndev > 0 ? p.lens[0][0] : 0;
    const index_t rper = ndev > 0 ? p.lens[2][0] : 0;
    m.jac_ptr.resize(static_cast<std::size_t>(ndev) + 1);
    m.res_ptr.resize(static_cast<std::size_t>(ndev) + 1);
    for (index_t d = 0; d <= ndev; ++d) {
      m.jac_ptr[static_cast<std::size_t>(d)] = d * per;
      m.res_ptr[static_cast<std::size_t>(d)] = d * rper;
    }
    m.jac_rows = std::move(p.vals[0]);
    m.jac_cols = std::move(p.vals[1]);
    m.res_indices = std::move(p.vals[2]);
    map.models.push_back(std::move(m));
    p = PendingModel{};
  }
};

}  // namespace

StampMap parse_stamps_json(std::string_view text, const std::string& name) {
  StampSax sax(name);
  nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  sax.finish();
  return std::move(sax.map);
}

namespace {

// Reads a file in 1 MiB chunks for the SAX parser, so the text is never held whole.
class ChunkedFile {
 public:
  explicit ChunkedFile(std::FILE* f) : f_(f), buf_(1u << 20) { fill(); }
  bool done() const noexcept { return pos_ == len_; }
  char get() const noexcept { return buf_[pos_]; }
  void advance() {
    if (++pos_ == len_) fill();
  }
  bool failed() const noexcept { return error_; }

 private:
  void fill() {
    len_ = std::fread(buf_.data(), 1, buf_.size(), f_);
    pos_ = 0;
    if (len_ == 0 && std::ferror(f_)) error_ = true;
  }
  std::FILE* f_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  bool error_ = false;
};

// Input iterator over a ChunkedFile (all copies share the one position).
struct ChunkIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;
  ChunkedFile* src = nullptr;
  char operator*() const noexcept { return src->get(); }
  ChunkIterator& operator++() {
    src->advance();
    return *this;
  }
  ChunkIterator operator++(int) {
    ChunkIterator t = *this;
    src->advance();
    return t;
  }
  bool at_end() const noexcept { return src == nullptr || src->done(); }
  bool operator==(const ChunkIterator& o) const noexcept { return at_end() == o.at_end(); }
  bool operator!=(const ChunkIterator& o) const noexcept { return !(*this == o); }
};

}  // namespace

StampMap read_stamps_json(const std::string& path) {
  require_readable_file(path, "stamp map");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw_input("cannot open the stamp map", path);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  ChunkedFile src(f);
  StampSax sax(path);
  nlohmann::json::sax_parse(ChunkIterator{&src}, ChunkIterator{}, &sax);
  if (src.failed()) throw_input("cannot read the stamp map", path);
  sax.finish();
  return std::move(sax.map);
}

StampMap read_stamps(const std::string& path) {
  const bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
  return csv ? read_stamps_csv(path) : read_stamps_json(path);
}

}  // namespace spax
