// Subcommand registry: each apps/spax/cmd_*.cpp defines a static Registration that adds its
// subcommand to the CLI11 app, so adding a subcommand touches no other file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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
// A finite number above zero ("must be positive" otherwise).
CLI::Validator positive_number();
// The backends the memory cap can hold, from the registry (for help texts).
std::string memory_cap_backends();

// A command that printed its JSON document (with an error object) before failing says so, so
// that main does not print a second one. Every other failure of a command given --json prints
// {"error": {category, message, exit_code}} on stdout.
void mark_json_printed();
bool json_printed();

// Adds the common --threads option (default: all hardware threads).
CLI::Option* add_threads_option(CLI::App& sub, int& threads);

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
