// Scatter-conflict analysis of parallel assembly: which devices of a circuit write the same
// Jacobian (or residual) position, and a conflict-free schedule of device batches.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spax/common.hpp"
#include "spax/sparse.hpp"

namespace spax {

// Stamp indices are stored as int32 (a stamp map's unknowns must fit); -1 is ground.
using stamp_index_t = std::int32_t;

// One device model of a stamp map: per device a list of Jacobian stamps (row, col) and a list of
// residual indices, 0-based, -1 for a terminal tied to ground (skipped by the analysis). Devices
// are stored compressed: device d's stamps are jac_rows/jac_cols[jac_ptr[d] .. jac_ptr[d+1]).
struct SPAX_API StampModel {
  std::string name;
  index_t n_devices = 0;
  std::vector<index_t> jac_ptr{0};
  std::vector<stamp_index_t> jac_rows;
  std::vector<stamp_index_t> jac_cols;
  bool has_residuals = false;  // false for CSV maps (no residual indices)
  std::vector<index_t> res_ptr{0};
  std::vector<stamp_index_t> res_indices;
};

struct SPAX_API StampMap {
  index_t n_unknowns = 0;
  std::vector<StampModel> models;  // in the order of the file
  index_t total_devices() const noexcept;
};

// JSON: {"n_unknowns": N, "models": {"NAME": {"jac_row_indices": [[...], ...],
// "jac_col_indices": [[...], ...], "res_indices": [[...], ...]}}}, one inner list per device.
// Within a model every device has the same number of stamps and of residual indices (the
// simulator's rectangular arrays); anything else (ragged lists, indices < -1 or >= n_unknowns,
// wrong types, missing keys) throws an input error naming the JSON path, e.g.
// "models.nmos.jac_row_indices[17][3]". Unknown keys are ignored. Parsed with a streaming (SAX)
// parser: memory is the stamps, not a document tree.
SPAX_API StampMap read_stamps_json(const std::string& path);
SPAX_API StampMap parse_stamps_json(std::string_view text, const std::string& name);

// CSV: header `model,device,row,col`, one Jacobian stamp per line; device is the 0-based device
// number within its model (a model has max device + 1 devices). Comment lines start with '#';
// `# n_unknowns: N` before the header sets the number of unknowns (default: largest index + 1).
// Errors name the CSV line. No residual indices.
SPAX_API StampMap read_stamps_csv(const std::string& path);
SPAX_API StampMap parse_stamps_csv(std::string_view text, const std::string& name);

// By extension: .csv reads CSV, anything else JSON.
SPAX_API StampMap read_stamps(const std::string& path);

struct SPAX_API MinMaxMean {
  index_t min = 0;
  index_t max = 0;
  double mean = 0.0;
};

struct SPAX_API ModelTypeStats {
  std::string name;
  index_t n_devices = 0;
  index_t jac_entries_per_device = 0;  // list length (the largest, when devices differ)
  index_t residuals_per_device = 0;
  MinMaxMean unique_positions_per_device;  // distinct non-ground (row, col) per device
  MinMaxMean nodes_per_device;             // distinct non-ground unknowns in rows and cols
};

// Fan-in of a position = number of distinct devices writing it.
struct SPAX_API FanInStats {
  index_t total_positions = 0;     // distinct positions written
  index_t conflict_positions = 0;  // fan-in >= 2
  double conflict_pct = 0.0;
  index_t max_fan_in = 0;
  std::map<index_t, index_t> fan_in_distribution;  // fan-in -> number of positions
  index_t n_edges = 0;                             // sum over positions of k (k - 1) / 2
  index_t stamps = 0;                              // non-ground stamps
  index_t duplicate_stamps = 0;                    // stamps repeating a position of the same device
};

struct SPAX_API ConflictSchedule {
  index_t n_batches = 0;
  index_t lower_bound = 0;  // max fan-in: devices sharing one position need distinct batches
  std::vector<index_t> batch_sizes;
  std::vector<std::int64_t> colour;  // per device (global numbering), the batch it runs in
  index_t max_degree = 0;            // most distinct conflicting devices of one device
};

struct SPAX_API Coordinate {
  index_t row = 0;  // 0-based
  index_t col = 0;
};

struct SPAX_API PatternComparison {
  index_t matrix_nnz = 0;
  index_t stamps_outside_pattern = 0;       // distinct stamped positions not in the matrix
  index_t unwritten_entries = 0;            // matrix entries no device writes
  std::vector<Coordinate> first_outside;    // first (column-major) up to 20
  std::vector<Coordinate> first_unwritten;  // first (column-major) up to 20
};

struct SPAX_API ScatterOptions {
  int threads = 0;  // 0: all hardware threads
  // Positions with at least this fan-in (at most the 64 largest) are handled as bit masks when
  // counting distinct pairs and colouring, so a supply net shared by 10^5 devices costs 10^5,
  // not 10^10. Tests lower it to exercise both paths.
  index_t heavy_fan_in = 64;
  // When devices show more distinct heavy-bit combinations than this, the heavy set is halved
  // (the mask step is quadratic in the combinations).
  index_t max_heavy_masks = 8192;
};

struct SPAX_API ScatterResult {
  std::string source;  // the stamp map's path
  index_t n_unknowns = 0;
  index_t total_devices = 0;
  std::vector<ModelTypeStats> model_types;
  FanInStats jacobian;
  bool has_residuals = false;
  FanInStats residual;
  index_t distinct_conflict_pairs = 0;
  ConflictSchedule schedule;
  bool has_matrix = false;
  std::string matrix_path;
  PatternComparison pattern;
  std::vector<std::pair<std::string, double>> timings;
};

// The whole analysis. With `matrix`, also compares the stamped positions with its pattern (it
// must be n x n with n = n_unknowns, otherwise an input error); set matrix_path yourself.
SPAX_API ScatterResult analyze_scatter(const StampMap& map, const ScatterOptions& options = {},
                                       const SparseMatrix* matrix = nullptr);

// The `device_parallelism` JSON object (VAJAX script keys plus spax's additions), as text.
// analyze can embed it with nlohmann::json::parse(scatter_json(r)).
SPAX_API std::string scatter_json(const ScatterResult& r, int indent = 2);
SPAX_API std::string scatter_summary(const ScatterResult& r);
// Writes scatter_analysis.json ({"device_parallelism": ...}), scatter_summary.txt and
// device_batches.npy (int64 batch per device, devices numbered model by model in file order)
// into dir (created when missing). Returns the paths written.
SPAX_API std::vector<std::string> write_scatter_outputs(const ScatterResult& r,
                                                        const std::string& dir);

}  // namespace spax
