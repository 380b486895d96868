// spax: the command-line entry point. Parses the subcommand, runs it, maps errors to exit codes:
// 0 ok, 1 a check found a difference, 2 usage or input error, 3 numerical failure, 4 internal.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "command.hpp"
#include "spax/backend.hpp"
#include "spax/bench.hpp"
#include "spax/common.hpp"
#include "spax/io.hpp"

namespace spax::app {

std::vector<Command>& commands() {
  static std::vector<Command> list;
  return list;
}

namespace {
int g_exit_code = 0;
bool g_json_printed = false;
}  // namespace

void mark_json_printed() {
  g_json_printed = true;
}
bool json_printed() {
  return g_json_printed;
}

CLI::Validator existing_file_or_stdin() {
  return CLI::Validator(
      [](const std::string& path) -> std::string {
        if (path == "-") return {};
        std::error_code ec;
        const auto st = std::filesystem::status(path, ec);
        if (ec || !std::filesystem::exists(st)) return "File does not exist: " + path;
        if (std::filesystem::is_directory(st)) return path + " is a directory, not a file";
        return {};
      },
      "FILE or -");
}

std::string memory_cap_backends() {
  std::vector<std::string> names;
  for (const auto& b : registered_backends(false))
    if (b.caps.memory_cap) names.push_back(b.name);
  return join_names(names);
}
void set_exit_code(int code) {
  g_exit_code = std::max(g_exit_code, code);
}
int exit_code() {
  return g_exit_code;
}

// One line on stderr whatever the message holds (a path or an argument may contain a newline,
// a carriage return or a NUL): control characters are written as \n, \r, \0 or \xNN.
std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\0') {
      out += "\\0";
    } else if (u < 0x20 && c != '\t') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string version_text() {
  const MachineInfo m = machine_info();
  std::string s = std::string("spax ") + version() + "\n" + "SuiteSparse " + m.suitesparse_version +
                  ", METIS " + m.metis_version + ", SuperLU " + m.superlu_version + ", Eigen " +
                  m.eigen_version + "\n" + "plugins (" + join_names(plugin_directories()) + "):";
  const auto plugins = plugin_records();
  if (plugins.empty()) s += " none found";
  for (const auto& p : plugins) {
    s += "\n  " + p.path + ": " + p.status;
    if (p.status == "loaded")
      s += " (" + join_names(p.registered) + ")";
    else
      s += " (" + p.message + ")";
  }
  return s;
}

void report_error(const Error& e) {
  std::cout.flush();
  std::cerr << "spax: " << one_line(e.what()) << "\n";
  set_exit_code(exit_code_for(e.kind()));
}

void warn(const std::string& message) {
  std::cerr << "spax: warning: " << one_line(message) << "\n";
}

}  // namespace spax::app

namespace {

// True when the subcommand that ran (or a nested one) was given --json.
bool wants_json(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    try {
      if (sub->get_option("--json")->count() > 0) return true;
    } catch (const CLI::OptionNotFound&) {
    }
    if (wants_json(*sub)) return true;
  }
  return false;
}

// Reports a failure: one line on stderr and, for a command given --json that printed no document
// yet, {"error": {...}} on stdout. Returns the exit code.
int fail(const CLI::App& app, int code, const char* category, const std::string& message) {
  std::cout.flush();
  std::cerr << "spax: " << spax::app::one_line(message) << "\n";
  if (wants_json(app) && !spax::app::json_printed()) {
    const nlohmann::json j = {
        {"error", {{"category", category}, {"message", message}, {"exit_code", code}}}};
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    std::cout.flush();
  }
  return code;
}

int run_command(int argc, char** argv) {
  CLI::App app{
      "spax: analyse and solve sparse linear systems (Matrix Market files).\n"
      "Exit codes: 0 ok, 1 a check found a difference, 2 usage or input error,\n"
      "3 numerical failure (singular, not converged), 4 internal error.",
      "spax"};
  app.set_version_flag("--version", [] { return spax::app::version_text(); });
  app.require_subcommand(1);
  app.fallthrough(false);
  auto& cmds = spax::app::commands();
  std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& c : cmds) c.setup(app);
  try {
    try {
      // An unknown subcommand is named with the nearest valid one (CLI11 says only "A
      // subcommand is required"); "spax help [COMMAND]" prints that command's help.
      const std::vector<std::string> args(argv + 1, argv + argc);
      if (args.empty()) {
        std::cerr << "spax: a command is required (see spax --help)\n";
        return 2;
      }
      std::string help_of;
      if (auto unknown = spax::app::unknown_subcommand(app, args, &help_of)) {
        std::cerr << "spax: " << spax::app::one_line(*unknown) << "\n";
        return 2;
      }
      if (!help_of.empty()) {
        CLI::App* target = &app;
        std::string rest = help_of.substr(4);  // after "spax"
        std::istringstream words(rest);
        for (std::string w; words >> w;) target = target->get_subcommand(w);
        std::cout << target->help();
        return 0;
      }
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --version
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      std::cerr << "spax: " << spax::app::one_line(e.what()) << " (see spax --help)\n";
      return 2;
    }
  } catch (const spax::Error& e) {
    return fail(app, spax::exit_code_for(e.kind()), spax::to_string(e.kind()), e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the user gave could not be created, listed or renamed: an input error.
    return fail(app, 2, "input", e.what());
  } catch (const std::bad_alloc&) {
    return fail(app, 4, "internal", "out of memory");
  } catch (const std::exception& e) {
    return fail(app, 4, "internal", std::string("internal error: ") + e.what());
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "spax: could not write to standard output\n";
    return 4;
  }
  return spax::app::exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  // An interrupted run leaves no temporary file behind (outputs are written whole or not at all).
  spax::install_interrupt_cleanup();
  // Under mpirun -np N, every rank but 0 serves rank 0's collective calls and ends with its exit
  // code; rank 0 (or the only process) runs the command, then ends the others.
  try {
    if (const int code = spax::run_as_worker_if_needed(); code >= 0) return code;
  } catch (const spax::Error& e) {
    std::cerr << "spax: " << spax::app::one_line(e.what()) << "\n";
    return spax::finish_process(spax::exit_code_for(e.kind()));
  }
  return spax::finish_process(run_command(argc, argv));
}
