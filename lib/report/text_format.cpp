#include "spax/report/text_format.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace spax {

namespace {

// v (finite, > 0) with `sig` significant digits and no exponent: the decimals follow the
// magnitude, so 57 -> "57.0", 123.4 -> "123", 1.2345 -> "1.23" (sig 3).
std::string fixed_significant(double v, int sig) {
  const int mag = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  int decimals = std::max(0, sig - 1 - mag);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  // Rounding may carry into one more digit (999.96 -> "1000.0"): one decimal fewer.
  double r = std::strtod(buf, nullptr);
  if (decimals > 0 && std::fabs(r) >= std::pow(10.0, mag + 1))
    std::snprintf(buf, sizeof buf, "%.*f", decimals - 1, v);
  return buf;
}

}  // namespace

std::string format_seconds(double s) {
  if (std::isnan(s)) return "-";
  if (s == 0.0) return "0 s";
  if (std::isinf(s)) return s > 0 ? "inf s" : "-inf s";
  const double a = std::fabs(s);
  struct Unit {
    double scale;
    const char* name;
  };
  static const Unit units[] = {{1e-9, "ns"}, {1e-6, "us"}, {1e-3, "ms"}, {1.0, "s"}};
  const Unit* u = &units[3];
  for (const auto& cand : units)
    if (a < cand.scale * 999.5) {
      u = &cand;
      break;
    }
  if (a < 1e-9) u = &units[0];
  const double v = s / u->scale;
  if (u->scale == 1.0 && a >= 999.5) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f s", s);
    return buf;
  }
  return fixed_significant(v, 3) + " " + u->name;
}

std::string format_count(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const double a = std::fabs(v);
  if (a < 999.5) {
    if (v == std::floor(v)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.0f", v);
      return buf;
    }
    return a == 0.0 ? "0" : fixed_significant(v, 3);
  }
  static const char* suffix[] = {"k", "M", "G", "T", "P", "E"};
  double scaled = v / 1e3;
  int k = 0;
  while (std::fabs(scaled) >= 999.5 && k < 5) {
    scaled /= 1e3;
    ++k;
  }
  return fixed_significant(scaled, 3) + suffix[k];
}

std::string format_number(double v, int digits) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0.0) return "0";
  const double a = std::fabs(v);
  std::string s;
  if (a >= 1e-3 && a < 1e6) {
    s = fixed_significant(v, digits);
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
  s = buf;
  // Trailing zeros of the mantissa: 1.000e-16 -> 1e-16.
  const std::size_t e = s.find('e');
  std::string mant = s.substr(0, e), ex = s.substr(e);
  if (mant.find('.') != std::string::npos) {
    while (mant.back() == '0') mant.pop_back();
    if (mant.back() == '.') mant.pop_back();
  }
  return mant + ex;
}

std::string format_bytes(double b) {
  if (std::isnan(b)) return "-";
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (std::fabs(b) >= 1024.0 && u < 4) {
    b /= 1024.0;
    ++u;
  }
  if (u == 0 || b == 0.0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f %s", b, units[u]);
    return buf;
  }
  // 1023.7 KB rounds to "1024 KB" at 3 significant digits: say 1.00 MB instead.
  if (std::fabs(b) >= 999.5 && u < 4) {
    b /= 1024.0;
    ++u;
  }
  return fixed_significant(b, 3) + " " + units[u];
}

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

}  // namespace spax
