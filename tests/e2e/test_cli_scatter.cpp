// End-to-end: `spax scatter` on the bundled ladder map (JSON and CSV), pattern checks against a
// matrix, output files and malformed maps.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax::test {
namespace {

std::string stamps(const std::string& name) {
  return (test_data_dir() / "stamps" / name).string();
}

TEST(CliScatter, LadderJsonHasTheScriptKeysAndHandCountedValues) {
  auto r = run_spax({"scatter", stamps("ladder.json"), "--json", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_TRUE(doc.contains("device_parallelism"));
  const auto& j = doc["device_parallelism"];
  EXPECT_EQ(j["n_unknowns"], 5);
  EXPECT_EQ(j["total_devices"], 5);
  EXPECT_EQ(j["model_types"]["resistor"]["n_devices"], 4);
  EXPECT_EQ(j["model_types"]["resistor"]["jac_entries_per_device"], 4);
  EXPECT_EQ(j["model_types"]["resistor"]["residuals_per_device"], 2);
  EXPECT_EQ(j["model_types"]["resistor"]["unique_positions_per_device"]["min"], 1);
  EXPECT_EQ(j["model_types"]["resistor"]["unique_positions_per_device"]["max"], 4);
  EXPECT_EQ(j["model_types"]["vsource"]["nodes_per_device"]["max"], 2);
  const auto& sc = j["scatter_conflicts"];
  EXPECT_EQ(sc["total_positions"], 12);
  EXPECT_EQ(sc["conflict_positions"], 3);
  EXPECT_DOUBLE_EQ(sc["conflict_pct"].get<double>(), 25.0);
  EXPECT_EQ(sc["max_fan_in"], 2);
  EXPECT_EQ(sc["fan_in_distribution"], nlohmann::json({{"1", 9}, {"2", 3}}));
  EXPECT_EQ(j["device_conflict_graph"]["n_nodes"], 5);
  EXPECT_EQ(j["device_conflict_graph"]["n_edges"], 3);
  EXPECT_TRUE(j["device_conflict_graph"]["note"].is_string());
  EXPECT_EQ(j["distinct_conflict_pairs"], 3);
  EXPECT_EQ(j["conflict_free_schedule"]["n_batches"], 2);
  EXPECT_EQ(j["conflict_free_schedule"]["lower_bound"], 2);
  EXPECT_EQ(j["conflict_free_schedule"]["batch_sizes"], nlohmann::json({3, 2}));
  const auto& rs = j["residual_scatter_conflicts"];
  EXPECT_EQ(rs["total_positions"], 5);
  EXPECT_EQ(rs["conflict_positions"], 4);
  EXPECT_EQ(rs["max_fan_in"], 2);
  EXPECT_FALSE(j.contains("pattern_check"));
}

TEST(CliScatter, CsvGivesTheSameJacobianAnalysis) {
  auto a = run_spax({"scatter", stamps("ladder.json"), "--json"});
  auto b = run_spax({"scatter", stamps("ladder.csv"), "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto ja = nlohmann::json::parse(a.out)["device_parallelism"];
  auto jb = nlohmann::json::parse(b.out)["device_parallelism"];
  EXPECT_EQ(ja["scatter_conflicts"], jb["scatter_conflicts"]);
  EXPECT_EQ(ja["distinct_conflict_pairs"], jb["distinct_conflict_pairs"]);
  EXPECT_EQ(ja["conflict_free_schedule"]["n_batches"], jb["conflict_free_schedule"]["n_batches"]);
  EXPECT_TRUE(jb["residual_scatter_conflicts"].is_null());
  auto text = run_spax({"scatter", stamps("ladder.csv")});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("distinct device pairs: 3"), std::string::npos) << text.out;
}

TEST(CliScatter, MatrixPatternCheck) {
  auto ok =
      run_spax({"scatter", stamps("ladder.json"), "--matrix", stamps("ladder.mtx"), "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto pc = nlohmann::json::parse(ok.out)["device_parallelism"]["pattern_check"];
  EXPECT_EQ(pc["stamps_outside_pattern"], 0);
  EXPECT_EQ(pc["unwritten_entries"], 0);
  EXPECT_EQ(pc["matrix_nnz"], 12);

  auto bad = run_spax(
      {"scatter", stamps("ladder.json"), "--matrix", stamps("ladder_mismatch.mtx"), "--json"});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("disagree"), std::string::npos);
  pc = nlohmann::json::parse(bad.out)["device_parallelism"]["pattern_check"];
  EXPECT_EQ(pc["stamps_outside_pattern"], 1);
  EXPECT_EQ(pc["first_outside"], nlohmann::json::array({{3, 4}}));  // 1-based
  EXPECT_EQ(pc["unwritten_entries"], 1);
  EXPECT_EQ(pc["first_unwritten"], nlohmann::json::array({{1, 4}}));

  auto wrong_size = run_spax(
      {"scatter", stamps("ladder.json"), "--matrix", (bundled_data_dir() / "w156.mtx").string()});
  if (std::filesystem::exists(bundled_data_dir() / "w156.mtx")) {
    EXPECT_EQ(wrong_size.exit_code, 2);
    EXPECT_NE(wrong_size.err.find("n_unknowns 5"), std::string::npos) << wrong_size.err;
  }
}

TEST(CliScatter, OutputDirHoldsAValidColouring) {
  ScratchDir dir;
  auto r = run_spax({"scatter", stamps("ladder.json"), "--output-dir", (dir / "out").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto colour = read_npy_int64((dir / "out" / "device_batches.npy").string());
  // devices r0..r3, v: greedy order r1, r2 (degree 2), r0, r3 (degree 1), v (0)
  EXPECT_EQ(colour, (std::vector<std::int64_t>{1, 0, 1, 0, 0}));
  const auto j = nlohmann::json::parse(read_text_file(dir / "out" / "scatter_analysis.json"));
  EXPECT_EQ(j["device_parallelism"]["distinct_conflict_pairs"], 3);
  EXPECT_NE(read_text_file(dir / "out" / "scatter_summary.txt").find("batches"), std::string::npos);
}

TEST(CliScatter, MalformedMapsExitTwoNamingThePlace) {
  ScratchDir dir;
  write_text_file(dir / "bad.json",
                  R"({"n_unknowns": 3, "models": {"nmos": {"jac_row_indices": [[0, 1], [1, 7]],
                     "jac_col_indices": [[0, 1], [1, 2]], "res_indices": [[0], [1]]}}})");
  auto r = run_spax({"scatter", (dir / "bad.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("models.nmos.jac_row_indices[1][1]"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.rfind("spax: ", 0), 0u);
  write_text_file(dir / "bad.csv", "model,device,row,col\nr,0,0,0\nr,zero,0,0\n");
  r = run_spax({"scatter", (dir / "bad.csv").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:3:"), std::string::npos) << r.err;
  r = run_spax({"scatter", (dir / "missing.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  r = run_spax({"scatter"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace spax::test
