// The drawing kit of the SVG pictures (svg_canvas.hpp): number formatting, axes and ticks,
// axis drawing, shades and bar charts.
#include "report/svg_canvas.hpp"

#include <array>
#include <cstdio>

namespace spax::detail::svg {

namespace {

// Colours for series (Okabe-Ito, readable by colour-blind readers and in grey print).
const std::array<const char*, 8> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                             "#E69F00", "#56B4E9", "#000000", "#8C564B"};

double nice_step(double range, int target) {
  if (range <= 0) return 1.0;
  double raw = range / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  double nice = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
  return nice * mag;
}

}  // namespace

const char* palette(std::size_t i) {
  return kPalette[i % kPalette.size()];
}

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

}  // namespace spax::detail::svg
