// `--measure`: one CHOLMOD and one KLU factorization per ordering, and CHOLMOD's supernodal
// factorization with 1 and 2 BLAS threads, timed in a child process killed past the timeout.
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

#include "analysis/cholmod_common.hpp"
#include "analysis/cholmod_timing.hpp"
#include "core/child.hpp"
#include "spax/structure.hpp"
#include "spax/timer.hpp"

namespace spax {
namespace {

std::string measure_in_child(const SparseMatrix& a, const std::vector<index_t>& perm,
                             double timeout_seconds, const MeasureOptions& options) {
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
  const detail::SpdUpper spd = detail::spd_upper(a);
  if (options.cholmod) {
    detail::CholmodCommon common(CHOLMOD_GIVEN);
    cholmod_common& c = *common.get();
    cholmod_sparse A = detail::cholmod_upper_view(n, spd.colptr.data(), spd.rowind.data(),
                                                  spd.values.size(), spd.values.data());
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
      cholmod_l_free_factor(&L, &c);
      return buf;
    }
    cholmod_l_free_factor(&L, &c);
  }
  // KLU.
  double kt = -1.0;
  std::string kerr;
  if (!options.klu) {
    kerr = "not measured";
  } else {
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
  // CHOLMOD supernodal with 1 and 2 BLAS threads.
  double t1 = -1.0, t2 = -1.0, t1cpu = -1.0;
  int rounds = 0;
  std::string terr = "not measured";
  if (options.cholmod) {
    try {
      const double budget = timeout_seconds > 0.0 ? timeout_seconds / 4.0 : 10.0;
      detail::CholmodTimes ct = detail::time_cholmod_supernodal(spd, perm, {1, 2}, 5, budget);
      t1 = ct.seconds[0];
      t2 = ct.seconds[1];
      t1cpu = ct.cpu_seconds[0];
      rounds = ct.rounds;
      terr.clear();
    } catch (const std::exception& e) {
      terr = e.what();
    }
  }
  std::snprintf(buf, sizeof buf, "OK %.17g %.17g %.17g %.17g %.17g %d\n", chol, kt, t1, t2, t1cpu,
                rounds);
  for (char& ch : kerr)
    if (ch == '\n') ch = ' ';
  for (char& ch : terr)
    if (ch == '\n') ch = ' ';
  return buf + kerr + "\n" + terr;
}

}  // namespace

MeasuredFactorization measure_factorization(const SparseMatrix& a, const std::vector<index_t>& perm,
                                            double timeout_seconds, const MeasureOptions& options) {
  MeasuredFactorization m;
  if (!a.is_square()) {
    m.error = "needs a square matrix";
    return m;
  }
  detail::ChildOutcome child;
  if (detail::forking_allowed())
    child = detail::run_in_child(
        [&] { return measure_in_child(a, perm, timeout_seconds, options); }, timeout_seconds);
  else  // inside an MPI job: here, without the timeout
    child.payload = measure_in_child(a, perm, timeout_seconds, options);
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
    in >> m.cholmod_seconds >> m.klu_seconds >> m.cholmod_supernodal_1 >> m.cholmod_supernodal_2 >>
        m.cholmod_supernodal_1_cpu >> m.cholmod_rounds;
    m.ok = !in.fail();
    if (m.ok) {
      in.get();
      std::getline(in, m.klu_error);
      std::getline(in, m.cholmod_supernodal_error);
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
