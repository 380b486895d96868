// `spax analyze`: runs every analysis on the first file and the pattern stability over all.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <mutex>

#include "spax/analyze_report.hpp"
#include "spax/backend.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "spax/machine_model.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace {

// MUMPS's factorization of `path` under `ordering` on 1 and 2 MPI processes (spax bench's MPI
// cases: one job each, the factor phase's median), into m.mumps_np1/np2 or m.mumps_error.
void measure_mumps(const std::string& path, const SparseMatrix& a, const std::string& ordering,
                   const AnalyzeOptions& options, MeasuredFactorization& m) {
  const BackendInfo* mumps = find_backend("mumps");
  if (!mumps || (mumps->unavailable_reason && !mumps->unavailable_reason().empty())) {
    m.mumps_error = "the mumps backend is not available";
    return;
  }
  if (std::find(mumps->orderings.begin(), mumps->orderings.end(), ordering) ==
      mumps->orderings.end()) {
    m.mumps_error = "mumps takes no ordering '" + ordering + "'";
    return;
  }
  if (path.empty() || path == "-") {
    m.mumps_error = "the MPI jobs read the matrix from a file, not standard input";
    return;
  }
  BenchOptions bo;
  bo.warmup = 0;
  bo.runs = 1;
  bo.timeout = options.lu_timeout > 0 ? options.lu_timeout : 0;
  bo.threads = 1;
  for (int np : {1, 2}) {
    const BenchCase c = run_bench_case_mpi(path, a, path, "mumps", ordering, np, bo);
    double seconds = -1.0;
    for (const auto& ph : c.phases)
      if (ph.phase == "factor" && !ph.seconds.empty()) seconds = sample_stats(ph.seconds).median;
    if (c.status != "ok" || seconds < 0.0) {
      m.mumps_error = "mumps on " + std::to_string(np) + (np == 1 ? " process: " : " processes: ") +
                      c.status + (c.reason.empty() ? "" : " (" + c.reason + ")");
      return;
    }
    (np == 1 ? m.mumps_np1 : m.mumps_np2) = seconds;
  }
}

std::string stem_of(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (const char* ext : {".gz", ".mtx"}) {
    std::string e = ext;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0)
      name.resize(name.size() - e.size());
  }
  if (name.empty() || name == "-") name = "stdin";
  return name;
}

}  // namespace

std::string analyze_report_name(const std::vector<std::string>& files,
                                const AnalyzeOptions& options) {
  if (!options.name.empty()) return options.name;
  return files.empty() ? std::string("matrix") : stem_of(files[0]);
}

namespace {

// Everything after reading the first matrix; `more_samples` feeds the pattern-stability
// accumulator with the matrices after the first (none: no pattern_stability section).
AnalyzeResult analyze_loaded(const SparseMatrix& a, index_t duplicates_summed, AnalyzeResult r,
                             const AnalyzeOptions& options, Timer& total, double read_seconds,
                             std::size_t n_samples,
                             const std::function<void(PatternStabilityAccumulator&)>& more) {
  // Steps for the progress callback: read, structure, each ordering (natural included), the
  // natural tree, the LU fill, each measured ordering, each further sample, the stamps.
  std::size_t n_orderings =
      options.orderings.size() + (std::find(options.orderings.begin(), options.orderings.end(),
                                            "natural") == options.orderings.end());
  const std::size_t steps = 2 + n_orderings + 1 + (options.superlu || options.klu ? 1 : 0) +
                            (options.measure ? options.orderings.size() : 0) + n_samples - 1 +
                            (options.stamps.empty() ? 0 : 1);
  // The ordering workers report too: counting and reporting under one lock keeps the counts
  // the callback sees in order.
  std::size_t done = 1;  // the read
  std::mutex progress_mutex;
  auto progress = [&](const std::string& what, bool step_done) {
    std::lock_guard<std::mutex> lock(progress_mutex);
    if (step_done) ++done;
    if (options.progress) options.progress(done, steps, what);
  };
  progress("read", false);
  const int threads = resolve_threads(options.threads);
  r.lu_requested = options.superlu || options.klu;
  r.timings.emplace_back("read", read_seconds);
  Timer t;
  // The machine model, before any child process or thread competes with a calibration.
  std::optional<MachineModel> model;
  if (options.predict) {
    t.reset();
    MachineModelInfo info;
    info.path = options.machine_model_path.empty() ? machine_model_cache_path()
                                                   : options.machine_model_path;
    if (options.calibrate) {
      model = calibrate_machine();
      save_machine_model(*model, info.path);
      info.status = "calibrated now";
    } else {
      // A file the user named may come from the machine the job will run on.
      LoadedMachineModel loaded = load_machine_model(info.path, current_machine(), 90.0,
                                                     options.machine_model_path.empty());
      model = std::move(loaded.model);
      info.status = loaded.status == "calibrated" ? "cached" : loaded.status;
      info.warning = loaded.warning;
      if (!loaded.warning.empty()) r.notes.push_back(loaded.warning);
    }
    // A calibration made on a busy machine (its several-thread rates below one thread's).
    for (const auto& w : machine_model_warnings(*model)) {
      r.notes.push_back(w);
      if (info.warning.empty()) info.warning = w;
    }
    info.source = model->source;
    info.created = model->created;
    info.blas = model->machine.blas;
    info.threads = model->thread_counts();
    info.calibration_seconds = model->calibration_seconds;
    info.backend = model->backend;
    r.machine_model = std::move(info);
    r.timings.emplace_back(options.calibrate ? "calibrate" : "machine_model", t.seconds());
  }
  r.pattern = pattern_of(a);
  r.square = a.is_square();
  r.n = a.ncols;
  r.values = a.has_values() ? (a.is_complex() ? "file (complex)" : "file") : "pattern";

  // The LU children are forked first, while this process runs no other thread; they work while
  // the orderings are analysed here.
  t.reset();
  std::shared_ptr<LuFillJob> job;
  if (r.lu_requested) {
    LuFillOptions lo;
    lo.superlu = options.superlu;
    lo.klu = options.klu;
    lo.timeout_seconds = options.lu_timeout;
    lo.superlu_relax = options.superlu_relax;
    lo.max_parallel = threads + 2;
    lo.share_mmd_order = options.superlu && r.square && a.nrows > 0 &&
                         std::find(options.orderings.begin(), options.orderings.end(), "mmd") !=
                             options.orderings.end();
    job = start_lu_fill(a, lo);
  }
  r.timings.emplace_back("lu_fill_start", t.seconds());

  t.reset();
  progress("structure", false);
  r.matrix = analyze_structure(a, duplicates_summed);
  r.timings.emplace_back("structure", t.seconds());
  progress("structure", true);
  if (job) poll_lu_fill(*job);

  if (r.square && r.n > 0) {
    t.reset();
    std::vector<std::string> names = options.orderings;
    bool natural_listed = std::find(names.begin(), names.end(), "natural") != names.end();
    if (!natural_listed) names.insert(names.begin(), "natural");
    AnalysisOptions ao;
    ao.threads = threads;
    ao.relaxed = true;
    ao.on_ordering_done = [&](const std::string& name) { progress("ordering " + name, true); };
    progress("orderings", false);
    if (model) ao.model = &*model;
    // natural, analysed for the natural-order sections only, needs no prediction.
    if (!natural_listed)
      ao.predict_ordering = [](const std::string& name) { return name != "natural"; };
    ao.predict.max_workers = options.max_workers;
    // SuperLU's MMD is the slowest ordering; the MMD LU child computes it anyway.
    if (job)
      ao.provided = [&job](const std::string& name, Ordering& o) {
        return name == "mmd" && take_mmd_order(*job, o);
      };
    std::vector<OrderingAnalysis> all = analyze_orderings(a, names, ao);
    r.timings.emplace_back("orderings", t.seconds());
    if (job) poll_lu_fill(*job);

    t.reset();
    auto nat = std::find_if(all.begin(), all.end(),
                            [](const OrderingAnalysis& o) { return o.ordering == "natural"; });
    r.has_tree = true;
    r.etree_parent = nat->parent;
    r.levels = tree_levels(r.etree_parent);
    r.chain_supernodes = chain_supernodes(r.etree_parent);
    r.fundamental_supernodes = fundamental_supernodes(r.etree_parent, nat->colcount);
    r.relaxed_supernode_count = nat->relaxed_supernodes;
    auto rcm = std::find_if(all.begin(), all.end(),
                            [](const OrderingAnalysis& o) { return o.ordering == "rcm"; });
    r.has_rcm = true;
    if (rcm != all.end()) {
      r.bandwidth_rcm = rcm->bandwidth;
    } else {
      std::vector<index_t> p = rcm_ordering(a);
      r.bandwidth_rcm = bandwidth(a, p);
    }
    if (!natural_listed) all.erase(nat);
    r.orderings = std::move(all);
    r.timings.emplace_back("natural_tree", t.seconds());
    progress("elimination tree", true);
  } else if (!r.square) {
    done += n_orderings + 1;
    r.notes.push_back(
        "rectangular matrix: elimination tree, supernodes, orderings, RCM and LU fill need a "
        "square matrix");
  } else {
    done += n_orderings + 1;
    r.notes.push_back("empty matrix: nothing to order or factor");
  }

  if (job) {
    t.reset();
    progress("LU fill (waiting for the factorizations)", false);
    r.fill = finish_lu_fill(job);
    progress("LU fill", true);
    r.timings.emplace_back("lu_fill_wait", t.seconds());
    if (r.fill.applicable) r.values = r.fill.values;
  } else {
    r.fill.n = a.ncols;
    r.fill.original_nnz = a.nnz();
    r.fill.note = "LU fill not computed (--lu-fill none)";
  }
  if (!a.has_values()) r.values = "synthesized";

  if (options.measure && !r.orderings.empty()) {
    t.reset();
    for (const auto& o : r.orderings) {
      progress("measure " + o.ordering, false);
      r.measured.push_back(
          measure_factorization(a, o.perm, options.lu_timeout, options.measure_with));
      if (options.measure_with.mumps)
        measure_mumps(r.input_path, a, o.ordering, options, r.measured.back());
      progress("measure " + o.ordering, true);
    }
    r.timings.emplace_back("measure", t.seconds());
  }

  if (n_samples >= 2) {
    t.reset();
    PatternStabilityAccumulator acc;
    acc.add(a);
    progress("pattern stability", false);
    more(acc);
    done += n_samples - 2;
    progress("pattern stability", true);
    r.stability = acc.result();
    r.timings.emplace_back("pattern_stability", t.seconds());
  }
  if (!options.stamps.empty()) {
    t.reset();
    ScatterOptions so;
    so.threads = threads;
    progress("scatter", false);
    // The matrix is compared with the assembly when their sizes agree (an input error if not,
    // unless the caller takes the map alone).
    StampMap map = read_stamps(options.stamps);
    const bool match = r.square && map.n_unknowns == a.nrows;
    if (!match && !options.stamps_must_match)
      r.notes.push_back("the stamp map has " + std::to_string(map.n_unknowns) +
                        " unknowns but the matrix is " + std::to_string(a.nrows) + " x " +
                        std::to_string(a.ncols) + ": the pattern comparison is left out");
    const bool compare = match || options.stamps_must_match;
    ScatterResult sr = analyze_scatter(map, so, compare ? &a : nullptr);
    sr.source = options.stamps;
    if (compare) sr.matrix_path = r.input_path;
    r.scatter = std::move(sr);
    r.timings.emplace_back("scatter", t.seconds());
    progress("scatter", true);
  }
  r.timings.emplace_back("total", total.seconds());
  return r;
}

void check_orderings(const AnalyzeOptions& options) {
  for (const auto& o : options.orderings)
    if (!is_ordering_name(o))
      throw_usage("unknown ordering '" + o + "' (known: " + ordering_names_joined() + ")");
}

}  // namespace

AnalyzeResult analyze_files(const std::vector<std::string>& files, const AnalyzeOptions& options) {
  if (files.empty()) throw_usage("analyze needs at least one matrix file");
  check_orderings(options);
  Timer total;
  AnalyzeResult r;
  r.input_path = files[0];
  r.sample_paths = files;
  r.name = analyze_report_name(files, options);
  ReadOptions ro;
  ro.threads = resolve_threads(options.threads);
  Timer t;
  MatrixFile mf = read_matrix_market(files[0], ro);
  const double read_seconds = t.seconds();
  return analyze_loaded(mf.matrix, mf.stats.duplicates_summed, std::move(r), options, total,
                        read_seconds, files.size(), [&](PatternStabilityAccumulator& acc) {
                          for (std::size_t k = 1; k < files.size(); ++k)
                            acc.add(read_matrix_market(files[k], ro).matrix);
                        });
}

AnalyzeResult analyze_matrix(const SparseMatrix& a, const AnalyzeOptions& options,
                             const std::vector<SparseMatrix>& samples, const std::string& input,
                             index_t duplicates_summed) {
  check_orderings(options);
  Timer total;
  AnalyzeResult r;
  r.input_path = input;
  r.sample_paths.push_back(input);
  for (std::size_t k = 0; k < samples.size(); ++k)
    r.sample_paths.push_back(input + " sample " + std::to_string(k + 1));
  r.name = options.name.empty() ? "matrix" : options.name;
  return analyze_loaded(a, duplicates_summed, std::move(r), options, total, 0.0, samples.size() + 1,
                        [&](PatternStabilityAccumulator& acc) {
                          for (const auto& m : samples) acc.add(m);
                        });
}

void set_analyze_orderings(AnalyzeOptions& options, const std::string& list,
                           const std::string& flag) {
  options.orderings = parse_ordering_list(list, flag);
}

void set_analyze_lu_fill(AnalyzeOptions& options, const std::string& list,
                         const std::string& flag) {
  options.superlu = options.klu = false;
  for (const auto& lib : split_comma_list(list)) {
    if (lib == "superlu") {
      options.superlu = true;
    } else if (lib == "klu") {
      options.klu = true;
    } else if (lib != "none") {
      throw_usage(flag + ": unknown library '" + lib + "' (superlu, klu or none)");
    }
  }
}

bool is_plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace spax
