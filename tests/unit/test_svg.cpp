// SVG pictures: the spy raster against hand counts and a dense reference, the path encoding of
// the raster, XML validity and element counts of every picture (checked by Python's xml.etree
// in a subprocess; skipped when /usr/bin/python3 is absent), the file size bound for 10^6
// nonzeros, and the files written for spax analyze.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "spax/report/svg_plots.hpp"
#include "spax/sparse.hpp"
#include "test_support.hpp"

namespace spax::test {
namespace {

SparseMatrix from_triplets(index_t nr, index_t nc,
                           const std::vector<std::pair<index_t, index_t>>& e) {
  TripletMatrix t;
  t.nrows = nr;
  t.ncols = nc;
  t.field = Field::pattern;
  for (auto [i, j] : e) {
    t.rows.push_back(i);
    t.cols.push_back(j);
  }
  return to_csc(t);
}

bool have_python() {
  return fs::exists("/usr/bin/python3");
}

// Element name -> count, from xml.etree; empty map (and a failure) when it does not parse.
std::map<std::string, int> xml_elements(const std::string& svg) {
  ScratchDir dir;
  write_text_file(dir / "p.svg", svg);
  std::string cmd = "/usr/bin/python3 " + std::string(SPAX_SOURCE_DIR) +
                    "/tests/e2e/svg_check.py xml '" + (dir / "p.svg").string() + "' 2>&1";
  std::map<std::string, int> counts;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return counts;
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << out;
  std::istringstream in(out);
  std::string tag, value;
  while (in >> tag >> value) {
    if (tag == "root") {
      counts["#root=" + value] = 1;
    } else {
      counts[tag] = std::stoi(value);
    }
  }
  return counts;
}

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t c = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++c;
  return c;
}

// Decodes the cells drawn by the spy plot's paths ("M x y.5 h w m dx 0 h w ..."), per colour.
std::set<std::pair<index_t, index_t>> drawn_cells(const std::string& svg, std::size_t* paths) {
  std::set<std::pair<index_t, index_t>> cells;
  *paths = 0;
  const std::string key = "<path fill=\"none\" stroke=";
  for (auto p = svg.find(key); p != std::string::npos; p = svg.find(key, p + 1)) {
    ++*paths;
    auto d0 = svg.find(" d=\"", p) + 4;
    auto d1 = svg.find('"', d0);
    std::string d = svg.substr(d0, d1 - d0);
    std::size_t i = 0;
    index_t x = 0, y = 0;
    auto read_int = [&]() {
      std::size_t used = 0;
      index_t v = std::stoll(d.substr(i), &used);
      i += used;
      return v;
    };
    while (i < d.size()) {
      char c = d[i++];
      if (c == 'M') {
        x = read_int();
        ++i;  // space
        y = read_int();
        EXPECT_EQ(d.substr(i, 2), ".5");
        i += 2;
      } else if (c == 'm') {
        x += read_int();
        ++i;
        EXPECT_EQ(read_int(), 0);
      } else if (c == 'h') {
        index_t w = read_int();
        EXPECT_GT(w, 0);
        for (index_t k = 0; k < w; ++k) EXPECT_TRUE(cells.insert({y, x + k}).second);
        x += w;
      } else {
        ADD_FAILURE() << "unexpected path command " << c;
        return cells;
      }
    }
  }
  return cells;
}

TEST(SvgSpy, RasterCountsByHand) {
  // 5 x 5, cells of 3 x 3 (max_cells 2): cell (0,0) holds rows/cols 0-2, cell (1,1) rows 3-4.
  SparseMatrix a = from_triplets(5, 5, {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {4, 0}, {0, 4}});
  SpyRaster r = spy_raster(a, {}, 2);
  EXPECT_EQ(r.block, 3);
  EXPECT_EQ(r.rows, 2);
  EXPECT_EQ(r.cols, 2);
  EXPECT_EQ(r.counts, (std::vector<index_t>{3, 1, 1, 2}));
  EXPECT_EQ(r.max_count, 3);
  // Under p = (4 3 2 1 0): A(p,p)(i,j) = A(4-i, 4-j): the diagonal stays, (4,0) -> (0,4).
  std::vector<index_t> p = {4, 3, 2, 1, 0};
  SpyRaster rp = spy_raster(a, p, 2);
  // New positions: diagonal 0..4, (0,4), (4,0): cell (0,0) holds 0,1,2 -> 3 entries.
  EXPECT_EQ(rp.counts, (std::vector<index_t>{3, 1, 1, 2}));
  // A non-symmetric case: (3,0) only, reversed -> (1,4): cell (0,1).
  SparseMatrix b = from_triplets(5, 5, {{3, 0}});
  EXPECT_EQ(spy_raster(b, p, 2).counts, (std::vector<index_t>{0, 1, 0, 0}));
  // Rectangular: 2 x 7, 7 columns over max 4 cells -> block 2, raster 1 x 4.
  SparseMatrix c = from_triplets(2, 7, {{0, 0}, {1, 6}, {1, 5}});
  SpyRaster rc = spy_raster(c, {}, 4);
  EXPECT_EQ(rc.block, 2);
  EXPECT_EQ(rc.rows, 1);
  EXPECT_EQ(rc.cols, 4);
  EXPECT_EQ(rc.counts, (std::vector<index_t>{1, 0, 1, 1}));
  EXPECT_THROW(spy_raster(c, std::vector<index_t>{0, 1}, 4), Error);
  EXPECT_THROW(spy_raster(a, std::vector<index_t>{0, 0, 1, 2, 3}, 4), Error);
}

TEST(SvgSpy, RasterMatchesDenseReferenceAndPathsDrawEveryCell) {
  // A deterministic scattered 300 x 300 matrix at 64 cells: block 5.
  std::vector<std::pair<index_t, index_t>> e;
  std::uint64_t s = 12345;
  for (int k = 0; k < 4000; ++k) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    e.push_back({static_cast<index_t>((s >> 33) % 300), static_cast<index_t>((s >> 13) % 300)});
  }
  SparseMatrix a = from_triplets(300, 300, e);
  std::vector<index_t> p(300);
  for (index_t k = 0; k < 300; ++k) p[static_cast<std::size_t>(k)] = (k * 7) % 300;
  std::vector<index_t> inv(300);
  for (index_t k = 0; k < 300; ++k)
    inv[static_cast<std::size_t>(p[static_cast<std::size_t>(k)])] = k;
  // Reference: walk a dense copy of A(p,p) entry by entry.
  std::vector<char> dense(300 * 300, 0);
  for (auto [i, j] : e) dense[static_cast<std::size_t>(i * 300 + j)] = 1;
  std::vector<index_t> ref(60 * 60, 0);
  for (index_t i = 0; i < 300; ++i)
    for (index_t j = 0; j < 300; ++j)
      if (dense[static_cast<std::size_t>(p[static_cast<std::size_t>(i)] * 300 +
                                         p[static_cast<std::size_t>(j)])])
        ++ref[static_cast<std::size_t>((i / 5) * 60 + j / 5)];
  SpyRaster r = spy_raster(a, p, 64);
  ASSERT_EQ(r.block, 5);
  ASSERT_EQ(r.rows, 60);
  EXPECT_EQ(r.counts, ref);

  SpyOptions o;
  o.max_cells = 64;
  o.ordering = "seven";
  std::string svg = spy_svg(a, p, o);
  std::size_t paths = 0;
  auto cells = drawn_cells(svg, &paths);
  std::set<std::pair<index_t, index_t>> expected;
  for (index_t i = 0; i < 60; ++i)
    for (index_t j = 0; j < 60; ++j)
      if (ref[static_cast<std::size_t>(i * 60 + j)] > 0) expected.insert({i, j});
  EXPECT_EQ(cells, expected);
  EXPECT_GE(paths, 2u);
  EXPECT_LE(paths, 8u);
  EXPECT_NE(svg.find("300 x 300, nnz = " + std::to_string(a.nnz()).substr(0, 1)),
            std::string::npos);
  EXPECT_NE(svg.find("ordering seven"), std::string::npos);
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  auto el = xml_elements(svg);
  EXPECT_EQ(el["#root=svg"], 1);
  EXPECT_EQ(el["svg"], 2);  // the document and the raster
  EXPECT_EQ(el["path"], static_cast<int>(paths));
  EXPECT_GE(el["text"], 6);
  EXPECT_EQ(el["title"], 1);
}

TEST(SvgSpy, MillionNonzerosStaySmall) {
  // 10^6 scattered entries (the worst case for run merging) on a 200000 x 200000 matrix.
  const index_t n = 200000;
  TripletMatrix t;
  t.nrows = t.ncols = n;
  t.field = Field::pattern;
  std::uint64_t s = 99;
  for (int k = 0; k < 1000000; ++k) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    t.rows.push_back(static_cast<index_t>((s >> 20) % static_cast<std::uint64_t>(n)));
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    t.cols.push_back(static_cast<index_t>((s >> 20) % static_cast<std::uint64_t>(n)));
  }
  SparseMatrix a = to_csc(t);
  SpyRaster r = spy_raster(a, {}, 512);
  EXPECT_EQ(r.rows, 512);
  EXPECT_EQ(r.cols, 512);
  index_t total = 0;
  for (index_t c : r.counts) total += c;
  EXPECT_EQ(total, a.nnz());
  std::string svg = spy_svg(a);
  EXPECT_LT(svg.size(), 2u * 1000 * 1000) << svg.size();
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  auto el = xml_elements(svg);
  EXPECT_EQ(el["svg"], 2);
  EXPECT_GE(el["path"], 2);
}

TEST(SvgSpy, EmptyAndEscapedTitle) {
  SparseMatrix z = from_triplets(0, 0, {});
  SpyOptions o;
  o.title = "A <b> & \"c\" 'd'";
  std::string svg = spy_svg(z, {}, o);
  EXPECT_NE(svg.find("A &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  SparseMatrix e = from_triplets(4, 4, {});
  std::string svg2 = spy_svg(e);
  EXPECT_NE(svg2.find("no entries"), std::string::npos);
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  EXPECT_EQ(xml_elements(svg)["title"], 1);
  EXPECT_EQ(xml_elements(svg2)["svg"], 2);
}

TEST(SvgCharts, LevelWidthsSeriesAndLogScale) {
  std::vector<LevelSeries> flat = {{"a", {3, 2, 1}}, {"b", {2, 2}}};
  std::string s1 = level_widths_svg(flat);
  EXPECT_EQ(count_of(s1, "<polyline"), 2u);
  EXPECT_EQ(count_of(s1, "(log)"), 0u);
  EXPECT_EQ(count_of(s1, "<circle"), 5u);  // short series get markers
  // max/min width 1000/1 > 50: log y; lengths 3 and 400: log x.
  std::vector<index_t> longw(400, 1);
  longw[0] = 1000;
  std::vector<LevelSeries> wide = {{"nd & <x>", {1000, 10, 1}}, {"natural", longw}};
  std::string s2 = level_widths_svg(wide, "T");
  EXPECT_EQ(count_of(s2, "(log)"), 2u);
  EXPECT_NE(s2.find("nd &amp; &lt;x&gt; (height 3)"), std::string::npos);
  EXPECT_NE(s2.find("natural (height 400)"), std::string::npos);
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  auto e1 = xml_elements(s1);
  EXPECT_EQ(e1["polyline"], 2);
  auto e2 = xml_elements(s2);
  EXPECT_EQ(e2["polyline"], 2);
  EXPECT_EQ(xml_elements(level_widths_svg({}))["polyline"], 0);
}

TEST(SvgCharts, SupernodeHistogramBars) {
  SupernodeStats st;
  st.count = 12;
  st.largest = 60;
  st.mean_size = 9.5;
  st.histogram = {5, 4, 0, 2, 1};
  std::string svg = supernodes_svg(st);
  // One bar per non-empty bucket, in the bar colour; every bucket name labelled.
  EXPECT_EQ(count_of(svg, "fill=\"#0072B2\""), 4u);
  for (const char* b : supernode_bucket_names())
    EXPECT_NE(svg.find(std::string(">") + b + "</text>"), std::string::npos) << b;
  EXPECT_NE(svg.find("12 supernodes, largest 60"), std::string::npos);
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  auto el = xml_elements(svg);
  EXPECT_EQ(el["#root=svg"], 1);
  EXPECT_GE(el["rect"], 5);  // background + 4 bars
}

TEST(SvgCharts, OrderingsPanelsAndFanIn) {
  std::vector<OrderingAnalysis> o(3);
  const char* names[] = {"natural", "amd", "metis"};
  double nnz[] = {50000, 15000, 18000}, flops[] = {8e6, 1e4, 2e6}, ws[] = {1.0, 1.2, 40.0};
  for (int i = 0; i < 3; ++i) {
    o[static_cast<std::size_t>(i)].ordering = names[i];
    o[static_cast<std::size_t>(i)].nnz_l = static_cast<index_t>(nnz[i]);
    o[static_cast<std::size_t>(i)].flops = flops[i];
    o[static_cast<std::size_t>(i)].work_span = ws[i];
  }
  std::string svg = orderings_svg(o);
  // Flops span 800x (> 20): that panel is logarithmic; work/span 40/1 too; nnz(L) is not.
  EXPECT_EQ(count_of(svg, "(log)"), 2u);
  for (const char* n : names)
    EXPECT_GE(count_of(svg, std::string(">") + n + "<"), 4u);  // 3 + legend

  std::map<index_t, index_t> small = {{1, 100}, {2, 7}, {5, 1}};
  std::string f1 = fan_in_svg(small);
  EXPECT_EQ(count_of(f1, "fill=\"#D55E00\""), 3u);
  EXPECT_NE(f1.find("108 positions, 8 written by 2 or more devices, largest fan-in 5"),
            std::string::npos);
  std::map<index_t, index_t> many;
  for (index_t k = 1; k <= 30; ++k) many[k] = 1;
  many[1000] = 2;
  std::string f2 = fan_in_svg(many);
  // Buckets 1, 2, 3-4, 5-8, 9-16, 17-32, 513-1024.
  EXPECT_EQ(count_of(f2, "fill=\"#D55E00\""), 7u);
  EXPECT_NE(f2.find(">17-32<"), std::string::npos);
  EXPECT_NE(f2.find(">513-1024<"), std::string::npos);
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  EXPECT_GE(xml_elements(svg)["rect"], 10);
  EXPECT_EQ(xml_elements(f1)["#root=svg"], 1);
  EXPECT_EQ(xml_elements(f2)["#root=svg"], 1);
}

TEST(SvgFiles, WriteAnalysisSvgsWritesEveryPicture) {
  SparseMatrix a = read_matrix_market((bundled_data_dir() / "west0479.mtx").string()).matrix;
  auto orderings = analyze_orderings(a, {"natural", "amd", "rcm"});
  SupernodeStats sn = fundamental_supernodes(orderings[0].parent, orderings[0].colcount);
  std::map<index_t, index_t> fan = {{1, 10}, {3, 2}};
  ScratchDir dir;
  auto out = (dir / "pics").string();
  auto written = write_analysis_svgs(out, a, orderings, sn, &fan);
  std::vector<std::string> names;
  for (const auto& w : written) names.push_back(fs::path(w).filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"spy_natural.svg", "spy_amd.svg", "spy_rcm.svg",
                                             "level_widths.svg", "supernodes.svg", "orderings.svg",
                                             "fan_in.svg"}));
  for (const auto& w : written) EXPECT_TRUE(fs::exists(w)) << w;
  std::string spy = read_text_file(fs::path(out) / "spy_amd.svg");
  EXPECT_NE(spy.find("479 x 479, nnz = 1,910, ordering amd"), std::string::npos);
  // A rectangular matrix: only its spy plot.
  SparseMatrix r = from_triplets(3, 5, {{0, 4}, {2, 1}});
  auto rw = write_analysis_svgs((dir / "rect").string(), r, {}, SupernodeStats{});
  ASSERT_EQ(rw.size(), 1u);
  EXPECT_EQ(fs::path(rw[0]).filename().string(), "spy_natural.svg");
  if (!have_python()) GTEST_SKIP() << "/usr/bin/python3 not found";
  for (const auto& w : written) {
    auto el = xml_elements(read_text_file(w));
    EXPECT_EQ(el["#root=svg"], 1) << w;
    EXPECT_GE(el["text"], 3) << w;
  }
  EXPECT_EQ(xml_elements(read_text_file(fs::path(out) / "level_widths.svg"))["polyline"], 3);
}

}  // namespace
}  // namespace spax::test
