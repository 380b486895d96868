// Library-wide basics: the index type, the one exception type and its categories, version.
#pragma once

#include "spax/config.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace spax {

// Every index inside the library is 0-based and 64-bit. Libraries that need int32 (KLU,
// SuperLU) get a checked conversion (to_int32) with a clear error when a value does not fit.
using index_t = std::int64_t;

// What went wrong, which the command line maps to an exit code:
// usage 2, input 2, numerical 3, internal 4 (0 ok, 1 "a check found a difference").
enum class ErrorKind { usage, input, numerical, internal };

class SPAX_API Error : public std::runtime_error {
 public:
  // For input errors, file and line (1-based, 0 = unknown) locate the problem. what() returns
  // "FILE:LINE: message", "FILE: message" or "message".
  Error(ErrorKind kind, const std::string& message, std::string file = {}, index_t line = 0);

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& file() const noexcept { return file_; }
  index_t line() const noexcept { return line_; }

 private:
  ErrorKind kind_;
  std::string message_;
  std::string file_;
  index_t line_;
};

// The numerical error of a singular matrix, with what the library found (so callers need not
// parse the message): whether the singularity is structural (maximum transversal: no matching
// row for `column`) or numerical (a zero pivot at `column`), the column (0-based, -1 unknown)
// and the structural rank. Thrown by throw_singular (spax/solve.hpp).
class SPAX_API SingularError : public Error {
 public:
  SingularError(const std::string& message, bool structural, index_t column,
                index_t structural_rank);
  bool structural() const noexcept { return structural_; }
  index_t column() const noexcept { return column_; }
  index_t structural_rank() const noexcept { return structural_rank_; }

 private:
  bool structural_;
  index_t column_;
  index_t structural_rank_;
};

[[noreturn]] SPAX_API void throw_usage(const std::string& message);
[[noreturn]] SPAX_API void throw_input(const std::string& message, const std::string& file = {},
                                       index_t line = 0);
[[noreturn]] SPAX_API void throw_numerical(const std::string& message);
[[noreturn]] SPAX_API void throw_internal(const std::string& message);

// The exit code the command line uses for an error of this kind.
SPAX_API int exit_code_for(ErrorKind kind) noexcept;
SPAX_API const char* to_string(ErrorKind kind) noexcept;

// Checked narrowing for libraries with 32-bit indices; `what` names the quantity in the error.
SPAX_API std::int32_t to_int32(index_t value, const char* what);

// The items of a comma-separated list (as --orderings, --solvers, --ranks, --solver-options
// take), each trimmed of spaces and tabs, empty items dropped: " a, b,,c " gives {"a", "b", "c"}.
SPAX_API std::vector<std::string> split_comma_list(const std::string& list);

// The spax version, e.g. "0.1.0".
SPAX_API const char* version() noexcept;

// Number of worker threads: `requested` when > 0, otherwise all hardware threads (at least 1).
SPAX_API int resolve_threads(int requested) noexcept;

}  // namespace spax
