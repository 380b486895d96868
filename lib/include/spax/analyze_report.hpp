// `spax analyze`: the whole analysis of a matrix in one result struct, and everything produced
// from it (the JSON document, the summary text, the CSV and .npy files). The result struct is
// the single source of the three forms, so they never disagree.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "spax/analysis.hpp"
#include "spax/scatter.hpp"
#include "spax/structure.hpp"

namespace spax {

struct SPAX_API AnalyzeOptions {
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
  // A stamp map whose size differs from the matrix's: an input error (true), or analysed alone,
  // without the pattern comparison, with a note saying so (false; `spax report` does that).
  bool stamps_must_match = true;
  // Schedule predictions (orderings.NAME.schedule) from the machine model: the cached
  // calibration of this machine (machine_model_path, default machine_model_cache_path()), or
  // the default model when there is none or it is refused. calibrate: measure the machine first
  // and write the cache.
  bool predict = true;
  bool calibrate = false;
  std::string machine_model_path;
  int max_workers = 64;
  // Progress of the analysis: called with the steps done so far, the total and what runs next
  // (or, for an ordering, what just finished). Called from this thread and from the ordering
  // workers, so it must be thread-safe. Nothing is printed by the library itself.
  std::function<void(std::size_t done, std::size_t total, const std::string& what)> progress;
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

struct SPAX_API AnalyzeResult {
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

// The report name analyze_files gives: options.name, else the first file's stem ("stdin" for -).
SPAX_API std::string analyze_report_name(const std::vector<std::string>& files,
                                         const AnalyzeOptions& options);

// Reads the files (the first is analysed; all feed pattern_stability) and runs the analysis.
SPAX_API AnalyzeResult analyze_files(const std::vector<std::string>& files,
                                     const AnalyzeOptions& options);
// The same on a matrix in memory (the Python module's analyze): `samples`, the matrices after
// it, feed pattern_stability with it; `input` is what the document's "input" says, and
// `duplicates_summed` what the matrix's construction merged. The name defaults to "matrix"; the
// "read" timing is 0.
SPAX_API AnalyzeResult analyze_matrix(const SparseMatrix& a, const AnalyzeOptions& options,
                                      const std::vector<SparseMatrix>& samples = {},
                                      const std::string& input = {}, index_t duplicates_summed = 0);

// The command line's spelling of the options, shared by `spax analyze` and the Python module so
// that the two accept the same values: orderings "all" or a comma-separated list (checked by the
// analysis), LU fill "superlu", "klu", "superlu,klu" or "none". Usage errors name `flag`.
SPAX_API void set_analyze_orderings(AnalyzeOptions& options, const std::string& list,
                                    const std::string& flag);
SPAX_API void set_analyze_lu_fill(AnalyzeOptions& options, const std::string& list,
                                  const std::string& flag);
// A report name becomes a directory under spax-out/: one path component, not "." or "..".
SPAX_API bool is_plain_name(const std::string& name);

// The keys of parallelism_analysis.json, the summary text and the output files.
// parallelism_analysis.json as text (indented by `indent` spaces).
SPAX_API std::string analyze_json(const AnalyzeResult& r, int indent = 2);
SPAX_API std::string analyze_summary(const AnalyzeResult& r);
// Writes parallelism_analysis.json, parallelism_summary.txt, level_set_widths.csv,
// etree_parent.npy and per ordering perm_NAME.npy, level_set_widths_NAME.csv,
// etree_parent_NAME.npy into `dir` (created when missing), each file atomically, and the SVG
// pictures (spy_natural.svg, spy_NAME.svg, level_widths.svg, supernodes.svg, orderings.svg and,
// with stamps, fan_in.svg). Returns the paths written.
// With `html`, also report.html (analyze_html). Each report is computed once: the summary
// (given back through `summary` when not null, for a caller that prints it) and the pictures
// serve both the files and the page.
SPAX_API std::vector<std::string> write_analyze_outputs(const AnalyzeResult& r,
                                                        const std::string& dir, bool html = false,
                                                        std::string* summary = nullptr);
// The whole analysis as one self-contained HTML page: the summary, tables, the pictures inline
// and, with a stamp map, the scatter section. `spax analyze --html` writes it as report.html and
// `spax report` (analyze without the LU fill) writes it where it is told.
SPAX_API std::string analyze_html(const AnalyzeResult& r);

}  // namespace spax
