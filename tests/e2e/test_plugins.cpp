// Plugins end to end: a plugin adds a backend with no line of spax changed, one built for another
// ABI version or without the entry point is refused with a message, plugins are loaded only when
// a lookup needs them, and `spax solvers` / `spax --version` say what is there and why not.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "spax/config.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

namespace fs = std::filesystem;
using test::parse_json;
using test::run_spax;

// SPAX_PLUGIN_PATH for the duration of a test: the test plugins first, then the build's own.
class PluginPath {
 public:
  explicit PluginPath(const std::string& value) {
    if (const char* old = std::getenv("SPAX_PLUGIN_PATH")) old_ = old;
    ::setenv("SPAX_PLUGIN_PATH", value.c_str(), 1);
  }
  ~PluginPath() {
    if (old_)
      ::setenv("SPAX_PLUGIN_PATH", old_->c_str(), 1);
    else
      ::unsetenv("SPAX_PLUGIN_PATH");
  }

 private:
  std::optional<std::string> old_;
};

std::string small_matrix(const test::ScratchDir& d) {
  const std::string path = (d / "a.mtx").string();
  std::ofstream(path) << "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 4\n2 1 1\n2 2 "
                         "3\n3 2 -1\n3 3 2\n";
  return path;
}

TEST(Plugins, APluginAddsABackendAndBadOnesAreRefused) {
  PluginPath path(SPAX_TEST_PLUGIN_DIR);
  auto r = run_spax({"solvers", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = parse_json(r);
  bool found = false;
  for (const auto& b : j["backends"])
    if (b["name"] == "plugin-lu") {
      found = true;
      EXPECT_EQ(b["provider"], "libspax-testgood.so");
      EXPECT_EQ(b["available"], true);
      EXPECT_EQ(b["kind"], "direct");
    }
  EXPECT_TRUE(found) << r.out;
  std::map<std::string, nlohmann::json> plugins;
  for (const auto& p : j["plugins"])
    plugins[fs::path(p["path"].get<std::string>()).filename().string()] = p;
  ASSERT_TRUE(plugins.count("libspax-testgood.so"));
  EXPECT_EQ(plugins["libspax-testgood.so"]["status"], "loaded");
  ASSERT_TRUE(plugins.count("libspax-testbadabi.so"));
  EXPECT_EQ(plugins["libspax-testbadabi.so"]["status"], "refused");
  const std::string abi = plugins["libspax-testbadabi.so"]["message"];
  EXPECT_NE(abi.find("ABI version " + std::to_string(SPAX_PLUGIN_ABI_VERSION + 1)),
            std::string::npos)
      << abi;
  EXPECT_NE(abi.find("version " + std::to_string(SPAX_PLUGIN_ABI_VERSION)), std::string::npos);
  ASSERT_TRUE(plugins.count("libspax-testnoentry.so"));
  EXPECT_EQ(plugins["libspax-testnoentry.so"]["status"], "refused");
  EXPECT_NE(plugins["libspax-testnoentry.so"]["message"].get<std::string>().find("entry point"),
            std::string::npos);

  // The plugin's backend solves like any other: b = A * ones gives ones.
  test::ScratchDir d;
  r = run_spax({"solve", small_matrix(d), "--solver", "plugin-lu", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto s = parse_json(r);
  EXPECT_EQ(s["solver"], "plugin-lu");
  EXPECT_LT(s["forward_error"][0].get<double>(), 1e-15);
  // --version names it.
  r = run_spax({"--version"});
  EXPECT_NE(r.out.find("libspax-testgood.so: loaded (plugin-lu)"), std::string::npos) << r.out;
}

TEST(Plugins, LoadedOnlyWhenALookupNeedsThem) {
  PluginPath path(SPAX_TEST_PLUGIN_DIR);
  test::ScratchDir d;
  const std::string a = small_matrix(d);
  const std::string marker = (d / "marker").string();
  ::setenv("SPAX_TEST_PLUGIN_MARKER", marker.c_str(), 1);
  std::vector<std::vector<std::string>> runs = {
      {"info", a},
      {"solve", a, "--solver", "klu"},
      {"analyze", a, "--lu-fill", "none", "--output-dir", (d / "out").string()}};
  // auto weighs the GPU backends where the CUDA plugin is built, so there it loads the plugins.
  if (!SPAX_HAS_CUDA) runs.push_back({"solve", a});
  for (const auto& args : runs) {
    auto r = run_spax(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_FALSE(fs::exists(marker)) << args[0] << " " << args.back() << " loaded the plugins";
    fs::remove(marker);
  }
  auto r = run_spax({"solve", a, "--solver", "plugin-lu"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(marker));
  ::unsetenv("SPAX_TEST_PLUGIN_MARKER");
}

TEST(Plugins, SolversSaysWhatIsMissingAndWhy) {
  auto r = run_spax({"solvers", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = parse_json(r);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& b : j["backends"]) by_name[b["name"]] = b;
  for (const char* n : {"klu", "umfpack", "cholmod", "superlu", "eigen-lu", "dense", "cg",
                        "bicgstab", "gmres", "amg"})
    ASSERT_TRUE(by_name.count(n)) << n;
  EXPECT_EQ(by_name["klu"]["orderings"],
            nlohmann::json({"amd", "colamd", "metis", "natural", "given"}));
  EXPECT_EQ(by_name["dense"]["options"][0]["key"], "max_n");
  EXPECT_EQ(by_name["dense"]["options"][0]["default"], "5000");
  EXPECT_EQ(by_name["amg"]["available"], SPAX_HAS_HYPRE != 0);
  if (!SPAX_HAS_MUMPS) {
    ASSERT_TRUE(by_name.count("mumps"));
    EXPECT_EQ(by_name["mumps"]["available"], false);
    EXPECT_NE(by_name["mumps"]["unavailable_reason"].get<std::string>().find("SPAX_WITH_MUMPS"),
              std::string::npos);
  }
  if (!SPAX_HAS_CUDA) {
    ASSERT_TRUE(by_name.count("cuda-rf"));
    EXPECT_NE(by_name["cuda-rf"]["unavailable_reason"].get<std::string>().find("not built"),
              std::string::npos);
  }
  // One backend by name; an unknown one is a usage error naming the known ones.
  r = run_spax({"solvers", "klu"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("keeps-pivots"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("umfpack"), std::string::npos) << r.out;
  r = run_spax({"solvers", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("known: klu, umfpack"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace spax
