// Internal to the hypre plugin: what rank 0's distributed solvers (hypre_distributed.cpp) and
// every rank's side of them (hypre_ranks.cpp) share: the operations on the channel "hypre", the
// methods, vectors sent between ranks, and one rank's part of a distributed solver.
#pragma once

#include <mpi.h>

#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_parcsr_ls.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "amg_knobs.hpp"
#include "spax_mpi.hpp"

namespace spax::hypre_plugin::detail {

inline constexpr const char* kChannel = "hypre";
enum Op : int { kCreate = 1, kPattern, kValues, kSetup, kIterate, kDestroy };
enum Method : int { kCg = 0, kGmres, kBicgstab, kAmg };

inline const char* method_name(int m) {
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

inline std::int64_t to_bits(double v) {
  std::int64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
inline double from_bits(std::int64_t b) {
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

// Every rank's part of the distributed solver of that id; an internal error when there is none.
Part& part(std::int64_t id);

// The collective operations, run on every rank (rank 0 after announcing them).
void channel(const mpi::Call& call);

// Parts still alive when MPI ends are destroyed before HYPRE_Finalize.
void destroy_all_parts();

}  // namespace spax::hypre_plugin::detail
