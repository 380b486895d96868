// Pictures of a matrix and of its analysis as SVG text, written by spax itself (no
// plotting runtime): spy plots (density rasters), level-width profiles, supernode size
// histograms, the orderings comparison and the fan-in histogram of a stamp map.
//
// Every function returns a complete, standalone SVG document (XML declaration, svg root with
// xmlns, width, height and viewBox) whose text is escaped. The pictures carry no ids and no
// scripts, so several of them can be inlined into one HTML page.
#pragma once

#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "spax/analysis.hpp"
#include "spax/common.hpp"
#include "spax/sparse.hpp"

namespace spax {

// Spy plot of A, or of A(p, p) when perm is given (square A only; a usage error otherwise).
// The matrix is mapped onto a raster of at most max_cells x max_cells cells (one block of
// ceil(max(nrows, ncols) / cells) rows and columns per cell, the same for both directions so the
// aspect ratio is kept); one pass over the entries counts the entries per cell, and each
// non-empty cell is shaded by log(count) relative to the fullest cell, in `shades` steps. The
// raster is drawn at `size_px` pixels for the longer side. Cells are emitted as one path per
// shade with horizontal runs merged, so the file stays small (a few MB at most) whatever nnz is.
struct SPAX_API SpyOptions {
  index_t max_cells = 512;  // 1..512 (larger values are clamped to 512)
  int size_px = 512;        // pixels of the longer side of the raster (64..4096)
  int shades = 8;           // 2..16
  std::string title;        // default "Spy plot"
  std::string ordering;     // shown in the caption when not empty
};

// Counts per raster cell (row-major, rows x cols), exposed for tests.
struct SPAX_API SpyRaster {
  index_t rows = 0, cols = 0;  // raster size in cells
  index_t block = 1;           // matrix rows/columns per cell
  std::vector<index_t> counts;
  index_t max_count = 0;
};
SPAX_API SpyRaster spy_raster(const SparseMatrix& a, std::span<const index_t> perm,
                              index_t max_cells);

SPAX_API std::string spy_svg(const SparseMatrix& a, std::span<const index_t> perm = {},
                             const SpyOptions& options = {});

// One line of a level-width profile: ASAP level widths (level 0 = leaves).
struct SPAX_API LevelSeries {
  std::string name;
  std::vector<index_t> widths;
};
// All series on one chart; y is logarithmic when max/min width > 50, x (level + 1) is
// logarithmic when the tallest tree has more than 100 levels. Series longer than
// the plot's pixel width are reduced to the largest width per pixel column.
SPAX_API std::string level_widths_svg(const std::vector<LevelSeries>& series,
                                      const std::string& title = "Elimination-tree level widths");

// Bar chart of the supernode size histogram (buckets "1", "2-4", "5-10", "11-50", "51+").
SPAX_API std::string supernodes_svg(const SupernodeStats& stats,
                                    const std::string& title = "Supernode sizes (natural order)");

// Three panels side by side: nnz(L), Cholesky flops and work/span, one bar per ordering; each
// panel's y axis is logarithmic when its max/min > 20.
SPAX_API std::string orderings_svg(const std::vector<OrderingAnalysis>& orderings,
                                   const std::string& title = "Orderings compared");

// Histogram of fan-in -> number of positions. More than 24 distinct fan-in values are grouped
// into power-of-two buckets (1, 2, 3-4, 5-8, ...). y is logarithmic when max/min > 50.
SPAX_API std::string fan_in_svg(const std::map<index_t, index_t>& fan_in,
                                const std::string& title = "Fan-in of Jacobian positions");

// The pictures of `spax analyze --output-dir`: file name -> SVG text, in this order:
// spy_natural.svg, spy_<ordering>.svg for every non-natural ordering, level_widths.svg,
// supernodes.svg, orderings.svg (the last three only when `orderings` is not empty) and
// fan_in.svg when `fan_in` is given. A rectangular matrix gets its natural spy plot only.
SPAX_API std::vector<std::pair<std::string, std::string>> analysis_svgs(
    const SparseMatrix& a, const std::vector<OrderingAnalysis>& orderings,
    const SupernodeStats& natural_supernodes, const std::map<index_t, index_t>* fan_in = nullptr);

// Writes analysis_svgs(...) into `dir` (created when missing), each file atomically. Returns
// the paths written.
SPAX_API std::vector<std::string> write_analysis_svgs(
    const std::string& dir, const SparseMatrix& a, const std::vector<OrderingAnalysis>& orderings,
    const SupernodeStats& natural_supernodes, const std::map<index_t, index_t>* fan_in = nullptr);

}  // namespace spax
