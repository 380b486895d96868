// Helpers shared by the tests: paths to inputs, a scratch directory, running the spax binary.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spax::test {

namespace fs = std::filesystem;

// tests/data, data/ and ../shared/matrices (may not exist).
fs::path test_data_dir();
fs::path bundled_data_dir();
fs::path shared_matrices_dir();
bool have_shared();

// Skips the current test when ../shared/matrices is absent.
#define SPAX_REQUIRE_SHARED()                                               \
  do {                                                                      \
    if (!::spax::test::have_shared())                                       \
      GTEST_SKIP() << "shared matrix collection not found beside the repo"; \
  } while (0)

// A fresh empty directory under the system temp dir, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the spax binary with the given arguments (no shell involved), optionally feeding
// `stdin_text` to its standard input; captures stdout and stderr.
RunResult run_spax(const std::vector<std::string>& args, const std::string& stdin_text = {});
// The same with extra environment variables ("NAME=value") added to this process's.
RunResult run_spax_env(const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const std::string& stdin_text = {});

// The run's stdout as JSON; a test failure (and null) when it is not JSON.
nlohmann::json parse_json(const RunResult& r);

std::string read_text_file(const fs::path& p);
void write_text_file(const fs::path& p, const std::string& text);

}  // namespace spax::test
