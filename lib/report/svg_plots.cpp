// SVG pictures of a matrix and of its analysis (see svg_plots.hpp).
#include "spax/report/svg_plots.hpp"
#include "report/svg_canvas.hpp"
#include "spax/report/text_format.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <ostream>

#include "spax/io.hpp"

namespace spax {

using detail::svg::Axis;
using detail::svg::Bar;
using detail::svg::bar_chart;
using detail::svg::bar_panel;
using detail::svg::Doc;
using detail::svg::draw_x_axis;
using detail::svg::draw_y_axis;
using detail::svg::linear_axis;
using detail::svg::log_axis;
using detail::svg::num;
using detail::svg::palette;
using detail::svg::shade;
using detail::svg::short_number;
using detail::svg::ticks;

SpyRaster spy_raster(const SparseMatrix& a, std::span<const index_t> perm, index_t max_cells) {
  SpyRaster r;
  std::vector<index_t> inv;
  if (!perm.empty()) {
    if (!a.is_square())
      throw_usage("a spy plot under an ordering needs a square matrix (got " +
                  std::to_string(a.nrows) + " x " + std::to_string(a.ncols) + ")");
    if (!is_permutation(perm, a.ncols))
      throw_usage("spy plot: the ordering is not a permutation of 0.." +
                  std::to_string(a.ncols - 1));
    inv = invert_permutation(perm);
  }
  index_t cells = std::clamp<index_t>(max_cells, 1, 512);
  index_t n = std::max(a.nrows, a.ncols);
  if (n == 0) return r;
  r.block = std::max<index_t>(1, (n + cells - 1) / cells);
  r.rows = (a.nrows + r.block - 1) / r.block;
  r.cols = (a.ncols + r.block - 1) / r.block;
  r.counts.assign(static_cast<std::size_t>(r.rows * r.cols), 0);
  for (index_t j = 0; j < a.ncols; ++j) {
    index_t cj = (inv.empty() ? j : inv[static_cast<std::size_t>(j)]) / r.block;
    for (index_t k = a.colptr[static_cast<std::size_t>(j)];
         k < a.colptr[static_cast<std::size_t>(j) + 1]; ++k) {
      index_t i = a.rowind[static_cast<std::size_t>(k)];
      index_t ri = (inv.empty() ? i : inv[static_cast<std::size_t>(i)]) / r.block;
      ++r.counts[static_cast<std::size_t>(ri * r.cols + cj)];
    }
  }
  for (index_t c : r.counts) r.max_count = std::max(r.max_count, c);
  return r;
}

std::string spy_svg(const SparseMatrix& a, std::span<const index_t> perm,
                    const SpyOptions& options) {
  SpyRaster r = spy_raster(a, perm, options.max_cells);
  const int shades = std::clamp(options.shades, 2, 16);
  const double size = std::clamp(options.size_px, 64, 4096);
  const double left = 70, top = 64, right = 150, bottom = 64;
  index_t longest = std::max<index_t>({r.rows, r.cols, 1});
  double scale = size / static_cast<double>(longest);
  double rw = r.rows == 0 ? size : static_cast<double>(r.cols) * scale;
  double rh = r.rows == 0 ? size : static_cast<double>(r.rows) * scale;
  double W = left + std::max(rw, 260.0) + right;
  double H = top + rh + bottom;
  std::string title = options.title.empty() ? "Spy plot" : options.title;
  if (!options.ordering.empty()) title += " (" + options.ordering + " ordering)";
  Doc d(W, H, title);

  // Index ticks along the top (columns) and the left (rows), in matrix indices.
  auto index_ticks = [&](index_t extent, bool columns) {
    if (extent <= 0) return;
    Axis ax = linear_axis(0.0, static_cast<double>(extent), true);
    for (double v : ticks(ax, true)) {
      if (v > static_cast<double>(extent)) break;
      double p = v / static_cast<double>(r.block) * scale;
      if (columns) {
        d.line(left + p, top - 4, left + p, top, "#333333");
        d.text(left + p, top - 8, short_number(v), "middle", 10);
      } else {
        d.line(left - 4, top + p, left, top + p, "#333333");
        d.text(left - 6, top + p + 4, short_number(v), "end", 10);
      }
    }
  };
  index_ticks(a.ncols, true);
  index_ticks(a.nrows, false);
  d.text(left + rw / 2, 40, "column", "middle", 11, "fill=\"#555555\"");
  d.text(16, top + rh / 2, "row", "middle", 11,
         "fill=\"#555555\" transform=\"rotate(-90 16 " + num(top + rh / 2) + ")\"");

  // Level of each non-empty cell and the count range of each level.
  std::vector<index_t> lvl_min(static_cast<std::size_t>(shades), 0);
  std::vector<index_t> lvl_max(static_cast<std::size_t>(shades), 0);
  double logmax = r.max_count > 1 ? std::log(static_cast<double>(r.max_count)) : 0.0;
  auto level_of = [&](index_t c) -> int {
    if (logmax <= 0.0) return shades - 1;
    int l = static_cast<int>(std::floor(std::log(static_cast<double>(c)) / logmax * shades));
    return std::clamp(l, 0, shades - 1);
  };
  std::vector<std::string> paths(static_cast<std::size_t>(shades));
  std::vector<index_t> last_row(static_cast<std::size_t>(shades), -1);
  std::vector<index_t> last_end(static_cast<std::size_t>(shades), 0);
  for (index_t i = 0; i < r.rows; ++i) {
    const index_t* row = r.counts.data() + i * r.cols;
    index_t j = 0;
    while (j < r.cols) {
      if (row[j] == 0) {
        ++j;
        continue;
      }
      int l = level_of(row[j]);
      index_t j0 = j;
      auto ls = static_cast<std::size_t>(l);
      while (j < r.cols && row[j] != 0 && level_of(row[j]) == l) {
        index_t c = row[j];
        if (lvl_max[ls] == 0 || c < lvl_min[ls]) lvl_min[ls] = c;
        lvl_max[ls] = std::max(lvl_max[ls], c);
        ++j;
      }
      std::string& p = paths[ls];
      if (last_row[ls] != i) {
        p += "M" + std::to_string(j0) + " " + std::to_string(i) + ".5";
        last_row[ls] = i;
      } else {
        p += "m" + std::to_string(j0 - last_end[ls]) + " 0";
      }
      p += "h" + std::to_string(j - j0);
      last_end[ls] = j;
    }
  }
  if (r.rows > 0) {
    d.raw() += "<svg x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(rw) +
               "\" height=\"" + num(rh) + "\" viewBox=\"0 0 " + std::to_string(r.cols) + " " +
               std::to_string(r.rows) +
               "\" preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\">\n";
    for (int l = 0; l < shades; ++l) {
      const std::string& p = paths[static_cast<std::size_t>(l)];
      if (p.empty()) continue;
      d.raw() += "<path fill=\"none\" stroke=\"" + shade(l, shades) + "\" stroke-width=\"1\" d=\"" +
                 p + "\"/>\n";
    }
    d.raw() += "</svg>\n";
  }
  d.rect(left, top, rw, rh, "none", "stroke=\"#333333\"");
  if (a.nnz() == 0) d.text(left + rw / 2, top + rh / 2, "no entries", "middle", 14);

  // Legend: entries per cell for every shade in use.
  double lx = left + std::max(rw, 260.0) + 16, ly = top + 4;
  d.text(lx, ly + 8, "entries per cell", "start", 11);
  ly += 18;
  for (int l = shades - 1; l >= 0; --l) {
    auto ls = static_cast<std::size_t>(l);
    if (lvl_max[ls] == 0) continue;
    d.rect(lx, ly, 14, 12, shade(l, shades), "stroke=\"#333333\" stroke-width=\"0.5\"");
    std::string range = lvl_min[ls] == lvl_max[ls]
                            ? with_commas(lvl_min[ls])
                            : with_commas(lvl_min[ls]) + "-" + with_commas(lvl_max[ls]);
    d.text(lx + 20, ly + 10, range, "start", 11);
    ly += 17;
  }

  std::string caption =
      std::to_string(a.nrows) + " x " + std::to_string(a.ncols) + ", nnz = " + with_commas(a.nnz());
  if (!options.ordering.empty()) caption += ", ordering " + options.ordering;
  d.text(left + rw / 2, top + rh + 22, caption, "middle", 13);
  std::string raster = "raster " + std::to_string(r.rows) + " x " + std::to_string(r.cols) +
                       " cells of " + std::to_string(r.block) + " x " + std::to_string(r.block) +
                       ", shade = log(entries per cell)";
  d.text(left + rw / 2, top + rh + 42, raster, "middle", 11, "fill=\"#555555\"");
  return d.finish();
}

std::string level_widths_svg(const std::vector<LevelSeries>& series, const std::string& title) {
  const double W = 760, H = 430;
  const double left = 80, right = 170, top = 44, bottom = 62;
  Doc d(W, H, title);
  std::size_t maxlen = 0, minlen = 0;
  double wmax = 0, wmin = 0;
  for (const LevelSeries& s : series) {
    if (s.widths.empty()) continue;
    maxlen = std::max(maxlen, s.widths.size());
    minlen = minlen == 0 ? s.widths.size() : std::min(minlen, s.widths.size());
    for (index_t w : s.widths) {
      if (w <= 0) continue;
      wmax = std::max(wmax, static_cast<double>(w));
      wmin = wmin == 0 ? static_cast<double>(w) : std::min(wmin, static_cast<double>(w));
    }
  }
  // Profiles fall steeply from the leaves: a log x axis (level + 1) once a tree is tall.
  bool xlog = maxlen > 100 && minlen > 0;
  bool ylog = wmin > 0 && wmax / wmin > 50.0;
  Axis x = xlog ? log_axis(1.0, static_cast<double>(maxlen))
                : linear_axis(0.0, static_cast<double>(maxlen > 1 ? maxlen - 1 : 1), true);
  Axis y = ylog ? log_axis(wmin, wmax) : linear_axis(0.0, std::max(wmax, 1.0), true);
  x.p0 = left;
  x.p1 = W - right;
  y.p0 = H - bottom;
  y.p1 = top;
  draw_y_axis(d, y, left, W - right, !ylog, "nodes in level");
  draw_x_axis(d, x, H - bottom, top, !xlog, xlog ? "level + 1" : "level (0 = leaves)");
  if (maxlen == 0) d.text((left + W - right) / 2, (top + H - bottom) / 2, "no levels", "middle");

  double ly = top + 6;
  for (std::size_t si = 0; si < series.size(); ++si) {
    const LevelSeries& s = series[si];
    const char* colour = palette(si);
    // One point per pixel column: the largest width of the levels falling into it.
    std::vector<std::pair<double, double>> pts;
    for (std::size_t l = 0; l < s.widths.size(); ++l) {
      double xv = xlog ? static_cast<double>(l + 1) : static_cast<double>(l);
      double px = x.map(xv);
      double w = static_cast<double>(std::max<index_t>(s.widths[l], ylog ? 1 : 0));
      double py = y.map(w);
      if (!pts.empty() && std::floor(pts.back().first) == std::floor(px)) {
        pts.back().second = std::min(pts.back().second, py);
      } else {
        pts.emplace_back(px, py);
      }
    }
    if (!pts.empty()) {
      std::string p;
      p.reserve(pts.size() * 12);
      for (const auto& [px, py] : pts) p += num(px) + "," + num(py) + " ";
      p.pop_back();
      d.raw() += "<polyline fill=\"none\" stroke=\"" + std::string(colour) +
                 "\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"" + p + "\"/>\n";
      if (pts.size() <= 40) {
        for (const auto& [px, py] : pts)
          d.raw() += "<circle cx=\"" + num(px) + "\" cy=\"" + num(py) + "\" r=\"2.5\" fill=\"" +
                     colour + "\"/>\n";
      }
    }
    d.line(W - right + 14, ly, W - right + 36, ly, colour, 2.5);
    d.text(W - right + 42, ly + 4,
           s.name + " (height " + short_number(static_cast<double>(s.widths.size())) + ")", "start",
           11);
    ly += 18;
  }
  return d.finish();
}

std::string supernodes_svg(const SupernodeStats& stats, const std::string& title) {
  std::vector<Bar> bars;
  const auto& names = supernode_bucket_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    bars.push_back({names[i], static_cast<double>(stats.histogram[i]), "#0072B2"});
  std::string note = std::to_string(stats.count) + " supernodes, largest " +
                     std::to_string(stats.largest) + ", mean size " + short_number(stats.mean_size);
  return bar_chart(title, bars, "supernode size (columns)", "supernodes", 50.0, note);
}

std::string orderings_svg(const std::vector<OrderingAnalysis>& orderings,
                          const std::string& title) {
  const double W = 960, H = 430;
  const double top = 64, bottom = 96, gap = 92, left = 86, right = 20;
  Doc d(W, H, title);
  double pw = (W - left - right - 2 * gap) / 3.0;
  double ph = H - top - bottom;
  struct Metric {
    const char* name;
    const char* ylabel;
    double (*get)(const OrderingAnalysis&);
    bool integer;
  };
  const Metric metrics[3] = {
      {"nnz(L)", "nonzeros", [](const OrderingAnalysis& o) { return static_cast<double>(o.nnz_l); },
       true},
      {"Cholesky flops", "flops", [](const OrderingAnalysis& o) { return o.flops; }, false},
      {"work / span (higher is more parallel)", "speedup bound",
       [](const OrderingAnalysis& o) { return o.work_span; }, false},
  };
  for (int m = 0; m < 3; ++m) {
    double x0 = left + m * (pw + gap);
    std::vector<Bar> bars;
    for (std::size_t i = 0; i < orderings.size(); ++i)
      bars.push_back({orderings[i].ordering, metrics[m].get(orderings[i]), palette(i)});
    d.text(x0 + pw / 2, top - 14, metrics[m].name, "middle", 13, "font-weight=\"bold\"");
    bar_panel(d, x0, top, pw, ph, bars, metrics[m].ylabel, 20.0, metrics[m].integer, true);
  }
  // Legend: one swatch per ordering, along the bottom.
  double lx = left, ly = H - 22;
  for (std::size_t i = 0; i < orderings.size(); ++i) {
    d.rect(lx, ly - 10, 12, 12, palette(i));
    d.text(lx + 16, ly, orderings[i].ordering, "start", 11);
    lx += 24 + 7.0 * static_cast<double>(orderings[i].ordering.size()) + 12;
  }
  return d.finish();
}

std::string fan_in_svg(const std::map<index_t, index_t>& fan_in, const std::string& title) {
  std::vector<Bar> bars;
  if (fan_in.size() <= 24) {
    for (const auto& [k, c] : fan_in)
      bars.push_back({std::to_string(k), static_cast<double>(c), "#D55E00"});
  } else {
    // Power-of-two buckets: 1, 2, 3-4, 5-8, ... (bucket b > 0 holds (2^(b-1), 2^b]).
    std::map<int, index_t> buckets;
    for (const auto& [k, c] : fan_in) {
      int b = 0;
      while ((index_t{1} << b) < k) ++b;
      buckets[b] += c;
    }
    for (const auto& [b, c] : buckets) {
      std::string label;
      if (b <= 1) {
        label = std::to_string(index_t{1} << b);
      } else {
        index_t lo = (index_t{1} << (b - 1)) + 1, hi = index_t{1} << b;
        label = std::to_string(lo) + "-" + std::to_string(hi);
      }
      bars.push_back({label, static_cast<double>(c), "#D55E00"});
    }
  }
  index_t total = 0, conflicts = 0, maxk = 0;
  for (const auto& [k, c] : fan_in) {
    total += c;
    if (k >= 2) conflicts += c;
    maxk = std::max(maxk, k);
  }
  std::string note = with_commas(total) + " positions, " + with_commas(conflicts) +
                     " written by 2 or more devices, largest fan-in " + with_commas(maxk);
  return bar_chart(title, bars, "fan-in (devices writing a position)", "positions", 50.0, note);
}

std::vector<std::pair<std::string, std::string>> analysis_svgs(
    const SparseMatrix& a, const std::vector<OrderingAnalysis>& orderings,
    const SupernodeStats& natural_supernodes, const std::map<index_t, index_t>* fan_in) {
  std::vector<std::pair<std::string, std::string>> out;
  SpyOptions natural;
  natural.title = "Spy plot";
  natural.ordering = a.is_square() ? "natural" : "";
  out.emplace_back("spy_natural.svg", spy_svg(a, {}, natural));
  if (a.is_square()) {
    for (const OrderingAnalysis& o : orderings) {
      if (o.ordering == "natural") continue;
      SpyOptions so;
      so.title = "Spy plot";
      so.ordering = o.ordering;
      out.emplace_back("spy_" + o.ordering + ".svg", spy_svg(a, o.perm, so));
    }
  }
  if (!orderings.empty()) {
    std::vector<LevelSeries> series;
    for (const OrderingAnalysis& o : orderings) series.push_back({o.ordering, o.level_widths});
    out.emplace_back("level_widths.svg", level_widths_svg(series));
    out.emplace_back("supernodes.svg", supernodes_svg(natural_supernodes));
    out.emplace_back("orderings.svg", orderings_svg(orderings));
  }
  if (fan_in != nullptr) out.emplace_back("fan_in.svg", fan_in_svg(*fan_in));
  return out;
}

std::vector<std::string> write_analysis_svgs(const std::string& dir, const SparseMatrix& a,
                                             const std::vector<OrderingAnalysis>& orderings,
                                             const SupernodeStats& natural_supernodes,
                                             const std::map<index_t, index_t>* fan_in) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_input("cannot create directory: " + ec.message(), dir);
  std::vector<std::string> written;
  for (const auto& [name, svg] : analysis_svgs(a, orderings, natural_supernodes, fan_in)) {
    std::string path = (std::filesystem::path(dir) / name).string();
    write_file_atomic(path, [&svg = svg](std::ostream& o) { o << svg; });
    written.push_back(path);
  }
  return written;
}

}  // namespace spax
