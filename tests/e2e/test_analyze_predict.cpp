// `spax analyze` predictions and `spax calibrate` end to end: the schedule keys, the machine
// model in use (default, calibrated, refused), the threaded measurements beside the predictions,
// schedule.svg, and usage errors.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace spax {
namespace {

using json = nlohmann::json;

std::string west() {
  return (test::bundled_data_dir() / "west0479.mtx").string();
}

json analyze(const test::ScratchDir& dir, std::vector<std::string> extra,
             test::RunResult* out = nullptr) {
  std::vector<std::string> args = {"analyze", west(),        "--output-dir", (dir / "out").string(),
                                   "--json",  "--orderings", "amd,metis",    "--lu-fill",
                                   "none"};
  args.insert(args.end(), extra.begin(), extra.end());
  test::RunResult r = test::run_spax(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (out) *out = r;
  return test::parse_json(r);
}

TEST(AnalyzePredict, DefaultModelWithoutACalibration) {
  test::ScratchDir dir;
  test::RunResult r;
  json j = analyze(dir, {"--machine-model", (dir / "none.json").string()}, &r);
  ASSERT_TRUE(j.contains("machine_model"));
  EXPECT_EQ(j["machine_model"]["source"], "default");
  EXPECT_EQ(j["machine_model"]["status"], "absent");
  for (const char* o : {"amd", "metis"}) {
    SCOPED_TRACE(o);
    const json& s = j["orderings"][o]["schedule"];
    EXPECT_EQ(s["model"], "default");
    EXPECT_GT(s["sequential_seconds"].get<double>(), 0.0);
    EXPECT_EQ(s["supernodes"], j["orderings"][o]["relaxed_supernodes"]);
    const json& w = s["workers"];
    ASSERT_EQ(w.size(), 7u);
    int p = 1;
    for (const json& row : w) {
      EXPECT_EQ(row["p"], p);
      for (const char* k : {"tree", "front", "tree_front"}) {
        const double sp = row[k]["speedup"].get<double>();
        EXPECT_LE(sp, p * (1 + 1e-12));
        // Tree parallelism alone never beats the tree's work/span.
        if (std::string(k) == "tree") {
          EXPECT_LE(sp, s["work_span"].get<double>() * (1 + 1e-9));
        }
        if (p == 1) {
          const double seq = s["sequential_seconds"].get<double>();
          EXPECT_NEAR(row[k]["seconds"].get<double>(), seq, 1e-12 * seq);
        }
      }
      EXPECT_GT(row["memory_per_process"]["peak_bytes"].get<double>(), 0.0);
      EXPECT_TRUE(row["solve"]["L"].contains("coarse_speedup"));
      p *= 2;
    }
    EXPECT_GT(s["solve"]["L_levels"].get<int>(), 0);
    EXPECT_EQ(s["solve"]["method"], "symbolic LU without pivoting");  // west0479 is unsymmetric
    EXPECT_EQ(s["gpu_batches"]["launches"].get<int>(), 4 * s["gpu_batches"]["levels"].get<int>());
    EXPECT_EQ(s["gpu_batches"]["levels"], j["orderings"][o]["supernodal_tree_height"]);
    EXPECT_FALSE(s.contains("predicted_vs_measured"));  // nothing measured
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "schedule.svg"));
  // The summary names the model and says how to calibrate.
  test::RunResult text =
      test::run_spax({"analyze", west(), "--output-dir", (dir / "t").string(), "--orderings", "amd",
                      "--lu-fill", "none", "--machine-model", (dir / "none.json").string()});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Predicted schedule (machine model: default)"), std::string::npos);
  EXPECT_NE(text.out.find("spax calibrate"), std::string::npos);
}

TEST(AnalyzePredict, MalformedModelIsRefusedWithAWarning) {
  test::ScratchDir dir;
  test::write_text_file(dir / "bad.json", "{\"format\": 1, \"source\": \"calibrated\"");
  test::RunResult r;
  json j = analyze(dir, {"--machine-model", (dir / "bad.json").string()}, &r);
  EXPECT_EQ(j["machine_model"]["source"], "default");
  EXPECT_EQ(j["machine_model"]["status"], "refused");
  EXPECT_NE(r.err.find("spax: warning: machine model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
  bool noted = false;
  for (const auto& n : j["notes"])
    noted = noted || n.get<std::string>().find("refused") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(AnalyzePredict, NoPredictLeavesTheScheduleOut) {
  test::ScratchDir dir;
  json j = analyze(dir, {"--no-predict"});
  EXPECT_FALSE(j.contains("machine_model"));
  EXPECT_FALSE(j["orderings"]["amd"].contains("schedule"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "schedule.svg"));
}

TEST(AnalyzePredict, CalibrateThenAnalyzeWithTheCachedModelAndMeasure) {
  test::ScratchDir dir;
  const std::string model = (dir / "model.json").string();
  test::RunResult c =
      test::run_spax({"calibrate", "--machine-model", model, "--calibrate-threads", "1,2"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("saved to"), std::string::npos);
  EXPECT_NE(c.out.find("backend overhead"), std::string::npos);
  test::RunResult show =
      test::run_spax({"calibrate", "--machine-model", model, "--show", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json m = test::parse_json(show);
  EXPECT_EQ(m["source"], "calibrated");
  ASSERT_EQ(m["threads"].size(), 2u);
  EXPECT_EQ(m["threads"][1]["threads"], 2);
  EXPECT_TRUE(m["threads"][0]["kernels"].contains("gemm"));
  EXPECT_EQ(m["backend"]["fit"].size(), 7u);  // the generated matrices of the overhead fit

  json j = analyze(dir, {"--machine-model", model, "--measure", "--measure-solvers", "cholmod"});
  EXPECT_EQ(j["machine_model"]["source"], "calibrated");
  EXPECT_EQ(j["machine_model"]["status"], "cached");
  EXPECT_EQ(j["machine_model"]["threads"], json::array({1, 2}));
  for (const char* o : {"amd", "metis"}) {
    SCOPED_TRACE(o);
    const json& meas = j["orderings"][o]["measured"];
    ASSERT_TRUE(meas.contains("cholmod_supernodal_threads_1_seconds")) << meas.dump();
    EXPECT_GT(meas["cholmod_supernodal_threads_1_seconds"].get<double>(), 0.0);
    EXPECT_GT(meas["cholmod_supernodal_threads_2_seconds"].get<double>(), 0.0);
    EXPECT_GT(meas["cholmod_supernodal_threads_1_cpu_seconds"].get<double>(), 0.0);
    EXPECT_TRUE(meas["mumps_np1_seconds"].is_null());
    EXPECT_FALSE(meas.contains("klu_factor_seconds"));  // --measure-solvers cholmod
    const json& pm = j["orderings"][o]["schedule"]["predicted_vs_measured"];
    const double pred = pm["cholmod_threads_1_seconds"]["predicted"].get<double>();
    const double meas1 = pm["cholmod_threads_1_seconds"]["measured"].get<double>();
    EXPECT_DOUBLE_EQ(pred, j["orderings"][o]["schedule"]["sequential_seconds"].get<double>());
    EXPECT_DOUBLE_EQ(meas1, meas["cholmod_supernodal_threads_1_seconds"].get<double>());
    EXPECT_DOUBLE_EQ(pm["cholmod_threads_1_seconds"]["ratio"].get<double>(), pred / meas1);
    EXPECT_TRUE(pm.contains("cholmod_speedup_2"));
    EXPECT_TRUE(pm["mumps_np1_seconds"].is_null());
    EXPECT_TRUE(pm["mumps_speedup_2"].is_null());
  }
}

TEST(AnalyzePredict, UsageErrors) {
  test::ScratchDir dir;
  auto r = test::run_spax(
      {"analyze", west(), "--output-dir", dir.path().string(), "--measure-solvers", "pardiso"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("pardiso"), std::string::npos);
  r = test::run_spax(
      {"analyze", west(), "--output-dir", dir.path().string(), "--calibrate", "--no-predict"});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_spax(
      {"calibrate", "--calibrate-threads", "0", "--machine-model", (dir / "m.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_spax(
      {"calibrate", "--calibrate-threads", "two", "--machine-model", (dir / "m.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "m.json"));
}

}  // namespace
}  // namespace spax
