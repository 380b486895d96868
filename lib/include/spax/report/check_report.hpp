// The result of a CI check (one case per file and check) and its output formats.
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
  // Further lines the text format shows under the case (e.g. the first 20 coordinates).
  std::vector<std::string> text_lines = {};
};

struct SPAX_API CheckReport {
  std::string suite;  // e.g. "spax check pattern"
  std::vector<CheckCase> cases;
  nlohmann::json summary = nlohmann::json::object();  // extra figures (value variation, ...)
  std::size_t failures() const;
};

enum class CheckFormat { text, json, junit, github };
SPAX_API CheckFormat parse_check_format(const std::string& name);

// A JSON value as people read it in the text format: numbers with 4 significant digits (whole
// numbers in full), strings bare, arrays "a, b", objects "key value, key value".
SPAX_API std::string text_value(const nlohmann::json& v);

// The report in the chosen format (text ends with a one-line verdict; its summary is written
// key by key with text_value, never as raw JSON).
SPAX_API std::string format_check_report(const CheckReport& r, CheckFormat f);

}  // namespace spax
