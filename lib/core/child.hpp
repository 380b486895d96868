// Internal: running a piece of work in a forked child process with a deadline. Library calls
// (a factorization) cannot be interrupted, so work that must stop after a timeout, or that may
// exhaust memory or crash, runs in a child that is killed when its time is up.
#pragma once

#include <functional>
#include <string>

namespace spax::detail {

struct ChildOutcome {
  bool timed_out = false;  // killed at the deadline
  bool crashed = false;    // ended by a signal of its own
  int signal = 0;
  std::string payload;   // what the child's work returned (complete only when neither above)
  double seconds = 0.0;  // wall time until the child ended or was killed
};

// Forks; the child runs `work` and sends its return value to the parent through a pipe, then
// exits without running destructors or atexit handlers. An exception escaping `work` is sent as
// a payload starting with "ERR ". The parent waits at most `timeout_seconds` (<= 0: no limit).
ChildOutcome run_in_child(const std::function<std::string()>& work, double timeout_seconds);

}  // namespace spax::detail
