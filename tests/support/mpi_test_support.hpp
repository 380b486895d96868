// Helpers of the tests that run spax under mpirun: the test environment, starting mpirun with
// spax, waiting for it with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace spax::test {

// Open MPI's allow-root variables (CI runs as root; spax itself never sets them), one BLAS
// thread per process (3 processes share CI's 2 cores) and, for sanitized builds, LeakSanitizer's
// suppression of Open MPI's own leaks, for this test process and so for the mpirun it starts.
void set_mpi_test_environment();
// mpirun in /usr/bin or /usr/local/bin.
bool have_mpirun();

struct Proc {
  int exit_code = -1;
  std::string out, err;
  double seconds = 0;
};

// A started program whose output threads collect.
struct Running {
  pid_t pid = -1;
  std::thread out_reader, err_reader;
  std::string out, err;
  std::chrono::steady_clock::time_point start;
};

// Starts argv (argv[0] looked up in PATH); a test failure when it cannot.
void start(Running& r, const std::vector<std::string>& argv);
// Waits up to `timeout` seconds (then kills it); the exit code, or 128 + signal.
Proc finish(Running& r, double timeout);

// mpirun --oversubscribe -np N spax ARGS...
std::vector<std::string> mpirun_argv(int np, const std::vector<std::string>& args);
Proc mpirun(int np, const std::vector<std::string>& args, double timeout = 300);

}  // namespace spax::test
