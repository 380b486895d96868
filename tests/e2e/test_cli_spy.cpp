// End-to-end: `spax spy` writes a valid SVG spy plot, with or without an ordering.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "test_support.hpp"

namespace spax::test {
namespace {

// Output of tests/e2e/svg_check.py xml FILE ("TAG COUNT" lines), "" when python is missing.
std::string xml_check(const fs::path& file, int* rc) {
  std::string cmd = "/usr/bin/python3 " + std::string(SPAX_SOURCE_DIR) +
                    "/tests/e2e/svg_check.py xml '" + file.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *rc = pclose(p);
  return out;
}

TEST(CliSpy, NaturalAndOrdered) {
  ScratchDir dir;
  auto a = (bundled_data_dir() / "west0479.mtx").string();
  auto r = run_spax({"spy", a, "-o", (dir / "n.svg").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("479 x 479"), std::string::npos);
  std::string svg = read_text_file(dir / "n.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("479 x 479, nnz = 1,910"), std::string::npos);
  // 479 < 512: one cell per row and column, drawn at 512 pixels.
  EXPECT_NE(svg.find("viewBox=\"0 0 479 479\""), std::string::npos);

  auto r2 =
      run_spax({"spy", a, "-o", (dir / "m.svg").string(), "--ordering", "metis", "--size", "200"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  std::string svg2 = read_text_file(dir / "m.svg");
  EXPECT_NE(svg2.find("ordering metis"), std::string::npos);
  // --size 200 caps the raster at 200 cells: block ceil(479 / 200) = 3 -> 160 x 160 cells.
  EXPECT_NE(svg2.find("viewBox=\"0 0 160 160\""), std::string::npos);
  EXPECT_NE(svg2, svg);

  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 not found";
  for (const char* f : {"n.svg", "m.svg"}) {
    int rc = -1;
    std::string out = xml_check(dir / f, &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("root svg"), std::string::npos) << out;
    EXPECT_NE(out.find("svg 2"), std::string::npos) << out;
    EXPECT_NE(out.find("path "), std::string::npos) << out;
  }
}

TEST(CliSpy, Errors) {
  ScratchDir dir;
  auto a = (bundled_data_dir() / "west0479.mtx").string();
  auto bad = run_spax({"spy", a, "-o", (dir / "x.svg").string(), "--ordering", "nope"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown ordering 'nope'"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "x.svg"));
  auto size = run_spax({"spy", a, "-o", (dir / "x.svg").string(), "--size", "10"});
  EXPECT_EQ(size.exit_code, 2);
  write_text_file(dir / "rect.mtx",
                  "%%MatrixMarket matrix coordinate real general\n2 3 2\n1 1 1.0\n2 3 2.0\n");
  auto rect = run_spax({"spy", (dir / "rect.mtx").string(), "-o", (dir / "r.svg").string()});
  EXPECT_EQ(rect.exit_code, 0) << rect.err;
  EXPECT_NE(read_text_file(dir / "r.svg").find("2 x 3, nnz = 2"), std::string::npos);
  auto rect_ord = run_spax(
      {"spy", (dir / "rect.mtx").string(), "-o", (dir / "r2.svg").string(), "--ordering", "amd"});
  EXPECT_EQ(rect_ord.exit_code, 2);
  auto missing = run_spax({"spy", (dir / "none.mtx").string(), "-o", (dir / "z.svg").string()});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace spax::test
