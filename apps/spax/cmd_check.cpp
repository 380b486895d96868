// spax check pattern | baseline create | baseline verify, and spax fingerprint: CI checks.
#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "spax/analysis.hpp"
#include "spax/check.hpp"
#include "spax/io.hpp"
#include "spax/report/baseline.hpp"
#include "spax/report/check_report.hpp"
#include "spax/report/json_text.hpp"
#include "spax/report/text_format.hpp"

namespace spax::app {
namespace {

namespace fs = std::filesystem;

// The files of `dir` whose names match one of the shell patterns (fnmatch), sorted by name.
std::vector<std::string> matrix_files_in(const std::string& dir,
                                         const std::vector<std::string>& globs) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw_input("not a directory", dir);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    bool match = false;
    for (const auto& g : globs) match = match || ::fnmatch(g.c_str(), n.c_str(), 0) == 0;
    if (e.is_regular_file() && match) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::string list;
  for (const auto& g : globs) list += (list.empty() ? "" : " or ") + g;
  if (files.empty()) throw_input("no file matches " + list, dir);
  return files;
}

std::string coord(const std::pair<index_t, index_t>& rc) {
  return "(" + std::to_string(rc.first + 1) + ", " + std::to_string(rc.second + 1) + ")";
}

nlohmann::json coords(const std::vector<std::pair<index_t, index_t>>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& rc : v) a.push_back({rc.first + 1, rc.second + 1});
  return a;
}

void emit(const CheckReport& report, const std::string& format) {
  std::cout << format_check_report(report, parse_check_format(format));
  if (report.failures() > 0) set_exit_code(1);
}

// --- check pattern ------------------------------------------------------------------------

struct PatternOptions {
  std::vector<std::string> files;
  std::string dir;
  std::vector<std::string> globs;
  std::string format = "text";
  int threads = 0;
};

void run_check_pattern(const PatternOptions& o) {
  std::vector<std::string> files = o.files;
  if (!o.globs.empty() && o.dir.empty()) throw_usage("--glob selects files of --dir: give --dir");
  if (!o.dir.empty()) {
    auto more = matrix_files_in(
        o.dir, o.globs.empty() ? std::vector<std::string>{"*.mtx", "*.mtx.gz"} : o.globs);
    files.insert(files.end(), more.begin(), more.end());
  }
  if (files.size() < 2)
    throw_usage("check pattern needs a reference and at least one candidate (or --dir DIR)");
  parse_check_format(o.format);
  ReadOptions ro;
  ro.threads = o.threads;
  const std::string& ref_path = files[0];
  MatrixFile ref = read_matrix_market(ref_path, ro);
  ValueVariation vv(ref.matrix);
  CheckReport report;
  report.suite = "spax check pattern";
  index_t differing = 0;
  for (std::size_t k = 1; k < files.size(); ++k) {
    // One candidate in memory at a time: the set streams through.
    MatrixFile cand = read_matrix_market(files[k], ro);
    PatternDiff d = compare_patterns(ref.matrix, cand.matrix);
    CheckCase c{files[k], "pattern", d.identical(), "", nlohmann::json::object()};
    c.details = {{"reference", ref_path},
                 {"added_entries", d.added},
                 {"removed_entries", d.removed},
                 {"first_added", coords(d.first_added)},
                 {"first_removed", coords(d.first_removed)},
                 {"rows", d.rows},
                 {"cols", d.cols}};
    if (d.identical()) {
      c.message = "same pattern as " + ref_path;
      vv.add(cand.matrix);
    } else {
      ++differing;
      std::string m = "pattern changed";
      if (!d.same_dimensions)
        m += ": size " + std::to_string(d.ref_rows) + " x " + std::to_string(d.ref_cols) + " -> " +
             std::to_string(d.rows) + " x " + std::to_string(d.cols);
      m +=
          std::string(d.same_dimensions ? ": " : "; ") + std::to_string(d.added) + " entries added";
      if (!d.first_added.empty()) m += ", first at " + coord(d.first_added[0]);
      m += "; " + std::to_string(d.removed) + " removed";
      if (!d.first_removed.empty()) m += ", first at " + coord(d.first_removed[0]);
      m += " (1-based, vs " + ref_path +
           "); if this is intended, make this file the reference of the set";
      c.message = m;
      // The text format lists the first 20 coordinates of each kind.
      auto listed = [](const char* what, index_t total,
                       const std::vector<std::pair<index_t, index_t>>& first) {
        std::string l = std::string(what) + " (" +
                        (total > static_cast<index_t>(first.size())
                             ? "first " + std::to_string(first.size()) + " of "
                             : std::string()) +
                        std::to_string(total) + "):";
        for (const auto& rc : first) l += " " + coord(rc);
        return l;
      };
      if (d.added > 0) c.text_lines.push_back(listed("added", d.added, d.first_added));
      if (d.removed > 0) c.text_lines.push_back(listed("removed", d.removed, d.first_removed));
    }
    report.cases.push_back(std::move(c));
  }
  auto s = vv.summary();
  report.summary = {{"reference", ref_path},
                    {"fingerprint", pattern_fingerprint(ref.matrix).hex()},
                    {"files", files.size()},
                    {"differing", differing},
                    {"value_variation",
                     {{"n_samples", s.n_samples},
                      {"entries", s.entries},
                      {"mean_relative_variation", s.mean_relative},
                      {"max_relative_variation", s.max_relative},
                      {"median_relative_variation", s.median_relative}}}};
  emit(report, o.format);
}

// --- baseline -----------------------------------------------------------------------------

struct BaselineOptions {
  std::vector<std::string> files;
  std::string out = "spax-baseline.json";
  std::string baseline = "spax-baseline.json";
  std::string ordering = "amd";
  std::string max_fill = "5%", max_height = "5%";
  double min_parallelism = 0.95;
  std::string format = "text";
  int threads = 0;
};

// What to run when a change is intended: update this file's entry, keeping the others.
std::string update_hint(const std::string& file, const std::string& baseline) {
  return "if this is intended, update its entry with: spax check baseline update " + file +
         " --baseline " + baseline;
}

// One line per recorded matrix: "KEY: fingerprint F, n N, nnz Z, nnz(L) L, ...".
std::string metrics_line(const std::string& key, const nlohmann::json& m) {
  std::string s = key + ": fingerprint " + m["fingerprint"].get<std::string>() + ", n " +
                  std::to_string(m["n"].get<index_t>()) + ", nnz " +
                  std::to_string(m["nnz"].get<index_t>());
  if (m.contains("nnz_L"))
    s += ", nnz(L) " + std::to_string(m["nnz_L"].get<index_t>()) + ", flops " +
         format_count(m["flops"].get<double>()) + ", height " +
         std::to_string(m["etree_height"].get<index_t>()) + ", work/span " +
         format_number(m["work_span"].get<double>());
  return s;
}

// The files' entries keyed by file name (two files of one name are refused).
std::vector<std::pair<std::string, nlohmann::json>> measure_files(const BaselineOptions& o,
                                                                  const std::string& ordering) {
  ReadOptions ro;
  ro.threads = o.threads;
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const auto& f : o.files) {
    const std::string key = fs::path(f).filename().string();
    for (const auto& [k, m] : out)
      if (k == key)
        throw_usage("two files named " + key + ": a baseline keys matrices by file name");
    MatrixFile mf = read_matrix_market(f, ro);
    nlohmann::json m = baseline_metrics(mf.matrix, ordering);
    m["path"] = f;
    out.emplace_back(key, std::move(m));
  }
  return out;
}

void run_baseline_create(const BaselineOptions& o) {
  if (!is_ordering_name(o.ordering))
    throw_usage("unknown ordering '" + o.ordering + "' (known: " + ordering_names_joined() + ")");
  require_writable_output(o.out, "--output");
  std::ostream& say = is_stdout_path(o.out) ? std::cerr : std::cout;
  nlohmann::json doc;
  doc["format"] = "spax-baseline";
  doc["version"] = kBaselineFormatVersion;
  doc["spax_version"] = version();
  doc["ordering"] = o.ordering;
  doc["matrices"] = nlohmann::json::object();
  for (auto& [key, m] : measure_files(o, o.ordering)) {
    say << metrics_line(key, m) << '\n';
    doc["matrices"][key] = std::move(m);
  }
  write_output(o.out, [&](std::ostream& out) { out << json_text(doc, 2) << '\n'; });
  say << "baseline of " << o.files.size() << " matrices written to " << o.out << '\n';
}

// Replaces the named files' entries (or adds them) and keeps every other entry; the metrics
// use the baseline's own ordering.
void run_baseline_update(const BaselineOptions& o, bool output_given) {
  const std::string out = output_given ? o.out : o.baseline;
  require_writable_output(out, "--output");
  nlohmann::json doc = load_baseline(o.baseline);
  const std::string ordering = doc.value("ordering", "amd");
  std::ostream& say = is_stdout_path(out) ? std::cerr : std::cout;
  std::size_t added = 0, replaced = 0, unchanged = 0;
  for (auto& [key, m] : measure_files(o, ordering)) {
    const bool had = doc["matrices"].contains(key);
    std::string what = "added";
    if (had) {
      nlohmann::json old = doc["matrices"][key];
      old.erase("path");
      nlohmann::json now = m;
      now.erase("path");
      what = old == now ? "unchanged" : "replaced";
      if (what == "replaced" && old.value("fingerprint", "") != now.value("fingerprint", ""))
        what += " (pattern changed, fingerprint was " + old.value("fingerprint", "?") + ")";
    }
    (had ? (what == "unchanged" ? unchanged : replaced) : added) += 1;
    say << what << ": " << metrics_line(key, m) << '\n';
    doc["matrices"][key] = std::move(m);
  }
  doc["spax_version"] = version();
  write_output(out, [&](std::ostream& os) { os << json_text(doc, 2) << '\n'; });
  say << "baseline " << out << ": " << added << " added, " << replaced << " replaced, " << unchanged
      << " unchanged, " << doc["matrices"].size() << " matrices in all\n";
}

void run_baseline_verify(const BaselineOptions& o) {
  BaselineThresholds t;
  t.max_fill_increase = parse_fraction(o.max_fill, "--max-fill-increase");
  t.max_height_increase = parse_fraction(o.max_height, "--max-height-increase");
  t.min_parallelism_ratio = o.min_parallelism;
  parse_check_format(o.format);
  nlohmann::json doc = load_baseline(o.baseline);
  const std::string ordering = doc.value("ordering", "amd");
  ReadOptions ro;
  ro.threads = o.threads;
  CheckReport report;
  report.suite = "spax check baseline";
  for (const auto& f : o.files) {
    const std::string key = fs::path(f).filename().string();
    const std::string hint = update_hint(f, o.baseline);
    if (!doc["matrices"].contains(key)) {
      report.cases.push_back({f, "baseline", false,
                              key + " is not in the baseline " + o.baseline +
                                  "; add it with: spax check baseline update " + f +
                                  " --baseline " + o.baseline,
                              nlohmann::json::object()});
      continue;
    }
    MatrixFile mf = read_matrix_market(f, ro);
    nlohmann::json now = baseline_metrics(mf.matrix, ordering);
    for (auto& c : compare_to_baseline(f, doc["matrices"][key], now, t, hint))
      report.cases.push_back(std::move(c));
  }
  report.summary = {{"baseline", o.baseline}, {"ordering", ordering}};
  emit(report, o.format);
}

const Registration reg("check", [](CLI::App& app) {
  auto* check = app.add_subcommand(
      "check",
      "CI checks: has the sparsity pattern changed, has fill or parallelism regressed.\n"
      "Exit 0 when every check passes, 1 when any fails, 2 on unreadable input.");
  check->require_subcommand(1);
  const std::string formats = "Output: text, json, junit (JUnit XML) or github (::error lines)";

  auto po = std::make_shared<PatternOptions>();
  auto* pat = check->add_subcommand(
      "pattern",
      "Check that every candidate has the reference's sparsity pattern (explicit zeros count as\n"
      "entries; entry order, symmetric storage and duplicates do not matter). Reports added and\n"
      "removed entries (first 20 coordinates, 1-based) and value variation across the set.\n"
      "Files stream through: memory is one pattern plus per-entry running statistics.");
  pat->add_option("files", po->files, "REF.mtx CAND.mtx... (the first file is the reference)");
  pat->add_option("--dir", po->dir,
                  "Check every .mtx/.mtx.gz in DIR (or those --glob selects), sorted by name (the "
                  "first is the reference unless files are given)");
  pat->add_option("--glob", po->globs,
                  "With --dir: only the files whose names match this shell pattern, e.g. "
                  "'jacobian_*.mtx' (repeatable; default *.mtx and *.mtx.gz)");
  pat->add_option("--format", po->format, formats)->capture_default_str();
  add_threads_option(*pat, po->threads);
  pat->callback([po] { run_check_pattern(*po); });

  auto* base = check->add_subcommand("baseline", "Record and verify per-matrix solver metrics");
  base->require_subcommand(1);
  auto co = std::make_shared<BaselineOptions>();
  auto* create = base->add_subcommand(
      "create",
      "Record per matrix: pattern fingerprint, n, nnz and, under the chosen ordering, nnz(L),\n"
      "flops, elimination-tree height, work/span and the supernode count.");
  create->add_option("files", co->files, "Matrix Market files")->required();
  create->add_option("-o,--output", co->out, "Baseline file to write")->capture_default_str();
  create->add_option("--ordering", co->ordering, "Ordering whose metrics are recorded")
      ->capture_default_str();
  add_threads_option(*create, co->threads);
  create->callback([co] { run_baseline_create(*co); });

  auto uo = std::make_shared<BaselineOptions>();
  auto* update = base->add_subcommand(
      "update",
      "Record the given files in an existing baseline: their entries are replaced (or added),\n"
      "every other entry is kept. The metrics use the baseline's ordering. Written back to the\n"
      "baseline file unless -o is given.");
  update->add_option("files", uo->files, "Matrix Market files (keyed by file name)")->required();
  update->add_option("--baseline", uo->baseline, "Baseline file to update")->capture_default_str();
  auto* update_out =
      update->add_option("-o,--output", uo->out, "Write the result here instead (- for stdout)");
  add_threads_option(*update, uo->threads);
  update->callback([uo, update_out] { run_baseline_update(*uo, update_out->count() > 0); });

  auto vo = std::make_shared<BaselineOptions>();
  auto* verify = base->add_subcommand(
      "verify",
      "Compare matrices with a baseline: fails (exit 1) on a changed fingerprint or a metric past\n"
      "its threshold, naming the metric with its old and new values. A value exactly at a\n"
      "threshold passes.");
  verify->add_option("files", vo->files, "Matrix Market files (matched by file name)")->required();
  verify->add_option("--baseline", vo->baseline, "Baseline file")->capture_default_str();
  verify
      ->add_option("--max-fill-increase", vo->max_fill,
                   "Largest allowed growth of nnz(L): 5% or 0.05")
      ->capture_default_str();
  verify
      ->add_option("--max-height-increase", vo->max_height,
                   "Largest allowed growth of the elimination-tree height")
      ->capture_default_str();
  verify
      ->add_option("--min-parallelism-ratio", vo->min_parallelism,
                   "Smallest allowed new/old work/span ratio")
      ->capture_default_str()
      ->check(non_negative());
  verify->add_option("--format", vo->format, formats)->capture_default_str();
  add_threads_option(*verify, vo->threads);
  verify->callback([vo] { run_baseline_verify(*vo); });
});

struct FingerprintOptions {
  std::vector<std::string> files;
  int threads = 0;
};

const Registration reg_fp("fingerprint", [](CLI::App& app) {
  auto o = std::make_shared<FingerprintOptions>();
  auto* sub = app.add_subcommand(
      "fingerprint",
      "Print the pattern fingerprint of each file, one line each: HASH  FILE. Equal hashes mean\n"
      "equal patterns (rows, cols, stored positions; values, entry order, symmetric storage and\n"
      "duplicates do not matter), so shell scripts can compare patterns cheaply.");
  sub->add_option("files", o->files, "Matrix Market files (- for stdin)")->required();
  add_threads_option(*sub, o->threads);
  sub->callback([o] {
    ReadOptions ro;
    ro.threads = o->threads;
    // An unreadable file is reported on stderr and the others still get their line (exit 2).
    for (const auto& f : o->files) {
      try {
        std::cout << pattern_fingerprint(read_matrix_market(f, ro).matrix).hex() << "  " << f
                  << '\n';
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) throw;
        std::cout.flush();
        report_error(e);
      }
    }
  });
});

}  // namespace
}  // namespace spax::app
