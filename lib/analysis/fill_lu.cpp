// LU fill under SuperLU (as scipy's splu runs it) and KLU, each factorization in a forked child
// process so that a timeout can stop it (a library call cannot be interrupted otherwise).
#include <colamd.h>
#include <dlfcn.h>
#include <klu.h>
#include <poll.h>
#include <signal.h>
#include <slu_ddefs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/child.hpp"
#include "core/lsan.hpp"
#include "spax/analysis.hpp"
#include "spax/structure.hpp"
#include "spax/timer.hpp"

namespace spax {

namespace {

struct Counts {
  bool ok = false;
  std::string error;
  index_t L = 0, U = 0, off = 0;
  double seconds = 0.0;
  std::string method;  // how the SuperLU counts were obtained
  std::string note;
};

std::string encode(const Counts& c);
Counts decode(const std::string& s);

enum class Kind { superlu_mmd, superlu_colamd, klu_amd, klu_colamd };

// SuperLU's get_perm_c(COLAMD) calls colamd() through the dynamic linker, and in a process that
// also loads SuiteSparse's libcolamd (as spax does) that call reaches SuiteSparse's colamd, which
// orders some matrices very differently from the colamd copy inside SuperLU (the one scipy's
// splu runs). To order as scipy does, call SuperLU's own copy, looked up in libsuperlu itself.
// Returns false when it cannot be found (the caller then uses get_perm_c).
bool superlu_own_colamd(int n, int nnz, const std::vector<int>& colptr,
                        const std::vector<int>& rowind, std::vector<int>& perm_c) {
  void* h = nullptr;
  {
    // glibc keeps a list for a dlopen of a loaded object that LeakSanitizer cannot reach (seen
    // where this runs in the process: inside an MPI job).
    detail::LeakCheckPause pause;
    h = ::dlopen("libsuperlu.so.5", RTLD_NOW | RTLD_NOLOAD);
    if (!h) h = ::dlopen("libsuperlu.so", RTLD_NOW | RTLD_NOLOAD);
  }
  if (!h) return false;
  using recommended_t = std::size_t (*)(int, int, int);
  using defaults_t = void (*)(double*);
  using colamd_t = int (*)(int, int, int, int*, int*, double*, int*);
  auto rec = reinterpret_cast<recommended_t>(::dlsym(h, "colamd_recommended"));
  auto def = reinterpret_cast<defaults_t>(::dlsym(h, "colamd_set_defaults"));
  auto col = reinterpret_cast<colamd_t>(::dlsym(h, "colamd"));
  if (!rec || !def || !col) return false;
  // Room for either library's recommendation (colamd() checks Alen with whichever
  // colamd_recommended the dynamic linker resolves).
  std::size_t alen = std::max(rec(nnz, n, n), colamd_recommended(nnz, n, n));
  if (alen == 0 || alen > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  std::vector<int> A(alen, 0), p(colptr.begin(), colptr.end());
  std::copy(rowind.begin(), rowind.end(), A.begin());
  double knobs[20];
  int stats[20];
  def(knobs);
  if (!col(n, n, static_cast<int>(alen), A.data(), p.data(), knobs, stats)) return false;
  for (int i = 0; i < n; ++i) perm_c[static_cast<std::size_t>(p[i])] = i;
  return true;
}

}  // namespace

LuCounts lu_nopivot_counts(const SparseMatrix& a, const std::vector<index_t>& q) {
  const index_t n = a.ncols;
  if (!a.is_square()) throw_usage("lu_nopivot_counts needs a square matrix");
  if (!is_permutation(q, n))
    throw_usage("lu_nopivot_counts: q is not a permutation of the columns");
  // B = A(q, q) in CSC: B(i, j) = A(q[i], q[j]).
  std::vector<index_t> qinv = invert_permutation(q);
  std::vector<index_t> bp(static_cast<std::size_t>(n) + 1, 0), bi;
  bi.reserve(static_cast<std::size_t>(a.nnz()));
  for (index_t j = 0; j < n; ++j) {
    const index_t c = q[static_cast<std::size_t>(j)];
    for (index_t p = a.colptr[c]; p < a.colptr[c + 1]; ++p)
      bi.push_back(qinv[static_cast<std::size_t>(a.rowind[p])]);
    bp[static_cast<std::size_t>(j) + 1] = static_cast<index_t>(bi.size());
  }
  // Column j of L and U is the set reached from B(:, j) in the graph of L(:, 0:j-1) (Gilbert and
  // Peierls); reached rows above j form U(:, j), rows below j form L(:, j). Symmetric pruning
  // (Eisenstat and Liu): once U(k, j) and L(j, k) are both nonzero, rows of L(:, k) below j are
  // reachable through j, so later searches stop at row j.
  std::vector<index_t> lstart(static_cast<std::size_t>(n) + 1, 0),
      lend(static_cast<std::size_t>(n));
  std::vector<index_t> li;
  std::vector<index_t> mark(static_cast<std::size_t>(n), -1), stack, ucols;
  std::vector<char> pruned(static_cast<std::size_t>(n), 0);
  LuCounts c;
  for (index_t j = 0; j < n; ++j) {
    ucols.clear();
    index_t lcount = 0;
    bool diag = false;
    auto visit = [&](index_t i) {
      if (mark[static_cast<std::size_t>(i)] == j) return;
      mark[static_cast<std::size_t>(i)] = j;
      if (i < j) {
        stack.push_back(i);
        ucols.push_back(i);
      } else if (i == j) {
        diag = true;
      } else {
        li.push_back(i);
        ++lcount;
      }
    };
    lstart[static_cast<std::size_t>(j)] = static_cast<index_t>(li.size());
    for (index_t p = bp[static_cast<std::size_t>(j)]; p < bp[static_cast<std::size_t>(j) + 1];
         ++p) {
      visit(bi[static_cast<std::size_t>(p)]);
      while (!stack.empty()) {
        index_t k = stack.back();
        stack.pop_back();
        for (index_t t = lstart[static_cast<std::size_t>(k)]; t < lend[static_cast<std::size_t>(k)];
             ++t)
          visit(li[static_cast<std::size_t>(t)]);
      }
    }
    if (!diag) {
      c.zero_pivot = j;
      return c;
    }
    lend[static_cast<std::size_t>(j)] = static_cast<index_t>(li.size());
    c.L += lcount + 1;  // with the unit diagonal
    c.U += static_cast<index_t>(ucols.size()) + 1;
    // Prune L(:, k) for every k with U(k, j) != 0 whose column holds row j.
    for (index_t k : ucols) {
      auto ks = static_cast<std::size_t>(k);
      if (pruned[ks]) continue;
      index_t s = lstart[ks], e = lend[ks];
      bool has_j = false;
      for (index_t t = s; t < e && !has_j; ++t) has_j = li[static_cast<std::size_t>(t)] == j;
      if (!has_j) continue;
      // Keep rows <= j at the front of the column and stop the search there.
      index_t w = s;
      for (index_t t = s; t < e; ++t)
        if (li[static_cast<std::size_t>(t)] <= j)
          std::swap(li[static_cast<std::size_t>(t)], li[static_cast<std::size_t>(w++)]);
      lend[ks] = w;
      pruned[ks] = 1;
    }
  }
  c.ok = true;
  return c;
}

namespace {

// SuperLU's perm_c (perm_c[c] = position of column c) as a spax order (q[k] = column in position
// k); empty when perm_c is no permutation.
std::vector<index_t> order_from_perm_c(const std::vector<int>& perm_c) {
  std::vector<index_t> pos(perm_c.begin(), perm_c.end());
  if (!is_permutation(pos, static_cast<index_t>(pos.size()))) return {};
  return invert_permutation(pos);
}

// Sends get_perm_c's column order to the parent through `fd` (then closed): the seconds it took
// (double), n (int32), then perm_c (n int32). Read by take_mmd_order.
void send_column_order(int fd, double seconds, const std::vector<int>& perm_c) {
  const auto n = static_cast<std::int32_t>(perm_c.size());
  detail::write_all(fd, &seconds, sizeof seconds);
  detail::write_all(fd, &n, sizeof n);
  detail::write_all(fd, perm_c.data(), perm_c.size() * sizeof(int));
  ::close(fd);
}

// SuperLU's column ordering as get_perm_c computes it, followed by sp_preorder's postorder of
// the column elimination tree: perm_c[c] is the position of column c of A. With order_fd >= 0
// the order before the postorder (get_perm_c's own) is also sent there.
std::vector<int> superlu_column_order(SuperMatrix* A, const superlu_options_t& options, int n,
                                      const std::vector<int>& colptr,
                                      const std::vector<int>& rowind, std::vector<int>* etree,
                                      SuperMatrix* AC, int order_fd) {
  const int nnz = colptr.back();
  std::vector<int> perm_c(static_cast<std::size_t>(n));
  Timer timer;
  if (options.ColPerm != COLAMD || !superlu_own_colamd(n, nnz, colptr, rowind, perm_c))
    get_perm_c(options.ColPerm, A, perm_c.data());
  if (order_fd >= 0) send_column_order(order_fd, timer.seconds(), perm_c);
  etree->assign(static_cast<std::size_t>(n), 0);
  sp_preorder(const_cast<superlu_options_t*>(&options), A, perm_c.data(), etree->data(), AC);
  return perm_c;
}

// dgstrf on the preordered matrix with the given relaxation; L and U counted as scipy's
// LU_to_csc does: supernode rows above the column go to U, the diagonal to U (and L gets its
// unit diagonal), rows below to L, plus U's own columns; entries whose value is exactly zero
// (padding of relaxed supernodes) are dropped, as scipy drops them.
Counts superlu_factor_counts(superlu_options_t* options, SuperMatrix* AC, std::vector<int> etree,
                             std::vector<int> perm_c, int relax) {
  Counts c;
  const int n = AC->ncol;
  std::vector<int> perm_r(static_cast<std::size_t>(n));
  SuperLUStat_t stat;
  StatInit(&stat);
  GlobalLU_t glu;
  SuperMatrix L, U;
  int info = 0;
  dgstrf(options, AC, relax, sp_ienv(1), etree.data(), nullptr, 0, perm_c.data(), perm_r.data(), &L,
         &U, &glu, &stat, &info);
  StatFree(&stat);
  if (info > 0 && info <= n) {
    c.error = "Factor is exactly singular";
    return c;
  }
  if (info != 0) {
    c.error = "SuperLU dgstrf failed (info " + std::to_string(info) + ")";
    return c;
  }
  const auto* Ls = static_cast<SCformat*>(L.Store);
  const auto* Us = static_cast<NCformat*>(U.Store);
  const auto* lval = static_cast<const double*>(Ls->nzval);
  const auto* uval = static_cast<const double*>(Us->nzval);
  index_t lnz = 0, unz = 0;
  for (int p = 0; p < Us->colptr[n]; ++p)
    if (uval[p] != 0.0) ++unz;
  for (int k = 0; k <= Ls->nsuper; ++k) {
    int fsupc = Ls->sup_to_col[k];
    for (int col = fsupc; col < Ls->sup_to_col[k + 1]; ++col) {
      const double* v = lval + Ls->nzval_colptr[col];
      for (int p = Ls->rowind_colptr[fsupc]; p < Ls->rowind_colptr[fsupc + 1]; ++p, ++v) {
        int row = Ls->rowind[p];
        if (row == col) ++lnz;  // unit diagonal of L
        if (*v == 0.0) continue;
        if (row <= col) {
          ++unz;
        } else {
          ++lnz;
        }
      }
    }
  }
  Destroy_SuperNode_Matrix(&L);
  Destroy_CompCol_Matrix(&U);
  c.ok = true;
  c.L = lnz;
  c.U = unz;
  return c;
}

Counts run_superlu(const SparseMatrix& a, int ispec, const LuFillOptions& opt, bool synthesized,
                   int order_fd) {
  Counts c;
  const int n = to_int32(a.ncols, "matrix dimension");
  const int nnz = to_int32(a.nnz(), "number of nonzeros");
  std::vector<int> colptr(a.colptr.begin(), a.colptr.end());
  std::vector<int> rowind(a.rowind.begin(), a.rowind.end());
  std::vector<double> values(a.values.begin(), a.values.end());
  superlu_options_t options;
  set_default_options(&options);
  options.ColPerm = static_cast<colperm_t>(ispec);
  options.DiagPivotThresh = 1.0;
  options.SymmetricMode = NO;
  options.Equil = NO;
  SuperMatrix A, AC;
  dCreate_CompCol_Matrix(&A, n, n, nnz, values.data(), rowind.data(), colptr.data(), SLU_NC, SLU_D,
                         SLU_GE);
  std::vector<int> etree;
  std::vector<int> perm_c =
      superlu_column_order(&A, options, n, colptr, rowind, &etree, &AC, order_fd);
  Destroy_SuperMatrix_Store(&A);  // the arrays themselves belong to the vectors above
  if (synthesized) {
    // Synthesized values are diagonally dominant by columns with positive diagonal and negative
    // off-diagonal entries (an M-matrix). Elimination keeps both properties, so partial pivoting
    // with threshold 1.0 always takes the diagonal and no entry cancels: the factors have exactly
    // the structure of LU without pivoting of A(perm_c, perm_c), counted symbolically.
    Destroy_CompCol_Permuted(&AC);
    LuCounts s = lu_nopivot_counts(a, order_from_perm_c(perm_c));
    if (!s.ok) {
      c.error = "Factor is exactly singular";
      return c;
    }
    c.ok = true;
    c.L = s.L;
    c.U = s.U;
    c.method = "structural (no pivoting: synthesized values)";
    return c;
  }
  if (opt.superlu_relax > 0) {
    c = superlu_factor_counts(&options, &AC, etree, perm_c, opt.superlu_relax);
    c.method = "dgstrf, relax " + std::to_string(opt.superlu_relax);
  } else if (!detail::forking_allowed()) {
    // Inside an MPI job nothing forks, so scipy's relaxed run (unbounded without a child to
    // stop) is left out: the counts without relaxation, said in the note.
    c = superlu_factor_counts(&options, &AC, etree, perm_c, 1);
    c.method = "dgstrf, relax 1";
    c.note = "scipy's relaxed supernodes (relax " + std::to_string(sp_ienv(2)) +
             ") not run: nothing forks inside an MPI job; counts without relaxation (equal up "
             "to ties in the pivot search)";
  } else {
    // Relaxed supernodes as scipy uses them give scipy's counts exactly, but on matrices with
    // dense rows (circuit supply nets) their padded dense updates cost 100x the real work. So
    // both run side by side: scipy's relaxation in a child process, and here the run without it
    // (the real work only). Scipy's counts are kept when that child ends within 3x the CPU time
    // of the run without. CPU time, not wall time: the LU processes share the cores with each
    // other and with the parent's orderings.
    const int relax = sp_ienv(2);
    detail::ChildHandle exact_child = detail::start_child([&] {
      if (opt.timeout_seconds > 0) {
        // A backstop: the budget below is enforced from here, but never past the LU timeout.
        itimerval limit{};
        limit.it_value.tv_sec = static_cast<time_t>(std::ceil(opt.timeout_seconds));
        ::setitimer(ITIMER_PROF, &limit, nullptr);
      }
      return encode(superlu_factor_counts(&options, &AC, etree, perm_c, relax));
    });
    const double t0 = detail::cpu_seconds();
    Counts fast = superlu_factor_counts(&options, &AC, etree, perm_c, 1);
    const double budget = std::max(0.1, 3.0 * (detail::cpu_seconds() - t0));
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - exact_child.start).count();
    detail::ChildOutcome out =
        detail::wait_child(exact_child, waited + 10.0 * budget + 1.0, [budget] { return budget; });
    const bool stopped = out.timed_out || out.over_budget || (out.crashed && out.signal == SIGPROF);
    const bool ended = !out.timed_out && !out.over_budget && !out.crashed;
    Counts exact;
    if (ended) exact = decode(out.payload);
    if (exact.ok || (ended && !fast.ok)) {
      c = exact;
      c.method = "dgstrf, relax " + std::to_string(relax) + " (as scipy)";
    } else {
      c = fast;
      c.method = "dgstrf, relax 1";
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "scipy's relaxed supernodes (relax %d) %s after %.2f s (3x the CPU time "
                    "without); counts without "
                    "relaxation (equal up to ties in the pivot search)",
                    relax, stopped ? "stopped" : "failed", out.seconds);
      c.note = buf;
    }
  }
  Destroy_CompCol_Permuted(&AC);
  return c;
}

Counts run_klu(const SparseMatrix& a, int ordering) {
  Counts c;
  const index_t n = a.ncols;
  std::vector<SuiteSparse_long> Ap(a.colptr.begin(), a.colptr.end());
  std::vector<SuiteSparse_long> Ai(a.rowind.begin(), a.rowind.end());
  std::vector<double> Ax(a.values.begin(), a.values.end());
  klu_l_common common;
  klu_l_defaults(&common);
  common.ordering = ordering;
  common.btf = 1;
  klu_l_symbolic* sym = klu_l_analyze(n, Ap.data(), Ai.data(), &common);
  if (!sym) {
    c.error = "klu_analyze failed (status " + std::to_string(common.status) + ")";
    return c;
  }
  klu_l_numeric* num = klu_l_factor(Ap.data(), Ai.data(), Ax.data(), sym, &common);
  if (!num) {
    c.error = common.status == KLU_SINGULAR
                  ? "matrix is singular"
                  : "klu_factor failed (status " + std::to_string(common.status) + ")";
    klu_l_free_symbolic(&sym, &common);
    return c;
  }
  c.ok = true;
  c.L = num->lnz;
  c.U = num->unz;
  c.off = num->nzoff;
  klu_l_free_numeric(&num, &common);
  klu_l_free_symbolic(&sym, &common);
  return c;
}

Counts run_kind(const SparseMatrix& a, Kind kind, const LuFillOptions& opt, bool synthesized,
                int order_fd = -1) {
  Timer t;
  Counts c;
  try {
    switch (kind) {
      case Kind::superlu_mmd:
        c = run_superlu(a, MMD_AT_PLUS_A, opt, synthesized, order_fd);
        break;
      case Kind::superlu_colamd:
        c = run_superlu(a, COLAMD, opt, synthesized, -1);
        break;
      case Kind::klu_amd:
        c = run_klu(a, 0);
        break;
      case Kind::klu_colamd:
        c = run_klu(a, 1);
        break;
    }
  } catch (const std::exception& e) {
    c.ok = false;
    c.error = e.what();
  }
  c.seconds = t.seconds();
  return c;
}

std::string encode(const Counts& c) {
  char head[160];
  if (c.ok) {
    std::snprintf(head, sizeof head, "OK %lld %lld %lld %.17g\n", static_cast<long long>(c.L),
                  static_cast<long long>(c.U), static_cast<long long>(c.off), c.seconds);
    return head + c.method + "\n" + c.note;
  }
  std::snprintf(head, sizeof head, "ERR %.17g ", c.seconds);
  return head + c.error;
}

Counts decode(const std::string& s) {
  Counts c;
  std::istringstream in(s);
  std::string tag;
  in >> tag;
  if (tag == "OK") {
    long long L = 0, U = 0, off = 0;
    in >> L >> U >> off >> c.seconds;
    c.ok = static_cast<bool>(in);
    c.L = L;
    c.U = U;
    c.off = off;
    if (!c.ok) c.error = "malformed result from the factorization process";
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    std::getline(in, c.method);
    std::getline(in, c.note);
  } else if (tag == "ERR") {
    in >> c.seconds;
    in.get();
    std::getline(in, c.error);
  } else {
    c.error = "no result from the factorization process";
  }
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
    std::size_t index = 0;      // into result.superlu or result.klu
    detail::ChildHandle child;  // pid, result pipe, start time
    int order_fd = -1;  // SuperLU MMD with share_mmd_order: get_perm_c's order comes here first
    std::string buffer;
    bool launched = false;
    bool done = false;
  };

  SparseMatrix values;
  LuFillOptions options;
  LuFillResult result;
  std::vector<Task> tasks;

  LuFillEntry& entry(const Task& t) {
    return t.klu ? result.klu[t.index] : result.superlu[t.index];
  }

  ~LuFillJob() {
    for (auto& t : tasks) {
      close_order(t);
      if (t.launched && !t.done) {
        ::kill(t.child.pid, SIGKILL);
        int st = 0;
        ::waitpid(t.child.pid, &st, 0);
        ::close(t.child.fd);
      }
    }
  }

  static void close_order(Task& t) {
    if (t.order_fd >= 0) ::close(t.order_fd);
    t.order_fd = -1;
  }

  void launch(Task& t) {
    t.launched = true;
    const bool synthesized = result.values == "synthesized";
    int order[2] = {-1, -1};
    if (t.kind == Kind::superlu_mmd && options.share_mmd_order && ::pipe(order) != 0)
      order[0] = order[1] = -1;
    try {
      t.child = detail::start_child([&] {
        if (order[0] >= 0) ::close(order[0]);
        // One BLAS thread per child: the children already run side by side, and OpenBLAS's
        // threads on SuperLU's small dense blocks only add contention.
        using set_threads_t = void (*)(int);
        if (auto f =
                reinterpret_cast<set_threads_t>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
          f(1);
        return encode(run_kind(values, t.kind, options, synthesized, order[1]));
      });
      t.order_fd = order[0];
      if (order[1] >= 0) ::close(order[1]);
    } catch (const Error&) {
      // No pipe or no process: run here, without a timeout.
      if (order[0] >= 0) ::close(order[0]);
      if (order[1] >= 0) ::close(order[1]);
      finish(t, run_kind(values, t.kind, options, synthesized));
    }
  }

  // The MMD child's get_perm_c order, as a spax ordering (perm[k] = column in position k).
  bool take_mmd_order(Ordering& o) {
    for (auto& t : tasks) {
      if (t.kind != Kind::superlu_mmd || t.order_fd < 0) continue;
      double seconds = 0.0;
      std::int32_t n = -1;
      std::vector<int> perm_c;
      bool ok = detail::read_all(t.order_fd, &seconds, sizeof seconds) &&
                detail::read_all(t.order_fd, &n, sizeof n) && n == result.n;
      if (ok) {
        perm_c.resize(static_cast<std::size_t>(n));
        ok = detail::read_all(t.order_fd, perm_c.data(), perm_c.size() * sizeof(int));
      }
      close_order(t);
      std::vector<index_t> q = ok ? order_from_perm_c(perm_c) : std::vector<index_t>{};
      if (q.empty()) return false;
      o.name = "mmd";
      o.perm = std::move(q);
      o.seconds = seconds;
      return true;
    }
    return false;
  }

  void finish(Task& t, const Counts& c) {
    t.done = true;
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

  void reap(Task& t, bool timed_out) {
    close_order(t);
    if (timed_out) ::kill(t.child.pid, SIGKILL);
    int status = 0;
    while (::waitpid(t.child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(t.child.fd);
    Counts c = timed_out ? Counts{} : decode(t.buffer);
    // A child that finished only after its time was up (the parent was busy meanwhile) is
    // skipped too: the timeout applies to the factorization's own time, whenever the parent looks.
    if (timed_out || (c.ok && options.timeout_seconds > 0 && c.seconds > options.timeout_seconds)) {
      t.done = true;
      LuFillEntry& e = entry(t);
      e.ok = false;
      e.skipped = format_timeout(options.timeout_seconds);
      e.seconds = options.timeout_seconds;
      return;
    }
    if (!c.ok && t.buffer.empty() && WIFSIGNALED(status))
      c.error = "factorization process died (signal " + std::to_string(WTERMSIG(status)) + ")";
    finish(t, c);
  }

  // Launches tasks up to the parallel limit; when `block`, waits until every task is done,
  // else collects what finished (without waiting) and launches the next tasks in their place.
  void pump(bool block) {
    const int limit = std::max(1, options.max_parallel);
    for (bool progressed = true;;) {
      int running = 0;
      for (auto& t : tasks)
        if (t.launched && !t.done) ++running;
      for (auto& t : tasks) {
        if (running >= limit) break;
        if (!t.launched) {
          launch(t);
          if (!t.done) ++running;
        }
      }
      if (running == 0 || (!block && !progressed)) return;

      std::vector<pollfd> fds;
      std::vector<Task*> who;
      int timeout_ms = -1;
      auto now = std::chrono::steady_clock::now();
      for (auto& t : tasks) {
        if (!t.launched || t.done) continue;
        fds.push_back({t.child.fd, POLLIN, 0});
        who.push_back(&t);
        if (options.timeout_seconds > 0) {
          double left =
              options.timeout_seconds - std::chrono::duration<double>(now - t.child.start).count();
          int ms = static_cast<int>(std::ceil(std::max(0.0, left) * 1000.0));
          timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
        }
      }
      if (!block) timeout_ms = 0;
      int r = ::poll(fds.data(), fds.size(), timeout_ms);
      if (r < 0 && errno != EINTR) throw_internal("poll failed: " + std::string(strerror(errno)));
      progressed = r > 0;
      for (std::size_t k = 0; k < fds.size(); ++k) {
        Task& t = *who[k];
        if (r > 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
          char buf[4096];
          ssize_t got = ::read(t.child.fd, buf, sizeof buf);
          if (got > 0) {
            t.buffer.append(buf, static_cast<std::size_t>(got));
            continue;
          }
          if (got < 0 && errno == EINTR) continue;
          reap(t, false);
          continue;
        }
        if (options.timeout_seconds > 0) {
          double el =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t.child.start)
                  .count();
          if (el >= options.timeout_seconds) reap(t, true);
        }
      }
    }
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
  auto job = std::make_shared<LuFillJob>();
  job->options = options;
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
  auto add = [&](Kind kind, bool klu, const char* name) {
    auto& list = klu ? r.klu : r.superlu;
    LuFillEntry e;
    e.name = name;
    e.library = klu ? "klu" : "superlu";
    list.push_back(e);
    LuFillJob::Task t;
    t.kind = kind;
    t.klu = klu;
    t.index = list.size() - 1;
    job->tasks.push_back(t);
  };
  if (options.superlu) {
    add(Kind::superlu_mmd, false, "MMD_AT_PLUS_A");
    add(Kind::superlu_colamd, false, "COLAMD");
  }
  if (options.klu) {
    add(Kind::klu_amd, true, "AMD");
    add(Kind::klu_colamd, true, "COLAMD");
  }
  job->pump(false);
  return job;
}

void poll_lu_fill(LuFillJob& job) {
  job.pump(false);
}

bool take_mmd_order(LuFillJob& job, Ordering& order) {
  return job.take_mmd_order(order);
}

LuFillResult finish_lu_fill(std::shared_ptr<LuFillJob> job) {
  // An order nobody took: the child's write fails (EPIPE) instead of blocking.
  for (auto& t : job->tasks) LuFillJob::close_order(t);
  job->pump(true);
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
