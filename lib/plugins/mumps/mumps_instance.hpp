// Internal to the mumps plugin: a MUMPS instance as every rank holds it, the operations rank 0
// announces on the channel "mumps" (mumps_service.cpp), and MUMPS's codes read into words
// (mumps_codes.cpp).
#pragma once

#include <dmumps_c.h>
#include <zmumps_c.h>

#include <cstdint>
#include <string>
#include <vector>

#include "spax_mpi.hpp"

namespace spax::mumps_plugin::detail {

inline constexpr const char* kChannel = "mumps";
enum Op : int { kCreate = 1, kAnalyze, kFactor, kSolve, kDestroy, kSave, kRestore };

// One MUMPS instance (real or complex) as every rank holds it.
struct Instance {
  bool complex = false;
  int verbose = 0;  // MUMPS's own output wanted (ICNTL(4) level on rank 0)
  DMUMPS_STRUC_C d{};
  ZMUMPS_STRUC_C z{};
  // Rank 0: the memory each rank's factorization used (INFO(22), millions of bytes), after
  // kFactor; the files each rank saved (kSave) or is to restore (kRestore).
  std::vector<double> memory_mb;
  std::vector<std::string> parts;

  template <class F>
  auto with(F&& f) {
    return complex ? f(z) : f(d);
  }
  void call(int job) {
    if (complex) {
      z.job = job;
      zmumps_c(&z);
    } else {
      d.job = job;
      dmumps_c(&d);
    }
  }
  int* icntl() { return complex ? z.icntl : d.icntl; }
  double* cntl() { return complex ? z.cntl : d.cntl; }
  int* info() { return complex ? z.info : d.info; }
  int* infog() { return complex ? z.infog : d.infog; }
  double* rinfog() { return complex ? z.rinfog : d.rinfog; }
  int& ICNTL(int i) { return icntl()[i - 1]; }
  double& CNTL(int i) { return cntl()[i - 1]; }
  int INFO(int i) { return info()[i - 1]; }
  int INFOG(int i) { return infog()[i - 1]; }
  double RINFOG(int i) { return rinfog()[i - 1]; }
};

// Every rank's instance of that id (ids are given by rank 0, in order, so every rank agrees);
// an internal error when there is none.
Instance& instance(std::int64_t id);

// The collective operations, run on every rank (rank 0 after announcing them).
void channel(const mpi::Call& call);

// Instances still alive when MPI ends (a Solver that outlived the command) are terminated on
// every rank, in id order, before MPI_Finalize.
void destroy_all_instances();

// MUMPS's codes (mumps_codes.cpp): a count field of INFO/INFOG, the next workspace relaxation,
// whether an INFOG(1) error is a workspace one, and an error as text.
double count_field(int v);
int next_relax(int relax);
bool workspace_error(int e);
std::string mumps_error_text(int e, int e2);

struct OrderingChoice {
  const char* name;
  int icntl7;
};
// The sequential orderings of Debian's MUMPS build (no SCOTCH, no METIS inside it); metis is
// spax's METIS nested dissection given to MUMPS as its pivot order.
inline constexpr OrderingChoice kOrderings[] = {{"auto", 7}, {"amd", 0},   {"amf", 2},  {"qamd", 6},
                                                {"pord", 4}, {"metis", 1}, {"given", 1}};

// The ordering MUMPS used, from INFOG(7) and INFOG(32) (given_name for a given order).
std::string ordering_name_of(int infog7, int infog32, const std::string& given_name);

}  // namespace spax::mumps_plugin::detail
