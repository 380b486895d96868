// Internal: pieces of work run in forked children, at most `max_parallel` at once, each under a
// wall-time limit, collected as they finish while the caller does other work. What a child
// returns comes back as its payload (the callers encode JSON); a child that cannot be started
// runs its work in this process instead, without the limit.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/child.hpp"

namespace spax::detail {

class ChildPool {
 public:
  struct Task {
    std::function<std::string()> work;  // runs in the child
    // Called in this process just before the fork and just after it (the place to make and close
    // a side channel such as a pipe); `in_child` is called first thing in the child.
    std::function<void()> before_fork, after_fork, in_child;
    // The outcome: payload (complete unless timed_out or crashed), wall seconds, and so on.
    std::function<void(const ChildOutcome&)> done;
  };

  ChildPool(int max_parallel, double timeout_seconds)
      : max_parallel_(max_parallel < 1 ? 1 : max_parallel), timeout_(timeout_seconds) {}
  ~ChildPool();  // kills and reaps the children still running
  ChildPool(const ChildPool&) = delete;
  ChildPool& operator=(const ChildPool&) = delete;

  void add(Task task);
  // Launches tasks up to the parallel limit; with `block`, waits until every task is done, else
  // collects what has finished (without waiting) and launches the next in their place.
  void pump(bool block);

 private:
  struct Running {
    Task task;
    ChildHandle child;
    std::string buffer;
    bool launched = false, done = false;
  };
  void launch(Running& r);
  void reap(Running& r, bool timed_out);
  int max_parallel_;
  double timeout_;
  std::vector<Running> tasks_;
};

}  // namespace spax::detail
