// Internal: formatting shared by the text, HTML, SVG and XML reports.
#pragma once

#include <algorithm>
#include <string>

#include "spax/common.hpp"

namespace spax {

// 1234567 -> "1,234,567".
inline std::string with_commas(index_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  int c = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (c > 0 && c % 3 == 0) out.push_back(',');
    out.push_back(*it);
    ++c;
  }
  if (v < 0) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

// Escapes text for XML, HTML and SVG content and attributes (& < > " '); control characters
// that XML 1.0 does not allow become '?'.
std::string xml_escape(const std::string& s);

}  // namespace spax
