// End-to-end: the spax binary's top-level behaviour and `spax info`.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

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
  EXPECT_EQ(j["diagonal_entries"], 3);   // (1,1), (2,2) and the stored zero (3,3)
  EXPECT_EQ(j["diagonal_nonzeros"], 2);  // the stored zero is not a nonzero
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
                            "diagonal entries", "pattern fingerprint", "read speed"})
    EXPECT_NE(r.out.find(label), std::string::npos) << label;
}

// A stored zero on the diagonal is a stored entry, not a nonzero: both counts are reported.
TEST(CliInfo, DiagonalEntriesAndNonzerosAreTwoCounts) {
  ScratchDir d;
  write_text_file(d / "z.mtx",
                  "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 0\n2 2 5\n3 3 "
                  "0.0\n3 1 2\n");
  auto r = run_spax({"info", (d / "z.mtx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("diagonal entries     3 stored, 1 nonzero"), std::string::npos) << r.out;
  auto j = parse_json(run_spax({"info", "--json", (d / "z.mtx").string()}));
  EXPECT_EQ(j["diagonal_entries"], 3);
  EXPECT_EQ(j["diagonal_nonzeros"], 1);
  // A pattern file has no values: every stored diagonal entry counts as a nonzero.
  write_text_file(d / "p.mtx",
                  "%%MatrixMarket matrix coordinate pattern general\n3 3 2\n1 1\n3 3\n");
  auto jp = parse_json(run_spax({"info", "--json", (d / "p.mtx").string()}));
  EXPECT_EQ(jp["diagonal_entries"], 2);
  EXPECT_EQ(jp["diagonal_nonzeros"], 2);
}

// One unreadable file among several: the others are reported, the error goes to stderr, and
// the run exits 2.
TEST(CliInfo, OneMissingFileAmongSeveralStillPrintsTheOthers) {
  const std::string a = (bundled_data_dir() / "west0479.mtx").string(),
                    b = (bundled_data_dir() / "w156.mtx").string();
  const std::string missing = "/nonexistent-spax-dir/missing.mtx";
  auto text = run_spax({"info", a, missing, b});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_NE(text.out.find(a + "\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(b + "\n"), std::string::npos) << text.out;
  EXPECT_NE(text.err.find("spax: " + missing + ": cannot open"), std::string::npos) << text.err;
  EXPECT_EQ(std::count(text.err.begin(), text.err.end(), '\n'), 1) << text.err;

  auto json = run_spax({"info", "--json", missing, a, b});
  EXPECT_EQ(json.exit_code, 2);
  auto j = parse_json(json);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);  // the unreadable file keeps its place, with its error
  EXPECT_EQ(j[0]["file"], missing);
  EXPECT_EQ(j[0]["error"]["exit_code"], 2);
  EXPECT_EQ(j[0]["error"]["category"], "input");
  EXPECT_EQ(j[1]["file"], a);
  EXPECT_EQ(j[2]["file"], b);

  auto fp = run_spax({"fingerprint", a, missing, b});
  EXPECT_EQ(fp.exit_code, 2);
  EXPECT_EQ(std::count(fp.out.begin(), fp.out.end(), '\n'), 2) << fp.out;
  std::istringstream lines(fp.out);
  std::string l1, l2;
  std::getline(lines, l1);
  std::getline(lines, l2);
  EXPECT_EQ(l1.size(), 32 + 2 + a.size()) << l1;
  EXPECT_EQ(l1.substr(32), "  " + a);
  EXPECT_EQ(l2.substr(32), "  " + b);
  EXPECT_NE(fp.err.find(missing), std::string::npos) << fp.err;
}

// Malformed (not only missing) files are input errors too: the good file is still reported.
TEST(CliInfo, MalformedFileAmongSeveral) {
  ScratchDir d;
  write_text_file(d / "bad.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 x 1\n");
  const std::string a = (bundled_data_dir() / "w156.mtx").string();
  auto r = run_spax({"info", (d / "bad.mtx").string(), a});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(a), std::string::npos);
  EXPECT_NE(r.err.find("bad.mtx:3:"), std::string::npos) << r.err;
}

// What other readers read: bzip2 on standard input (detected by its magic bytes), and a real
// hermitian file, which info calls symmetric and says so.
TEST(CliInfo, Bzip2OnStdinAndRealHermitian) {
  const std::string bz = read_text_file(test_data_dir() / "mm" / "w156.mtx.bz2");
  auto s = run_spax({"info", "--json", "-"}, bz);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto plain = run_spax({"info", "--json", (bundled_data_dir() / "w156.mtx").string()});
  EXPECT_EQ(parse_json(s)["fingerprint"], parse_json(plain)["fingerprint"]);
  EXPECT_EQ(parse_json(s)["compression"], "bzip2");
  ScratchDir d;
  write_text_file(
      d / "h.mtx",
      "%%MatrixMarket matrix coordinate real hermitian\n3 3 3\n3 1 10\n3 2 20\n3 3 30\n");
  auto h = run_spax({"info", (d / "h.mtx").string()});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("symmetry             symmetric (declared hermitian, read as symmetric: "
                       "real values)"),
            std::string::npos)
      << h.out;
  EXPECT_NE(h.out.find("stored nonzeros      5"), std::string::npos) << h.out;
}

}  // namespace
}  // namespace spax::test
