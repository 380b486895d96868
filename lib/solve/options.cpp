// Backend options: "key=value,..." lists, and typed reads of a resolved option for the backends.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "spax/solve.hpp"

namespace spax {

SolverOptions& SolverOptions::set(const std::string& key, const std::string& value) {
  options[key] = value;
  return *this;
}

SolverOptions& SolverOptions::set(const std::string& key, double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  options[key] = buf;
  return *this;
}

std::map<std::string, std::string> parse_option_list(const std::string& text) {
  std::map<std::string, std::string> out;
  for (const std::string& item : split_comma_list(text)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw_usage("malformed option '" + item + "': expected key=value");
    const std::string key = item.substr(0, eq);
    if (!out.emplace(key, item.substr(eq + 1)).second)
      throw_usage("option '" + key + "' given twice");
  }
  return out;
}

void merge_options(std::map<std::string, std::string>& into,
                   const std::map<std::string, std::string>& more) {
  for (const auto& [k, v] : more) {
    auto [it, added] = into.emplace(k, v);
    if (!added && it->second != v)
      throw_usage("option '" + k + "' given twice, as " + it->second + " and " + v);
  }
}

namespace {
const std::string& value_of(const std::map<std::string, std::string>& options,
                            const std::string& owner, const std::string& key) {
  auto it = options.find(key);
  if (it == options.end()) throw_internal(owner + ": option '" + key + "' was not resolved");
  return it->second;
}
}  // namespace

double option_number(const std::map<std::string, std::string>& options, const std::string& owner,
                     const std::string& key, double lo, double hi) {
  const std::string& s = value_of(options, owner, key);
  std::size_t used = 0;
  double v = 0.0;
  try {
    v = std::stod(s, &used);
  } catch (...) {
    used = 0;
  }
  if (used != s.size() || !std::isfinite(v) || v < lo || v > hi) {
    std::ostringstream m;
    m << owner << ": option " << key << "=" << s << ": expected a number in [" << lo << ", " << hi
      << "]";
    throw_usage(m.str());
  }
  return v;
}

std::string option_choice(const std::map<std::string, std::string>& options,
                          const std::string& owner, const std::string& key,
                          const std::vector<std::string>& choices) {
  const std::string& s = value_of(options, owner, key);
  std::string names;
  for (const auto& c : choices) {
    if (s == c) return s;
    names += (names.empty() ? "" : ", ") + c;
  }
  throw_usage(owner + ": option " + key + "=" + s + ": expected one of " + names);
}

}  // namespace spax
