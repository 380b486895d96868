// The option helpers every subcommand shares: numeric validators with plain messages, the
// --threads option (capped at the hardware), and the unknown-subcommand check.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <thread>

#include "command.hpp"
#include "spax/io.hpp"

namespace spax::app {

namespace {

// The shortest text of a bound: 64, 0.5, 1e+09 (never 300 digits).
std::string bound_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// Parses `text` strictly as a number of the option's kind: a whole number (integral options) or
// a finite real number. Returns an error message ("" when it parsed) and the value.
std::string parse_number(const std::string& text, NumberKind kind, double& value) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b < e && *b == '+') ++b;
  if (b == e) return "must be a number, got '" + text + "'";
  if (kind != NumberKind::real) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc::result_out_of_range) return "is out of range, got '" + text + "'";
    if (ec != std::errc() || p != e) return "must be a whole number, got '" + text + "'";
    if (kind == NumberKind::unsigned_integer && v < 0)
      return "must be zero or positive, got " + text;
    value = static_cast<double>(v);
    return {};
  }
  auto [p, ec] = std::from_chars(b, e, value);
  if (ec == std::errc::result_out_of_range) return "is out of the double range, got '" + text + "'";
  if (ec != std::errc() || p != e) return "must be a number, got '" + text + "'";
  if (!std::isfinite(value)) return "must be a finite number, got '" + text + "'";
  return {};
}

}  // namespace

CLI::Validator number_check(NumberKind kind, double min, double max, bool min_exclusive) {
  std::string desc;
  if (min_exclusive && min == 0.0 && max == std::numeric_limits<double>::infinity()) {
    desc = "> 0";
  } else if (max == std::numeric_limits<double>::infinity()) {
    desc = ">= " + bound_text(min);
  } else {
    desc = bound_text(min) + ".." + bound_text(max);
  }
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double v = 0.0;
        std::string err = parse_number(text, kind, v);
        if (!err.empty()) return err;
        const std::string got = ", got " + text;
        if (max != std::numeric_limits<double>::infinity() && (v < min || v > max))
          return "must be between " + bound_text(min) + " and " + bound_text(max) + got;
        if (min_exclusive && !(v > min))
          return min == 0.0 ? "must be positive" + got : "must be above " + bound_text(min) + got;
        if (v < min)
          return min == 0.0 ? "must be zero or positive" + got
                            : "must be at least " + bound_text(min) + got;
        // Whole numbers reach CLI11's conversion in plain decimal ("010" is not octal 8 there).
        if (kind != NumberKind::real) text = std::to_string(static_cast<std::int64_t>(v));
        return {};
      },
      desc);
}

CLI::Validator positive(NumberKind kind) {
  return number_check(kind, 0.0, std::numeric_limits<double>::infinity(), true);
}
CLI::Validator non_negative(NumberKind kind) {
  return number_check(kind, 0.0, std::numeric_limits<double>::infinity(), false);
}
CLI::Validator at_least(double min, NumberKind kind) {
  return number_check(kind, min, std::numeric_limits<double>::infinity(), false);
}
CLI::Validator between(double min, double max, NumberKind kind) {
  return number_check(kind, min, max, false);
}

CLI::Validator output_file() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        try {
          require_writable_output(path);
        } catch (const Error& e) {
          return e.what();
        }
        return {};
      },
      "FILE");
}

CLI::Validator output_directory() {
  return CLI::Validator(
      [](std::string& path) -> std::string {
        try {
          require_output_directory(path);
        } catch (const Error& e) {
          return e.what();
        }
        return {};
      },
      "DIR");
}

int hardware_threads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

CLI::Option* add_threads_option(CLI::App& sub, int& threads) {
  return sub
      .add_option("--threads", threads,
                  "Worker threads (default 0: all hardware threads; more than the hardware has "
                  "are capped, with a warning)")
      ->check(non_negative(NumberKind::integer))
      ->transform(CLI::Validator(
          [](std::string& text) -> std::string {
            const int hw = hardware_threads();
            long long v = 0;
            auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc() && v > hw) {
              warn("--threads " + text + " is more than the " + std::to_string(hw) +
                   " hardware threads of this machine: using " + std::to_string(hw));
              text = std::to_string(hw);
            }
            return {};
          },
          ""));
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string nearest_name(const std::string& word, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& n : names) {
    // A prefix ("solv", "bas") is the nearest whatever its distance.
    std::size_t d = n.rfind(word, 0) == 0 && !word.empty() ? 0 : edit_distance(word, n);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  // Too far to be a typo of anything: no suggestion.
  if (best_d > std::max<std::size_t>(2, word.size() / 2)) return {};
  return best;
}

std::optional<std::string> unknown_subcommand(const CLI::App& app,
                                              const std::vector<std::string>& args,
                                              std::string* help_of) {
  const CLI::App* cur = &app;
  std::string path = "spax";
  for (std::size_t k = 0; k < args.size(); ++k) {
    const std::string& a = args[k];
    const auto subs = cur->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return std::nullopt;
    if (!a.empty() && a[0] == '-') return std::nullopt;  // an option: CLI11 says what is wrong
    std::vector<std::string> names;
    const CLI::App* next = nullptr;
    for (const auto* s : subs) {
      // Hidden commands (no group: bench-case, run by bench --ranks) are not offered.
      if (!s->get_group().empty()) names.push_back(s->get_name());
      if (s->get_name() == a) next = s;
    }
    if (next) {
      cur = next;
      path += " " + a;
      continue;
    }
    if (a == "help" && help_of) {
      // "spax help" and "spax help solve": the help of the named command.
      std::string target = path;
      const CLI::App* h = cur;
      for (std::size_t j = k + 1; j < args.size(); ++j) {
        const CLI::App* s = nullptr;
        for (const auto* c : h->get_subcommands([](const CLI::App*) { return true; }))
          if (c->get_name() == args[j]) s = c;
        if (!s) break;
        h = s;
        target += " " + args[j];
      }
      *help_of = target;
      return std::nullopt;
    }
    std::string msg = "unknown command '" + a + "' for '" + path + "'";
    const std::string near = nearest_name(a, names);
    if (!near.empty()) msg += "; did you mean '" + path + " " + near + "'?";
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    msg += " (commands: " + list + ")";
    return msg;
  }
  return std::nullopt;
}

}  // namespace spax::app
