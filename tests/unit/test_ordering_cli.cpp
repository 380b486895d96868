// spax order: the .npy it writes, its summary line and its exit codes.
#include <gtest/gtest.h>

#include <sstream>

#include "reference_etree.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using V = std::vector<index_t>;

// A k x k 5-point grid as Matrix Market text with a scrambled numbering (i -> (7 i + 3) mod n).
std::string scrambled_grid_mtx(index_t k) {
  const index_t n = k * k;
  auto id = [&](index_t r, index_t c) { return ((r * k + c) * 7 + 3) % n; };
  std::ostringstream s;
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t r = 0; r < k; ++r)
    for (index_t c = 0; c < k; ++c) {
      e.emplace_back(id(r, c), id(r, c));
      if (c + 1 < k) e.emplace_back(id(r, c + 1), id(r, c));
      if (r + 1 < k) e.emplace_back(id(r + 1, c), id(r, c));
    }
  s << "%%MatrixMarket matrix coordinate pattern symmetric\n"
    << n << " " << n << " " << e.size() << "\n";
  for (auto [i, j] : e) s << std::max(i, j) + 1 << " " << std::min(i, j) + 1 << "\n";
  return s.str();
}

TEST(OrderCli, WritesAPermutationAndASummary) {
  test::ScratchDir dir;
  const index_t k = 9;  // 7 is coprime to 81
  test::write_text_file(dir / "grid.mtx", scrambled_grid_mtx(k));
  for (const auto& name : ordering_names()) {
    std::string out = (dir / ("perm_" + name + ".npy")).string();
    auto r = test::run_spax(
        {"order", (dir / "grid.mtx").string(), "--ordering", name, "--out", out, "--threads", "1"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_NE(r.out.find("ordering " + name), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("n = 81"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("nnz(L) = "), std::string::npos) << r.out;
    std::vector<std::int64_t> p = read_npy_int64(out);
    V perm(p.begin(), p.end());
    ASSERT_TRUE(is_permutation(perm, k * k)) << name;
    if (name == "rcm") {
      SparseMatrix a = read_matrix_market((dir / "grid.mtx").string()).matrix;
      EXPECT_EQ(bandwidth(a, perm), k);
    }
    if (name == "natural") {
      V id(static_cast<std::size_t>(k * k));
      for (index_t i = 0; i < k * k; ++i) id[i] = i;
      EXPECT_EQ(perm, id);
    }
  }
}

TEST(OrderCli, Errors) {
  test::ScratchDir dir;
  test::write_text_file(dir / "grid.mtx", scrambled_grid_mtx(3));
  std::string out = (dir / "p.npy").string();
  auto bad =
      test::run_spax({"order", (dir / "grid.mtx").string(), "--ordering", "nd", "--out", out});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("natural, amd, metis, colamd, mmd, rcm"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  test::write_text_file(dir / "rect.mtx",
                        "%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 1\n2 3\n");
  auto rect =
      test::run_spax({"order", (dir / "rect.mtx").string(), "--ordering", "amd", "--out", out});
  EXPECT_EQ(rect.exit_code, 2);
  EXPECT_NE(rect.err.find("square"), std::string::npos) << rect.err;
  auto missing = test::run_spax({"order", (dir / "grid.mtx").string(), "--ordering", "amd"});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace spax
