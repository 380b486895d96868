// End-to-end runs of `spax analyze`: output files, CSV header, .npy files (read by a small reader
// written here, independent of spax's), the JSON keys the issue lists, corner-case inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Minimal .npy reader: format 1.0/2.0, little-endian int64, 1-D, C order.
std::vector<std::int64_t> read_npy(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), std::string("\x93NUMPY"));
  std::size_t header_len = 0, offset = 0;
  if (bytes[6] == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else {
    header_len = 0;
    for (int k = 0; k < 4; ++k)
      header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + k])) << (8 * k);
    offset = 12;
  }
  std::string header = bytes.substr(offset, header_len);
  EXPECT_NE(header.find("'descr': '<i8'"), std::string::npos) << header;
  EXPECT_NE(header.find("'fortran_order': False"), std::string::npos) << header;
  std::size_t s = header.find("'shape': (");
  EXPECT_NE(s, std::string::npos);
  long long n = std::stoll(header.substr(s + 10));
  EXPECT_EQ((offset + header_len) % 16, 0u);  // data aligned as numpy writes it
  std::size_t data = offset + header_len;
  EXPECT_EQ(bytes.size() - data, static_cast<std::size_t>(n) * 8);
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  if (bytes.size() - data >= out.size() * 8)
    std::memcpy(out.data(), bytes.data() + data, out.size() * 8);
  return out;
}

void expect_keys(const json& j, const std::vector<std::string>& keys, const std::string& where) {
  for (const auto& k : keys) EXPECT_TRUE(j.contains(k)) << where << " lacks key " << k;
}

std::string grid_mtx(int k) {
  std::ostringstream o;
  int n = k * k;
  std::vector<std::string> lines;
  for (int y = 0; y < k; ++y)
    for (int x = 0; x < k; ++x) {
      int i = y * k + x + 1;
      lines.push_back(std::to_string(i) + " " + std::to_string(i) + " 4");
      if (x + 1 < k) {
        lines.push_back(std::to_string(i) + " " + std::to_string(i + 1) + " -1");
        lines.push_back(std::to_string(i + 1) + " " + std::to_string(i) + " -1");
      }
      if (y + 1 < k) {
        lines.push_back(std::to_string(i) + " " + std::to_string(i + k) + " -1");
        lines.push_back(std::to_string(i + k) + " " + std::to_string(i) + " -1");
      }
    }
  o << "%%MatrixMarket matrix coordinate real general\n"
    << n << ' ' << n << ' ' << lines.size() << '\n';
  for (const auto& l : lines) o << l << '\n';
  return o.str();
}

TEST(Analyze, West0479FilesAndKeys) {
  test::ScratchDir dir;
  std::string input = (test::bundled_data_dir() / "west0479.mtx").string();
  auto r = test::run_spax({"analyze", input, "--output-dir", dir.path().string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  json f = json::parse(test::read_text_file(dir / "parallelism_analysis.json"));
  EXPECT_EQ(j, f);

  // The keys the issue lists.
  expect_keys(j,
              {"name", "matrix", "elimination_tree", "supernodes", "fill_in", "rcm_ordering",
               "orderings", "timings", "values", "level_definition"},
              "top level");
  EXPECT_FALSE(j.contains("pattern_stability"));  // one file only
  EXPECT_EQ(j["name"], "west0479");
  expect_keys(j["matrix"],
              {"size",
               "nnz",
               "density_pct",
               "bandwidth",
               "profile",
               "envelope",
               "is_structurally_symmetric",
               "is_numerically_symmetric",
               "connected_components",
               "component_sizes",
               "diagonal_dominance",
               "degree_stats",
               "pattern_symmetry",
               "numeric_symmetry",
               "nnz_diagonal",
               "structural_rank",
               "empty_rows",
               "empty_cols",
               "explicit_zeros",
               "duplicates_summed"},
              "matrix");
  expect_keys(j["matrix"]["diagonal_dominance"], {"dominant_rows", "total_rows", "pct"},
              "diagonal_dominance");
  expect_keys(j["matrix"]["degree_stats"],
              {"row_min", "row_max", "row_mean", "col_min", "col_max", "col_mean"}, "degree_stats");
  const json& e = j["elimination_tree"];
  expect_keys(e,
              {"height", "n_leaves", "max_parallelism", "avg_parallelism", "min_parallelism",
               "subtree_size_stats", "parallelism_efficiency", "parent_array_sample", "note"},
              "elimination_tree");
  EXPECT_TRUE(e.contains("level_widths") || e.contains("level_widths_truncated"));
  EXPECT_TRUE(e.contains("level_widths_alap") || e.contains("level_widths_alap_truncated"));
  expect_keys(e["subtree_size_stats"], {"min", "max", "mean", "median"}, "subtree_size_stats");
  EXPECT_EQ(e["parent_array_sample"].size(), 50u);
  expect_keys(j["supernodes"], {"count", "largest", "mean_size", "median_size", "size_histogram"},
              "supernodes");
  expect_keys(j["supernodes"]["size_histogram"], {"1", "2-4", "5-10", "11-50", "51+"},
              "size_histogram");
  const json& fi = j["fill_in"];
  expect_keys(fi, {"original_nnz", "orderings", "best_ordering"}, "fill_in");
  EXPECT_EQ(fi["original_nnz"], 1910);
  for (const char* o : {"MMD_AT_PLUS_A", "COLAMD"})
    expect_keys(fi["orderings"][o], {"L_nnz", "U_nnz", "factor_nnz", "fill_ratio", "fill_in"}, o);
  expect_keys(
      j["rcm_ordering"],
      {"bandwidth_original", "bandwidth_rcm", "bandwidth_reduction_pct", "permutation_available"},
      "rcm_ordering");
  EXPECT_EQ(j["values"], "file");

  // Files.
  for (const char* name : {"parallelism_analysis.json", "parallelism_summary.txt",
                           "level_set_widths.csv", "etree_parent.npy"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  std::string csv = test::read_text_file(dir / "level_set_widths.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "level,width");
  std::int64_t height = e["height"].get<std::int64_t>();
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), height + 1);

  std::vector<std::int64_t> parent = read_npy(dir / "etree_parent.npy");
  ASSERT_EQ(parent.size(), 479u);
  for (std::size_t k = 0; k < parent.size(); ++k)
    EXPECT_TRUE(parent[k] == -1 || parent[k] > static_cast<std::int64_t>(k));
  for (std::size_t k = 0; k < 50; ++k) EXPECT_EQ(e["parent_array_sample"][k], parent[k]);

  for (const char* o : {"natural", "amd", "metis", "colamd", "mmd", "rcm"}) {
    SCOPED_TRACE(o);
    ASSERT_TRUE(j["orderings"].contains(o));
    std::vector<std::int64_t> p = read_npy(dir / ("perm_" + std::string(o) + ".npy"));
    ASSERT_EQ(p.size(), 479u);
    std::vector<std::int64_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t k = 0; k < sorted.size(); ++k)
      EXPECT_EQ(sorted[k], static_cast<std::int64_t>(k));
    EXPECT_EQ(read_npy(dir / ("etree_parent_" + std::string(o) + ".npy")).size(), 479u);
    std::string c = test::read_text_file(dir / ("level_set_widths_" + std::string(o) + ".csv"));
    EXPECT_EQ(c.substr(0, c.find('\n')), "level,width");
  }

  // The summary ends with the ordering table and names the best orderings.
  std::string summary = test::read_text_file(dir / "parallelism_summary.txt");
  EXPECT_NE(summary.find("best for fill:"), std::string::npos);
  EXPECT_NE(summary.find("best for parallelism:"), std::string::npos);
}

TEST(Analyze, SummaryOnStdoutAndStability) {
  test::ScratchDir dir;
  std::string input = (test::bundled_data_dir() / "west0479.mtx").string();
  auto r = test::run_spax({"analyze", input, input, "--output-dir", dir.path().string(),
                           "--orderings", "natural,amd", "--lu-fill", "none", "--name", "w"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("== Matrix =="), std::string::npos);
  EXPECT_NE(r.out.find("Pattern stability"), std::string::npos);
  json j = json::parse(test::read_text_file(dir / "parallelism_analysis.json"));
  EXPECT_EQ(j["name"], "w");
  ASSERT_TRUE(j.contains("pattern_stability"));
  const json& s = j["pattern_stability"];
  expect_keys(s, {"is_fixed", "n_samples", "first_mismatch", "value_variation", "note"},
              "pattern_stability");
  EXPECT_EQ(s["is_fixed"], true);
  EXPECT_EQ(s["n_samples"], 2);
  EXPECT_DOUBLE_EQ(s["value_variation"]["max_relative_variation"].get<double>(), 0.0);
  EXPECT_EQ(j["orderings"].size(), 2u);
  EXPECT_TRUE(j["fill_in"].contains("skipped"));
}

// matrix.profile keeps the VAJAX script's definition (sum of |i - j| over A.nonzero()); the
// lower envelope has its own key. rajat01's figures were computed by a separate script over the
// file's entries (symmetric expansion, no duplicates): 37,708,107 and 13,041,600.
TEST(Analyze, ProfileIsTheScriptsAndEnvelopeHasItsOwnKey) {
  SPAX_REQUIRE_SHARED();
  test::ScratchDir dir;
  auto r = test::run_spax(
      {"analyze", (test::shared_matrices_dir() / "real" / "rajat01.mtx").string(), "--output-dir",
       dir.path().string(), "--orderings", "natural", "--lu-fill", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(test::read_text_file(dir / "parallelism_analysis.json"));
  EXPECT_EQ(j["matrix"]["profile"], 37708107);
  EXPECT_EQ(j["matrix"]["envelope"], 13041600);
  EXPECT_NE(j["matrix"]["profile_definition"].get<std::string>().find("|i - j|"),
            std::string::npos);
  EXPECT_NE(r.out.find("profile             37,708,107 (sum of |i - j|), envelope 13,041,600"),
            std::string::npos)
      << r.out;
}

TEST(Analyze, EmptyAndRectangularDoNotCrash) {
  test::ScratchDir dir;
  test::write_text_file(dir / "empty.mtx",
                        "%%MatrixMarket matrix coordinate real general\n0 0 0\n");
  test::write_text_file(
      dir / "rect.mtx",
      "%%MatrixMarket matrix coordinate real general\n2 3 3\n1 1 1\n2 3 2\n1 2 3\n");
  for (const char* f : {"empty.mtx", "rect.mtx"}) {
    SCOPED_TRACE(f);
    auto r = test::run_spax({"analyze", (dir / f).string(), "--output-dir",
                             (dir / (std::string(f) + ".out")).string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    expect_keys(j, {"name", "matrix", "elimination_tree", "supernodes", "fill_in", "rcm_ordering"},
                f);
    EXPECT_TRUE(j["elimination_tree"].contains("note"));
    EXPECT_TRUE(j["fill_in"].contains("note"));
  }
}

TEST(Analyze, PatternOnlyIsSynthesized) {
  test::ScratchDir dir;
  test::write_text_file(dir / "p.mtx",
                        "%%MatrixMarket matrix coordinate pattern general\n3 3 5\n1 1\n2 1\n2 2\n3 "
                        "2\n3 3\n");
  auto r = test::run_spax(
      {"analyze", (dir / "p.mtx").string(), "--output-dir", (dir / "out").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["values"], "synthesized");
  EXPECT_EQ(j["fill_in"]["values"], "synthesized");
  EXPECT_TRUE(j["fill_in"]["orderings"]["COLAMD"].contains("factor_nnz"));
}

TEST(Analyze, LuTimeoutSkipsAndReportCompletes) {
  test::ScratchDir dir;
  test::write_text_file(dir / "grid.mtx", grid_mtx(150));
  auto r = test::run_spax({"analyze", (dir / "grid.mtx").string(), "--output-dir",
                           (dir / "out").string(), "--json", "--orderings", "natural", "--lu-fill",
                           "superlu", "--lu-timeout", "0.001"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["fill_in"]["orderings"]["MMD_AT_PLUS_A"]["skipped"], "timeout after 0.001 s")
      << j["fill_in"].dump();
  EXPECT_EQ(j["fill_in"]["orderings"]["COLAMD"]["skipped"], "timeout after 0.001 s")
      << j["fill_in"].dump();
  EXPECT_EQ(j["elimination_tree"]["height"].get<int>() > 0, true);
  EXPECT_TRUE(fs::exists(dir / "out" / "etree_parent.npy"));
}

// The MMD ordering comes from the SuperLU MMD child when it runs (computed once for both
// sections), else from this process: the same permutation either way, and SuperLU's own.
TEST(Analyze, MmdOrderingSameFromTheLuChildOrNot) {
  test::ScratchDir dir;
  test::write_text_file(dir / "grid.mtx", grid_mtx(150));  // n = 22500: > a pipe's buffer
  SparseMatrix a = read_matrix_market((dir / "grid.mtx").string()).matrix;
  Ordering direct = compute_ordering(a, "mmd");
  const std::vector<std::vector<std::string>> variants = {
      {},                                                  // shared with the MMD child
      {"--lu-fill", "klu"},                                // no SuperLU child
      {"--lu-fill", "superlu", "--lu-timeout", "0.001"}};  // child stopped early
  for (std::size_t v = 0; v < variants.size(); ++v) {
    SCOPED_TRACE(v);
    fs::path out = dir / ("out" + std::to_string(v));
    std::vector<std::string> args = {"analyze",      (dir / "grid.mtx").string(),
                                     "--output-dir", out.string(),
                                     "--json",       "--orderings",
                                     "mmd,amd"};
    args.insert(args.end(), variants[v].begin(), variants[v].end());
    auto r = test::run_spax(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    EXPECT_GT(j["orderings"]["mmd"]["seconds"].get<double>(), 0.0);
    std::vector<std::int64_t> p = read_npy(out / "perm_mmd.npy");
    ASSERT_EQ(p.size(), direct.perm.size());
    for (std::size_t k = 0; k < p.size(); ++k) ASSERT_EQ(p[k], direct.perm[k]) << "position " << k;
  }
}

TEST(Analyze, MeasureTimesEachOrdering) {
  test::ScratchDir dir;
  std::string input = (test::bundled_data_dir() / "west0479.mtx").string();
  auto r = test::run_spax({"analyze", input, "--output-dir", dir.path().string(), "--json",
                           "--orderings", "amd,rcm", "--lu-fill", "none", "--measure"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  for (const char* o : {"amd", "rcm"}) {
    SCOPED_TRACE(o);
    const json& m = j["orderings"][o]["measured"];
    ASSERT_TRUE(m.contains("cholmod_factor_seconds")) << m.dump();
    EXPECT_GE(m["cholmod_factor_seconds"].get<double>(), 0.0);
    ASSERT_TRUE(m.contains("klu_factor_seconds")) << m.dump();
    EXPECT_GE(m["klu_factor_seconds"].get<double>(), 0.0);
  }
}

TEST(Analyze, UsageErrors) {
  std::string input = (test::bundled_data_dir() / "west0479.mtx").string();
  test::ScratchDir dir;
  auto r = test::run_spax(
      {"analyze", input, "--orderings", "bogus", "--output-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bogus"), std::string::npos);
  r = test::run_spax({"analyze", input, "--lu-fill", "mumps", "--output-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_spax(
      {"analyze", (dir / "missing.mtx").string(), "--output-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace spax
