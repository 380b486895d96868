// The per-ordering prediction: schedules of the supernodal tree for p = 1, 2, 4, ..., the
// triangular solves, the GPU batch plan.
#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/front_cost.hpp"
#include "spax/analysis.hpp"
#include "spax/predict.hpp"
#include "spax/timer.hpp"

namespace spax {

GpuPlan gpu_batch_plan(const SupernodalStructure& st) {
  GpuPlan plan;
  const index_t ns = st.count();
  if (ns == 0) return plan;
  TreeLevels tl = tree_levels(st.parent);
  plan.levels = tl.height;
  plan.per_level.resize(static_cast<std::size_t>(tl.height));
  std::vector<std::map<int, std::pair<index_t, double>>> classes(
      static_cast<std::size_t>(tl.height));  // class -> (fronts, max flops)
  std::vector<std::map<int, double>> class_flops(static_cast<std::size_t>(tl.height));
  for (index_t s = 0; s < ns; ++s) {
    const index_t l = tl.level[s];
    GpuLevel& g = plan.per_level[static_cast<std::size_t>(l)];
    const double f = supernode_flops(st, s);
    ++g.fronts;
    g.flops += f;
    g.max_front_flops = std::max(g.max_front_flops, f);
    const int cls = static_cast<int>(std::ceil(std::log2(static_cast<double>(st.nrows[s]))));
    auto& c = classes[static_cast<std::size_t>(l)][cls];
    ++c.first;
    c.second = std::max(c.second, f);
  }
  double total = 0.0, padded = 0.0, padded_class = 0.0;
  index_t class_count = 0;
  for (std::size_t l = 0; l < plan.per_level.size(); ++l) {
    GpuLevel& g = plan.per_level[l];
    const double pad = static_cast<double>(g.fronts) * g.max_front_flops;
    g.fill = pad > 0.0 ? g.flops / pad : 1.0;
    double padc = 0.0;
    for (const auto& [cls, c] : classes[l]) padc += static_cast<double>(c.first) * c.second;
    g.size_classes = static_cast<index_t>(classes[l].size());
    g.fill_by_class = padc > 0.0 ? g.flops / padc : 1.0;
    total += g.flops;
    padded += pad;
    padded_class += padc;
    class_count += g.size_classes;
  }
  plan.launches = plan.kernels_per_level * plan.levels;
  plan.launches_by_class = plan.kernels_per_level * class_count;
  plan.fill = padded > 0.0 ? total / padded : 1.0;
  plan.fill_by_class = padded_class > 0.0 ? total / padded_class : 1.0;
  return plan;
}

SchedulePrediction predict_schedule(const SparseMatrix& a, std::span<const index_t> p,
                                    std::span<const index_t> parent,
                                    std::span<const index_t> colcount,
                                    const SupernodalStructure& st, const MachineModel& model,
                                    const PredictOptions& options) {
  Timer timer;
  SchedulePrediction out;
  out.model_source = model.source;
  out.supernodes = st.count();
  for (index_t s = 0; s < st.count(); ++s) out.flops += supernode_flops(st, s);
  const int maxw = std::max(options.max_workers, 1);
  // CHOLMOD as it runs (scalar loops on one thread): `tree` uses its one-worker times, `front`
  // its times on p BLAS threads; `tree_front` splits the scalar loops of a wide task too.
  TaskTree chol, split;
  detail::supernodal_task_trees(st, model, maxw, chol, split);
  // Permuting and transposing A runs before any supernode, on one thread.
  const double prologue = model.backend.per_entry * static_cast<double>(a.nnz());
  const double seq = sequential_seconds(chol);
  out.sequential_seconds = seq + prologue;
  out.span_seconds = span_seconds(chol, 1) + prologue;
  out.work_span = out.span_seconds > 0.0 ? out.sequential_seconds / out.span_seconds : 1.0;
  double lu = prologue;
  for (index_t s = 0; s < st.count(); ++s) lu += front_seconds_lu(st, s, model, 1);
  out.sequential_seconds_lu = lu;

  out.solve = solve_structure(a, p, parent, colcount, options.solve_max_entries);
  // Seconds per entry of a triangular solve: an indirect multiply-add, as the assembly loop
  // (per entry, from a long column).
  const double per_entry = model.seconds({Kernel::assemble, 1.0, 1024.0, 1024.0}, 1) / 1024.0;
  auto with_prologue = [&](ScheduleResult r) {
    r.seconds += prologue;
    r.speedup = r.seconds > 0.0 ? out.sequential_seconds / r.seconds : 1.0;
    return r;
  };
  std::vector<int> ps;
  for (int w = 1; w <= maxw; w *= 2) ps.push_back(w);
  auto barrier = [&](int w) { return model.barrier_seconds(w); };
  const std::vector<SolveSchedule> lower = solve_schedules(out.solve.lower, ps, per_entry, barrier);
  const std::vector<SolveSchedule> upper = solve_schedules(out.solve.upper, ps, per_entry, barrier);
  for (std::size_t i = 0; i < ps.size(); ++i) {
    ScheduleRow row;
    row.p = ps[i];
    row.tree = with_prologue(list_schedule(chol, ps[i], ScheduleKind::tree, false));
    row.front = with_prologue(list_schedule(chol, ps[i], ScheduleKind::front, false));
    row.tree_front = with_prologue(list_schedule(split, ps[i], ScheduleKind::tree_front));
    row.solve_lower = lower[i];
    row.solve_upper = upper[i];
    out.rows.push_back(row);
  }
  // Keep the level counts, drop the DAGs.
  for (SolveDag* d : {&out.solve.lower, &out.solve.upper}) {
    d->work.clear();
    d->work.shrink_to_fit();
    d->level.clear();
    d->level.shrink_to_fit();
    d->edge_ptr.clear();
    d->edge_ptr.shrink_to_fit();
    d->edge_to.clear();
    d->edge_to.shrink_to_fit();
  }
  out.gpu = gpu_batch_plan(st);
  out.seconds = timer.seconds();
  return out;
}

}  // namespace spax
