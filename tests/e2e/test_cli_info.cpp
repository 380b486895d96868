// End-to-end: the spax binary's top-level behaviour and `spax info`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace spax::test {
namespace {

TEST(CliInfo, VersionAndHelp) {
  auto v = run_spax({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("spax 0."), std::string::npos);
  auto h = run_spax({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("info"), std::string::npos);
  EXPECT_NE(h.out.find("Exit codes"), std::string::npos);
  auto hi = run_spax({"info", "--help"});
  EXPECT_EQ(hi.exit_code, 0);
  EXPECT_NE(hi.out.find("--json"), std::string::npos);
}

TEST(CliInfo, UsageErrorsExitTwo) {
  auto none = run_spax({});
  EXPECT_EQ(none.exit_code, 2);
  auto bad = run_spax({"no-such-command"});
  EXPECT_EQ(bad.exit_code, 2);
  auto missing = run_spax({"info"});
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(CliInfo, JsonFieldsForAHandWorkedFile) {
  auto r = run_spax(
      {"info", "--json", (test_data_dir() / "mm" / "duplicates_and_explicit_zeros.mtx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rows"], 3);
  EXPECT_EQ(j["entries_in_file"], 5);
  EXPECT_EQ(j["stored_nonzeros"], 4);
  EXPECT_EQ(j["duplicates_summed"], 1);
  EXPECT_EQ(j["explicit_zeros"], 2);
  EXPECT_EQ(j["diagonal_nonzeros"], 3);
  EXPECT_EQ(j["symmetry"], "general");
  EXPECT_EQ(j["fingerprint"].get<std::string>().size(), 32u);
}

TEST(CliInfo, SeveralFilesGiveAnArrayAndStdinWorks) {
  auto f = (bundled_data_dir() / "west0479.mtx").string();
  auto r = run_spax({"info", "--json", f, f});
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.size(), 2u);
  auto s = run_spax({"info", "--json", "-"}, read_text_file(f));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto js = nlohmann::json::parse(s.out);
  EXPECT_EQ(js["fingerprint"], j[0]["fingerprint"]);
  EXPECT_EQ(js["stored_nonzeros"], 1910);
}

TEST(CliInfo, BadInputIsOneLineExitTwo) {
  auto f = (test_data_dir() / "mm" / "bad_mangled13.mtx").string();
  auto r = run_spax({"info", f});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("spax: " + f + ":7: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  auto missing = run_spax({"info", "/nonexistent/file.mtx"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos);
}

TEST(CliInfo, TableMentionsEveryField) {
  auto r = run_spax({"info", (bundled_data_dir() / "w156.mtx").string()});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* label : {"rows", "stored nonzeros", "duplicates summed", "explicit zeros",
                            "diagonal nonzeros", "pattern fingerprint", "read speed"})
    EXPECT_NE(r.out.find(label), std::string::npos) << label;
}

}  // namespace
}  // namespace spax::test
