// Every rank's side of the hypre plugin's distributed solvers: the parts by id, and the
// collective operations rank 0 announces on the channel "hypre" (the row block assembled as a
// HYPRE_IJMatrix, new values, the BoomerAMG setup, a run of PCG / GMRES / BiCGSTAB / BoomerAMG).
#include <mpi.h>

#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_krylov.h>
#include <HYPRE_parcsr_ls.h>
#include <_hypre_parcsr_mv.h>
#include <krylov.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "hypre_distributed.hpp"
#include "spax/plugin.hpp"

namespace spax::hypre_plugin::detail {

using mpi::Call;

namespace {

// No preconditioner setup inside the Krylov solvers: BoomerAMG is set up by kSetup, and kept.
HYPRE_Int no_setup(HYPRE_Solver, HYPRE_ParCSRMatrix, HYPRE_ParVector, HYPRE_ParVector) {
  return 0;
}

std::map<std::int64_t, std::unique_ptr<Part>>& parts() {
  static auto* m = new std::map<std::int64_t, std::unique_ptr<Part>>;
  return *m;
}
std::mutex g_parts_mutex;

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

// BoomerAMG's setup for a matrix with `per_row` entries per row (rank 0's count: every rank
// resolves the automatic knobs alike).
void op_setup(Part& p, double per_row) {
  p.release_amg();
  HYPRE_BoomerAMGCreate(&p.amg);
  p.knobs.apply(p.amg, per_row);
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

}  // namespace

Part& part(std::int64_t id) {
  std::lock_guard<std::mutex> lock(g_parts_mutex);
  auto it = parts().find(id);
  if (it == parts().end()) throw_internal("hypre: no distributed solver " + std::to_string(id));
  return *it->second;
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

}  // namespace spax::hypre_plugin::detail
