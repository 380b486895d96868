// spax: the command-line entry point. Parses the subcommand, runs it, maps errors to exit codes:
// 0 ok, 1 a check found a difference, 2 usage or input error, 3 numerical failure, 4 internal.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
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
}
void set_exit_code(int code) {
  g_exit_code = std::max(g_exit_code, code);
}
int exit_code() {
  return g_exit_code;
}

CLI::Option* add_threads_option(CLI::App& sub, int& threads) {
  return sub.add_option("--threads", threads, "Worker threads (default: all hardware threads)")
      ->check(CLI::Range(0, 4096));
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

void warn(const std::string& message) {
  std::cerr << "spax: warning: " << one_line(message) << "\n";
}

}  // namespace spax::app

namespace {

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
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --version
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      std::cerr << "spax: " << spax::app::one_line(e.what()) << " (see spax --help)\n";
      return 2;
    }
  } catch (const spax::Error& e) {
    std::cout.flush();
    std::cerr << "spax: " << spax::app::one_line(e.what()) << "\n";
    return spax::exit_code_for(e.kind());
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the user gave could not be created, listed or renamed: an input error.
    std::cout.flush();
    std::cerr << "spax: " << spax::app::one_line(e.what()) << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cout.flush();
    std::cerr << "spax: out of memory\n";
    return 4;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "spax: internal error: " << spax::app::one_line(e.what()) << "\n";
    return 4;
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
