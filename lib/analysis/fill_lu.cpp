// LU fill under SuperLU (as scipy's splu runs it, lib/analysis/superlu_fill.cpp) and KLU, each
// factorization in a forked child process of a pool (lib/core/child_pool.*) so that a timeout can
// stop it (a library call cannot be interrupted otherwise); children report back in JSON.
#include <dlfcn.h>
#include <slu_ddefs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analysis/fill_counts.hpp"
#include "core/child_pool.hpp"
#include "spax/analysis.hpp"
#include "spax/solve.hpp"
#include "spax/structure.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace {

using detail::FillCounts;

enum class Kind { superlu_mmd, superlu_colamd, klu_amd, klu_colamd };

// KLU's L, U and off-diagonal-block counts: the klu backend (BTF on), as spax solve runs it.
FillCounts klu_fill_counts(const SparseMatrix& a, const char* ordering) {
  FillCounts c;
  SolverOptions o;
  o.ordering = ordering;
  auto s = create_solver("klu", o);
  try {
    s->analyze(a);
    s->factor(a);
  } catch (const Error& e) {
    c.error = e.message();
    return c;
  }
  c.ok = true;
  c.L = s->stats().nnz_L;
  c.U = s->stats().nnz_U;
  c.off = s->stats().nnz_offdiag;
  return c;
}

FillCounts run_kind(const SparseMatrix& a, Kind kind, const LuFillOptions& opt, bool synthesized,
                    int order_fd = -1) {
  Timer t;
  FillCounts c;
  try {
    switch (kind) {
      case Kind::superlu_mmd:
        c = detail::superlu_fill_counts(a, MMD_AT_PLUS_A, opt, synthesized, order_fd);
        break;
      case Kind::superlu_colamd:
        c = detail::superlu_fill_counts(a, COLAMD, opt, synthesized, -1);
        break;
      case Kind::klu_amd:
        c = klu_fill_counts(a, "amd");
        break;
      case Kind::klu_colamd:
        c = klu_fill_counts(a, "colamd");
        break;
    }
  } catch (const std::exception& e) {
    c.ok = false;
    c.error = e.what();
  }
  c.seconds = t.seconds();
  return c;
}

std::string format_timeout(double t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "timeout after %g s", t);
  return buf;
}

}  // namespace

class LuFillJob {
 public:
  struct Task {
    Kind kind;
    bool klu = false;
    std::size_t index = 0;  // into result.superlu or result.klu
    int order_fd = -1;      // SuperLU MMD with share_mmd_order: get_perm_c's order comes here first
    int order_write = -1;
  };

  explicit LuFillJob(const LuFillOptions& o)
      : options(o), pool(o.max_parallel, o.timeout_seconds) {}
  ~LuFillJob() {
    for (auto& t : tasks) close_order(*t);
  }

  SparseMatrix values;
  LuFillOptions options;
  LuFillResult result;
  std::vector<std::unique_ptr<Task>> tasks;  // stable addresses: the pool's callbacks hold them
  detail::ChildPool pool;

  LuFillEntry& entry(const Task& t) {
    return t.klu ? result.klu[t.index] : result.superlu[t.index];
  }

  static void close_order(Task& t) {
    if (t.order_fd >= 0) ::close(t.order_fd);
    t.order_fd = -1;
  }

  void add(Kind kind, bool klu, const char* name) {
    auto& list = klu ? result.klu : result.superlu;
    LuFillEntry e;
    e.name = name;
    e.library = klu ? "klu" : "superlu";
    list.push_back(e);
    tasks.push_back(std::make_unique<Task>(Task{kind, klu, list.size() - 1}));
    Task* t = tasks.back().get();
    const bool synthesized = result.values == "synthesized";
    detail::ChildPool::Task p;
    p.before_fork = [t, this] {
      int order[2] = {-1, -1};
      if (t->kind == Kind::superlu_mmd && options.share_mmd_order && ::pipe(order) == 0) {
        t->order_fd = order[0];
        t->order_write = order[1];
      }
    };
    p.in_child = [t] {
      if (t->order_fd >= 0) ::close(t->order_fd);
      // One BLAS thread per child: the children already run side by side, and OpenBLAS's
      // threads on SuperLU's small dense blocks only add contention.
      using set_threads_t = void (*)(int);
      if (auto f =
              reinterpret_cast<set_threads_t>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        f(1);
    };
    p.after_fork = [t] {
      if (t->order_write >= 0) ::close(t->order_write);
      t->order_write = -1;
    };
    p.work = [t, this, synthesized] {
      return detail::to_json_text(run_kind(values, t->kind, options, synthesized, t->order_write));
    };
    p.done = [t, this](const detail::ChildOutcome& out) { reap(*t, out); };
    pool.add(std::move(p));
  }

  // The MMD child's get_perm_c order, as a spax ordering (perm[k] = column in position k).
  bool take_mmd_order(Ordering& o) {
    for (auto& t : tasks) {
      if (t->kind != Kind::superlu_mmd || t->order_fd < 0) continue;
      const int fd = t->order_fd;
      t->order_fd = -1;
      std::vector<index_t> q;
      double seconds = 0.0;
      if (!detail::read_column_order(fd, result.n, q, seconds)) return false;
      o.name = "mmd";
      o.perm = std::move(q);
      o.seconds = seconds;
      return true;
    }
    return false;
  }

  void finish(Task& t, const FillCounts& c) {
    LuFillEntry& e = entry(t);
    e.seconds = c.seconds;
    e.ok = c.ok;
    if (!c.ok) {
      e.error = c.error.empty() ? "factorization failed" : c.error;
      return;
    }
    e.method = c.method;
    e.note = c.note;
    e.L_nnz = c.L;
    e.U_nnz = c.U;
    e.offdiag_nnz = c.off;
    const index_t n = result.n;
    e.factor_nnz = t.klu ? c.L + c.U - n + c.off : c.L + c.U - n;
    e.fill_ratio = result.original_nnz > 0 ? static_cast<double>(e.factor_nnz) /
                                                 static_cast<double>(result.original_nnz)
                                           : 0.0;
    e.fill_in = e.factor_nnz - result.original_nnz;
  }

  void reap(Task& t, const detail::ChildOutcome& out) {
    close_order(t);
    FillCounts c = out.timed_out ? FillCounts{} : detail::fill_counts_from(out.payload);
    // A child that finished only after its time was up (the parent was busy meanwhile) is
    // skipped too: the timeout applies to the factorization's own time, whenever the parent looks.
    if (out.timed_out ||
        (c.ok && options.timeout_seconds > 0 && c.seconds > options.timeout_seconds)) {
      LuFillEntry& e = entry(t);
      e.ok = false;
      e.skipped = format_timeout(options.timeout_seconds);
      e.seconds = options.timeout_seconds;
      return;
    }
    if (!c.ok && out.payload.empty() && out.crashed)
      c.error = "factorization process died (signal " + std::to_string(out.signal) + ")";
    finish(t, c);
  }
};

SparseMatrix lu_values_matrix(const SparseMatrix& a, std::string* values_kind) {
  if (!a.has_values()) {
    if (values_kind) *values_kind = "synthesized";
    return synthesize_values(a);
  }
  SparseMatrix b = a;
  if (a.is_complex()) {
    if (values_kind) *values_kind = "magnitude";
    b.values.resize(a.zvalues.size());
    for (std::size_t k = 0; k < a.zvalues.size(); ++k) b.values[k] = std::abs(a.zvalues[k]);
    b.zvalues.clear();
    b.field = Field::real;
    return b;
  }
  if (values_kind) *values_kind = "file";
  return b;
}

std::shared_ptr<LuFillJob> start_lu_fill(const SparseMatrix& a, const LuFillOptions& options) {
  auto job = std::make_shared<LuFillJob>(options);
  LuFillResult& r = job->result;
  r.n = a.ncols;
  r.original_nnz = a.nnz();
  if (!a.is_square() || a.nrows == 0) {
    r.applicable = false;
    r.note = a.nrows == 0 ? "empty matrix: no LU factorization"
                          : "rectangular matrix: LU fill (square factorization) does not apply";
    return job;
  }
  if (auto bad = first_nonfinite_entry(a); !bad.empty()) {
    // NaN or Inf never reach a factorization: the pivoting they would steer means nothing.
    r.applicable = false;
    r.note = "non-finite value (" + bad + "): LU fill skipped, nothing factored";
    return job;
  }
  r.applicable = true;
  job->values = lu_values_matrix(a, &r.values);
  if (r.values == "synthesized")
    r.note = "pattern-only matrix: LU on synthesized diagonally dominant values";
  else if (r.values == "magnitude")
    r.note = "complex matrix: LU on the magnitudes of the values";
  if (options.superlu) {
    job->add(Kind::superlu_mmd, false, "MMD_AT_PLUS_A");
    job->add(Kind::superlu_colamd, false, "COLAMD");
  }
  if (options.klu) {
    job->add(Kind::klu_amd, true, "AMD");
    job->add(Kind::klu_colamd, true, "COLAMD");
  }
  job->pool.pump(false);
  return job;
}

void poll_lu_fill(LuFillJob& job) {
  job.pool.pump(false);
}

bool take_mmd_order(LuFillJob& job, Ordering& order) {
  return job.take_mmd_order(order);
}

LuFillResult finish_lu_fill(std::shared_ptr<LuFillJob> job) {
  // An order nobody took: the child's write fails (EPIPE) instead of blocking.
  for (auto& t : job->tasks) LuFillJob::close_order(*t);
  job->pool.pump(true);
  LuFillResult r = std::move(job->result);
  auto best = [](const std::vector<LuFillEntry>& list) {
    const LuFillEntry* b = nullptr;
    for (const auto& e : list)
      if (e.ok && (!b || e.factor_nnz < b->factor_nnz)) b = &e;
    return b ? b->name : std::string();
  };
  r.best_ordering = best(r.superlu);
  r.best_klu_ordering = best(r.klu);
  return r;
}

LuFillResult compute_lu_fill(const SparseMatrix& a, const LuFillOptions& options) {
  return finish_lu_fill(start_lu_fill(a, options));
}

}  // namespace spax
