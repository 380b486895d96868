// End-to-end: `spax analyze A.mtx --stamps S` embeds the scatter-conflict analysis.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace spax::test {
namespace {

TEST(AnalyzeStamps, DeviceParallelismSectionAndBatches) {
  ScratchDir d;
  const auto stamps = (test_data_dir() / "stamps" / "ladder.json").string();
  const auto matrix = (test_data_dir() / "stamps" / "ladder.mtx").string();
  auto r = run_spax({"analyze", matrix, "--stamps", stamps, "--json", "--lu-fill", "none",
                     "--output-dir", d.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("device_parallelism"));
  const auto& dp = j["device_parallelism"];
  for (const char* k : {"n_unknowns", "total_devices", "model_types", "scatter_conflicts",
                        "device_conflict_graph", "distinct_conflict_pairs"})
    EXPECT_TRUE(dp.contains(k)) << k;
  EXPECT_EQ(dp["n_unknowns"], 5);
  EXPECT_EQ(dp["total_devices"], 5);
  // The same section as `spax scatter` computes for that map and matrix.
  auto s = run_spax({"scatter", stamps, "--matrix", matrix, "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto js = nlohmann::json::parse(s.out);
  auto a = dp, b = js.contains("device_parallelism") ? js["device_parallelism"] : js;
  a.erase("timings_seconds");
  b.erase("timings_seconds");
  a.erase("source");
  b.erase("source");
  EXPECT_EQ(a, b);
  EXPECT_TRUE(std::filesystem::exists(d.path() / "device_batches.npy"));
  // A stamp map for another size is an input error.
  auto bad = run_spax({"analyze", (bundled_data_dir() / "w156.mtx").string(), "--stamps", stamps,
                       "--lu-fill", "none", "--output-dir", d.path().string()});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace spax::test

namespace spax::test {
namespace {

TEST(AnalyzePictures, OutputDirHoldsTheSvgsAndHtml) {
  ScratchDir d;
  const auto stamps = (test_data_dir() / "stamps" / "ladder.json").string();
  const auto matrix = (test_data_dir() / "stamps" / "ladder.mtx").string();
  auto r = run_spax({"analyze", matrix, "--stamps", stamps, "--html", "--lu-fill", "none",
                     "--output-dir", d.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"spy_natural.svg", "spy_amd.svg", "spy_metis.svg", "spy_rcm.svg",
                        "level_widths.svg", "supernodes.svg", "orderings.svg", "fan_in.svg"}) {
    ASSERT_TRUE(std::filesystem::exists(d.path() / f)) << f;
    const std::string svg = read_text_file(d.path() / f);
    EXPECT_NE(svg.find("<svg"), std::string::npos) << f;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << f;
  }
  const std::string html = read_text_file(d.path() / "report.html");
  EXPECT_NE(html.find("ladder"), std::string::npos);
  for (const char* id : {"id=\"summary\"", "id=\"orderings\"", "id=\"scatter\"", "id=\"pictures\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  // Each picture is rendered once and serves both: the page inlines the body of the file's <svg>
  // element as written (the element's own tag loses its namespace when inlined), and the summary
  // on stdout is the file's.
  for (const char* f : {"spy_amd.svg", "orderings.svg", "fan_in.svg"}) {
    const std::string svg = read_text_file(d.path() / f);
    const std::size_t open = svg.find('>', svg.find("<svg")) + 1;
    const std::string body = svg.substr(open, svg.rfind("</svg>") - open);
    EXPECT_NE(html.find(body), std::string::npos) << f;
  }
  EXPECT_EQ(r.out.substr(0, r.out.find("\nFiles written to")),
            read_text_file(d.path() / "parallelism_summary.txt"));
}

}  // namespace
}  // namespace spax::test
