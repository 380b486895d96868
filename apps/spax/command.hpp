// Subcommand registry: each apps/spax/cmd_*.cpp defines a static Registration that adds its
// subcommand to the CLI11 app, so adding a subcommand touches no other file.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "spax/common.hpp"

#include "spax/backend.hpp"

namespace spax::app {

struct Command {
  std::string name;
  // Adds the subcommand (options and callback) to the top-level app.
  std::function<void(CLI::App&)> setup;
};

std::vector<Command>& commands();

struct Registration {
  Registration(std::string name, std::function<void(CLI::App&)> setup) {
    commands().push_back({std::move(name), std::move(setup)});
  }
};

// A subcommand callback sets this to 1 when a check found a difference (it still returns
// normally); errors are thrown as spax::Error and mapped to exit codes by main.
void set_exit_code(int code);
int exit_code();

// An existing regular file, or "-" (standard input).
CLI::Validator existing_file_or_stdin();
// The backends the memory cap can hold, from the registry (for help texts).
std::string memory_cap_backends();

// A command that printed its JSON document (with an error object) before failing says so, so
// that main does not print a second one. Every other failure of a command given --json prints
// {"error": {category, message, exit_code}} on stdout.
void mark_json_printed();
bool json_printed();

// Adds the common --threads option (default 0: all hardware threads). A count above the
// hardware threads is capped there, with a warning saying so.
CLI::Option* add_threads_option(CLI::App& sub, int& threads);
int hardware_threads();

// Numeric option validators with plain messages ("--runs: must be at least 1, got 0"): the text
// must parse as a number of the option's kind (a whole number for integer options, where "-1"
// is refused for unsigned ones instead of wrapping around; a finite number for real ones, so
// "nan" and "inf" are refused). Use them for every numeric option instead of CLI::Range,
// CLI::PositiveNumber or CLI::NonNegativeNumber (whose messages print 300-digit bounds and let
// NaN through); a test checks that apps/spax uses no other.
enum class NumberKind { real, integer, unsigned_integer };
CLI::Validator positive(NumberKind kind = NumberKind::real);                         // > 0
CLI::Validator non_negative(NumberKind kind = NumberKind::real);                     // >= 0
CLI::Validator at_least(double min, NumberKind kind = NumberKind::real);             // >= min
CLI::Validator between(double min, double max, NumberKind kind = NumberKind::real);  // [min, max]
CLI::Validator number_check(NumberKind kind, double min, double max, bool min_exclusive);

// Output paths checked when the options are parsed, before any work (the library's
// require_writable_output / require_output_directory as CLI11 validators): a file whose
// directory is missing, a directory given for a file, a file given for a directory.
CLI::Validator output_file();
CLI::Validator output_directory();

// The unknown subcommand in `args` (argv without the program name), as a one-line message
// naming it, the nearest valid name and the list; nullopt when every subcommand word is known.
// "help" is not an error: *help_of receives the command whose help to print ("spax",
// "spax solve").
std::optional<std::string> unknown_subcommand(const CLI::App& app,
                                              const std::vector<std::string>& args,
                                              std::string* help_of);
// The name in `names` nearest to `word` (a prefix, or a small edit distance); "" when none is
// near enough to be a typo.
std::string nearest_name(const std::string& word, const std::vector<std::string>& names);

// Reports an error that does not end the run ("spax: FILE: what", one line on stderr) and sets
// the exit code for its kind (2 for an input error): for commands that go on with other files.
void report_error(const Error& e);

// What spax --version prints: the version, the libraries' versions and the plugins found.
std::string version_text();

// Prints a warning line "spax: warning: ..." on stderr.
void warn(const std::string& message);
// The message with control characters escaped, so that it stays on one line.
std::string one_line(std::string_view message);

}  // namespace spax::app

namespace spax::app {

// --solver and --ordering help texts from the registry's built-in backends (plugins are not
// loaded for help; `spax solvers` lists everything).
std::string solver_flag_help();
std::string ordering_flag_help();
// The registered backends of one kind, and a list joined with ", ".
std::vector<std::string> backend_names(BackendKind kind);
std::string join_names(const std::vector<std::string>& names);

// The iterative solvers' shorthand flags, each one key of --solver-options: --precond (precond),
// --precond-options (the preconditioner's keys), --max-iter (max_iter), --restart (restart),
// --rebuild-iters (rebuild_iters); and --tol, the iterative solvers' tol (for direct solvers the
// caller's backward-error threshold).
struct BackendFlags {
  CLI::Option* tol = nullptr;
  CLI::Option* precond = nullptr;
  CLI::Option* precond_options = nullptr;
  CLI::Option* max_iter = nullptr;
  CLI::Option* restart = nullptr;
  CLI::Option* rebuild_iters = nullptr;
};
void add_iterative_flags(CLI::App& sub, BackendFlags& flags, std::string& precond,
                         std::string& precond_options, int& max_iter, int& restart,
                         int& rebuild_iters);
// The backend options of --solver-options plus the shorthand flags given on the command line,
// for `solver` (a name or "auto"). A flag that does not apply to that solver is a usage error
// naming the flag (for auto: the iterative flags, since auto picks a direct solver).
std::map<std::string, std::string> bind_backend_flags(const std::string& solver,
                                                      const std::string& solver_options,
                                                      const BackendFlags& flags);

}  // namespace spax::app
