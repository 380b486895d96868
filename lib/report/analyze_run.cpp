// `spax analyze`: runs every analysis on the first file and the pattern stability over all.
#include <algorithm>
#include <filesystem>
#include <mutex>

#include "spax/analyze_report.hpp"
#include "spax/io.hpp"
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

std::string analyze_report_name(const std::vector<std::string>& files,
                                const AnalyzeOptions& options) {
  if (!options.name.empty()) return options.name;
  return files.empty() ? std::string("matrix") : stem_of(files[0]);
}

AnalyzeResult analyze_files(const std::vector<std::string>& files, const AnalyzeOptions& options) {
  if (files.empty()) throw_usage("analyze needs at least one matrix file");
  for (const auto& o : options.orderings)
    if (!is_ordering_name(o))
      throw_usage("unknown ordering '" + o + "' (known: " + ordering_names_joined() + ")");
  Timer total;
  AnalyzeResult r;
  const int threads = resolve_threads(options.threads);
  // Steps for the progress callback: read, structure, each ordering (natural included), the
  // natural tree, the LU fill, each measured ordering, each further file, the stamps.
  std::size_t n_orderings =
      options.orderings.size() + (std::find(options.orderings.begin(), options.orderings.end(),
                                            "natural") == options.orderings.end());
  const std::size_t steps = 2 + n_orderings + 1 + (options.superlu || options.klu ? 1 : 0) +
                            (options.measure ? options.orderings.size() : 0) + files.size() - 1 +
                            (options.stamps.empty() ? 0 : 1);
  // The ordering workers report too: counting and reporting under one lock keeps the counts
  // the callback sees in order.
  std::size_t done = 0;
  std::mutex progress_mutex;
  auto progress = [&](const std::string& what, bool step_done) {
    std::lock_guard<std::mutex> lock(progress_mutex);
    if (step_done) ++done;
    if (options.progress) options.progress(done, steps, what);
  };
  r.input_path = files[0];
  r.sample_paths = files;
  r.name = analyze_report_name(files, options);
  r.lu_requested = options.superlu || options.klu;

  ReadOptions ro;
  ro.threads = threads;
  Timer t;
  progress("reading " + files[0], false);
  MatrixFile mf = read_matrix_market(files[0], ro);
  progress("read", true);
  r.timings.emplace_back("read", t.seconds());
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
  progress("structure", false);
  r.matrix = analyze_structure(a, mf.stats.duplicates_summed);
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
      r.measured.push_back(measure_factorization(a, o.perm, options.lu_timeout));
      progress("measure " + o.ordering, true);
    }
    r.timings.emplace_back("measure", t.seconds());
  }

  if (files.size() >= 2) {
    t.reset();
    PatternStabilityAccumulator acc;
    acc.add(a);
    for (std::size_t k = 1; k < files.size(); ++k) {
      progress("pattern stability: " + files[k], false);
      acc.add(read_matrix_market(files[k], ro).matrix);
      progress("pattern stability", true);
    }
    r.stability = acc.result();
    r.timings.emplace_back("pattern_stability", t.seconds());
  }
  if (!options.stamps.empty()) {
    t.reset();
    progress("scatter", false);
    ScatterOptions so;
    so.threads = threads;
    // The matrix is compared with the assembly when their sizes agree (an input error if not).
    ScatterResult sr = analyze_scatter(read_stamps(options.stamps), so, &a);
    sr.source = options.stamps;
    sr.matrix_path = files[0];
    r.scatter = std::move(sr);
    r.timings.emplace_back("scatter", t.seconds());
    progress("scatter", true);
  }
  r.timings.emplace_back("total", total.seconds());
  return r;
}

}  // namespace spax
