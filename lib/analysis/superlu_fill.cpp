// SuperLU's LU fill as scipy's splu computes it: SuperLU's own COLAMD (not SuiteSparse's), the
// column elimination tree's postorder, dgstrf with and without scipy's relaxed supernodes side by
// side, and the structural count for synthesized values.
#include <colamd.h>
#include <dlfcn.h>
#include <signal.h>
#include <slu_ddefs.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "analysis/fill_counts.hpp"
#include "core/child.hpp"
#include "core/lsan.hpp"
#include "spax/report/json_text.hpp"
#include "spax/timer.hpp"

namespace spax::detail {

std::string to_json_text(const FillCounts& c) {
  nlohmann::json j = {{"ok", c.ok},         {"error", c.error}, {"L", c.L},
                      {"U", c.U},           {"off", c.off},     {"seconds", c.seconds},
                      {"method", c.method}, {"note", c.note}};
  return json_text(j);
}

FillCounts fill_counts_from(const std::string& payload) {
  FillCounts c;
  if (payload.rfind("ERR ", 0) == 0) {
    c.error = payload.substr(4);
    return c;
  }
  try {
    const auto j = nlohmann::json::parse(payload);
    c.ok = j.at("ok").get<bool>();
    c.error = j.at("error").get<std::string>();
    c.L = j.at("L").get<index_t>();
    c.U = j.at("U").get<index_t>();
    c.off = j.at("off").get<index_t>();
    c.seconds = j.at("seconds").get<double>();
    c.method = j.at("method").get<std::string>();
    c.note = j.at("note").get<std::string>();
  } catch (const std::exception&) {
    c = FillCounts{};
    c.error = payload.empty() ? "no result from the factorization process"
                              : "malformed result from the factorization process";
  }
  return c;
}

namespace {

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

// SuperLU's perm_c (perm_c[c] = position of column c) as a spax order (q[k] = column in position
// k); empty when perm_c is no permutation.
std::vector<index_t> order_from_perm_c(const std::vector<int>& perm_c) {
  std::vector<index_t> pos(perm_c.begin(), perm_c.end());
  if (!is_permutation(pos, static_cast<index_t>(pos.size()))) return {};
  return invert_permutation(pos);
}

// Sends get_perm_c's column order to the parent through `fd` (then closed), as JSON: the seconds
// it took and perm_c. Read by read_column_order.
void send_column_order(int fd, double seconds, const std::vector<int>& perm_c) {
  const std::string text = json_text(nlohmann::json{{"seconds", seconds}, {"perm_c", perm_c}});
  write_all(fd, text.data(), text.size());
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
FillCounts superlu_factor_counts(superlu_options_t* options, SuperMatrix* AC,
                                 std::vector<int> etree, std::vector<int> perm_c, int relax) {
  FillCounts c;
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

}  // namespace

bool read_column_order(int fd, index_t n, std::vector<index_t>& perm, double& seconds) {
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got > 0) {
      text.append(buf, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    break;
  }
  ::close(fd);
  try {
    const auto j = nlohmann::json::parse(text);
    const auto perm_c = j.at("perm_c").get<std::vector<int>>();
    if (static_cast<index_t>(perm_c.size()) != n) return false;
    perm = order_from_perm_c(perm_c);
    seconds = j.at("seconds").get<double>();
    return !perm.empty();
  } catch (const std::exception&) {
    return false;
  }
}

FillCounts superlu_fill_counts(const SparseMatrix& a, int colperm, const LuFillOptions& opt,
                               bool synthesized, int order_fd) {
  FillCounts c;
  const int n = to_int32(a.ncols, "matrix dimension");
  const int nnz = to_int32(a.nnz(), "number of nonzeros");
  std::vector<int> colptr(a.colptr.begin(), a.colptr.end());
  std::vector<int> rowind(a.rowind.begin(), a.rowind.end());
  std::vector<double> values(a.values.begin(), a.values.end());
  superlu_options_t options;
  set_default_options(&options);
  options.ColPerm = static_cast<colperm_t>(colperm);
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
    ChildHandle exact_child = start_child([&] {
      if (opt.timeout_seconds > 0) {
        // A backstop: the budget below is enforced from here, but never past the LU timeout.
        itimerval limit{};
        limit.it_value.tv_sec = static_cast<time_t>(std::ceil(opt.timeout_seconds));
        ::setitimer(ITIMER_PROF, &limit, nullptr);
      }
      return to_json_text(superlu_factor_counts(&options, &AC, etree, perm_c, relax));
    });
    const double t0 = cpu_seconds();
    FillCounts fast = superlu_factor_counts(&options, &AC, etree, perm_c, 1);
    const double budget = std::max(0.1, 3.0 * (cpu_seconds() - t0));
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - exact_child.start).count();
    ChildOutcome out =
        wait_child(exact_child, waited + 10.0 * budget + 1.0, [budget] { return budget; });
    const bool stopped = out.timed_out || out.over_budget || (out.crashed && out.signal == SIGPROF);
    const bool ended = !out.timed_out && !out.over_budget && !out.crashed;
    FillCounts exact;
    if (ended) exact = fill_counts_from(out.payload);
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

}  // namespace spax::detail
