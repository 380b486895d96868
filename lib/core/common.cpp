#include "spax/common.hpp"

#include <limits>
#include <thread>

#include "spax/config.hpp"

namespace spax {

namespace {
std::string compose(const std::string& message, const std::string& file, index_t line) {
  if (file.empty()) return message;
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}
}  // namespace

Error::Error(ErrorKind kind, const std::string& message, std::string file, index_t line)
    : std::runtime_error(compose(message, file, line)),
      kind_(kind),
      message_(message),
      file_(std::move(file)),
      line_(line) {}

SingularError::SingularError(const std::string& message, bool structural, index_t column,
                             index_t structural_rank)
    : Error(ErrorKind::numerical, message),
      structural_(structural),
      column_(column),
      structural_rank_(structural_rank) {}

std::vector<std::string> split_comma_list(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::size_t b = list.find_first_not_of(" \t", start);
    if (b < end) {
      const std::size_t e = list.find_last_not_of(" \t", end - 1);
      out.push_back(list.substr(b, e - b + 1));
    }
    start = end + 1;
  }
  return out;
}

void throw_usage(const std::string& message) {
  throw Error(ErrorKind::usage, message);
}
void throw_input(const std::string& message, const std::string& file, index_t line) {
  throw Error(ErrorKind::input, message, file, line);
}
void throw_numerical(const std::string& message) {
  throw Error(ErrorKind::numerical, message);
}
void throw_internal(const std::string& message) {
  throw Error(ErrorKind::internal, message);
}

int exit_code_for(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::usage:
    case ErrorKind::input:
      return 2;
    case ErrorKind::numerical:
      return 3;
    case ErrorKind::internal:
      return 4;
  }
  return 4;
}

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::input:
      return "input";
    case ErrorKind::numerical:
      return "numerical";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

std::int32_t to_int32(index_t value, const char* what) {
  if (value < std::numeric_limits<std::int32_t>::min() ||
      value > std::numeric_limits<std::int32_t>::max()) {
    throw Error(ErrorKind::input, std::string(what) + " = " + std::to_string(value) +
                                      " does not fit the 32-bit index type of this library "
                                      "(limit 2147483647)");
  }
  return static_cast<std::int32_t>(value);
}

const char* version() noexcept {
  return SPAX_VERSION_STRING;
}

int resolve_threads(int requested) noexcept {
  if (requested > 0) return requested;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace spax
