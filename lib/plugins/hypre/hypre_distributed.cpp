// The distributed iterative solvers of the hypre plugin: cg, gmres, bicgstab with the amg
// preconditioner, and amg on its own, across the processes of an MPI job (mpirun -np N), through
// hypre's own ParCSR PCG / GMRES / BiCGSTAB and BoomerAMG. Registered as the distributed
// variants of the built-in iterative backends: on one process those run as always (spax's own
// Krylov loops); under N processes these stand in for them.
//
// Rank 0 reads the matrix and holds it row-wise; it splits the rows into N contiguous blocks
// balanced by nonzeros (circuit matrices have dense supply and ground rows) and sends each rank
// its block, which the rank assembles (HYPRE_IJMatrix). The right-hand side follows the same
// partition, and rank 0 gathers the solution. The sequence semantics are those of the
// one-process backends (solve/iterative_backend.cpp): factor = the BoomerAMG setup, refactor =
// new values with the setup kept while the solves converge within the rebuild bound, the
// residual recomputed by rank 0 from the matrix after each run of the method (a run that thinks
// it converged when the recomputed residual disagrees continues from there), not converging a
// numerical error with the residual reached.
#include <mpi.h>

#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_krylov.h>
#include <HYPRE_parcsr_ls.h>
#include <_hypre_parcsr_mv.h>
#include <krylov.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "amg_knobs.hpp"
#include "spax/plugin.hpp"
#include "spax/timer.hpp"
#include "spax_mpi.hpp"

namespace spax::hypre_plugin {
namespace {

using mpi::Call;

constexpr const char* kChannel = "hypre";
enum Op : int { kCreate = 1, kPattern, kValues, kSetup, kIterate, kDestroy };
enum Method : int { kCg = 0, kGmres, kBicgstab, kAmg };

const char* method_name(int m) {
  switch (m) {
    case kCg:
      return "cg";
    case kGmres:
      return "gmres";
    case kBicgstab:
      return "bicgstab";
    default:
      return "amg";
  }
}

std::int64_t to_bits(double v) {
  std::int64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
double from_bits(std::int64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// Vectors between two ranks over the compute communicator, in pieces an int count holds.
template <class T>
void send_vector(const std::vector<T>& v, int to) {
  MPI_Comm comm = mpi::compute_comm();
  std::int64_t n = static_cast<std::int64_t>(v.size());
  MPI_Send(&n, 1, MPI_INT64_T, to, 11, comm);
  const auto* p = reinterpret_cast<const char*>(v.data());
  const std::size_t bytes = v.size() * sizeof(T);
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t done = 0; done < bytes; done += kPiece)
    MPI_Send(p + done, static_cast<int>(std::min(kPiece, bytes - done)), MPI_BYTE, to, 12, comm);
}
template <class T>
std::vector<T> recv_vector(int from) {
  MPI_Comm comm = mpi::compute_comm();
  std::int64_t n = 0;
  MPI_Recv(&n, 1, MPI_INT64_T, from, 11, comm, MPI_STATUS_IGNORE);
  std::vector<T> v(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  auto* p = reinterpret_cast<char*>(v.data());
  const std::size_t bytes = v.size() * sizeof(T);
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t done = 0; done < bytes; done += kPiece)
    MPI_Recv(p + done, static_cast<int>(std::min(kPiece, bytes - done)), MPI_BYTE, from, 12, comm,
             MPI_STATUS_IGNORE);
  return v;
}

// No preconditioner setup inside the Krylov solvers: BoomerAMG is set up by kSetup, and kept.
HYPRE_Int no_setup(HYPRE_Solver, HYPRE_ParCSRMatrix, HYPRE_ParVector, HYPRE_ParVector) {
  return 0;
}

// One rank's part of a distributed solver.
struct Part {
  int method = kCg;
  AmgKnobs knobs;
  std::vector<int> first;  // rows of rank r: first[r] .. first[r + 1] - 1
  // Rank 0: sends the other ranks their blocks (pattern or values) inside the operation.
  std::function<void()> send_blocks;
  // This rank's block, row by row: the row numbers, entries per row, global columns, values.
  std::vector<HYPRE_BigInt> rows, cols;
  std::vector<HYPRE_Int> ncols;
  std::vector<double> vals;
  HYPRE_IJMatrix ij = nullptr;
  HYPRE_ParCSRMatrix A = nullptr;
  HYPRE_IJVector bv = nullptr, xv = nullptr, rv = nullptr;
  HYPRE_ParVector b = nullptr, x = nullptr, r = nullptr;
  HYPRE_Solver amg = nullptr;
  // Rank 0: the global right-hand side and iterate (in and out of kIterate), and what the run
  // did: iterations, converged by its own test, the residual norms it tracked.
  std::vector<double> b_all, x_all;
  int iterations = 0;
  bool converged = false;
  std::vector<double> norms;
  int setup_error = 0;

  ~Part() { release(); }
  void release_amg() {
    if (amg) HYPRE_BoomerAMGDestroy(amg);
    amg = nullptr;
  }
  void release() {
    release_amg();
    if (ij) HYPRE_IJMatrixDestroy(ij);
    for (HYPRE_IJVector* v : {&bv, &xv, &rv})
      if (*v) HYPRE_IJVectorDestroy(*v);
    ij = nullptr;
    bv = xv = rv = nullptr;
    A = nullptr;
    b = x = r = nullptr;
  }
  int rank_rows(int rank) const { return first[rank + 1] - first[rank]; }
};

std::map<std::int64_t, std::unique_ptr<Part>>& parts() {
  static auto* m = new std::map<std::int64_t, std::unique_ptr<Part>>;
  return *m;
}
std::mutex g_parts_mutex;

Part& part(std::int64_t id) {
  std::lock_guard<std::mutex> lock(g_parts_mutex);
  auto it = parts().find(id);
  if (it == parts().end()) throw_internal("hypre: no distributed solver " + std::to_string(id));
  return *it->second;
}

// Rank 0's matrix row by row (the partition is by rows), for the blocks and the residuals.
struct Rows {
  index_t n = 0;
  std::vector<index_t> rowptr, colind, from_csc;
  std::vector<double> values;
};

// Counts, displacements of each rank's rows, for Scatterv / Gatherv.
void counts_of(const Part& p, std::vector<int>& counts, std::vector<int>& displs) {
  const int size = mpi::size();
  counts.resize(static_cast<std::size_t>(size));
  displs.resize(static_cast<std::size_t>(size));
  for (int q = 0; q < size; ++q) {
    counts[static_cast<std::size_t>(q)] = p.rank_rows(q);
    displs[static_cast<std::size_t>(q)] = p.first[static_cast<std::size_t>(q)];
  }
}

double* local_data(HYPRE_ParVector v) {
  return hypre_VectorData(hypre_ParVectorLocalVector(reinterpret_cast<hypre_ParVector*>(v)));
}

void op_pattern(Part& p, const Call& call) {
  const int rank = mpi::rank();
  // The partition, from the blob (every rank has it).
  p.first.resize(call.blob.size() / sizeof(int));
  std::memcpy(p.first.data(), call.blob.data(), p.first.size() * sizeof(int));
  p.release();
  const int lo = p.first[static_cast<std::size_t>(rank)];
  const int hi = p.first[static_cast<std::size_t>(rank) + 1] - 1;
  if (rank == 0 && p.send_blocks) {
    p.send_blocks();
    p.send_blocks = nullptr;
  }
  if (rank != 0) {
    p.ncols = recv_vector<HYPRE_Int>(0);
    p.cols = recv_vector<HYPRE_BigInt>(0);
    p.vals = recv_vector<double>(0);
  }
  p.rows.resize(p.ncols.size());
  for (std::size_t k = 0; k < p.rows.size(); ++k) p.rows[k] = lo + static_cast<HYPRE_BigInt>(k);
  MPI_Comm comm = mpi::compute_comm();
  HYPRE_IJMatrixCreate(comm, lo, hi, lo, hi, &p.ij);
  HYPRE_IJMatrixSetObjectType(p.ij, HYPRE_PARCSR);
  HYPRE_IJMatrixSetRowSizes(p.ij, p.ncols.data());
  HYPRE_IJMatrixInitialize(p.ij);
  HYPRE_IJMatrixSetValues(p.ij, static_cast<HYPRE_Int>(p.rows.size()), p.ncols.data(),
                          p.rows.data(), p.cols.data(), p.vals.data());
  HYPRE_IJMatrixAssemble(p.ij);
  HYPRE_IJMatrixGetObject(p.ij, reinterpret_cast<void**>(&p.A));
  for (auto [iv, pv] : {std::pair{&p.bv, &p.b}, std::pair{&p.xv, &p.x}, std::pair{&p.rv, &p.r}}) {
    HYPRE_IJVectorCreate(comm, lo, hi, iv);
    HYPRE_IJVectorSetObjectType(*iv, HYPRE_PARCSR);
    HYPRE_IJVectorInitialize(*iv);
    HYPRE_IJVectorAssemble(*iv);
    HYPRE_IJVectorGetObject(*iv, reinterpret_cast<void**>(pv));
  }
  HYPRE_ClearAllErrors();
}

// New values on the assembled pattern (the entries exist: they are replaced in place, so a kept
// BoomerAMG setup sees the new fine-level matrix).
void op_values(Part& p) {
  if (mpi::rank() == 0 && p.send_blocks) {
    p.send_blocks();
    p.send_blocks = nullptr;
  }
  if (mpi::rank() != 0) p.vals = recv_vector<double>(0);
  HYPRE_IJMatrixSetValues(p.ij, static_cast<HYPRE_Int>(p.rows.size()), p.ncols.data(),
                          p.rows.data(), p.cols.data(), p.vals.data());
  HYPRE_ClearAllErrors();
}

void op_setup(Part& p, double strong) {
  p.release_amg();
  HYPRE_BoomerAMGCreate(&p.amg);
  p.knobs.apply(p.amg, strong);
  HYPRE_BoomerAMGSetMaxIter(p.amg, 1);  // one cycle per application
  HYPRE_BoomerAMGSetTol(p.amg, 0.0);
  const int err = HYPRE_BoomerAMGSetup(p.amg, p.A, p.b, p.x);
  int mine = err != 0 && HYPRE_CheckError(err, HYPRE_ERROR_GENERIC) ? 1 : 0;
  HYPRE_ClearAllErrors();
  MPI_Allreduce(&mine, &p.setup_error, 1, MPI_INT, MPI_MAX, mpi::compute_comm());
}

// One run of the method from the current x (rank 0's x_all), at most `max_iter` iterations.
void op_iterate(Part& p, int max_iter, double tol, int restart) {
  MPI_Comm comm = mpi::compute_comm();
  std::vector<int> counts, displs;
  counts_of(p, counts, displs);
  const int rank = mpi::rank();
  MPI_Scatterv(p.b_all.data(), counts.data(), displs.data(), MPI_DOUBLE, local_data(p.b),
               counts[static_cast<std::size_t>(rank)], MPI_DOUBLE, 0, comm);
  MPI_Scatterv(p.x_all.data(), counts.data(), displs.data(), MPI_DOUBLE, local_data(p.x),
               counts[static_cast<std::size_t>(rank)], MPI_DOUBLE, 0, comm);
  p.norms.clear();
  p.iterations = 0;
  p.converged = false;
  const HYPRE_PtrToParSolverFcn precond = HYPRE_BoomerAMGSolve;
  const auto setup = reinterpret_cast<HYPRE_PtrToParSolverFcn>(no_setup);
  HYPRE_Solver s = nullptr;
  auto copy_norms = [&](const double* norms, int its) {
    if (norms)
      for (int k = 1; k <= its; ++k) p.norms.push_back(norms[k]);
  };
  if (p.method == kCg) {
    HYPRE_ParCSRPCGCreate(comm, &s);
    HYPRE_PCGSetTol(s, tol);
    HYPRE_PCGSetAbsoluteTol(s, 0.0);
    HYPRE_PCGSetMaxIter(s, max_iter);
    HYPRE_PCGSetTwoNorm(s, 1);  // ||r||_2 / ||b||_2, spax's measure
    HYPRE_PCGSetLogging(s, 1);  // keeps the norm of every iteration
    HYPRE_PCGSetPrintLevel(s, 0);
    HYPRE_ParCSRPCGSetPrecond(s, precond, setup, p.amg);
    HYPRE_ParCSRPCGSetup(s, p.A, p.b, p.x);
    HYPRE_ParCSRPCGSolve(s, p.A, p.b, p.x);
    HYPRE_PCGGetNumIterations(s, &p.iterations);
    HYPRE_Int conv = 0;
    HYPRE_PCGGetConverged(s, &conv);
    p.converged = conv != 0;
    copy_norms(reinterpret_cast<hypre_PCGData*>(s)->norms, p.iterations);
    HYPRE_ParCSRPCGDestroy(s);
  } else if (p.method == kGmres) {
    HYPRE_ParCSRGMRESCreate(comm, &s);
    HYPRE_GMRESSetKDim(s, restart);
    HYPRE_GMRESSetTol(s, tol);
    HYPRE_GMRESSetAbsoluteTol(s, 0.0);
    HYPRE_GMRESSetMaxIter(s, max_iter);
    HYPRE_GMRESSetLogging(s, 1);
    HYPRE_GMRESSetPrintLevel(s, 0);
    HYPRE_ParCSRGMRESSetPrecond(s, precond, setup, p.amg);
    HYPRE_ParCSRGMRESSetup(s, p.A, p.b, p.x);
    HYPRE_ParCSRGMRESSolve(s, p.A, p.b, p.x);
    HYPRE_GMRESGetNumIterations(s, &p.iterations);
    HYPRE_Int conv = 0;
    HYPRE_GMRESGetConverged(s, &conv);
    p.converged = conv != 0;
    copy_norms(reinterpret_cast<hypre_GMRESData*>(s)->norms, p.iterations);
    HYPRE_ParCSRGMRESDestroy(s);
  } else if (p.method == kBicgstab) {
    HYPRE_ParCSRBiCGSTABCreate(comm, &s);
    HYPRE_BiCGSTABSetTol(s, tol);
    HYPRE_BiCGSTABSetAbsoluteTol(s, 0.0);
    HYPRE_BiCGSTABSetMaxIter(s, max_iter);
    HYPRE_BiCGSTABSetLogging(s, 1);
    HYPRE_BiCGSTABSetPrintLevel(s, 0);
    HYPRE_ParCSRBiCGSTABSetPrecond(s, precond, setup, p.amg);
    HYPRE_ParCSRBiCGSTABSetup(s, p.A, p.b, p.x);
    HYPRE_ParCSRBiCGSTABSolve(s, p.A, p.b, p.x);
    HYPRE_BiCGSTABGetNumIterations(s, &p.iterations);
    p.converged = reinterpret_cast<hypre_BiCGSTABData*>(s)->converged != 0;
    copy_norms(reinterpret_cast<hypre_BiCGSTABData*>(s)->norms, p.iterations);
    HYPRE_ParCSRBiCGSTABDestroy(s);
  } else {
    // BoomerAMG on its own, one cycle at a time, the residual norm after each (every rank
    // computes the same global norms, so every rank takes the same decisions).
    double bb = 0;
    HYPRE_ParVectorInnerProd(p.b, p.b, &bb);
    const double bnorm = std::sqrt(bb);
    for (int k = 0; k < max_iter; ++k) {
      HYPRE_BoomerAMGSolve(p.amg, p.A, p.b, p.x);
      HYPRE_ParVectorCopy(p.b, p.r);
      HYPRE_ParCSRMatrixMatvec(-1.0, p.A, p.x, 1.0, p.r);
      double rr = 0;
      HYPRE_ParVectorInnerProd(p.r, p.r, &rr);
      const double rn = std::sqrt(rr);
      p.norms.push_back(rn);
      ++p.iterations;
      if (!std::isfinite(rn)) break;
      if (rn <= tol * bnorm) {
        p.converged = true;
        break;
      }
    }
  }
  HYPRE_ClearAllErrors();
  MPI_Gatherv(local_data(p.x), counts[static_cast<std::size_t>(rank)], MPI_DOUBLE, p.x_all.data(),
              counts.data(), displs.data(), MPI_DOUBLE, 0, comm);
}

void channel(const Call& call) {
  const std::int64_t id = call.args.at(0);
  switch (call.op) {
    case kCreate: {
      auto p = std::make_unique<Part>();
      p->method = static_cast<int>(call.args.at(1));
      p->knobs = AmgKnobs::decode(call.blob);
      ensure_hypre();
      std::lock_guard<std::mutex> lock(g_parts_mutex);
      parts()[id] = std::move(p);
      break;
    }
    case kPattern:
      op_pattern(part(id), call);
      break;
    case kValues:
      op_values(part(id));
      break;
    case kSetup:
      op_setup(part(id), from_bits(call.args.at(1)));
      break;
    case kIterate:
      op_iterate(part(id), static_cast<int>(call.args.at(1)), from_bits(call.args.at(2)),
                 static_cast<int>(call.args.at(3)));
      break;
    case kDestroy: {
      std::unique_ptr<Part> p;
      {
        std::lock_guard<std::mutex> lock(g_parts_mutex);
        auto it = parts().find(id);
        if (it == parts().end()) break;
        p = std::move(it->second);
        parts().erase(it);
      }
      break;  // p's hypre objects are destroyed here, on every rank
    }
    default:
      throw_internal("hypre: unknown operation " + std::to_string(call.op));
  }
}

// Parts still alive when MPI ends are destroyed before HYPRE_Finalize.
void destroy_all_parts() {
  std::map<std::int64_t, std::unique_ptr<Part>> all;
  std::lock_guard<std::mutex> lock(g_parts_mutex);
  all.swap(parts());
}

std::int64_t next_id() {
  static std::int64_t next = 1;
  return next++;
}

// Rank 0's solver.
class DistributedSolver final : public Solver {
 public:
  DistributedSolver(int method, const SolverOptions& o) : method_(method) {
    const auto& opt = o.options;
    name_ = method_ == kAmg ? std::string("amg") : std::string(method_name(method_)) + "+amg";
    tol_ = option_number(opt, name_, "tol", 1e-300, 1.0);
    if (!(tol_ > 0.0)) throw_usage(name_ + ": option tol must be positive");
    max_iter_ = static_cast<int>(option_number(opt, name_, "max_iter", 1, 1e9));
    rebuild_iters_ = static_cast<int>(option_number(opt, name_, "rebuild_iters", 0, 1e9));
    if (opt.count("restart"))
      restart_ = static_cast<int>(option_number(opt, name_, "restart", 1, 1e6));
    knobs_ = AmgKnobs::parse(opt);
    stats_.iterative = true;
    stats_.ordering = "natural";
    // MPI's start-up is not part of the timed phases.
    ensure_hypre();
    stats_.processes = mpi::size();
    id_ = next_id();
    mpi::run({kChannel, kCreate, {id_, method_}, knobs_.encode()});
  }
  ~DistributedSolver() override {
    try {
      if (mpi::active()) mpi::run({kChannel, kDestroy, {id_}, {}});
    } catch (...) {
    }
  }

  std::string name() const override { return name_; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    if (a.is_complex()) throw_usage(name_ + ": iterative solvers take real matrices only");
    if (!a.is_square()) throw_input("matrix is not square");
    to_int32(a.nrows, "hypre: matrix dimension");
    to_int32(a.nnz(), "hypre: number of nonzeros");
    colptr_ = a.colptr;
    rowind_ = a.rowind;
    make_rows(a);
    distribute();
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    load_values(a);
    setup();
    const double s = t.seconds();
    fresh_ = true;
    reference_iters_ = -1;
    pending_setup_ += s;
    stats_.setup_seconds = s;
    stats_.factor_seconds = s;
  }

  void refactor(const SparseMatrix& a) override {
    Timer t;
    load_values(a);
    fresh_ = false;
    stats_.refactor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    if (transpose) throw_usage(name_ + ": iterative solvers do not solve with the transpose");
    Timer t;
    const index_t n = rows_.n;
    stats_.rebuilt = false;
    stats_.iterations = 0;
    stats_.relative_residual = 0.0;
    stats_.residual_history.assign(static_cast<std::size_t>(std::max<index_t>(nrhs, 0)), {});
    for (index_t k = 0; k < nrhs; ++k) {
      double* bk = b.data() + k * n;
      std::vector<double> rhs(bk, bk + n), x(static_cast<std::size_t>(n), 0.0);
      auto& hist = stats_.residual_history[static_cast<std::size_t>(k)];
      Outcome o;
      if (!fresh_) {
        // The kept setup, allowed up to the rebuild bound.
        const int bound = rebuild_iters_ > 0
                              ? rebuild_iters_
                              : (reference_iters_ >= 0 ? 2 * reference_iters_ + 5 : max_iter_);
        o = iterate(rhs, x, std::min(bound, max_iter_), hist);
        if (!o.converged) {
          Timer st;
          setup();
          pending_setup_ += st.seconds();
          fresh_ = true;
          reference_iters_ = -1;
          stats_.rebuilt = true;
          std::fill(x.begin(), x.end(), 0.0);
          hist.clear();
        }
      }
      if (fresh_ && (o.iterations < 0 || !o.converged)) {
        o = iterate(rhs, x, max_iter_, hist);
        if (reference_iters_ < 0 && o.converged) reference_iters_ = o.iterations;
      }
      if (!o.converged) {
        std::ostringstream m;
        m << name_ << ": not converged within " << max_iter_
          << " iterations (max_iter): relative residual " << o.residual << " reached, tolerance "
          << tol_;
        if (!o.breakdown.empty()) m << "; breakdown: " << o.breakdown;
        throw_numerical(m.str());
      }
      stats_.iterations = std::max<index_t>(stats_.iterations, o.iterations);
      stats_.relative_residual = std::max(stats_.relative_residual, o.residual);
      std::copy(x.begin(), x.end(), bk);
    }
    stats_.setup_seconds = pending_setup_;
    pending_setup_ = 0.0;
    stats_.solve_seconds = t.seconds();
    // Every rank's peak resident memory so far (a collective call, outside the timing).
    stats_.memory_per_process = peak_memory_per_process();
  }

  void solve(std::span<complex_t>, index_t, bool) override {
    throw_usage(name_ + ": iterative solvers take real matrices only");
  }

 private:
  struct Outcome {
    int iterations = -1;
    bool converged = false;
    double residual = 0.0;
    std::string breakdown;
  };

  // The CSC matrix by rows; from_csc[k] = the CSC position of row entry k.
  void make_rows(const SparseMatrix& a) {
    Rows& r = rows_;
    r.n = a.nrows;
    const auto nnz = static_cast<std::size_t>(a.nnz());
    r.rowptr.assign(static_cast<std::size_t>(a.nrows) + 1, 0);
    for (index_t i : a.rowind) ++r.rowptr[static_cast<std::size_t>(i) + 1];
    for (index_t i = 0; i < a.nrows; ++i) r.rowptr[i + 1] += r.rowptr[i];
    r.colind.assign(nnz, 0);
    r.from_csc.assign(nnz, 0);
    std::vector<index_t> next(r.rowptr.begin(), r.rowptr.end() - 1);
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k) {
        const index_t q = next[static_cast<std::size_t>(a.rowind[k])]++;
        r.colind[q] = j;
        r.from_csc[q] = k;
      }
    r.values.assign(nnz, 1.0);
    if (!a.values.empty())
      for (std::size_t q = 0; q < nnz; ++q)
        r.values[q] = a.values[static_cast<std::size_t>(r.from_csc[q])];
  }

  // Contiguous row blocks with about equal nonzeros, and each rank's block sent and assembled.
  void distribute() {
    const int size = mpi::size();
    const index_t n = rows_.n;
    const double nnz = static_cast<double>(rows_.rowptr.back());
    std::vector<int> first(static_cast<std::size_t>(size) + 1, 0);
    index_t row = 0;
    for (int q = 1; q < size; ++q) {
      const double target = nnz * q / size;
      while (row < n && static_cast<double>(rows_.rowptr[row]) < target) ++row;
      // At least one row per rank where there are rows enough.
      row = std::max<index_t>(row, std::min<index_t>(n, first[q - 1] + 1));
      first[static_cast<std::size_t>(q)] = static_cast<int>(row);
    }
    first[static_cast<std::size_t>(size)] = static_cast<int>(n);
    first_ = first;
    std::string blob(reinterpret_cast<const char*>(first.data()), first.size() * sizeof(int));
    // Rank 0's own block goes in before the call; the others' are sent inside it.
    Part& mine = part(id_);
    block(0, mine.ncols, mine.cols, mine.vals);
    mine.send_blocks = [this, size] {
      for (int q = 1; q < size; ++q) {
        std::vector<HYPRE_Int> ncols;
        std::vector<HYPRE_BigInt> cols;
        std::vector<double> vals;
        block(q, ncols, cols, vals);
        send_vector(ncols, q);
        send_vector(cols, q);
        send_vector(vals, q);
      }
    };
    mpi::run({kChannel, kPattern, {id_}, blob});
  }

  // The rows of rank q as hypre wants them.
  void block(int q, std::vector<HYPRE_Int>& ncols, std::vector<HYPRE_BigInt>& cols,
             std::vector<double>& vals) const {
    const index_t lo = first_[static_cast<std::size_t>(q)];
    const index_t hi = first_[static_cast<std::size_t>(q) + 1];
    ncols.resize(static_cast<std::size_t>(hi - lo));
    for (index_t i = lo; i < hi; ++i)
      ncols[static_cast<std::size_t>(i - lo)] =
          static_cast<HYPRE_Int>(rows_.rowptr[i + 1] - rows_.rowptr[i]);
    cols.assign(rows_.colind.begin() + rows_.rowptr[lo], rows_.colind.begin() + rows_.rowptr[hi]);
    vals.assign(rows_.values.begin() + rows_.rowptr[lo], rows_.values.begin() + rows_.rowptr[hi]);
  }

  void load_values(const SparseMatrix& a) {
    if (a.nrows != rows_.n || a.colptr != colptr_ || a.rowind != rowind_) {
      analyze(a);
      return;
    }
    const std::size_t nnz = rows_.values.size();
    for (std::size_t q = 0; q < nnz; ++q)
      rows_.values[q] =
          a.values.empty() ? 1.0 : a.values[static_cast<std::size_t>(rows_.from_csc[q])];
    Part& mine = part(id_);
    const index_t hi0 = first_[1];
    mine.vals.assign(rows_.values.begin(), rows_.values.begin() + rows_.rowptr[hi0]);
    const int size = mpi::size();
    mine.send_blocks = [this, size] {
      for (int q = 1; q < size; ++q) {
        const index_t lo = first_[static_cast<std::size_t>(q)];
        const index_t hi = first_[static_cast<std::size_t>(q) + 1];
        std::vector<double> vals(rows_.values.begin() + rows_.rowptr[lo],
                                 rows_.values.begin() + rows_.rowptr[hi]);
        send_vector(vals, q);
      }
    };
    mpi::run({kChannel, kValues, {id_}, {}});
  }

  void setup() {
    const double per_row =
        rows_.n > 0 ? static_cast<double>(rows_.rowptr.back()) / static_cast<double>(rows_.n) : 0.0;
    mpi::run({kChannel, kSetup, {id_, to_bits(knobs_.strong_for(per_row))}, {}});
    if (part(id_).setup_error)
      throw_numerical(name_ + ": BoomerAMG setup failed on at least one process");
  }

  double residual_norm(const std::vector<double>& b, const std::vector<double>& x) const {
    double s = 0;
    for (index_t i = 0; i < rows_.n; ++i) {
      double r = b[static_cast<std::size_t>(i)];
      for (index_t k = rows_.rowptr[i]; k < rows_.rowptr[i + 1]; ++k)
        r -= rows_.values[static_cast<std::size_t>(k)] *
             x[static_cast<std::size_t>(rows_.colind[static_cast<std::size_t>(k)])];
      s += r * r;
    }
    return std::sqrt(s);
  }

  // As the one-process backends: runs the method from x, restarting it from the current x while
  // its own test says converged but the recomputed residual does not.
  Outcome iterate(const std::vector<double>& b, std::vector<double>& x, int max_iter,
                  std::vector<double>& hist) {
    Outcome o;
    o.iterations = 0;
    double bnorm = 0;
    for (double v : b) bnorm += v * v;
    bnorm = std::sqrt(bnorm);
    if (bnorm == 0.0) {
      std::fill(x.begin(), x.end(), 0.0);
      hist.assign(1, 0.0);
      o.converged = true;
      return o;
    }
    hist.assign(1, residual_norm(b, x) / bnorm);
    Part& p = part(id_);
    for (;;) {
      p.b_all = b;
      p.x_all = x;
      const int left = max_iter - o.iterations;
      mpi::run({kChannel, kIterate, {id_, left, to_bits(tol_), restart_}, {}});
      x = p.x_all;
      const int done = p.iterations;
      for (double nrm : p.norms) hist.push_back(nrm / bnorm);
      o.iterations += done;
      o.residual = residual_norm(b, x) / bnorm;
      if (!std::isfinite(o.residual)) o.residual = INFINITY;
      if (hist.size() > 1) hist.back() = o.residual;  // the recomputed one, not the estimate
      o.converged = o.residual <= tol_;
      // Stopped before its iteration limit without converging by its own test: a breakdown.
      if (!o.converged && !p.converged && done < left)
        o.breakdown = std::string("hypre's ") + method_name(method_) + " stopped after " +
                      std::to_string(done) + " iterations without converging";
      if (o.converged || o.iterations >= max_iter || done == 0 || !o.breakdown.empty() ||
          !std::isfinite(o.residual))
        return o;
    }
  }

  int method_;
  std::string name_;
  double tol_ = kDefaultTolerance;
  int max_iter_ = kDefaultMaxIterations;
  int restart_ = kDefaultRestart;
  int rebuild_iters_ = 0;
  AmgKnobs knobs_;
  std::int64_t id_ = 0;
  Rows rows_;
  std::vector<index_t> colptr_, rowind_;
  std::vector<int> first_;
  bool fresh_ = false;
  int reference_iters_ = -1;
  double pending_setup_ = 0.0;
};

}  // namespace

void register_distributed() {
  mpi::register_channel(kChannel, channel);
  mpi::at_finalize(destroy_all_parts);
  for (int m : {kCg, kGmres, kBicgstab, kAmg}) {
    DistributedVariant v;
    v.backend = method_name(m);
    v.preconditioners = {"amg"};
    v.summary = std::string("hypre's ParCSR ") + method_name(m) +
                (m == kAmg ? " (BoomerAMG)" : " with BoomerAMG") + " across the MPI processes";
    v.factory = [m](const SolverOptions& o) {
      return std::unique_ptr<Solver>(new DistributedSolver(m, o));
    };
    register_distributed_variant(std::move(v));
  }
}

}  // namespace spax::hypre_plugin
