// End-to-end: `spax gen circuit` writes a Newton sequence whose stamps assemble it exactly (as
// `spax scatter --matrix` confirms), deterministically; `spax gen grid2d|grid3d`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax::test {
namespace {

TEST(CliGen, CircuitFilesAndTheirStampsAgree) {
  ScratchDir dir;
  const std::string out = (dir / "c").string();
  auto r = run_spax(
      {"gen", "circuit", "--nodes", "3000", "--seed", "5", "--iterations", "2", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f :
       {"jacobian_0000.mtx", "jacobian_0001.mtx", "rhs_0000.mtx", "rhs_0001.mtx", "stamps.json"})
    EXPECT_TRUE(std::filesystem::exists(dir / "c" / f)) << f;
  EXPECT_FALSE(std::filesystem::exists(dir / "c" / "jacobian_0002.mtx"));
  auto s =
      run_spax({"scatter", out + "/stamps.json", "--matrix", out + "/jacobian_0001.mtx", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto j = nlohmann::json::parse(s.out)["device_parallelism"];
  EXPECT_EQ(j["pattern_check"]["stamps_outside_pattern"], 0);
  EXPECT_EQ(j["pattern_check"]["unwritten_entries"], 0);
  for (const char* m : {"resistor", "nmos", "pmos", "vsource"})
    EXPECT_TRUE(j["model_types"].contains(m)) << m;
  EXPECT_EQ(j["model_types"]["nmos"]["jac_entries_per_device"], 16);
  // supply nets: very high fan-out
  EXPECT_GT(j["scatter_conflicts"]["max_fan_in"].get<int>(), 100);
  // same seed, same files; another seed, another circuit
  const std::string again = (dir / "again").string();
  ASSERT_EQ(run_spax({"gen", "circuit", "--nodes", "3000", "--seed", "5", "--iterations", "2",
                      "--out", again})
                .exit_code,
            0);
  EXPECT_EQ(read_text_file(dir / "c" / "stamps.json"),
            read_text_file(dir / "again" / "stamps.json"));
  EXPECT_EQ(read_text_file(dir / "c" / "jacobian_0001.mtx"),
            read_text_file(dir / "again" / "jacobian_0001.mtx"));
  const std::string other = (dir / "other").string();
  ASSERT_EQ(
      run_spax({"gen", "circuit", "--nodes", "3000", "--seed", "6", "--out", other}).exit_code, 0);
  EXPECT_NE(read_text_file(dir / "c" / "stamps.json"),
            read_text_file(dir / "other" / "stamps.json"));
}

TEST(CliGen, Grids) {
  ScratchDir dir;
  auto r = run_spax({"gen", "grid2d", "--n", "4", "--out", (dir / "g2.mtx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const MatrixFile g2 = read_matrix_market((dir / "g2.mtx").string());
  EXPECT_EQ(g2.header.symmetry, Symmetry::symmetric);
  EXPECT_EQ(g2.matrix.nrows, 16);
  EXPECT_EQ(g2.matrix.nnz(), 16 + 2 * 24);  // 4x4 grid: 24 edges
  r = run_spax({"gen", "grid3d", "--n", "3", "--out", (dir / "g3.mtx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const MatrixFile g3 = read_matrix_market((dir / "g3.mtx").string());
  EXPECT_EQ(g3.matrix.nrows, 27);
  EXPECT_EQ(g3.matrix.nnz(), 27 + 2 * 54);  // 3x3x3 grid: 3 * 3 * 3 * 2 = 54 edges
}

TEST(CliGen, UsageErrors) {
  EXPECT_EQ(run_spax({"gen"}).exit_code, 2);
  EXPECT_EQ(run_spax({"gen", "circuit", "--out", "x"}).exit_code, 2);
  ScratchDir dir;
  EXPECT_EQ(run_spax({"gen", "circuit", "--nodes", "3", "--out", (dir / "x").string()}).exit_code,
            2);
  EXPECT_EQ(run_spax({"gen", "grid2d", "--n", "0", "--out", (dir / "g.mtx").string()}).exit_code,
            2);
}

}  // namespace
}  // namespace spax::test
