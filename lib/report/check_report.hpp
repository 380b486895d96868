// Internal: the result of a CI check (one case per file and check) and its output formats.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>
#include "spax/config.hpp"

namespace spax {

struct SPAX_API CheckCase {
  std::string file;   // as given on the command line
  std::string check;  // "pattern", "fingerprint", "fill", "height", "parallelism", ...
  bool passed = true;
  std::string message;  // one line: what changed and what to do
  nlohmann::json details = nlohmann::json::object();
};

struct SPAX_API CheckReport {
  std::string suite;  // e.g. "spax check pattern"
  std::vector<CheckCase> cases;
  nlohmann::json summary = nlohmann::json::object();  // extra figures (value variation, ...)
  std::size_t failures() const;
};

enum class CheckFormat { text, json, junit, github };
SPAX_API CheckFormat parse_check_format(const std::string& name);

// The report in the chosen format (text ends with a one-line verdict).
SPAX_API std::string format_check_report(const CheckReport& r, CheckFormat f);

}  // namespace spax
