// `spax analyze`: the whole analysis of a matrix in one result struct, and everything produced
// from it (the JSON document, the summary text, the CSV and .npy files). The result struct is
// the single source of the three forms, so they never disagree.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "spax/analysis.hpp"
#include "spax/scatter.hpp"
#include "spax/structure.hpp"

namespace spax {

struct AnalyzeOptions {
  // Orderings analysed (names of ordering_names()); natural is always analysed for the
  // elimination_tree / supernodes sections even when not listed.
  std::vector<std::string> orderings = ordering_names();
  bool superlu = true;          // SuperLU LU fill (MMD_AT_PLUS_A, COLAMD)
  bool klu = true;              // KLU LU fill (AMD, COLAMD, with BTF)
  double lu_timeout = 60.0;     // seconds per factorization (<= 0: none)
  int superlu_relax = 0;        // LuFillOptions::superlu_relax (0: auto)
  int threads = 0;              // 0: all hardware threads
  std::string name;             // report name (default: stem of the first file)
  bool measure = false;         // factor once per ordering (CHOLMOD and KLU) and time it
  MeasureOptions measure_with;  // which factorizations --measure times
  std::string stamps;           // a stamp map (JSON or CSV): adds device_parallelism
  // Schedule predictions (orderings.NAME.schedule) from the machine model: the cached
  // calibration of this machine (machine_model_path, default machine_model_cache_path()), or
  // the default model when there is none or it is refused. calibrate: measure the machine first
  // and write the cache.
  bool predict = true;
  bool calibrate = false;
  std::string machine_model_path;
  int max_workers = 64;
};

// Which machine model the predictions used.
struct MachineModelInfo {
  std::string source;   // "calibrated" or "default"
  std::string status;   // "calibrated now", "cached", "absent", "refused"
  std::string path;     // the cache file
  std::string warning;  // why a cache file was refused (also in notes)
  std::string created;
  std::string blas;
  std::vector<int> threads;  // calibrated thread counts
  double calibration_seconds = 0.0;
  BackendOverhead backend;
};

struct AnalyzeResult {
  std::string name;
  std::string input_path;
  std::vector<std::string> sample_paths;  // every file (first = the analysed one)
  std::string values;                     // "file", "synthesized" (pattern input), "magnitude"
  SparseMatrix pattern;                   // pattern of the analysed matrix (for the pictures)
  MatrixStructure matrix;
  bool square = true;
  index_t n = 0;

  // Natural order (the script's sections); present for square matrices.
  bool has_tree = false;
  std::vector<index_t> etree_parent;
  TreeLevels levels;
  SupernodeStats chain_supernodes;  // the script's chain rule
  SupernodeStats fundamental_supernodes;
  index_t relaxed_supernode_count = -1;  // CHOLMOD's relaxed supernodes (-1: not computed)

  // RCM
  bool has_rcm = false;
  index_t bandwidth_rcm = 0;

  std::vector<OrderingAnalysis> orderings;        // in the order requested
  std::vector<MeasuredFactorization> measured;    // with --measure: one per ordering
  std::optional<MachineModelInfo> machine_model;  // with predictions

  bool lu_requested = true;
  LuFillResult fill;
  std::optional<PatternStability> stability;            // with two or more files
  std::optional<ScatterResult> scatter;                 // with a stamp map
  std::vector<std::pair<std::string, double>> timings;  // seconds per phase, in run order
  std::vector<std::string> notes;
};

// Reads the files (the first is analysed; all feed pattern_stability) and runs the analysis.
AnalyzeResult analyze_files(const std::vector<std::string>& files, const AnalyzeOptions& options);

// The keys of parallelism_analysis.json, the summary text and the output files.
// parallelism_analysis.json as text (indented by `indent` spaces).
std::string analyze_json(const AnalyzeResult& r, int indent = 2);
std::string analyze_summary(const AnalyzeResult& r);
// Writes parallelism_analysis.json, parallelism_summary.txt, level_set_widths.csv,
// etree_parent.npy and per ordering perm_NAME.npy, level_set_widths_NAME.csv,
// etree_parent_NAME.npy into `dir` (created when missing), each file atomically, and the SVG
// pictures (spy_natural.svg, spy_NAME.svg, level_widths.svg, supernodes.svg, orderings.svg and,
// with stamps, fan_in.svg). Returns the paths written.
std::vector<std::string> write_analyze_outputs(const AnalyzeResult& r, const std::string& dir);
// The whole analysis as one self-contained HTML page (summary, tables, inline pictures).
std::string analyze_html(const AnalyzeResult& r);

}  // namespace spax
