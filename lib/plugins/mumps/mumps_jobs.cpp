// The mumps plugin's JOB calls from rank 0, with their retries and fallbacks: an instance
// created (JOB=-1) and destroyed (JOB=-2), the analysis (JOB=1), the factorization (JOB=2: a
// larger workspace, or SYM=2 when SYM=1 meets a matrix that is not positive definite) and the
// solves (JOB=3), each error named.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "mumps_solver.hpp"
#include "spax/analysis.hpp"
#include "spax/timer.hpp"

namespace spax::mumps_plugin::detail {
namespace {

template <class T>
T conj_if(T v);
template <>
double conj_if<double>(double v) {
  return v;
}
template <>
complex_t conj_if<complex_t>(complex_t v) {
  return std::conj(v);
}

std::int64_t next_instance_id() {
  static std::int64_t next = 1;
  return next++;
}

}  // namespace

void MumpsSolver::destroy() {
  if (id_ == 0) return;
  if (mpi::active()) mpi::run({kChannel, kDestroy, {id_}, {}});
  id_ = 0;
  analysed_ = factored_ = false;
}

void MumpsSolver::recreate(int sym) {
  destroy();
  sym_ = sym;
  id_ = next_instance_id();
  mpi::run({kChannel, kCreate, {id_, complex_ ? 1 : 0, sym_, verbose_}, {}});
  Instance& in = instance(id_);
  if (in.INFOG(1) < 0)
    throw_internal("mumps: initialisation failed (" + mumps_error_text(in.INFOG(1), in.INFOG(2)) +
                   ")");
  default_relax_ = in.ICNTL(14);
}

// JOB=1 for the current pattern (rank 0 decides the ordering; values help the column
// permutation MUMPS computes for unsymmetric matrices).
void MumpsSolver::analyze_here(const SparseMatrix& a) {
  build_entries(a);
  gather_values(a);
  set_host_matrix();
  Instance& in = inst();
  int icntl7 = 7;
  given_name_ = "given";
  perm_in_.clear();
  for (const auto& c : kOrderings)
    if (ordering_ == c.name) icntl7 = c.icntl7;
  if (ordering_ == "metis" || ordering_ == "given") {
    std::vector<index_t> perm;
    if (ordering_ == "metis") {
      perm = compute_ordering(a, "metis").perm;
      given_name_ = "metis";
    } else {
      perm = options_.permutation;
      if (!is_permutation(perm, a.nrows))
        throw_usage("mumps: the given ordering is not a permutation of 0.." +
                    std::to_string(a.nrows - 1));
    }
    perm_in_.assign(static_cast<std::size_t>(n_), 0);
    for (std::size_t k = 0; k < perm.size(); ++k)
      perm_in_[static_cast<std::size_t>(perm[k])] = static_cast<MUMPS_INT>(k + 1);
    in.with([&](auto& s) { s.perm_in = perm_in_.data(); });
  }
  in.ICNTL(7) = icntl7;
  in.ICNTL(28) = analysis_;
  in.ICNTL(14) = relax_ >= 0 ? relax_ : default_relax_;
  mpi::run({kChannel, kAnalyze, {id_}, {}});
  if (in.INFOG(1) < 0) {
    const int e = in.INFOG(1);
    if (e == -6 || e == -10) throw_singular(a, -1);
    if (e == -38)
      throw_usage(
          "mumps: a parallel analysis needs a MUMPS built with PT-SCOTCH or ParMETIS, and this "
          "one has neither (INFOG(1) = -38): use analysis=sequential or auto");
    throw_internal("mumps: analysis failed (" + mumps_error_text(e, in.INFOG(2)) + ")");
  }
  analysed_ = true;
  factored_ = false;
  ++analyses_;
  if (analysis_ == 2 && in.INFOG(32) != 2)
    note(
        "mumps: the analysis ran sequentially (asked: parallel; it needs more than one "
        "process and a MUMPS built with PT-SCOTCH or ParMETIS, which this one " +
        std::string(mpi::size() > 1 ? "is not" : "may not be") + ")");
  analysed_stats();
}

// A symmetric instance whose matrix turned out otherwise (not positive definite for SYM=1, or
// new values no longer symmetric): a fresh instance and analysis of the right kind.
void MumpsSolver::reanalyse_as(const SparseMatrix& a, int sym) {
  recreate(sym);
  analyze_here(a);
}

void MumpsSolver::factor_here(const SparseMatrix& a) {
  if (!analysed_) throw_internal("mumps: factor before analyze");
  if (a.is_complex() != complex_ || a.nrows != n_)
    throw_internal("mumps: the matrix does not match the analysis");
  // New values may end the symmetry the analysis relied on.
  if (sym_ != 0 && !values_symmetric(a)) {
    note("mumps: the values are no longer symmetric: analysed again as unsymmetric (SYM=0)");
    reanalyse_as(a, 0);
  }
  gather_values(a);
  for (int round = 0;; ++round) {
    run_factor(a);
    Instance& in = inst();
    // SYM=1 pivots without looking: negative pivots mean the matrix is not positive definite,
    // and LDL^T with pivoting (SYM=2) is the safe factorization.
    if (sym_ == 1 && round == 0 && in.INFOG(12) > 0) {
      reanalyse_as(a, 2);
      gather_values(a);
      continue;
    }
    break;
  }
  factored_ = true;
  factored_stats();
}

// JOB=2 with the workspace retries; throws named errors.
void MumpsSolver::run_factor(const SparseMatrix& a) {
  Instance& in0 = inst();
  in0.ICNTL(22) = ooc_ ? 1 : 0;
  if (threshold_ >= 0) in0.CNTL(1) = threshold_;
  int relax = relax_ >= 0 ? relax_ : default_relax_;
  const double cap = memory_cap_bytes();
  // --max-memory counts MB of 2^20 bytes; MUMPS counts millions of bytes.
  const std::int64_t cap_mb = cap > 0 ? static_cast<std::int64_t>(std::floor(cap / 1e6)) : 0;
  for (int retry = 0;; ++retry) {
    Instance& in = inst();
    set_host_matrix();
    in.ICNTL(14) = relax;
    mpi::run({kChannel, kFactor, {id_, ooc_ ? 1 : 0, cap_mb}, ooc_ ? ooc_dir_ : std::string()});
    const int e = in.INFOG(1), e2 = in.INFOG(2);
    if (e >= 0) return;
    if (sym_ == 1 && (e == -10 || e == -40)) {
      // A zero or negative pivot without pivoting: not positive definite, try SYM=2.
      reanalyse_as(a, 2);
      gather_values(a);
      run_factor(a);
      return;
    }
    if (workspace_error(e) || e == -19) {
      if (cap_mb > 0)
        throw_numerical("mumps: the factorization needs more than the memory cap of " +
                        std::to_string(static_cast<long long>(cap / (1024.0 * 1024.0))) + " MB (" +
                        mumps_error_text(e, e2) + ")");
      if (retry < 2) {
        const int next = next_relax(relax);
        note("mumps: workspace too small with relax=" + std::to_string(relax) + " (" +
             mumps_error_text(e, e2) + "): factorized again with relax=" + std::to_string(next));
        relax = next;
        continue;
      }
      throw_numerical("mumps: the factorization's workspace is still too small with relax=" +
                      std::to_string(relax) + " after two retries (" + mumps_error_text(e, e2) +
                      ")");
    }
    if (e == -10 || e == -6) throw_singular(a, -1);
    if (e == -13 || e == -5 || e == -7)
      throw_numerical("mumps: the factorization could not allocate its memory (" +
                      mumps_error_text(e, e2) +
                      "); out-of-core factors (option ooc=1) need much less");
    if (e <= -90 && e >= -99)
      throw_input("mumps: out-of-core factor files could not be written in " +
                  (ooc_dir_.empty() ? std::string("the temporary directory") : ooc_dir_) + " (" +
                  mumps_error_text(e, e2) + ")");
    throw_internal("mumps: factorization failed (" + mumps_error_text(e, e2) + ")");
  }
}

template <class T>
void MumpsSolver::solve_t(std::span<T> b, index_t nrhs, bool transpose) {
  if (!factored_) throw_internal("mumps: solve before factor");
  if ((std::is_same_v<T, complex_t>) != complex_)
    throw_internal("mumps: right-hand side of the other field");
  const std::size_t n = static_cast<std::size_t>(n_);
  if (nrhs <= 0 || b.size() != n * static_cast<std::size_t>(nrhs))
    throw_internal("mumps: right-hand side of the wrong size");
  Timer t;
  // A^H x = b (complex) is A^T conj(x) = conj(b); MUMPS solves A^T with ICNTL(9) != 1, and a
  // symmetric matrix is its own transpose.
  const bool conj = transpose && std::is_same_v<T, complex_t>;
  std::vector<T> rhs(b.begin(), b.end());
  if (conj)
    for (auto& v : rhs) v = conj_if(v);
  for (int retry = 0;; ++retry) {
    std::vector<T> work = rhs;
    Instance& in = inst();
    in.ICNTL(9) = transpose && sym_ == 0 ? 0 : 1;
    in.ICNTL(20) = 0;  // dense right-hand sides
    in.ICNTL(21) = 0;  // the solution centralized on rank 0
    in.with([&](auto& s) {
      s.nrhs = static_cast<MUMPS_INT>(nrhs);
      s.lrhs = n_;
      s.rhs = reinterpret_cast<decltype(s.rhs)>(work.data());
    });
    mpi::run({kChannel, kSolve, {id_}, {}});
    const int e = in.INFOG(1);
    if (e >= 0) {
      for (std::size_t q = 0; q < work.size(); ++q) b[q] = conj ? conj_if(work[q]) : work[q];
      break;
    }
    if (workspace_error(e) && retry < 2 && memory_cap_bytes() <= 0) {
      // The solve's workspace comes from the factorization's: factor again with more room.
      const int relax = in.ICNTL(14);
      const int next = next_relax(relax);
      note("mumps: solve workspace too small with relax=" + std::to_string(relax) + " (" +
           mumps_error_text(e, in.INFOG(2)) +
           "): factorized again with relax=" + std::to_string(next));
      refactor_kept_values(next);
      continue;
    }
    throw_internal("mumps: solve failed (" + mumps_error_text(e, in.INFOG(2)) + ")");
  }
  stats_.solve_seconds = t.seconds();
}

void MumpsSolver::solve(std::span<double> b, index_t nrhs, bool transpose) {
  solve_t(b, nrhs, transpose);
}
void MumpsSolver::solve(std::span<complex_t> b, index_t nrhs, bool transpose) {
  solve_t(b, nrhs, transpose);
}

// Factor again from the values kept on rank 0 (after a solve-phase workspace error).
void MumpsSolver::refactor_kept_values(int relax) {
  Instance& in = inst();
  in.ICNTL(22) = ooc_ ? 1 : 0;
  in.ICNTL(14) = relax;
  set_host_matrix();
  mpi::run({kChannel, kFactor, {id_, ooc_ ? 1 : 0, 0}, ooc_ ? ooc_dir_ : std::string()});
  if (in.INFOG(1) < 0)
    throw_internal("mumps: factorization failed (" + mumps_error_text(in.INFOG(1), in.INFOG(2)) +
                   ")");
}

}  // namespace spax::mumps_plugin::detail
