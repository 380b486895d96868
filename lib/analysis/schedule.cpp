// List scheduling of a task tree on p workers (tree, front and tree + front parallelism), with
// the multifrontal memory each worker holds over time.
#include <algorithm>
#include <cmath>
#include <queue>
#include <string>

#include "spax/predict.hpp"

namespace spax {

const char* schedule_kind_name(ScheduleKind k) {
  switch (k) {
    case ScheduleKind::tree:
      return "tree";
    case ScheduleKind::front:
      return "front";
    case ScheduleKind::tree_front:
      return "tree_front";
  }
  return "?";
}

double TaskTree::time(index_t k, int w) const {
  const std::size_t nw = widths.size();
  const double* row = seconds.data() + static_cast<std::size_t>(k) * nw;
  double best = row[0];
  for (std::size_t j = 1; j < nw && widths[j] <= w; ++j) best = std::min(best, row[j]);
  // Never faster than perfect speedup over one worker.
  return std::max(best, row[0] / std::max(w, 1));
}

double TaskTree::time_all(index_t k, int w) const {
  const std::size_t nw = widths.size();
  const double* row = seconds.data() + static_cast<std::size_t>(k) * nw;
  std::size_t j = 0;
  while (j + 1 < nw && widths[j + 1] <= w) ++j;
  return std::max(row[j], row[0] / std::max(w, 1));
}

namespace {

// A task takes a wider share only when that cuts its time by at least 10%.
constexpr double kWorthDoubling = 0.9;

void check(const TaskTree& t) {
  const index_t n = t.size();
  if (t.widths.empty() || t.widths.front() != 1)
    throw_internal("task tree: widths must start at 1");
  for (std::size_t j = 1; j < t.widths.size(); ++j)
    if (t.widths[j] <= t.widths[j - 1]) throw_internal("task tree: widths must increase");
  if (t.seconds.size() != static_cast<std::size_t>(n) * t.widths.size())
    throw_internal("task tree: seconds has the wrong size");
  for (index_t k = 0; k < n; ++k)
    if (t.parent[k] != -1 && (t.parent[k] <= k || t.parent[k] >= n))
      throw_internal("task tree: parent[k] must be -1 or in (k, n)");
  const bool mem = !t.factor_bytes.empty() || !t.front_bytes.empty() || !t.update_bytes.empty();
  if (mem && (t.factor_bytes.size() != static_cast<std::size_t>(n) ||
              t.front_bytes.size() != static_cast<std::size_t>(n) ||
              t.update_bytes.size() != static_cast<std::size_t>(n)))
    throw_internal("task tree: memory arrays have the wrong size");
}

// Longest path from each task to its root, one worker per task (the priority).
std::vector<double> root_path(const TaskTree& t) {
  const index_t n = t.size();
  std::vector<double> prio(static_cast<std::size_t>(n));
  for (index_t k = n; k-- > 0;)
    prio[k] = t.time(k, 1) + (t.parent[k] == -1 ? 0.0 : prio[t.parent[k]]);
  return prio;
}

}  // namespace

double sequential_seconds(const TaskTree& t) {
  check(t);
  double s = 0.0;
  for (index_t k = 0; k < t.size(); ++k) s += t.time(k, 1);
  return s;
}

double span_seconds(const TaskTree& t, int p) {
  check(t);
  const index_t n = t.size();
  // Longest leaf-to-root path: the path ending at k plus k.
  std::vector<double> below(static_cast<std::size_t>(n), 0.0);
  double span = 0.0;
  for (index_t k = 0; k < n; ++k) {
    const double end = below[k] + t.time(k, std::max(p, 1));
    span = std::max(span, end);
    if (t.parent[k] != -1) below[t.parent[k]] = std::max(below[t.parent[k]], end);
  }
  return span;
}

ScheduleResult list_schedule(const TaskTree& t, int p, ScheduleKind kind, bool track_memory) {
  check(t);
  p = std::max(p, 1);
  const index_t n = t.size();
  ScheduleResult r;
  r.workers = p;
  const double seq = sequential_seconds(t);
  if (n == 0) return r;
  const bool mem = track_memory && !t.factor_bytes.empty();
  const std::vector<double> prio = root_path(t);
  // time(k, w) for every width, looked up by the width's index.
  const std::size_t nw = t.widths.size();
  std::vector<double> tw(static_cast<std::size_t>(n) * nw);
  for (index_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < nw; ++j)
      tw[static_cast<std::size_t>(k) * nw + j] = t.time(k, t.widths[j]);
  auto time_at = [&](index_t k, int w) {  // w: one of the widths, or p for `front`
    std::size_t j = 0;
    while (j + 1 < nw && t.widths[j + 1] <= w) ++j;
    const double fast = tw[static_cast<std::size_t>(k) * nw + j];
    return t.widths[j] == w ? fast : t.time(k, w);
  };
  std::vector<index_t> pending(static_cast<std::size_t>(n), 0);
  std::vector<std::vector<index_t>> children(static_cast<std::size_t>(n));
  for (index_t k = 0; k < n; ++k)
    if (t.parent[k] != -1) {
      ++pending[t.parent[k]];
      children[t.parent[k]].push_back(k);
    }
  auto higher = [&](index_t a, index_t b) {  // true when b comes before a
    if (prio[a] != prio[b]) return prio[a] < prio[b];
    return a > b;
  };
  std::priority_queue<index_t, std::vector<index_t>, decltype(higher)> ready(higher);
  for (index_t k = 0; k < n; ++k)
    if (pending[k] == 0) ready.push(k);
  // Idle workers by id (lowest first), running tasks by finish time.
  std::priority_queue<int, std::vector<int>, std::greater<int>> idle;
  for (int w = 0; w < p; ++w) idle.push(w);
  using Run = std::pair<double, index_t>;
  std::priority_queue<Run, std::vector<Run>, std::greater<Run>> running;
  // Workers of each task: crew_ids[crew_at[k] .. crew_at[k] + crew_n[k]).
  std::vector<index_t> crew_at(static_cast<std::size_t>(n), 0);
  std::vector<int> crew_n(static_cast<std::size_t>(n), 0), crew_ids;
  std::vector<double> cur(static_cast<std::size_t>(p), 0.0), peak(cur), factor(cur), active(cur),
      active_peak(cur);
  auto add = [&](int w, double bytes, bool is_factor) {
    cur[w] += bytes;
    peak[w] = std::max(peak[w], cur[w]);
    if (is_factor) {
      factor[w] += bytes;
    } else {
      active[w] += bytes;
      active_peak[w] = std::max(active_peak[w], active[w]);
    }
  };
  auto start = [&](double now, index_t k, int w, double seconds) {
    crew_at[k] = static_cast<index_t>(crew_ids.size());
    crew_n[k] = w;
    for (int i = 0; i < w; ++i) {
      crew_ids.push_back(idle.top());
      idle.pop();
    }
    running.emplace(now + seconds, k);
    if (!mem) return;
    const double share = t.front_bytes[k] / w;
    for (int i = 0; i < w; ++i) add(crew_ids[crew_at[k] + i], share, false);
    for (index_t c : children[k]) {
      const double cb = t.update_bytes[c] / crew_n[c];
      for (int i = 0; i < crew_n[c]; ++i) add(crew_ids[crew_at[c] + i], -cb, false);
    }
  };
  double now = 0.0, makespan = 0.0;
  index_t done = 0;
  while (done < n) {
    // Assign.
    if (kind == ScheduleKind::front) {
      if (running.empty() && !ready.empty()) {
        index_t k = ready.top();
        ready.pop();
        start(now, k, p, t.time_all(k, p));
      }
    } else {
      while (!idle.empty() && !ready.empty()) {
        index_t k = ready.top();
        ready.pop();
        int w = 1;
        if (kind == ScheduleKind::tree_front) {
          const int keep = static_cast<int>(ready.size());  // one worker for each other ready task
          const int avail = static_cast<int>(idle.size()) -
                            std::min<int>(keep, static_cast<int>(idle.size()) - 1);
          // A wider share is taken when it cuts the task's time by at least a tenth against
          // the best narrower one.
          const double* row = tw.data() + static_cast<std::size_t>(k) * nw;
          double best = row[0];
          for (std::size_t j = 1; j < nw && t.widths[j] <= avail; ++j)
            if (row[j] < kWorthDoubling * best) {
              w = t.widths[j];
              best = row[j];
            }
        }
        start(now, k, w, time_at(k, w));
      }
    }
    if (running.empty()) throw_internal("list_schedule: no task can run (not a forest?)");
    // Finish every task that ends at the next event time.
    now = running.top().first;
    while (!running.empty() && running.top().first <= now) {
      const index_t k = running.top().second;
      running.pop();
      ++done;
      makespan = std::max(makespan, now);
      const int w = crew_n[k];
      for (int i = 0; i < w; ++i) {
        const int id = crew_ids[crew_at[k] + i];
        if (mem) {
          add(id, -t.front_bytes[k] / w, false);
          add(id, t.factor_bytes[k] / w, true);
          add(id, t.update_bytes[k] / w, false);
        }
        idle.push(id);
      }
      if (t.parent[k] != -1 && --pending[t.parent[k]] == 0) ready.push(t.parent[k]);
    }
  }
  r.seconds = makespan;
  r.speedup = makespan > 0.0 ? seq / makespan : 1.0;
  if (mem) {
    for (int w = 0; w < p; ++w) {
      r.memory_peak_bytes = std::max(r.memory_peak_bytes, peak[w]);
      r.memory_factor_bytes = std::max(r.memory_factor_bytes, factor[w]);
      r.memory_active_bytes = std::max(r.memory_active_bytes, active_peak[w]);
    }
  }
  return r;
}

}  // namespace spax
