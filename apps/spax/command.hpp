// Subcommand registry: each apps/spax/cmd_*.cpp defines a static Registration that adds its
// subcommand to the CLI11 app, so adding a subcommand touches no other file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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

// Adds the common --threads option (default: all hardware threads).
CLI::Option* add_threads_option(CLI::App& sub, int& threads);

// Prints a warning line "spax: warning: ..." on stderr.
void warn(const std::string& message);
// The message with control characters escaped, so that it stays on one line.
std::string one_line(std::string_view message);

}  // namespace spax::app
