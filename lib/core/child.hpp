// Internal: running a piece of work in a forked child process with a deadline. Library calls
// (a factorization) cannot be interrupted, so work that must stop after a timeout, or that may
// exhaust memory or crash, runs in a child that is killed when its time is up.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace spax::detail {

struct ChildOutcome {
  bool timed_out = false;    // killed at the deadline
  bool over_budget = false;  // killed when its CPU time passed the budget (wait_child)
  bool crashed = false;      // ended by a signal of its own
  int signal = 0;
  std::string payload;   // what the child's work returned (complete only when none of the above)
  double seconds = 0.0;  // wall time until the child ended or was killed
};

// A child started by start_child and not yet waited for.
struct ChildHandle {
  pid_t pid = -1;
  int fd = -1;  // read end of the result pipe
  std::chrono::steady_clock::time_point start;
};

// False inside a multi-process (MPI) job, where nothing may fork: callers run the work in the
// process instead, or skip it with a note.
bool forking_allowed() noexcept;

// Forks (an internal error where forking_allowed() is false); the child runs `work` and sends its
// return value to the parent through a pipe, then exits without running destructors or atexit
// handlers. An exception escaping `work` is sent as a payload starting with "ERR ". The child is
// killed when the process that forked it dies.
ChildHandle start_child(const std::function<std::string()>& work);

// Waits for the child's result. Past `timeout_seconds` of wall time since the start (<= 0: no
// limit) the child is killed (timed_out). `cpu_budget` (when set) is asked for the CPU-time
// budget the child may use, at every check (every 10 ms): it may change while the child runs,
// and <= 0 means none yet; a child past it is killed (over_budget).
ChildOutcome wait_child(ChildHandle& child, double timeout_seconds,
                        const std::function<double()>& cpu_budget = {});

// CPU time (user + system) used so far by process `pid` (0: this process); -1 when unreadable.
double cpu_seconds(pid_t pid = 0);

// Writes all `size` bytes to `fd`, retrying after signals; stops quietly when the reader is gone.
void write_all(int fd, const void* data, std::size_t size);
// Reads exactly `size` bytes from `fd` (false at an early end of the pipe or an error).
bool read_all(int fd, void* data, std::size_t size);

// start_child and wait_child at once.
ChildOutcome run_in_child(const std::function<std::string()>& work, double timeout_seconds);

}  // namespace spax::detail
