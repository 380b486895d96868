// Formatting shared by the text, HTML, SVG and XML reports.
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

// Numbers for people, in every text report (JSON keeps full precision). NaN prints "-".
// 3 significant digits with a unit: 1.5363e-05 -> "15.4 us", 0.25 -> "250 ms", 2 -> "2.00 s",
// 7200 -> "7200 s"; 0 -> "0 s".
SPAX_API std::string format_seconds(double seconds);
// A count with a k/M/G/T suffix and 3 significant digits: 13387 -> "13.4k", 35e6 -> "35.0M";
// below 1000 the number itself (integers without decimals: 947 -> "947", 2.5 -> "2.50").
SPAX_API std::string format_count(double v);
// A plain number with `digits` significant digits (3 or 4 suit reports), without exponent in
// [1e-3, 1e6) and without trailing zeros: 12.3456 -> "12.35", 0.95 -> "0.95", 1e-16 ->
// "1e-16", 1.5363e-05 -> "1.536e-05", 1234567 -> "1.235e+06".
SPAX_API std::string format_number(double v, int digits = 4);
// Bytes in binary units, 3 significant digits: 1536 -> "1.50 KB", 12.3 * 2^20 -> "12.3 MB".
SPAX_API std::string format_bytes(double bytes);

// Escapes text for XML, HTML and SVG content and attributes (& < > " '); control characters
// that XML 1.0 does not allow become '?'.
SPAX_API std::string xml_escape(const std::string& s);

}  // namespace spax
