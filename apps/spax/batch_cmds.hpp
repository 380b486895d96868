// `spax solve --batch` and `spax bench --batch K`: many matrices of one pattern at once
// (solve_batch.cpp, bench_batch.cpp), called from cmd_solve.cpp and cmd_bench.cpp.
#pragma once

#include <string>
#include <vector>

#include "command.hpp"
#include "spax/bench.hpp"

namespace spax::app {

struct SolveBatchArgs {
  std::vector<std::string> files, rhs;
  std::string solver, ordering, solver_options;
  const BackendFlags* flags = nullptr;
  double tol = 1e-8;
  bool json = false;
  std::string out;
  int threads = 0;
};
void run_solve_batch(const SolveBatchArgs& args);

struct BenchBatchArgs {
  std::vector<std::string> files, solvers;
  BenchOptions bench;
  int count = 0;
  std::string export_json, export_csv;
};
void run_bench_batch(const BenchBatchArgs& args);

}  // namespace spax::app
