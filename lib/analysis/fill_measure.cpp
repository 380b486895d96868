// `--measure`: one CHOLMOD and one KLU factorization per ordering, timed, in a child process
// killed past the timeout.
#include <cholmod.h>
#include <klu.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "core/child.hpp"
#include "spax/structure.hpp"
#include "spax/timer.hpp"

namespace spax {
namespace {

// Upper triangle (diagonal included) of the pattern of A + A^T + I, with values that make it
// strictly diagonally dominant: off-diagonal -1, diagonal 1 + the number of off-diagonal
// entries in the row of the full symmetric matrix.
void spd_upper(const SparseMatrix& a, std::vector<SuiteSparse_long>& colptr,
               std::vector<SuiteSparse_long>& rowind, std::vector<double>& values) {
  const index_t n = a.ncols;
  std::vector<std::vector<index_t>> cols(static_cast<std::size_t>(n));
  for (index_t j = 0; j < n; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      index_t i = a.rowind[p];
      if (i < j) cols[j].push_back(i);
      if (j < i) cols[i].push_back(j);
    }
  std::vector<index_t> degree(static_cast<std::size_t>(n), 0);
  for (index_t j = 0; j < n; ++j) {
    auto& c = cols[j];
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    for (index_t i : c) {
      ++degree[i];
      ++degree[j];
    }
  }
  colptr.assign(static_cast<std::size_t>(n) + 1, 0);
  rowind.clear();
  values.clear();
  for (index_t j = 0; j < n; ++j) {
    for (index_t i : cols[j]) {
      rowind.push_back(i);
      values.push_back(-1.0);
    }
    rowind.push_back(j);
    values.push_back(1.0 + static_cast<double>(degree[j]));
    colptr[j + 1] = static_cast<SuiteSparse_long>(rowind.size());
  }
}

std::string measure_in_child(const SparseMatrix& a, const std::vector<index_t>& perm) {
  const index_t n = a.ncols;
  std::vector<SuiteSparse_long> p(static_cast<std::size_t>(n));
  if (perm.empty()) {
    std::iota(p.begin(), p.end(), SuiteSparse_long{0});
  } else {
    std::copy(perm.begin(), perm.end(), p.begin());
  }
  char buf[256];
  // CHOLMOD.
  double chol = -1.0;
  {
    std::vector<SuiteSparse_long> cp, ri;
    std::vector<double> vx;
    spd_upper(a, cp, ri, vx);
    cholmod_common c;
    cholmod_l_start(&c);
    c.print = 0;
    c.nmethods = 1;
    c.method[0].ordering = CHOLMOD_GIVEN;
    c.postorder = 0;
    cholmod_sparse A{};
    A.nrow = A.ncol = static_cast<std::size_t>(n);
    A.nzmax = vx.size();
    A.p = cp.data();
    A.i = ri.data();
    A.x = vx.data();
    A.stype = 1;
    A.itype = CHOLMOD_LONG;
    A.xtype = CHOLMOD_REAL;
    A.dtype = CHOLMOD_DOUBLE;
    A.sorted = 1;
    A.packed = 1;
    cholmod_factor* L = cholmod_l_analyze_p(&A, p.data(), nullptr, 0, &c);
    if (!L) {
      std::snprintf(buf, sizeof buf, "ERR cholmod_analyze failed (status %d)", c.status);
      return buf;
    }
    Timer t;
    int ok = cholmod_l_factorize(&A, L, &c);
    chol = t.seconds();
    if (!ok || c.status != CHOLMOD_OK) {
      std::snprintf(buf, sizeof buf, "ERR cholmod_factorize failed (status %d)", c.status);
      return buf;
    }
    cholmod_l_free_factor(&L, &c);
    cholmod_l_finish(&c);
  }
  // KLU.
  double kt = -1.0;
  std::string kerr;
  {
    SparseMatrix v = lu_values_matrix(a);
    std::vector<SuiteSparse_long> Ap(v.colptr.begin(), v.colptr.end());
    std::vector<SuiteSparse_long> Ai(v.rowind.begin(), v.rowind.end());
    klu_l_common common;
    klu_l_defaults(&common);
    common.btf = 1;
    std::vector<SuiteSparse_long> q = p;
    klu_l_symbolic* sym = klu_l_analyze_given(n, Ap.data(), Ai.data(), p.data(), q.data(), &common);
    if (!sym) {
      kerr = "klu_analyze_given failed (status " + std::to_string(common.status) + ")";
    } else {
      Timer t;
      klu_l_numeric* num = klu_l_factor(Ap.data(), Ai.data(), v.values.data(), sym, &common);
      if (num) {
        kt = t.seconds();
        klu_l_free_numeric(&num, &common);
      } else {
        kerr = common.status == KLU_SINGULAR
                   ? "matrix is singular"
                   : "klu_factor failed (status " + std::to_string(common.status) + ")";
      }
      klu_l_free_symbolic(&sym, &common);
    }
  }
  std::snprintf(buf, sizeof buf, "OK %.17g %.17g ", chol, kt);
  return buf + kerr;
}

}  // namespace

MeasuredFactorization measure_factorization(const SparseMatrix& a, const std::vector<index_t>& perm,
                                            double timeout_seconds) {
  MeasuredFactorization m;
  if (!a.is_square()) {
    m.error = "needs a square matrix";
    return m;
  }
  detail::ChildOutcome child;
  if (detail::forking_allowed())
    child = detail::run_in_child([&] { return measure_in_child(a, perm); }, timeout_seconds);
  else
    child.payload = measure_in_child(a, perm);  // inside an MPI job: here, without the timeout
  if (child.timed_out) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "timeout after %g s", timeout_seconds);
    m.skipped = buf;
    return m;
  }
  if (child.crashed) {
    m.error = "the factorization crashed (signal " + std::to_string(child.signal) + ")";
    return m;
  }
  const std::string& out = child.payload;
  std::istringstream in(out);
  std::string tag;
  in >> tag;
  if (tag == "OK") {
    in >> m.cholmod_seconds >> m.klu_seconds;
    m.ok = !in.fail();
    if (m.ok) {
      in.get();
      std::getline(in, m.klu_error);
    } else {
      m.error = "malformed result from the factorization process";
    }
  } else if (tag == "ERR") {
    in.get();
    std::getline(in, m.error);
  } else {
    m.error = "no result from the factorization process";
  }
  return m;
}

}  // namespace spax
