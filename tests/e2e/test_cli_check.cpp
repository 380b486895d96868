// End-to-end: spax check pattern / baseline and spax fingerprint.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace spax::test {
namespace {

std::string check_file(const std::string& name) {
  return (test_data_dir() / "check" / name).string();
}

TEST(CliCheck, SamePatternPassesWhateverOrderValuesDuplicates) {
  auto r = run_spax({"check", "pattern", check_file("ref.mtx"), check_file("same.mtx")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("all 1 checks passed"), std::string::npos) << r.out;
}

TEST(CliCheck, SymmetricVersusGeneralStoragePasses) {
  ScratchDir d;
  write_text_file(d / "sym.mtx",
                  "%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n1 1 2\n2 1 1\n3 3 1\n");
  write_text_file(d / "gen.mtx",
                  "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 2\n2 1 1\n1 2 1\n"
                  "3 3 5\n");
  auto r = run_spax({"check", "pattern", (d / "sym.mtx").string(), (d / "gen.mtx").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(CliCheck, AddedAndRemovedEntriesFailWithCoordinates) {
  auto r = run_spax({"check", "pattern", "--format", "json", check_file("ref.mtx"),
                     check_file("same.mtx"), check_file("added.mtx"), check_file("removed.mtx")});
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["cases"].size(), 3u);
  EXPECT_TRUE(j["cases"][0]["passed"]);
  EXPECT_FALSE(j["cases"][1]["passed"]);
  EXPECT_EQ(j["cases"][1]["details"]["added_entries"], 1);
  EXPECT_EQ(j["cases"][1]["details"]["first_added"][0], nlohmann::json::array({1, 3}));
  EXPECT_EQ(j["cases"][2]["details"]["removed_entries"], 1);
  EXPECT_EQ(j["cases"][2]["details"]["first_removed"][0], nlohmann::json::array({2, 1}));
  // Value variation over the files that share the pattern (ref and same): entry (1,1) is 4 and
  // 3 -> std 0.5, mean 3.5; (2,1): -1, -2 -> 0.5/1.5; (2,2): 4, 7 -> 1.5/5.5; (3,3): 4, 1 ->
  // 1.5/2.5.
  auto vv = j["summary"]["value_variation"];
  EXPECT_EQ(vv["n_samples"], 2);
  const double rel[] = {0.5 / 3.5, 0.5 / 1.5, 1.5 / 5.5, 1.5 / 2.5};
  EXPECT_NEAR(vv["mean_relative_variation"].get<double>(), (rel[0] + rel[1] + rel[2] + rel[3]) / 4,
              1e-12);
  EXPECT_NEAR(vv["max_relative_variation"].get<double>(), rel[3], 1e-12);
  auto text = run_spax({"check", "pattern", check_file("ref.mtx"), check_file("added.mtx")});
  EXPECT_NE(text.out.find("1 entries added, first at (1, 3)"), std::string::npos) << text.out;
}

TEST(CliCheck, UnreadableInputExitsTwo) {
  auto r = run_spax({"check", "pattern", check_file("ref.mtx"), "/nonexistent.mtx"});
  EXPECT_EQ(r.exit_code, 2);
  auto u = run_spax({"check", "pattern", check_file("ref.mtx")});
  EXPECT_EQ(u.exit_code, 2);
}

TEST(CliCheck, JunitOutputParsesBack) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no python3 to parse XML";
  ScratchDir d;
  auto r = run_spax({"check", "pattern", "--format", "junit", check_file("ref.mtx"),
                     check_file("same.mtx"), check_file("added.mtx")});
  EXPECT_EQ(r.exit_code, 1);
  write_text_file(d / "junit.xml", r.out);
  // An independent XML parser reads the document and reports its shape.
  write_text_file(d / "shape.py",
                  "import sys, xml.etree.ElementTree as ET\n"
                  "root = ET.parse(sys.argv[1]).getroot()\n"
                  "assert root.tag == 'testsuites', root.tag\n"
                  "suites = root.findall('testsuite')\n"
                  "cases = [c for s in suites for c in s.findall('testcase')]\n"
                  "fails = [c for c in cases if c.find('failure') is not None]\n"
                  "assert int(suites[0].get('tests')) == len(cases)\n"
                  "assert int(suites[0].get('failures')) == len(fails)\n"
                  "assert all(f.find('failure').get('message') for f in fails)\n"
                  "print(len(suites), len(cases), len(fails))\n");
  std::string cmd = "/usr/bin/python3 " + (d / "shape.py").string() + " " +
                    (d / "junit.xml").string() + " > " + (d / "out.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(read_text_file(d / "out.txt"), "1 2 1\n");
}

TEST(CliCheck, GithubFormatPrintsErrorAnnotations) {
  auto r = run_spax(
      {"check", "pattern", "--format", "github", check_file("ref.mtx"), check_file("added.mtx")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("::error file=", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("pattern changed"), std::string::npos);
}

TEST(CliCheck, NewtonSequencePassesAndAMovedEntryFails) {
  SPAX_REQUIRE_SHARED();
  auto dir = shared_matrices_dir() / "synthetic";
  std::vector<std::string> args = {"check", "pattern", "--format", "json"};
  for (int k = 0; k < 5; ++k)
    args.push_back((dir / ("circuit5k_newton_000" + std::to_string(k) + ".mtx")).string());
  auto r = run_spax(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["summary"]["value_variation"]["n_samples"], 5);
  EXPECT_GT(j["summary"]["value_variation"]["max_relative_variation"].get<double>(), 0.0);
  // Move one entry of the last matrix to a position that is not in the pattern.
  ScratchDir d;
  std::string text = read_text_file(dir / "circuit5k_newton_0004.mtx");
  std::istringstream in(text);
  std::ostringstream out;
  std::string line;
  bool header = true, moved = false;
  int row = 0, col = 0;
  while (std::getline(in, line)) {
    if (header) {
      out << line << '\n';
      if (!line.empty() && line[0] != '%') header = false;
      continue;
    }
    if (!moved) {
      std::istringstream ls(line);
      double v;
      ls >> row >> col >> v;
      // (row, col) -> (row, col') with col' chosen so the position is new: the diagonal block
      // far away; verified below by the expected counts.
      out << row << ' ' << (col == 1 ? 2 : 1) << ' ' << v << '\n';
      moved = true;
      continue;
    }
    out << line << '\n';
  }
  write_text_file(d / "moved.mtx", out.str());
  args.back() = (d / "moved.mtx").string();
  auto m = run_spax(args);
  EXPECT_EQ(m.exit_code, 1) << m.out;
  auto jm = nlohmann::json::parse(m.out);
  auto last = jm["cases"].back();
  EXPECT_FALSE(last["passed"]);
  EXPECT_EQ(last["details"]["removed_entries"], 1);
  EXPECT_EQ(last["details"]["first_removed"][0], nlohmann::json::array({row, col}));
}

TEST(CliCheck, FingerprintLines) {
  auto r = run_spax(
      {"fingerprint", check_file("ref.mtx"), check_file("same.mtx"), check_file("added.mtx")});
  ASSERT_EQ(r.exit_code, 0);
  std::istringstream in(r.out);
  std::string h1, f1, h2, f2, h3, f3;
  in >> h1 >> f1 >> h2 >> f2 >> h3 >> f3;
  EXPECT_EQ(h1.size(), 32u);
  EXPECT_EQ(h1, h2);
  EXPECT_NE(h1, h3);
  EXPECT_EQ(f1, check_file("ref.mtx"));
  EXPECT_NE(r.out.find(h1 + "  " + check_file("ref.mtx") + "\n"), std::string::npos);
}

TEST(CliCheck, BaselineCreateAndVerify) {
  ScratchDir d;
  const std::string base = (d / "base.json").string();
  auto w = (bundled_data_dir() / "west0479.mtx").string();
  auto c = run_spax({"check", "baseline", "create", w, "-o", base});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto doc = nlohmann::json::parse(read_text_file(base));
  auto m = doc["matrices"]["west0479.mtx"];
  EXPECT_EQ(m["n"], 479);
  EXPECT_EQ(m["nnz"], 1910);
  EXPECT_GT(m["nnz_L"].get<long>(), 1910 / 2);
  auto ok = run_spax({"check", "baseline", "verify", w, "--baseline", base});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  // Same file name, different pattern: fingerprint check fails and names the way out.
  write_text_file(d / "west0479.mtx",
                  "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n2 2 1\n");
  auto bad = run_spax({"check", "baseline", "verify", (d / "west0479.mtx").string(), "--baseline",
                       base, "--format", "json"});
  EXPECT_EQ(bad.exit_code, 1);
  auto jb = nlohmann::json::parse(bad.out);
  EXPECT_FALSE(jb["cases"][0]["passed"]);
  EXPECT_NE(jb["cases"][0]["message"].get<std::string>().find(
                "update its entry with: spax check baseline update " +
                (d / "west0479.mtx").string() + " --baseline " + base),
            std::string::npos)
      << jb["cases"][0]["message"];
  // Tightening a threshold below the measured value: fill growth of 0 passes even at 0%.
  auto zero = run_spax({"check", "baseline", "verify", w, "--baseline", base, "--max-fill-increase",
                        "0%", "--max-height-increase", "0"});
  EXPECT_EQ(zero.exit_code, 0) << zero.out;
  auto junk = run_spax({"check", "baseline", "verify", w, "--baseline", w});
  EXPECT_EQ(junk.exit_code, 2);
  // A baseline with a metric of the wrong type: exit 2 and a message naming it (was an internal
  // error, exit 4).
  auto edited = doc;
  edited["matrices"]["west0479.mtx"]["nnz_L"] = nullptr;
  write_text_file(d / "edited.json", edited.dump());
  auto typed =
      run_spax({"check", "baseline", "verify", w, "--baseline", (d / "edited.json").string()});
  EXPECT_EQ(typed.exit_code, 2) << typed.err;
  EXPECT_NE(typed.err.find("nnz_L"), std::string::npos) << typed.err;
}

// `check baseline update` replaces or adds the named files' entries and keeps every other one
// (create would have dropped them): the failure message suggests it.
TEST(CliCheck, BaselineUpdateReplacesAndAddsKeepingTheRest) {
  ScratchDir d;
  const std::string base = (d / "base.json").string();
  const std::string w = (bundled_data_dir() / "west0479.mtx").string(),
                    v = (bundled_data_dir() / "w156.mtx").string();
  ASSERT_EQ(
      run_spax({"check", "baseline", "create", w, v, "-o", base, "--ordering", "metis"}).exit_code,
      0);
  const auto before = nlohmann::json::parse(read_text_file(base));
  // A new matrix named like an old one (a changed pattern) and a file not yet recorded.
  fs::create_directory(d / "new");
  write_text_file(d / "new" / "w156.mtx",
                  "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n2 2 1\n3 3 1\n3 "
                  "1 1\n");
  write_text_file(d / "new" / "extra.mtx",
                  "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n2 2 1\n");
  auto fail = run_spax({"check", "baseline", "verify", (d / "new" / "w156.mtx").string(),
                        (d / "new" / "extra.mtx").string(), "--baseline", base});
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_NE(fail.out.find("spax check baseline update " + (d / "new" / "w156.mtx").string() +
                          " --baseline " + base),
            std::string::npos)
      << fail.out;
  EXPECT_NE(fail.out.find("add it with: spax check baseline update " +
                          (d / "new" / "extra.mtx").string()),
            std::string::npos)
      << fail.out;
  EXPECT_EQ(fail.out.find("baseline create"), std::string::npos) << fail.out;

  auto up = run_spax({"check", "baseline", "update", (d / "new" / "w156.mtx").string(),
                      (d / "new" / "extra.mtx").string(), "--baseline", base});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.out.find("1 added, 1 replaced, 0 unchanged, 3 matrices in all"), std::string::npos)
      << up.out;
  const auto after = nlohmann::json::parse(read_text_file(base));
  EXPECT_EQ(after["ordering"], "metis");  // the baseline's ordering is kept
  ASSERT_EQ(after["matrices"].size(), 3u);
  EXPECT_EQ(after["matrices"]["west0479.mtx"], before["matrices"]["west0479.mtx"]);  // untouched
  EXPECT_EQ(after["matrices"]["w156.mtx"]["n"], 3);
  EXPECT_EQ(after["matrices"]["w156.mtx"]["nnz"], 4);
  EXPECT_EQ(after["matrices"]["extra.mtx"]["nnz"], 2);
  // Now both verify, and the old matrix still does.
  auto ok = run_spax({"check", "baseline", "verify", (d / "new" / "w156.mtx").string(),
                      (d / "new" / "extra.mtx").string(), w, "--baseline", base});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  // -o writes elsewhere and leaves the baseline as it is; a missing baseline is an input error.
  const std::string copy = (d / "copy.json").string();
  auto elsewhere = run_spax({"check", "baseline", "update", v, "--baseline", base, "-o", copy});
  ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
  EXPECT_EQ(nlohmann::json::parse(read_text_file(base)), after);
  EXPECT_EQ(nlohmann::json::parse(read_text_file(copy))["matrices"]["w156.mtx"]["n"], 156);
  EXPECT_EQ(run_spax({"check", "baseline", "update", v, "--baseline", (d / "none.json").string()})
                .exit_code,
            2);
}

TEST(CliCheck, PatternGlobSelectsFilesOfTheDirectory) {
  ScratchDir d;
  const std::string ref = read_text_file(check_file("ref.mtx"));
  write_text_file(d / "jacobian_0000.mtx", ref);
  write_text_file(d / "jacobian_0001.mtx", read_text_file(check_file("same.mtx")));
  // A right-hand side as spax gen writes beside the Jacobians: not the same pattern.
  write_text_file(d / "rhs_0000.mtx",
                  "%%MatrixMarket matrix array real general\n4 1\n1\n2\n3\n4\n");
  auto all = run_spax({"check", "pattern", "--dir", d.path().string()});
  EXPECT_EQ(all.exit_code, 1) << all.out;  // the rhs differs
  auto glob =
      run_spax({"check", "pattern", "--dir", d.path().string(), "--glob", "jacobian_*.mtx"});
  EXPECT_EQ(glob.exit_code, 0) << glob.out << glob.err;
  EXPECT_NE(glob.out.find("all 1 checks passed"), std::string::npos) << glob.out;
  EXPECT_EQ(glob.out.find("rhs_0000"), std::string::npos) << glob.out;
  auto none = run_spax({"check", "pattern", "--dir", d.path().string(), "--glob", "*.npy"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no file matches *.npy"), std::string::npos) << none.err;
  auto nodir = run_spax(
      {"check", "pattern", check_file("ref.mtx"), check_file("same.mtx"), "--glob", "*.mtx"});
  EXPECT_EQ(nodir.exit_code, 2);
  EXPECT_NE(nodir.err.find("--glob selects files of --dir"), std::string::npos) << nodir.err;
}

// The text output lists the first 20 added and removed coordinates (1-based) and its summary
// is text, not raw JSON.
TEST(CliCheck, PatternTextListsTwentyCoordinatesAndNoJson) {
  ScratchDir d;
  // Reference: the 30 x 30 diagonal. Candidate: the diagonal plus the 25 entries (k+1, k) for
  // k = 1..25 and without (30, 30).
  std::string ref = "%%MatrixMarket matrix coordinate pattern general\n30 30 30\n";
  for (int k = 1; k <= 30; ++k) ref += std::to_string(k) + " " + std::to_string(k) + "\n";
  std::string cand = "%%MatrixMarket matrix coordinate pattern general\n30 30 54\n";
  for (int k = 1; k <= 29; ++k) cand += std::to_string(k) + " " + std::to_string(k) + "\n";
  for (int k = 1; k <= 25; ++k) cand += std::to_string(k + 1) + " " + std::to_string(k) + "\n";
  write_text_file(d / "a.mtx", ref);
  write_text_file(d / "b.mtx", cand);
  auto r = run_spax({"check", "pattern", (d / "a.mtx").string(), (d / "b.mtx").string()});
  EXPECT_EQ(r.exit_code, 1);
  // Column by column: (2,1), (3,2), ... (21,20) are the first 20 added.
  std::string expect = "added (first 20 of 25):";
  for (int k = 1; k <= 20; ++k)
    expect += " (" + std::to_string(k + 1) + ", " + std::to_string(k) + ")";
  EXPECT_NE(r.out.find(expect + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("removed (1): (30, 30)\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('{'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('"'), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("value variation: "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace spax::test
