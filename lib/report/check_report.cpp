#include "spax/report/check_report.hpp"

#include "spax/report/text_format.hpp"

#include <sstream>

#include "spax/common.hpp"
#include "spax/report/json_text.hpp"

namespace spax {

std::size_t CheckReport::failures() const {
  std::size_t f = 0;
  for (const auto& c : cases) f += !c.passed;
  return f;
}

CheckFormat parse_check_format(const std::string& name) {
  if (name == "text") return CheckFormat::text;
  if (name == "json") return CheckFormat::json;
  if (name == "junit") return CheckFormat::junit;
  if (name == "github") return CheckFormat::github;
  throw_usage("unknown format '" + name + "' (text, json, junit or github)");
}

namespace {

// GitHub workflow commands: data is escaped %, \r, \n; properties also : and ,.
std::string gh_escape(const std::string& s, bool property) {
  std::string o;
  for (char c : s) {
    if (c == '%') {
      o += "%25";
    } else if (c == '\r') {
      o += "%0D";
    } else if (c == '\n') {
      o += "%0A";
    } else if (property && c == ':') {
      o += "%3A";
    } else if (property && c == ',') {
      o += "%2C";
    } else {
      o += c;
    }
  }
  return o;
}

}  // namespace

std::string text_value(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer() || v.is_number_unsigned()) return json_text(v);
  if (v.is_number()) return format_number(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  std::string out;
  if (v.is_array()) {
    for (const auto& e : v) out += (out.empty() ? "" : ", ") + text_value(e);
    return out;
  }
  for (const auto& [k, e] : v.items()) {
    std::string key = k;
    for (auto& c : key)
      if (c == '_') c = ' ';
    out += (out.empty() ? "" : ", ") + key + " " + text_value(e);
  }
  return out;
}

std::string format_check_report(const CheckReport& r, CheckFormat f) {
  std::ostringstream out;
  const std::size_t fails = r.failures();
  switch (f) {
    case CheckFormat::json: {
      nlohmann::json j;
      j["suite"] = r.suite;
      j["passed"] = fails == 0;
      j["failures"] = fails;
      j["cases"] = nlohmann::json::array();
      for (const auto& c : r.cases)
        j["cases"].push_back({{"file", c.file},
                              {"check", c.check},
                              {"passed", c.passed},
                              {"message", c.message},
                              {"details", c.details}});
      j["summary"] = r.summary;
      out << json_text(j, 2) << '\n';
      break;
    }
    case CheckFormat::junit: {
      out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
      out << "<testsuites name=\"spax\" tests=\"" << r.cases.size() << "\" failures=\"" << fails
          << "\">\n";
      out << "  <testsuite name=\"" << xml_escape(r.suite) << "\" tests=\"" << r.cases.size()
          << "\" failures=\"" << fails << "\" errors=\"0\" skipped=\"0\">\n";
      for (const auto& c : r.cases) {
        out << "    <testcase classname=\"" << xml_escape(r.suite) << "\" name=\""
            << xml_escape(c.file + " [" + c.check + "]") << "\"";
        if (c.passed) {
          out << "/>\n";
        } else {
          out << ">\n      <failure message=\"" << xml_escape(c.message) << "\" type=\""
              << xml_escape(c.check) << "\">" << xml_escape(json_text(c.details, 2))
              << "</failure>\n    </testcase>\n";
        }
      }
      out << "  </testsuite>\n</testsuites>\n";
      break;
    }
    case CheckFormat::github: {
      for (const auto& c : r.cases)
        if (!c.passed)
          out << "::error file=" << gh_escape(c.file, true)
              << ",title=" << gh_escape(r.suite + ": " + c.check, true)
              << "::" << gh_escape(c.message, false) << '\n';
      out << (fails == 0 ? "spax: all " + std::to_string(r.cases.size()) + " checks passed"
                         : "spax: " + std::to_string(fails) + " of " +
                               std::to_string(r.cases.size()) + " checks failed")
          << '\n';
      break;
    }
    case CheckFormat::text: {
      for (const auto& c : r.cases) {
        out << (c.passed ? "ok    " : "FAIL  ") << c.file << " [" << c.check << "] " << c.message
            << '\n';
        for (const auto& l : c.text_lines) out << "      " << l << '\n';
      }
      if (!r.summary.empty()) {
        for (const auto& [k, v] : r.summary.items()) {
          std::string key = k;
          for (auto& ch : key)
            if (ch == '_') ch = ' ';
          out << key << ": " << text_value(v) << '\n';
        }
      }
      out << (fails == 0 ? "all " + std::to_string(r.cases.size()) + " checks passed"
                         : std::to_string(fails) + " of " + std::to_string(r.cases.size()) +
                               " checks failed")
          << '\n';
      break;
    }
  }
  return out.str();
}

}  // namespace spax
