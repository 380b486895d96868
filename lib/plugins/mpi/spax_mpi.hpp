// The MPI runtime the MPI plugins share (libspax_mpi.so), for plugins only: nothing outside
// lib/plugins includes this header or mpi.h.
//
// One process or N: MPI is started once, lazily in a single process (a singleton without mpirun:
// no runtime daemon, the in-process transport only) or at start-up on every rank of a job
// (spax::run_as_worker_if_needed), and ended only when spax started it. Rank 0 runs the command;
// the other ranks sit in a service loop. Each collective operation of a plugin is a Call on a
// named channel: rank 0 announces it (one broadcast of a small header, then the blob), every rank
// runs the channel's handler for it, so the same code runs everywhere and the decisions are made
// once, on rank 0.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#define SPAX_MPI_API __attribute__((visibility("default")))

namespace spax::mpi {

// Registers the runtime as spax's process service (once per process, whichever plugin asks
// first). Every MPI plugin calls it from its entry point.
SPAX_MPI_API void install();

// Starts MPI unless it is up (then it belongs to the host program and is left to it), and
// creates the runtime's communicators. Throws an internal error when MPI cannot start or was
// already finalized.
SPAX_MPI_API void ensure_started();
// MPI is up and the runtime usable (started, not finished).
SPAX_MPI_API bool active();

// The job's processes (after ensure_started).
SPAX_MPI_API int rank();
SPAX_MPI_API int size();
// For the engines (MUMPS, hypre): a duplicate of MPI_COMM_WORLD whose errors are fatal (an MPI
// error inside a library call ends the job instead of leaving a half-done collective).
SPAX_MPI_API MPI_Comm compute_comm();

// One collective operation: a channel (the plugin), an operation code, small integer arguments
// and bytes every rank receives.
struct Call {
  std::string channel;
  int op = 0;
  std::vector<std::int64_t> args;  // at most 8
  std::string blob;
};
using Handler = std::function<void(const Call&)>;

// Every rank registers the same handlers (plugins register theirs from their entry point).
SPAX_MPI_API void register_channel(const std::string& name, Handler handler);

// Rank 0: announces the call to the other ranks, then runs its handler here; the handler takes
// part in the collective operation on every rank. Throws an internal error when the other ranks
// cannot be reached. Only rank 0 calls it.
SPAX_MPI_API void run(const Call& call);

// Run on every rank, newest first, before MPI_Finalize (instances of the engines that are still
// alive, HYPRE_Finalize).
SPAX_MPI_API void at_finalize(std::function<void()> hook);

// Collective helpers over compute_comm for buffers of any size (MPI counts are int).
SPAX_MPI_API void bcast_bytes(void* data, std::size_t bytes, int root);

}  // namespace spax::mpi
