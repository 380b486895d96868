// The schedule predictions of `spax analyze`: JSON, the summary section and schedule.svg.
#include "spax/report/schedule_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "spax/report/text_format.hpp"

namespace spax {
namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kScheduleDefinition =
    "CHOLMOD's supernodal Cholesky of A(p,p)+A(p,p)^T on its relaxed supernodes, each supernode "
    "one task of the supernodal tree, timed by the machine model. tree: list schedule "
    "(critical-path priority), one worker per task; front: tasks in sequence, each on all p "
    "workers (CHOLMOD with p BLAS threads: its scalar loops stay on one thread); tree_front: "
    "both, a task gets several workers when fewer tasks than idle workers are ready, widening "
    "its share while that cuts its time by 10% or more. speedup = sequential_seconds / seconds. "
    "memory_per_process: a multifrontal factorization run on the tree_front schedule, per "
    "worker: its share of the factor plus its fronts and update blocks, at its peak";

constexpr const char* kSolveDefinition =
    "forward solve with L and backward solve with U of A(p,p) factored without pivoting "
    "(diagonal taken as nonzero), one task per row; level-scheduled: a barrier between "
    "levels; coarsened: consecutive levels merged while that lowers the predicted time (as "
    "HDagg), each band's connected components run by one worker each";

constexpr const char* kGpuDefinition =
    "levels of the supernodal tree (leaves first): one batched launch per kernel (assemble, "
    "potrf, trsm, update) and level; fill = flops / (fronts * largest front's flops), how full "
    "a batch padded to its largest front is; by_size_class: one batch per power-of-two class "
    "of front rows";

double ratio(double a, double b) {
  return b > 0.0 && a >= 0.0 ? a / b : 0.0;
}

const ScheduleRow* row_for(const SchedulePrediction& s, int p) {
  for (const auto& r : s.rows)
    if (r.p == p) return &r;
  return nullptr;
}

ojson result_json(const ScheduleResult& r) {
  return {{"seconds", r.seconds}, {"speedup", r.speedup}};
}

ojson solve_json(const SolveSchedule& s) {
  return {{"level_seconds", s.level_seconds},
          {"level_speedup", ratio(s.sequential_seconds, s.level_seconds)},
          {"coarse_levels", s.coarse_levels},
          {"coarse_seconds", s.coarse_seconds},
          {"coarse_speedup", ratio(s.sequential_seconds, s.coarse_seconds)}};
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pad(const std::string& s, std::size_t w, bool right = true) {
  if (s.size() >= w) return s + " ";
  return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

std::string bytes_text(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1024.0 && u < 4) {
    b /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string secs(double s) {
  if (s <= 0.0) return "0";
  if (s < 1e-3) return fmt("%.3g", s * 1e6) + "us";
  if (s < 1.0) return fmt("%.3g", s * 1e3) + "ms";
  return fmt("%.3g", s) + "s";
}

}  // namespace

ojson machine_model_info_json(const MachineModelInfo& m) {
  ojson j;
  j["source"] = m.source;
  j["status"] = m.status;
  j["path"] = m.path;
  if (!m.warning.empty()) j["warning"] = m.warning;
  j["created"] = m.created.empty() ? ojson(nullptr) : ojson(m.created);
  j["blas"] = m.blas;
  j["threads"] = m.threads;
  j["calibration_seconds"] = m.calibration_seconds;
  j["backend_overhead"] = {{"backend", m.backend.backend},
                           {"per_supernode_seconds", m.backend.per_supernode},
                           {"per_update_seconds", m.backend.per_update},
                           {"per_entry_seconds", m.backend.per_entry}};
  j["definition"] =
      "seconds of each dense kernel call (potrf, trsm, syrk, gemm, getrf) and scalar loop "
      "(assemble, stream, touch) from rate tables measured on this machine through its BLAS "
      "for the calibrated thread counts (spax calibrate), or from the documented default "
      "model (source default); thread counts above the calibrated ones split each call into "
      "pieces (split model); plus the backend's own cost per supernode, per update and per "
      "entry of A";
  return j;
}

void add_threaded_measure(ojson& mj, const MeasuredFactorization& m) {
  if (m.cholmod_supernodal_1 >= 0.0) {
    mj["cholmod_supernodal_threads_1_seconds"] = m.cholmod_supernodal_1;
    mj["cholmod_supernodal_threads_1_cpu_seconds"] = m.cholmod_supernodal_1_cpu;
    mj["cholmod_supernodal_threads_2_seconds"] = m.cholmod_supernodal_2;
    mj["cholmod_supernodal_rounds"] = m.cholmod_rounds;
  } else if (!m.cholmod_supernodal_error.empty()) {
    mj["cholmod_supernodal_error"] = m.cholmod_supernodal_error;
  }
  // MUMPS with 1 and 2 MPI processes (each an MPI job), where the mumps backend is available.
  mj["mumps_np1_seconds"] = m.mumps_np1 >= 0.0 ? ojson(m.mumps_np1) : ojson(nullptr);
  mj["mumps_np2_seconds"] = m.mumps_np2 >= 0.0 ? ojson(m.mumps_np2) : ojson(nullptr);
  if (!m.mumps_error.empty()) mj["mumps_error"] = m.mumps_error;
}

ojson schedule_json(const SchedulePrediction& s, const MeasuredFactorization* measured) {
  ojson j;
  j["model"] = s.model_source;
  j["supernodes"] = s.supernodes;
  j["flops"] = s.flops;
  j["sequential_seconds"] = s.sequential_seconds;
  j["sequential_seconds_lu"] = s.sequential_seconds_lu;
  j["span_seconds"] = s.span_seconds;
  j["work_span"] = s.work_span;
  ojson rows = ojson::array();
  for (const ScheduleRow& r : s.rows) {
    ojson x;
    x["p"] = r.p;
    x["tree"] = result_json(r.tree);
    x["front"] = result_json(r.front);
    x["tree_front"] = result_json(r.tree_front);
    x["memory_per_process"] = {{"peak_bytes", r.tree_front.memory_peak_bytes},
                               {"factor_bytes", r.tree_front.memory_factor_bytes},
                               {"active_bytes", r.tree_front.memory_active_bytes}};
    x["solve"] = {{"L", solve_json(r.solve_lower)}, {"U", solve_json(r.solve_upper)}};
    rows.push_back(x);
  }
  j["workers"] = rows;
  j["definition"] = kScheduleDefinition;
  const double l_seq = s.rows.empty() ? 0.0 : s.rows.front().solve_lower.sequential_seconds;
  const double u_seq = s.rows.empty() ? 0.0 : s.rows.front().solve_upper.sequential_seconds;
  j["solve"] = {{"method", s.solve.method},         {"exact", s.solve.exact},
                {"L_levels", s.solve.lower.levels}, {"U_levels", s.solve.upper.levels},
                {"L_sequential_seconds", l_seq},    {"U_sequential_seconds", u_seq},
                {"definition", kSolveDefinition}};
  ojson levels = ojson::array();
  const std::size_t nl = s.gpu.per_level.size();
  for (std::size_t l = 0; l < nl; ++l) {
    if (nl > 100 && l == 50) {
      levels.push_back("...");
      l = nl - 50;
    }
    const GpuLevel& g = s.gpu.per_level[l];
    levels.push_back({{"level", l},
                      {"fronts", g.fronts},
                      {"flops", g.flops},
                      {"max_front_flops", g.max_front_flops},
                      {"fill", g.fill},
                      {"size_classes", g.size_classes},
                      {"fill_by_size_class", g.fill_by_class}});
  }
  j["gpu_batches"] = {
      {"levels", s.gpu.levels},     {"kernels_per_level", s.gpu.kernels_per_level},
      {"launches", s.gpu.launches}, {"launches_by_size_class", s.gpu.launches_by_class},
      {"fill", s.gpu.fill},         {"fill_by_size_class", s.gpu.fill_by_class},
      {"per_level", levels},        {"definition", kGpuDefinition}};
  if (measured && measured->ok) {
    ojson pm;
    const ScheduleRow* two = row_for(s, 2);
    auto pair = [](double pred, double meas) {
      ojson x;
      x["predicted"] = pred;
      x["measured"] = meas >= 0.0 ? ojson(meas) : ojson(nullptr);
      x["ratio"] = meas > 0.0 ? ojson(pred / meas) : ojson(nullptr);
      return x;
    };
    const double t1 = measured->cholmod_supernodal_1, t2 = measured->cholmod_supernodal_2;
    ojson one = pair(s.sequential_seconds, t1);
    if (measured->cholmod_supernodal_1_cpu >= 0.0) {
      one["measured_cpu"] = measured->cholmod_supernodal_1_cpu;
      one["ratio_cpu"] = ratio(s.sequential_seconds, measured->cholmod_supernodal_1_cpu);
    }
    pm["cholmod_threads_1_seconds"] = one;
    if (two) {
      pm["cholmod_threads_2_seconds"] = pair(two->front.seconds, t2);
      pm["cholmod_speedup_2"] = pair(two->front.speedup, t1 > 0.0 && t2 > 0.0 ? t1 / t2 : -1.0);
    }
    // MUMPS (a multifrontal LU) against the LU prediction on one worker and the tree + front
    // schedule's speedup on two.
    const double m1 = measured->mumps_np1, m2 = measured->mumps_np2;
    const bool mumps = m1 > 0.0 && m2 > 0.0;
    pm["mumps_np1_seconds"] = mumps ? pair(s.sequential_seconds_lu, m1) : ojson(nullptr);
    pm["mumps_speedup_2"] = mumps && two ? pair(two->tree_front.speedup, m1 / m2) : ojson(nullptr);
    pm["definition"] =
        "CHOLMOD: predicted = the front schedule (1 and 2 BLAS threads, scalar loops on one "
        "thread), measured = the best of the rounds in orderings.NAME.measured (wall time; "
        "measured_cpu: CPU time of the 1-thread run); ratio = predicted / measured. MUMPS: "
        "predicted = the multifrontal LU on one worker (sequential_seconds_lu) and the "
        "tree_front speedup on 2 workers, measured = its factorization on 1 and 2 MPI processes "
        "(null where mumps is not available: orderings.NAME.measured.mumps_error says why)";
    j["predicted_vs_measured"] = pm;
  }
  return j;
}

std::string schedule_summary(const AnalyzeResult& r) {
  bool any = false;
  for (const auto& o : r.orderings) any = any || o.schedule.has_value();
  if (!any || !r.machine_model) return {};
  const MachineModelInfo& m = *r.machine_model;
  std::ostringstream o;
  o << "== Predicted schedule (machine model: " << m.source;
  if (m.source == "calibrated") o << " " << m.created << ", threads";
  if (m.source == "calibrated")
    for (int t : m.threads) o << " " << t;
  o << ") ==\n";
  if (m.source != "calibrated")
    o << "  default model: run `spax calibrate` (or analyze --calibrate) to measure this machine\n";
  const std::vector<int> ps = {2, 8, 64};
  o << pad("ordering", 9, false) << pad("seq", 9) << pad("work/span", 10);
  for (int p : ps) o << pad("tree p" + std::to_string(p), 10);
  for (int p : ps) o << pad("+front p" + std::to_string(p), 11);
  o << pad("L/U levels", 13) << pad("solve coarse p8", 16) << pad("GPU launches", 13)
    << pad("fill", 6) << pad("mem/proc p8", 12) << "\n";
  for (const auto& x : r.orderings) {
    if (!x.schedule) continue;
    const SchedulePrediction& s = *x.schedule;
    o << pad(x.ordering, 9, false) << pad(secs(s.sequential_seconds), 9)
      << pad(fmt("%.1f", s.work_span), 10);
    for (int p : ps) {
      const ScheduleRow* row = row_for(s, p);
      o << pad(row ? fmt("%.2fx", row->tree.speedup) : "-", 10);
    }
    for (int p : ps) {
      const ScheduleRow* row = row_for(s, p);
      o << pad(row ? fmt("%.2fx", row->tree_front.speedup) : "-", 11);
    }
    o << pad(std::to_string(s.solve.lower.levels) + "/" + std::to_string(s.solve.upper.levels) +
                 (s.solve.exact ? "" : "*"),
             13);
    const ScheduleRow* p8 = row_for(s, 8);
    o << pad(p8 ? fmt("%.2fx",
                      ratio(p8->solve_lower.sequential_seconds, p8->solve_lower.coarse_seconds)) +
                      "/" +
                      fmt("%.2fx",
                          ratio(p8->solve_upper.sequential_seconds, p8->solve_upper.coarse_seconds))
                : "-",
             16);
    o << pad(std::to_string(s.gpu.launches), 13) << pad(fmt("%.2f", s.gpu.fill), 6);
    o << pad(p8 ? bytes_text(p8->tree_front.memory_peak_bytes) : "-", 12) << "\n";
  }
  bool starred = false;
  for (const auto& x : r.orderings) starred = starred || (x.schedule && !x.schedule->solve.exact);
  if (starred) o << "  * levels of the A+A^T etree (an upper bound): LU structure not computed\n";
  if (!r.measured.empty()) {
    o << "predicted vs measured, CHOLMOD supernodal (front schedule; ratio = "
         "predicted/measured):\n";
    for (std::size_t k = 0; k < r.orderings.size() && k < r.measured.size(); ++k) {
      const auto& x = r.orderings[k];
      const MeasuredFactorization& mf = r.measured[k];
      if (!x.schedule) continue;
      o << "  " << pad(x.ordering, 9, false);
      if (!mf.ok || mf.cholmod_supernodal_1 < 0.0) {
        o << "not measured"
          << (mf.cholmod_supernodal_error.empty() ? "" : ": " + mf.cholmod_supernodal_error)
          << "\n";
        continue;
      }
      const SchedulePrediction& s = *x.schedule;
      const ScheduleRow* two = row_for(s, 2);
      const double t1 = mf.cholmod_supernodal_1, t2 = mf.cholmod_supernodal_2;
      o << "1 thread " << secs(s.sequential_seconds) << " vs " << secs(t1) << " (cpu "
        << secs(mf.cholmod_supernodal_1_cpu) << ", " << fmt("%.2f", ratio(s.sequential_seconds, t1))
        << ")";
      if (two)
        o << "; 2 threads " << secs(two->front.seconds) << " vs " << secs(t2) << " ("
          << fmt("%.2f", ratio(two->front.seconds, t2)) << "); speedup "
          << fmt("%.2f", two->front.speedup) << " vs " << fmt("%.2f", ratio(t1, t2));
      if (mf.mumps_np1 > 0.0 && mf.mumps_np2 > 0.0)
        o << "; MUMPS np1 " << secs(mf.mumps_np1) << " (LU predicted "
          << secs(s.sequential_seconds_lu) << "), speedup np2 "
          << fmt("%.2f", mf.mumps_np1 / mf.mumps_np2) << " vs predicted "
          << (two ? fmt("%.2f", two->tree_front.speedup) : std::string("-")) << "\n";
      else
        o << "; MUMPS not measured" << (mf.mumps_error.empty() ? "" : ": " + mf.mumps_error)
          << "\n";
    }
  }
  return o.str();
}

std::string machine_model_summary(const MachineModel& m, const std::string& path) {
  std::ostringstream o;
  o << "Machine model: " << m.source << (m.created.empty() ? "" : ", " + m.created) << "\n";
  o << "  machine           " << m.machine.host << ", " << m.machine.cpu << ", "
    << m.machine.hardware_threads << " hardware threads\n";
  o << "  BLAS              " << m.machine.blas << "\n";
  if (m.calibration_seconds > 0.0)
    o << "  calibration       " << fmt("%.2f", m.calibration_seconds) << " s\n";
  if (!path.empty()) o << "  saved to          " << path << "\n";
  o << "best rate per kernel (Gflop/s; assemble, stream, touch: M entries/s):\n";
  o << pad("threads", 9, false);
  for (int k = 0; k < kKernelCount; ++k) o << pad(kernel_name(static_cast<Kernel>(k)), 10);
  o << pad("barrier", 10) << "\n";
  for (const ThreadModel& t : m.threads) {
    o << pad(std::to_string(t.threads), 9, false);
    for (int k = 0; k < kKernelCount; ++k) {
      const KernelTable& tab = t.kernels[static_cast<std::size_t>(k)];
      const bool scalar = k >= static_cast<int>(Kernel::assemble);
      if (tab.empty()) {
        o << pad("-", 10);
        continue;
      }
      const double best = *std::max_element(tab.rate.begin(), tab.rate.end());
      o << pad(fmt("%.1f", best / (scalar ? 1e6 : 1e9)), 10);
    }
    o << pad(t.threads > 1 ? secs(t.barrier_seconds) : "-", 10) << "\n";
  }
  o << "backend overhead (" << m.backend.backend << "): " << secs(m.backend.per_supernode)
    << " per supernode, " << secs(m.backend.per_update) << " per update, "
    << secs(m.backend.per_entry) << " per entry of A\n";
  for (const auto& f : m.backend.fit) {
    const double pred = f.kernel_seconds + m.backend.per_supernode * f.supernodes +
                        m.backend.per_update * f.updates + m.backend.per_entry * f.entries;
    o << "  " << pad(f.matrix, 32, false) << "measured " << secs(f.measured_seconds) << ", kernels "
      << secs(f.kernel_seconds) << ", model " << secs(pred) << " ("
      << fmt("%.2f", ratio(pred, f.measured_seconds)) << ")\n";
  }
  return o.str();
}

std::string schedule_svg(const AnalyzeResult& r) {
  std::vector<const OrderingAnalysis*> list;
  for (const auto& o : r.orderings)
    if (o.schedule && !o.schedule->rows.empty()) list.push_back(&o);
  if (list.empty()) return {};
  const double W = 760, H = 480, left = 70, right = 190, top = 50, bottom = 60;
  const double pw = W - left - right, ph = H - top - bottom;
  int pmax = 1;
  double ymax = 2.0;
  for (const auto* o : list)
    for (const auto& row : o->schedule->rows) {
      pmax = std::max(pmax, row.p);
      ymax = std::max({ymax, row.tree.speedup, row.tree_front.speedup});
    }
  const double lpmax = std::max(1.0, std::log2(static_cast<double>(pmax)));
  auto X = [&](double p) { return left + pw * std::log2(std::max(p, 1.0)) / lpmax; };
  auto Y = [&](double s) { return top + ph * (1.0 - s / ymax); };
  auto n2 = [](double v) { return fmt("%.2f", v); };
  std::string s;
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + n2(W) + "\" height=\"" + n2(H) +
       "\" viewBox=\"0 0 " + n2(W) + " " + n2(H) +
       "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  const std::string title = "Predicted factorization speedup (" +
                            (r.machine_model ? r.machine_model->source : std::string("default")) +
                            " machine model)";
  s += "<title>" + xml_escape(title) + "</title>\n";
  s +=
      "<rect x=\"0\" y=\"0\" width=\"" + n2(W) + "\" height=\"" + n2(H) + "\" fill=\"#ffffff\"/>\n";
  s += "<text x=\"" + n2(W / 2) +
       "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" "
       "font-weight=\"bold\">" +
       xml_escape(title) + "</text>\n";
  // Axes and grid.
  for (int p = 1; p <= pmax; p *= 2) {
    s += "<line x1=\"" + n2(X(p)) + "\" y1=\"" + n2(top) + "\" x2=\"" + n2(X(p)) + "\" y2=\"" +
         n2(top + ph) + "\" stroke=\"#e0e0e0\"/>\n";
    s += "<text x=\"" + n2(X(p)) + "\" y=\"" + n2(top + ph + 16) + "\" text-anchor=\"middle\">" +
         std::to_string(p) + "</text>\n";
  }
  const double step = ymax <= 4 ? 0.5 : ymax <= 10 ? 1 : ymax <= 40 ? 5 : 10;
  for (double v = 0; v <= ymax + 1e-9; v += step) {
    s += "<line x1=\"" + n2(left) + "\" y1=\"" + n2(Y(v)) + "\" x2=\"" + n2(left + pw) +
         "\" y2=\"" + n2(Y(v)) + "\" stroke=\"#e0e0e0\"/>\n";
    s += "<text x=\"" + n2(left - 6) + "\" y=\"" + n2(Y(v) + 4) + "\" text-anchor=\"end\">" +
         fmt("%g", v) + "</text>\n";
  }
  s += "<rect x=\"" + n2(left) + "\" y=\"" + n2(top) + "\" width=\"" + n2(pw) + "\" height=\"" +
       n2(ph) + "\" fill=\"none\" stroke=\"#333333\"/>\n";
  s += "<text x=\"" + n2(left + pw / 2) + "\" y=\"" + n2(H - 18) +
       "\" text-anchor=\"middle\">workers p</text>\n";
  s += "<text x=\"18\" y=\"" + n2(top + ph / 2) +
       "\" text-anchor=\"middle\" transform=\"rotate(-90 18 " + n2(top + ph / 2) +
       ")\">speedup over one worker</text>\n";
  // Ideal speedup, clipped to the plot.
  s += "<polyline fill=\"none\" stroke=\"#999999\" stroke-dasharray=\"2 3\" points=\"";
  for (int p = 1; p <= pmax; p *= 2) s += n2(X(p)) + "," + n2(Y(std::min<double>(p, ymax))) + " ";
  s += "\"/>\n";
  const char* colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                           "#E69F00", "#56B4E9", "#000000", "#8C564B"};
  double ly = top + 8;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const OrderingAnalysis& o = *list[i];
    const char* c = colours[i % 8];
    for (int kind = 0; kind < 2; ++kind) {
      s += std::string("<polyline fill=\"none\" stroke=\"") + c + "\" stroke-width=\"2\"" +
           (kind == 0 ? " stroke-dasharray=\"6 4\"" : "") + " points=\"";
      for (const auto& row : o.schedule->rows)
        s +=
            n2(X(row.p)) + "," + n2(Y(kind == 0 ? row.tree.speedup : row.tree_front.speedup)) + " ";
      s += "\"/>\n";
    }
    // Measured CHOLMOD speedup with 2 BLAS threads, beside the front prediction.
    for (std::size_t k = 0; k < r.orderings.size() && k < r.measured.size(); ++k) {
      if (&r.orderings[k] != list[i]) continue;
      const MeasuredFactorization& m = r.measured[k];
      if (m.cholmod_supernodal_1 > 0.0 && m.cholmod_supernodal_2 > 0.0)
        s += std::string("<circle cx=\"") + n2(X(2)) + "\" cy=\"" +
             n2(Y(std::min(ymax, m.cholmod_supernodal_1 / m.cholmod_supernodal_2))) +
             "\" r=\"4\" fill=\"" + c + "\"/>\n";
    }
    s += std::string("<line x1=\"") + n2(left + pw + 14) + "\" y1=\"" + n2(ly) + "\" x2=\"" +
         n2(left + pw + 40) + "\" y2=\"" + n2(ly) + "\" stroke=\"" + c +
         "\" stroke-width=\"2\"/>\n";
    s += "<text x=\"" + n2(left + pw + 46) + "\" y=\"" + n2(ly + 4) + "\">" +
         xml_escape(o.ordering) + "</text>\n";
    ly += 18;
  }
  ly += 8;
  s += "<text x=\"" + n2(left + pw + 14) + "\" y=\"" + n2(ly) +
       "\" font-size=\"11\">solid: tree + front</text>\n";
  s += "<text x=\"" + n2(left + pw + 14) + "\" y=\"" + n2(ly + 15) +
       "\" font-size=\"11\">dashed: tree only</text>\n";
  s += "<text x=\"" + n2(left + pw + 14) + "\" y=\"" + n2(ly + 30) +
       "\" font-size=\"11\">dots: CHOLMOD, 2 BLAS</text>\n";
  s += "<text x=\"" + n2(left + pw + 14) + "\" y=\"" + n2(ly + 45) +
       "\" font-size=\"11\">threads, measured</text>\n";
  s += "</svg>\n";
  return s;
}

}  // namespace spax
