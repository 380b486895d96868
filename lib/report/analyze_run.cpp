// `spax analyze`: runs every analysis on the first file and the pattern stability over all.
#include <algorithm>
#include <filesystem>

#include "spax/analyze_report.hpp"
#include "spax/io.hpp"
#include "spax/machine_model.hpp"
#include "spax/timer.hpp"

namespace spax {
namespace {

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

AnalyzeResult analyze_files(const std::vector<std::string>& files, const AnalyzeOptions& options) {
  if (files.empty()) throw_usage("analyze needs at least one matrix file");
  for (const auto& o : options.orderings)
    if (!is_ordering_name(o))
      throw_usage("unknown ordering '" + o + "' (known: " + ordering_names_joined() + ")");
  Timer total;
  AnalyzeResult r;
  const int threads = resolve_threads(options.threads);
  r.input_path = files[0];
  r.sample_paths = files;
  r.name = options.name.empty() ? stem_of(files[0]) : options.name;
  r.lu_requested = options.superlu || options.klu;

  ReadOptions ro;
  ro.threads = threads;
  Timer t;
  MatrixFile mf = read_matrix_market(files[0], ro);
  r.timings.emplace_back("read", t.seconds());

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
    info.source = model->source;
    info.created = model->created;
    info.blas = model->machine.blas;
    info.threads = model->thread_counts();
    info.calibration_seconds = model->calibration_seconds;
    info.backend = model->backend;
    r.machine_model = std::move(info);
    r.timings.emplace_back(options.calibrate ? "calibrate" : "machine_model", t.seconds());
  }
  const SparseMatrix& a = mf.matrix;
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
  r.matrix = analyze_structure(a, mf.stats.duplicates_summed);
  r.timings.emplace_back("structure", t.seconds());
  if (job) poll_lu_fill(*job);

  if (r.square && r.n > 0) {
    t.reset();
    std::vector<std::string> names = options.orderings;
    bool natural_listed = std::find(names.begin(), names.end(), "natural") != names.end();
    if (!natural_listed) names.insert(names.begin(), "natural");
    AnalysisOptions ao;
    ao.threads = threads;
    ao.relaxed = true;
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
  } else if (!r.square) {
    r.notes.push_back(
        "rectangular matrix: elimination tree, supernodes, orderings, RCM and LU fill need a "
        "square matrix");
  } else {
    r.notes.push_back("empty matrix: nothing to order or factor");
  }

  if (job) {
    t.reset();
    r.fill = finish_lu_fill(job);
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
    for (const auto& o : r.orderings)
      r.measured.push_back(
          measure_factorization(a, o.perm, options.lu_timeout, options.measure_with));
    r.timings.emplace_back("measure", t.seconds());
  }

  if (files.size() >= 2) {
    t.reset();
    PatternStabilityAccumulator acc;
    acc.add(a);
    for (std::size_t k = 1; k < files.size(); ++k) acc.add(read_matrix_market(files[k], ro).matrix);
    r.stability = acc.result();
    r.timings.emplace_back("pattern_stability", t.seconds());
  }
  if (!options.stamps.empty()) {
    t.reset();
    ScatterOptions so;
    so.threads = threads;
    // The matrix is compared with the assembly when their sizes agree (an input error if not).
    ScatterResult sr = analyze_scatter(read_stamps(options.stamps), so, &a);
    sr.source = options.stamps;
    sr.matrix_path = files[0];
    r.scatter = std::move(sr);
    r.timings.emplace_back("scatter", t.seconds());
  }
  r.timings.emplace_back("total", total.seconds());
  return r;
}

}  // namespace spax
