// The scatter-conflict result as JSON (`device_parallelism`, the VAJAX script's keys plus spax's
// additions), as summary text, and the output files.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "report/scatter_report.hpp"
#include "spax/io.hpp"
#include "spax/report/json_text.hpp"
#include "spax/scatter.hpp"

namespace spax {
namespace {

using ojson = nlohmann::ordered_json;

constexpr std::size_t kMaxBatchSizesListed = 10000;

ojson mmm_json(const MinMaxMean& m) {
  return {{"min", m.min}, {"max", m.max}, {"mean", m.mean}};
}

ojson fan_in_json(const FanInStats& s) {
  ojson dist = ojson::object();
  for (const auto& [k, c] : s.fan_in_distribution) dist[std::to_string(k)] = c;
  return {{"total_positions", s.total_positions},
          {"conflict_positions", s.conflict_positions},
          {"conflict_pct", s.conflict_pct},
          {"max_fan_in", s.max_fan_in},
          {"fan_in_distribution", dist},
          {"stamps", s.stamps},
          {"duplicate_stamps_within_device", s.duplicate_stamps}};
}

ojson coords_json(const std::vector<Coordinate>& v) {
  ojson a = ojson::array();
  for (const auto& c : v) a.push_back({c.row + 1, c.col + 1});
  return a;
}

ojson build(const ScatterResult& r) {
  ojson j;
  j["n_unknowns"] = r.n_unknowns;
  j["total_devices"] = r.total_devices;
  ojson models = ojson::object();
  for (const auto& m : r.model_types) {
    ojson o;
    o["n_devices"] = m.n_devices;
    o["jac_entries_per_device"] = m.jac_entries_per_device;
    o["residuals_per_device"] = r.has_residuals ? ojson(m.residuals_per_device) : ojson(nullptr);
    o["unique_positions_per_device"] = mmm_json(m.unique_positions_per_device);
    o["nodes_per_device"] = mmm_json(m.nodes_per_device);
    models[m.name] = o;
  }
  j["model_types"] = models;
  j["scatter_conflicts"] = fan_in_json(r.jacobian);
  j["device_conflict_graph"] = {
      {"n_nodes", r.total_devices},
      {"n_edges", r.jacobian.n_edges},
      {"note",
       "n_edges = sum over positions of k(k-1)/2 (k = devices writing the position): a device "
       "pair sharing several positions counts once per position; distinct_conflict_pairs counts "
       "each pair once"}};
  j["distinct_conflict_pairs"] = r.distinct_conflict_pairs;
  const ConflictSchedule& s = r.schedule;
  ojson sizes = ojson::array();
  for (std::size_t i = 0; i < s.batch_sizes.size() && i < kMaxBatchSizesListed; ++i)
    sizes.push_back(s.batch_sizes[i]);
  index_t bmin = 0, bmax = 0;
  if (!s.batch_sizes.empty()) {
    bmin = *std::min_element(s.batch_sizes.begin(), s.batch_sizes.end());
    bmax = *std::max_element(s.batch_sizes.begin(), s.batch_sizes.end());
  }
  j["conflict_free_schedule"] = {
      {"method", "greedy colouring of the device conflict graph, largest degree first"},
      {"n_batches", s.n_batches},
      {"lower_bound", s.lower_bound},
      {"batch_sizes", sizes},
      {"batch_sizes_truncated", s.batch_sizes.size() > kMaxBatchSizesListed},
      {"batch_size",
       {{"min", bmin},
        {"max", bmax},
        {"mean", s.n_batches > 0
                     ? static_cast<double>(r.total_devices) / static_cast<double>(s.n_batches)
                     : 0.0}}},
      {"max_conflict_degree", s.max_degree}};
  j["residual_scatter_conflicts"] = r.has_residuals ? fan_in_json(r.residual) : ojson(nullptr);
  if (r.has_matrix) {
    const PatternComparison& p = r.pattern;
    j["pattern_check"] = {{"matrix", r.matrix_path},
                          {"matrix_nnz", p.matrix_nnz},
                          {"stamps_outside_pattern", p.stamps_outside_pattern},
                          {"unwritten_entries", p.unwritten_entries},
                          {"first_outside", coords_json(p.first_outside)},
                          {"first_unwritten", coords_json(p.first_unwritten)},
                          {"coordinates", "1-based [row, col], column-major order"}};
  }
  ojson t = ojson::object();
  for (const auto& [name, sec] : r.timings) t[name] = sec;
  j["timings_seconds"] = t;
  return j;
}

std::string fmt(double v, int prec) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

void fan_in_text(std::ostringstream& o, const FanInStats& s) {
  o << "  positions written:     " << s.total_positions << " (" << s.stamps << " stamps";
  if (s.duplicate_stamps > 0) o << ", " << s.duplicate_stamps << " repeated within a device";
  o << ")\n";
  o << "  conflict positions:    " << s.conflict_positions << " (" << fmt(s.conflict_pct, 2)
    << "%)\n";
  o << "  max fan-in:            " << s.max_fan_in << '\n';
  o << "  fan-in distribution:  ";
  std::size_t shown = 0;
  for (const auto& [k, c] : s.fan_in_distribution) {
    if (shown++ == 12) {
      o << " ...";
      break;
    }
    o << ' ' << k << ':' << c;
  }
  o << '\n';
}

std::string coords_text(const std::vector<Coordinate>& v) {
  std::string s;
  for (const auto& c : v)
    s += " (" + std::to_string(c.row + 1) + "," + std::to_string(c.col + 1) + ")";
  return s;
}

}  // namespace

std::string scatter_json(const ScatterResult& r, int indent) {
  return json_text(build(r), indent);
}

nlohmann::ordered_json scatter_json_value(const ScatterResult& r) {
  return build(r);
}

std::string scatter_summary(const ScatterResult& r) {
  std::ostringstream o;
  o << "Device parallelism: " << (r.source.empty() ? "stamp map" : r.source) << '\n';
  o << "  unknowns:              " << r.n_unknowns << '\n';
  o << "  devices:               " << r.total_devices << '\n';
  for (const auto& m : r.model_types) {
    o << "    " << m.name << ": " << m.n_devices << " devices, " << m.jac_entries_per_device
      << " Jacobian stamps";
    if (r.has_residuals) o << ", " << m.residuals_per_device << " residuals";
    o << ", unique positions " << m.unique_positions_per_device.min << ".."
      << m.unique_positions_per_device.max << ", nodes " << m.nodes_per_device.min << ".."
      << m.nodes_per_device.max << '\n';
  }
  o << "\nJacobian scatter\n";
  fan_in_text(o, r.jacobian);
  o << "  conflict graph edges:  " << r.jacobian.n_edges << " (one per shared position)\n";
  o << "  distinct device pairs: " << r.distinct_conflict_pairs << '\n';
  o << "\nConflict-free schedule (greedy colouring, largest degree first)\n";
  o << "  batches:               " << r.schedule.n_batches << " (lower bound "
    << r.schedule.lower_bound << ")\n";
  if (!r.schedule.batch_sizes.empty()) {
    o << "  batch sizes:          ";
    for (std::size_t i = 0; i < r.schedule.batch_sizes.size() && i < 16; ++i)
      o << ' ' << r.schedule.batch_sizes[i];
    if (r.schedule.batch_sizes.size() > 16) o << " ...";
    o << '\n';
  }
  if (r.has_residuals) {
    o << "\nResidual scatter\n";
    fan_in_text(o, r.residual);
  }
  if (r.has_matrix) {
    const PatternComparison& p = r.pattern;
    o << "\nPattern check against " << r.matrix_path << " (" << p.matrix_nnz << " entries)\n";
    o << "  stamps outside the pattern:   " << p.stamps_outside_pattern
      << coords_text(p.first_outside) << '\n';
    o << "  entries no device writes:     " << p.unwritten_entries << coords_text(p.first_unwritten)
      << '\n';
  }
  return o.str();
}

std::vector<std::string> write_scatter_outputs(const ScatterResult& r, const std::string& dir) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path d(dir);
  std::vector<std::string> written;
  const std::string json_path = (d / "scatter_analysis.json").string();
  const std::string text = json_text(ojson{{"device_parallelism", build(r)}}, 2);
  write_file_atomic(json_path, [&](std::ostream& out) { out << text << '\n'; });
  written.push_back(json_path);
  const std::string sum_path = (d / "scatter_summary.txt").string();
  const std::string summary = scatter_summary(r);
  write_file_atomic(sum_path, [&](std::ostream& out) { out << summary; });
  written.push_back(sum_path);
  const std::string npy_path = (d / "device_batches.npy").string();
  write_npy(npy_path, std::span<const std::int64_t>(r.schedule.colour));
  written.push_back(npy_path);
  return written;
}

}  // namespace spax
