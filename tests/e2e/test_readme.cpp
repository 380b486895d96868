// Every command shown in README.md runs: the ```sh blocks are extracted, the placeholder names
// they use (A.mtx, jac_*.mtx, stamps.json, ...) are files made here from the bundled matrices
// and a generated circuit, and each command must exit as documented (0, or the N of an
// "(exit N)" in its trailing comment). The commands of the CI example under examples/ run the
// same way. A command added to the README is tested without touching this file; one that needs
// a placeholder not made below fails here, naming it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "mpi_test_support.hpp"
#include "spax/config.hpp"
#include "test_support.hpp"

namespace spax::test {
namespace {

struct Command {
  std::string text;  // one shell command line (continuations joined)
  int expected_exit = 0;
  int line = 0;  // in the source file
};

// Commands that are not run, each with the reason. Matched as a prefix of the command.
const std::vector<std::pair<std::string, std::string>> kSkipped = {
    // They install Debian packages and build the project: CI runs them (.ci/run), not ctest.
    {"scripts/quickstart.sh", "installs packages and builds"},
    {"scripts/test.sh", "installs packages, builds and runs ctest itself"},
    // The CI example builds and installs spax, and produces the user's own dumps.
    {"apt-get ", "package installation (CI example)"},
    {"third_party/spax/", "builds spax (CI example)"},
    {"cmake ", "build step (CI example)"},
    {"ldconfig", "install step (CI example)"},
    {"./run-newton-tests.sh", "the user's own test suite (CI example)"},
    // The Python module's build-tree and install use: the python_install test runs them.
    {"PYTHONPATH=", "imports the module from a build or install tree (python_install test)"},
    {"sudo ", "installs into the system"},
    {"mpirun --hostfile", "needs the hosts of a cluster"},
};

// Commands that need a part this build may lack, run only where it has it.
const std::vector<std::pair<std::string, bool>> kNeeds = {
    {"cuda-", SPAX_HAS_CUDA != 0},   // the CUDA plugin (and its GPU: built only beside a driver)
    {"mumps", SPAX_HAS_MUMPS != 0},  // the MUMPS plugin
    {"mpirun", SPAX_HAS_MUMPS != 0 || SPAX_HAS_HYPRE != 0},  // an MPI plugin
};

// Sizes that make the documented command long on 2 shared cores, scaled down here; the README
// shows the real size. (regex, replacement)
const std::vector<std::pair<std::string, std::string>> kScaled = {
    {R"(gen grid3d --n 100\b)", "gen grid3d --n 12"},  // 10^6 unknowns -> 1728
    {R"(--runs 10\b)", "--runs 2"},
    {R"(--sequence 20\b)", "--sequence 2"},
    {R"(--calibrate-threads 1,2,4\b)", "--calibrate-threads 1"},  // one calibration, not three
};

// "(exit N)" in the trailing comment documents the exit code the command has there; a comment
// that says what exits when ("a pattern change exits 1") documents nothing.
int expected_exit_of(const std::string& comment) {
  std::smatch m;
  if (std::regex_search(comment, m, std::regex(R"(\(exit ([0-4])\))"))) return m[1].str()[0] - '0';
  return 0;
}

// Splits "cmd  # comment" at the first '#' outside quotes and not inside a word.
std::pair<std::string, std::string> split_comment(const std::string& line) {
  char quote = 0;
  for (std::size_t k = 0; k < line.size(); ++k) {
    const char c = line[k];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '#' && (k == 0 || line[k - 1] == ' ' || line[k - 1] == '\t')) {
      return {line.substr(0, k), line.substr(k + 1)};
    }
  }
  return {line, ""};
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The commands of the ```sh blocks of a Markdown file.
std::vector<Command> readme_commands(const fs::path& md) {
  std::vector<Command> out;
  std::istringstream in(read_text_file(md));
  bool in_sh = false;
  std::string pending;
  int line_no = 0, start = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!in_sh) {
      in_sh = trim(line) == "```sh";
      continue;
    }
    if (trim(line) == "```") {
      in_sh = false;
      continue;
    }
    if (pending.empty()) start = line_no;
    auto [code, comment] = split_comment(line);
    code = trim(code);
    if (!code.empty() && code.back() == '\\') {
      pending += code.substr(0, code.size() - 1) + " ";
      continue;
    }
    const std::string text = trim(pending + code);
    pending.clear();
    if (text.empty()) continue;
    out.push_back({text, expected_exit_of(comment), start});
  }
  return out;
}

// The spax commands of the workflow's `run:` steps (a block scalar: the indented lines below).
std::vector<Command> workflow_commands(const fs::path& yml) {
  std::vector<Command> out;
  std::istringstream in(read_text_file(yml));
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    std::string t = trim(line);
    if (t.rfind("run: ", 0) == 0) t = trim(t.substr(5));
    if (t.rfind("spax ", 0) == 0) out.push_back({t, 0, line_no});
  }
  return out;
}

void copy_to(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

void gzip_file(const fs::path& from, const fs::path& to) {
  const std::string text = read_text_file(from);
  gzFile g = gzopen(to.c_str(), "wb");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(gzwrite(g, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  gzclose(g);
}

struct ShellResult {
  int exit_code = -1;
  std::string output;
  double seconds = 0;
};

// Runs `cmd` with /bin/sh in `dir`, spax first on the PATH; stdout and stderr together.
ShellResult run_shell(const std::string& cmd, const fs::path& dir) {
  const fs::path log = dir / ".readme-test-output";
  const std::string bin = fs::path(SPAX_BINARY).parent_path().string();
  // mpirun may start more processes than this machine's cores (the README's -np 4 on 2 cores);
  // the rest of the MPI tests' environment (allowed as root, one BLAS thread) is the test's own,
  // set_mpi_test_environment. The cache (spax calibrate's machine model) is the scratch
  // directory's, not the user's.
  const std::string full = "cd '" + dir.string() + "' && export PATH='" + bin +
                           "':\"$PATH\" XDG_CACHE_HOME='" + (dir / ".cache").string() +
                           "' OMPI_MCA_rmaps_base_oversubscribe=1 && (" + cmd + ") > '" +
                           log.string() + "' 2>&1";
  const auto t0 = std::chrono::steady_clock::now();
  const int status = std::system(full.c_str());
  ShellResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.output = fs::exists(log) ? read_text_file(log) : std::string();
  return r;
}

// The placeholder files the README's commands name, made from the bundled matrices and a
// generated circuit (four Newton iterations of one pattern, their right-hand sides and stamps).
void make_placeholders(const fs::path& d) {
  fs::create_directory_symlink(bundled_data_dir(), d / "data");
  auto gen = run_spax({"gen", "circuit", "--nodes", "300", "--iterations", "4", "--seed", "3",
                       "--out", (d / "gen").string()});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto jac = [&](int k) { return d / "gen" / ("jacobian_000" + std::to_string(k) + ".mtx"); };
  auto rhs = [&](int k) { return d / "gen" / ("rhs_000" + std::to_string(k) + ".mtx"); };
  for (int k = 0; k < 3; ++k) {
    const std::string kk = "000" + std::to_string(k);
    copy_to(jac(k), d / ("jac_" + kk + ".mtx"));  // jac_*.mtx: a Newton sequence
    copy_to(jac(k), d / ("J_" + kk + ".mtx"));
    copy_to(jac(k), d / "jacobians" / ("jac_" + kk + ".mtx"));
    copy_to(jac(k), d / ("corner_" + kk + ".mtx"));  // corner_*.mtx: a batch of one pattern
  }
  copy_to(jac(3), d / "jacobians" / "jac_0003.mtx");
  copy_to(jac(0), d / "jac.mtx");
  copy_to(jac(0), d / "J.mtx");
  gzip_file(jac(0), d / "J.mtx.gz");
  copy_to(rhs(0), d / "b.mtx");
  copy_to(d / "gen" / "stamps.json", d / "stamps.json");
  copy_to(bundled_data_dir() / "adder_dcop_05.mtx", d / "A.mtx");
  copy_to(bundled_data_dir() / "rajat19.mtx", d / "big.mtx");
  gzip_file(bundled_data_dir() / "rajat19.mtx", d / "big.mtx.gz");
  // A test suite's dump directory: Jacobians and right-hand sides side by side.
  for (int k = 0; k < 4; ++k) {
    copy_to(jac(k), d / "newton-dumps" / jac(k).filename());
    copy_to(rhs(k), d / "newton-dumps" / rhs(k).filename());
  }
}

std::string skip_reason(const std::string& cmd) {
  for (const auto& [prefix, why] : kSkipped)
    if (cmd.rfind(prefix, 0) == 0) return why;
  for (const auto& [word, built] : kNeeds)
    if (!built && cmd.find(word) != std::string::npos)
      return "needs what this build lacks: " + word;
  return {};
}

std::string scaled(std::string cmd) {
  for (const auto& [re, with] : kScaled) cmd = std::regex_replace(cmd, std::regex(re), with);
  return cmd;
}

void run_all(const std::vector<Command>& commands, const std::string& source, const fs::path& d,
             int* ran) {
  for (const auto& c : commands) {
    if (!skip_reason(c.text).empty()) continue;
    const std::string cmd = scaled(c.text);
    const ShellResult r = run_shell(cmd, d);
    ++*ran;
    EXPECT_EQ(r.exit_code, c.expected_exit) << source << ":" << c.line << ": " << cmd
                                            << "\n(documented exit " << c.expected_exit << ")\n"
                                            << r.output;
    EXPECT_LT(r.seconds, 30.0) << source << ":" << c.line << ": " << cmd << " took too long";
    // An example that succeeds shows no failed case (bench's status column): the README's own
    // bench example had a failed superlu/metis row, cg+amg one on an unsymmetric Jacobian.
    if (c.expected_exit == 0) {
      for (const char* status : {" failed: ", " timeout: ", " out-of-memory: "}) {
        EXPECT_EQ(r.output.find(status), std::string::npos)
            << source << ":" << c.line << ": " << cmd << " shows a failed case\n"
            << r.output;
      }
    }
  }
}

TEST(Readme, ParsesItsCommands) {
  // The parser itself, on a block with a continuation, comments and a documented exit.
  ScratchDir d;
  write_text_file(d / "t.md",
                  "text\n```sh\nspax a x.mtx   # a comment\n# only a comment\nspax b \\\n    --c "
                  "'#not' # fails (exit 3)\n```\n```\nnot sh\n```\n");
  const auto cmds = readme_commands(d / "t.md");
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0].text, "spax a x.mtx");
  EXPECT_EQ(cmds[0].expected_exit, 0);
  EXPECT_EQ(cmds[1].text, "spax b  --c '#not'");
  EXPECT_EQ(cmds[1].expected_exit, 3);
  EXPECT_EQ(cmds[1].line, 5);
}

TEST(Readme, EveryCommandRunsAsDocumented) {
  // The README's mpirun lines run as the MPI tests do: allowed as root, one BLAS thread per
  // process, and (sanitized builds) Open MPI's own leaks suppressed.
  set_mpi_test_environment();
  const fs::path readme = fs::path(SPAX_SOURCE_DIR) / "README.md";
  const auto commands = readme_commands(readme);
  ASSERT_GE(commands.size(), 20u) << "the README's ```sh blocks were not found";
  ScratchDir d;
  make_placeholders(d.path());
  if (HasFatalFailure()) return;
  int ran = 0;
  run_all(commands, "README.md", d.path(), &ran);
  int skipped = 0;
  for (const auto& c : commands) skipped += !skip_reason(c.text).empty();
  EXPECT_EQ(ran + skipped, static_cast<int>(commands.size()));
  // The skipped ones are those of the two lists above (build and install steps, parts this build
  // lacks); everything else ran.
  EXPECT_GE(ran, 25);
}

// The CI example: valid YAML (when python3-yaml is there to say so), and its spax commands run
// on the same placeholders as the README's.
TEST(Readme, CiExampleParsesAndItsCommandsRun) {
  const fs::path yml = fs::path(SPAX_SOURCE_DIR) / "examples" / "github-actions" / "spax-check.yml";
  ASSERT_TRUE(fs::exists(yml));
  if (std::system("python3 -c 'import yaml' > /dev/null 2>&1") == 0) {
    const std::string check =
        "python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); "
        "steps = d[\"jobs\"][\"spax-check\"][\"steps\"]; "
        "assert any(\"spax check pattern\" in s.get(\"run\", \"\") and \"junit\" in s[\"run\"] "
        "for s in steps)' '" +
        yml.string() + "'";
    EXPECT_EQ(std::system(check.c_str()), 0) << "not valid YAML or no JUnit check step: " << yml;
  }
  const auto commands = workflow_commands(yml);
  ASSERT_GE(commands.size(), 2u);
  ScratchDir d;
  make_placeholders(d.path());
  if (HasFatalFailure()) return;
  // The workflow verifies against a committed baseline: record one first.
  ASSERT_EQ(run_shell("spax check baseline create jacobians/*.mtx -o spax-baseline.json", d.path())
                .exit_code,
            0);
  int ran = 0;
  run_all(commands, yml.filename().string(), d.path(), &ran);
  EXPECT_EQ(ran, static_cast<int>(commands.size()));
  // The JUnit report it keeps is there and is JUnit.
  const std::string junit = read_text_file(d / "spax-junit.xml");
  EXPECT_NE(junit.find("<testsuites"), std::string::npos) << junit;
  EXPECT_NE(junit.find("failures=\"0\""), std::string::npos) << junit;
}

}  // namespace
}  // namespace spax::test
