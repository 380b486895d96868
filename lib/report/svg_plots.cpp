// SVG pictures of a matrix and of its analysis (see svg_plots.hpp).
#include "report/svg_plots.hpp"
#include "report/text_format.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "spax/io.hpp"

namespace spax {
namespace {

// Colours for series (Okabe-Ito, readable by colour-blind readers and in grey print).
const std::array<const char*, 8> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                             "#E69F00", "#56B4E9", "#000000", "#8C564B"};

const char* palette(std::size_t i) {
  return kPalette[i % kPalette.size()];
}

// A coordinate: at most two decimals, trailing zeros dropped.
std::string num(double v) {
  if (!std::isfinite(v)) v = 0.0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// A value for a label: plain below 10^4, otherwise three significant digits and k/M/G/T/P.
std::string short_number(double v) {
  char buf[48];
  double a = std::fabs(v);
  if (a < 1e4) {
    if (a == std::floor(a)) {
      std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
      std::snprintf(buf, sizeof buf, "%.3g", v);
    }
    return buf;
  }
  static const char* kSuffix[] = {"k", "M", "G", "T", "P", "E"};
  int k = -1;
  while (a >= 1e3 && k < 5) {
    a /= 1e3;
    v /= 1e3;
    ++k;
  }
  if (a >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.2e", v * std::pow(1e3, k + 1));
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.3g%s", v, kSuffix[k]);
  return buf;
}

// One axis: value range, scale and pixel range (p0 maps lo, p1 maps hi).
struct Axis {
  double lo = 0.0, hi = 1.0;
  bool log = false;
  double p0 = 0.0, p1 = 1.0;
  double map(double v) const {
    double t;
    if (log) {
      double l = std::log10(std::max(v, lo));
      t = (l - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    } else {
      t = (v - lo) / (hi - lo);
    }
    return p0 + t * (p1 - p0);
  }
};

double nice_step(double range, int target) {
  if (range <= 0) return 1.0;
  double raw = range / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  double nice = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
  return nice * mag;
}

// A linear axis from 0 (or lo) to a rounded-up maximum.
Axis linear_axis(double lo, double hi, bool integer) {
  Axis a;
  a.lo = lo;
  if (hi <= lo) hi = lo + 1.0;
  double step = nice_step(hi - lo, 5);
  if (integer) step = std::max(step, 1.0);
  a.hi = lo + std::ceil((hi - lo) / step - 1e-9) * step;
  if (a.hi <= a.lo) a.hi = a.lo + step;
  return a;
}

Axis log_axis(double lo, double hi) {
  Axis a;
  a.log = true;
  lo = std::max(lo, 1e-300);
  hi = std::max(hi, lo);
  a.lo = std::pow(10.0, std::floor(std::log10(lo) + 1e-9));
  a.hi = std::pow(10.0, std::ceil(std::log10(hi) - 1e-9));
  if (a.hi <= a.lo) a.hi = a.lo * 10.0;
  return a;
}

std::vector<double> ticks(const Axis& a, bool integer) {
  std::vector<double> t;
  if (a.log) {
    int d0 = static_cast<int>(std::lround(std::log10(a.lo)));
    int d1 = static_cast<int>(std::lround(std::log10(a.hi)));
    int step = std::max(1, (d1 - d0 + 7) / 8);
    for (int d = d0; d <= d1; d += step) t.push_back(std::pow(10.0, d));
    if (d1 - d0 <= 1) {
      for (int d = d0; d < d1; ++d)
        for (double m : {2.0, 5.0}) t.push_back(m * std::pow(10.0, d));
      std::sort(t.begin(), t.end());
    }
    return t;
  }
  double step = nice_step(a.hi - a.lo, 5);
  if (integer) step = std::max(step, 1.0);
  for (double v = a.lo; v <= a.hi + step * 1e-6; v += step) t.push_back(v);
  return t;
}

// A standalone SVG document under construction.
class Doc {
 public:
  Doc(double w, double h, const std::string& title) {
    s_.reserve(1 << 14);
    s_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w) + "\" height=\"" + num(h) +
          "\" viewBox=\"0 0 " + num(w) + " " + num(h) +
          "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    s_ += "<title>" + xml_escape(title) + "</title>\n";
    s_ += "<rect x=\"0\" y=\"0\" width=\"" + num(w) + "\" height=\"" + num(h) +
          "\" fill=\"#ffffff\"/>\n";
    text(w / 2, 22, title, "middle", 15, "font-weight=\"bold\"");
  }
  std::string& raw() { return s_; }
  void text(double x, double y, const std::string& t, const char* anchor = "start",
            double size = 12, const std::string& extra = {}) {
    s_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
    if (std::string(anchor) != "start") s_ += std::string(" text-anchor=\"") + anchor + "\"";
    if (size != 12) s_ += " font-size=\"" + num(size) + "\"";
    if (!extra.empty()) s_ += " " + extra;
    s_ += ">" + xml_escape(t) + "</text>\n";
  }
  void line(double x1, double y1, double x2, double y2, const char* stroke, double width = 1,
            const std::string& extra = {}) {
    s_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
          num(y2) + "\" stroke=\"" + stroke + "\"";
    if (width != 1) s_ += " stroke-width=\"" + num(width) + "\"";
    if (!extra.empty()) s_ += " " + extra;
    s_ += "/>\n";
  }
  void rect(double x, double y, double w, double h, const std::string& fill,
            const std::string& extra = {}) {
    s_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 0.0)) +
          "\" height=\"" + num(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"";
    if (!extra.empty()) s_ += " " + extra;
    s_ += "/>\n";
  }
  std::string finish() {
    s_ += "</svg>\n";
    return std::move(s_);
  }

 private:
  std::string s_;
};

// Draws the y axis (left of the plot), grid lines and tick labels, and the axis title.
void draw_y_axis(Doc& d, const Axis& y, double x_left, double x_right, bool integer,
                 const std::string& label) {
  for (double v : ticks(y, integer)) {
    double py = y.map(v);
    d.line(x_left, py, x_right, py, "#e0e0e0");
    d.line(x_left - 4, py, x_left, py, "#333333");
    d.text(x_left - 6, py + 4, short_number(v), "end", 11);
  }
  d.line(x_left, y.p0, x_left, y.p1, "#333333");
  double cy = (y.p0 + y.p1) / 2;
  d.text(x_left - 48, cy, label + (y.log ? " (log)" : ""), "middle", 12,
         "transform=\"rotate(-90 " + num(x_left - 48) + " " + num(cy) + ")\"");
}

void draw_x_axis(Doc& d, const Axis& x, double y_bottom, double y_top, bool integer,
                 const std::string& label) {
  for (double v : ticks(x, integer)) {
    double px = x.map(v);
    d.line(px, y_top, px, y_bottom, "#eeeeee");
    d.line(px, y_bottom, px, y_bottom + 4, "#333333");
    d.text(px, y_bottom + 16, short_number(v), "middle", 11);
  }
  d.line(x.p0, y_bottom, x.p1, y_bottom, "#333333");
  d.text((x.p0 + x.p1) / 2, y_bottom + 34, label + (x.log ? " (log)" : ""), "middle", 12);
}

// Shade l of n (0 = lightest) between a light and a dark blue.
std::string shade(int l, int n) {
  static const double lo[3] = {0xa6, 0xc8, 0xe4};
  static const double hi[3] = {0x02, 0x1c, 0x4b};
  double t = n <= 1 ? 1.0 : static_cast<double>(l) / (n - 1);
  char buf[16];
  int c[3];
  for (int k = 0; k < 3; ++k) c[k] = static_cast<int>(std::lround(lo[k] + t * (hi[k] - lo[k])));
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

struct Bar {
  std::string label;
  double value = 0.0;
  std::string colour;
};

// A bar chart into the box (x0, y0, w, h) of `d`: axis, bars, value labels, category labels.
void bar_panel(Doc& d, double x0, double y0, double w, double h, const std::vector<Bar>& bars,
               const std::string& ylabel, double log_threshold, bool integer, bool rotate_labels) {
  double vmax = 0.0, vmin_pos = 0.0;
  for (const Bar& b : bars) {
    vmax = std::max(vmax, b.value);
    if (b.value > 0 && (vmin_pos == 0.0 || b.value < vmin_pos)) vmin_pos = b.value;
  }
  bool log = vmin_pos > 0 && vmax / vmin_pos > log_threshold;
  Axis y = log ? log_axis(vmin_pos, vmax) : linear_axis(0.0, std::max(vmax, 1e-12), integer);
  if (log && y.lo >= vmin_pos) y.lo /= 10.0;  // keep the smallest bar visible
  y.p0 = y0 + h;
  y.p1 = y0;
  draw_y_axis(d, y, x0, x0 + w, integer && !log, ylabel);
  d.line(x0, y0 + h, x0 + w, y0 + h, "#333333");
  if (bars.empty()) {
    d.text(x0 + w / 2, y0 + h / 2, "no data", "middle", 12, "fill=\"#666666\"");
    return;
  }
  double slot = w / static_cast<double>(bars.size());
  double bw = std::min(slot * 0.7, 80.0);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double cx = x0 + slot * (static_cast<double>(i) + 0.5);
    if (b.value > 0) {
      double top = y.map(b.value);
      d.rect(cx - bw / 2, top, bw, y0 + h - top, b.colour);
      d.text(cx, top - 4, short_number(b.value), "middle", 10);
    } else {
      d.text(cx, y0 + h - 4, "0", "middle", 10);
    }
    if (rotate_labels) {
      double ly = y0 + h + 14;
      d.text(cx, ly, b.label, "end", 11,
             "transform=\"rotate(-35 " + num(cx) + " " + num(ly) + ")\"");
    } else {
      d.text(cx, y0 + h + 16, b.label, "middle", 11);
    }
  }
}

std::string bar_chart(const std::string& title, const std::vector<Bar>& bars,
                      const std::string& xlabel, const std::string& ylabel, double log_threshold,
                      const std::string& note) {
  const double W = 640, H = 400;
  const double left = 80, right = 20, top = 44, bottom = 70;
  Doc d(W, H, title);
  bar_panel(d, left, top, W - left - right, H - top - bottom, bars, ylabel, log_threshold, true,
            false);
  d.text(left + (W - left - right) / 2, H - bottom + 38, xlabel, "middle", 12);
  if (!note.empty()) d.text(W / 2, H - 10, note, "middle", 11, "fill=\"#555555\"");
  return d.finish();
}

}  // namespace

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
