// Internal to the SVG pictures (svg_plots.hpp): the drawing kit they share (svg_canvas.cpp):
// number formatting, axes and their ticks, a standalone SVG document under construction, and
// bar charts.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "spax/report/text_format.hpp"

namespace spax::detail::svg {

// Colours for series (Okabe-Ito, readable by colour-blind readers and in grey print), cycled.
const char* palette(std::size_t i);

// A coordinate: at most two decimals, trailing zeros dropped.
std::string num(double v);

// A value for a label: plain below 10^4, otherwise three significant digits and k/M/G/T/P.
std::string short_number(double v);

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

// A linear axis from 0 (or lo) to a rounded-up maximum.
Axis linear_axis(double lo, double hi, bool integer);
Axis log_axis(double lo, double hi);
std::vector<double> ticks(const Axis& a, bool integer);

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

// Draws the y axis (left of the plot), grid lines and tick labels, and the axis title; the x
// axis likewise below the plot.
void draw_y_axis(Doc& d, const Axis& y, double x_left, double x_right, bool integer,
                 const std::string& label);
void draw_x_axis(Doc& d, const Axis& x, double y_bottom, double y_top, bool integer,
                 const std::string& label);

// Shade l of n (0 = lightest) between a light and a dark blue.
std::string shade(int l, int n);

struct Bar {
  std::string label;
  double value = 0.0;
  std::string colour;
};

// A bar chart into the box (x0, y0, w, h) of `d`: axis, bars, value labels, category labels.
void bar_panel(Doc& d, double x0, double y0, double w, double h, const std::vector<Bar>& bars,
               const std::string& ylabel, double log_threshold, bool integer, bool rotate_labels);

// A standalone bar chart with its title, axis labels and a note below.
std::string bar_chart(const std::string& title, const std::vector<Bar>& bars,
                      const std::string& xlabel, const std::string& ylabel, double log_threshold,
                      const std::string& note);

}  // namespace spax::detail::svg
