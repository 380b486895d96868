#include "spax/report/baseline.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "spax/analysis.hpp"
#include "spax/io.hpp"

namespace spax {

nlohmann::json baseline_metrics(const SparseMatrix& a, const std::string& ordering) {
  nlohmann::json j;
  j["fingerprint"] = pattern_fingerprint(a).hex();
  j["n"] = a.ncols;
  j["rows"] = a.nrows;
  j["nnz"] = a.nnz();
  if (!a.is_square()) {
    j["note"] = "rectangular: no ordering metrics";
    return j;
  }
  Ordering o = compute_ordering(a, ordering);
  AnalysisOptions opt;
  opt.threads = 1;
  opt.relaxed = true;
  OrderingAnalysis r = analyze_ordering(a, o, opt);
  j["ordering"] = ordering;
  j["nnz_L"] = r.nnz_l;
  j["flops"] = r.flops;
  j["etree_height"] = r.height;
  j["work_span"] = r.work_span;
  j["supernodes"] = r.relaxed_supernodes;
  return j;
}

namespace {

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

CheckCase growth_case(const std::string& file, const std::string& check, const std::string& key,
                      const nlohmann::json& old, const nlohmann::json& now, double max_increase,
                      const std::string& what, const std::string& hint) {
  CheckCase c{file, check, true, "", nlohmann::json::object()};
  if (!old.contains(key) || !now.contains(key)) {
    c.message = what + ": not recorded (rectangular matrix)";
    return c;
  }
  const double o = old[key].get<double>(), n = now[key].get<double>();
  c.details = {
      {"metric", key}, {"old", old[key]}, {"new", now[key]}, {"max_increase", max_increase}};
  const double limit = o * (1.0 + max_increase);
  if (n > limit * (1.0 + 1e-12)) {
    c.passed = false;
    c.message = what + " grew past the threshold: " + key + " " + fmt(o) + " -> " + fmt(n) + " (+" +
                fmt(o > 0 ? 100.0 * (n - o) / o : 100.0) + "%, allowed +" +
                fmt(100.0 * max_increase) + "%); " + hint;
  } else {
    c.message = key + " " + fmt(o) + " -> " + fmt(n);
  }
  return c;
}

}  // namespace

nlohmann::json parse_baseline(std::string_view text, const std::string& path) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw_input("not a valid baseline (not JSON)", path);
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != "spax-baseline" ||
      !doc.contains("matrices") || !doc["matrices"].is_object())
    throw_input("not a spax baseline (create one with spax check baseline create)", path);
  auto bad = [&](const std::string& where, const std::string& why) {
    throw_input("baseline " + where + ": " + why, path);
  };
  if (!doc.contains("version") || !doc["version"].is_number_integer())
    bad("version", "missing or not an integer");
  if (doc["version"].get<std::int64_t>() != kBaselineFormatVersion)
    throw_input("baseline format version " + doc["version"].dump() +
                    " is not supported (expected " + std::to_string(kBaselineFormatVersion) + ")",
                path);
  if (doc.contains("ordering")) {
    const auto& o = doc["ordering"];
    const auto names = ordering_names();
    if (!o.is_string() ||
        std::find(names.begin(), names.end(), o.get<std::string>()) == names.end())
      bad("ordering", o.dump() + " is not one of " + ordering_names_joined());
  }
  for (const auto& [name, m] : doc["matrices"].items()) {
    const std::string where = "entry \"" + name + "\"";
    if (!m.is_object()) bad(where, "not an object");
    if (!m.contains("fingerprint") || !m["fingerprint"].is_string() ||
        m["fingerprint"].get<std::string>().size() != 32 ||
        m["fingerprint"].get<std::string>().find_first_not_of("0123456789abcdef") !=
            std::string::npos)
      bad(where, "fingerprint missing or not 32 hex digits");
    for (const char* key : {"n", "rows", "nnz"})
      if (!m.contains(key) || !m[key].is_number_integer() || m[key].get<std::int64_t>() < 0)
        bad(where, std::string(key) + " missing or not a non-negative integer");
    for (const char* key : {"nnz_L", "flops", "etree_height", "work_span", "supernodes"}) {
      if (!m.contains(key)) continue;
      if (!m[key].is_number() || !std::isfinite(m[key].get<double>()) || m[key].get<double>() < 0)
        bad(where, std::string(key) + " is not a non-negative finite number");
    }
    for (const char* key : {"path", "note", "ordering"})
      if (m.contains(key) && !m[key].is_string()) bad(where, std::string(key) + " is not a string");
  }
  return doc;
}

nlohmann::json load_baseline(const std::string& path) {
  require_readable_file(path, "baseline");
  const std::optional<std::string> text = read_whole_file(path);
  if (!text) throw_input("cannot open the baseline", path);
  return parse_baseline(*text, path);
}

std::vector<CheckCase> compare_to_baseline(const std::string& file, const nlohmann::json& old,
                                           const nlohmann::json& now, const BaselineThresholds& t,
                                           const std::string& hint) {
  std::vector<CheckCase> cases;
  CheckCase fp{file, "fingerprint", true, "", nlohmann::json::object()};
  fp.details = {{"old", old.value("fingerprint", "")}, {"new", now.value("fingerprint", "")}};
  if (old.value("fingerprint", "") != now.value("fingerprint", "")) {
    fp.passed = false;
    fp.message = "pattern changed: fingerprint " + old.value("fingerprint", "?") + " -> " +
                 now.value("fingerprint", "?") + " (n " + std::to_string(old.value("n", 0)) +
                 " -> " + std::to_string(now.value("n", 0)) + ", nnz " +
                 std::to_string(old.value("nnz", 0)) + " -> " +
                 std::to_string(now.value("nnz", 0)) + "); " + hint;
  } else {
    fp.message = "pattern unchanged (" + now.value("fingerprint", "") + ")";
  }
  cases.push_back(fp);
  cases.push_back(growth_case(file, "fill", "nnz_L", old, now, t.max_fill_increase, "fill", hint));
  cases.push_back(growth_case(file, "height", "etree_height", old, now, t.max_height_increase,
                              "elimination tree height", hint));
  CheckCase par{file, "parallelism", true, "", nlohmann::json::object()};
  if (old.contains("work_span") && now.contains("work_span")) {
    const double o = old["work_span"].get<double>(), n = now["work_span"].get<double>();
    const double ratio = o > 0 ? n / o : 1.0;
    par.details = {{"metric", "work_span"},
                   {"old", o},
                   {"new", n},
                   {"ratio", ratio},
                   {"min_ratio", t.min_parallelism_ratio}};
    if (ratio < t.min_parallelism_ratio * (1.0 - 1e-12)) {
      par.passed = false;
      par.message = "parallelism fell: work_span " + fmt(o) + " -> " + fmt(n) + " (ratio " +
                    fmt(ratio) + ", allowed >= " + fmt(t.min_parallelism_ratio) + "); " + hint;
    } else {
      par.message = "work_span " + fmt(o) + " -> " + fmt(n);
    }
  } else {
    par.message = "parallelism: not recorded (rectangular matrix)";
  }
  cases.push_back(par);
  return cases;
}

}  // namespace spax
