// Work in a child process: results through the pipe, the wall-clock deadline, the CPU-time
// budget (which may be set only after the child started), and no orphan left computing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "core/child.hpp"

namespace spax::detail {
namespace {

// Burns CPU until killed.
std::string spin() {
  volatile unsigned long x = 0;
  for (;;) x = x + 1;
  return {};
}

// True once `pid` is gone or a zombie (no longer running).
bool stopped(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return true;
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

TEST(Child, ReturnsThePayload) {
  ChildOutcome out = run_in_child([] { return std::string(100000, 'x') + "end"; }, 30.0);
  EXPECT_FALSE(out.timed_out);
  EXPECT_FALSE(out.over_budget);
  EXPECT_FALSE(out.crashed);
  ASSERT_EQ(out.payload.size(), 100003u);
  EXPECT_EQ(out.payload.substr(100000), "end");
}

TEST(Child, ExceptionBecomesErrPayload) {
  ChildOutcome out = run_in_child([]() -> std::string { throw std::runtime_error("boom"); }, 30.0);
  EXPECT_EQ(out.payload, "ERR boom");
}

TEST(Child, DeadlineKills) {
  ChildOutcome out = run_in_child(spin, 0.2);
  EXPECT_TRUE(out.timed_out);
  EXPECT_FALSE(out.crashed);
  EXPECT_GE(out.seconds, 0.2);
}

TEST(Child, DeathBySignalIsReported) {
  // SIGKILL, not a fault: under the sanitizers a fault is caught and turned into an exit code.
  ChildOutcome out = run_in_child(
      []() -> std::string {
        ::kill(::getpid(), SIGKILL);
        return "unreachable";
      },
      30.0);
  EXPECT_TRUE(out.crashed);
  EXPECT_EQ(out.signal, SIGKILL);
  EXPECT_FALSE(out.timed_out);
}

TEST(Child, CpuBudgetSetLateStillStopsTheChild) {
  ChildHandle h = start_child(spin);
  const auto begin = std::chrono::steady_clock::now();
  auto since = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  };
  // No budget for the first 0.1 s of waiting (as while the caller's own run goes on), then 0.3 s
  // of CPU time.
  ChildOutcome out = wait_child(h, 60.0, [&] { return since() < 0.1 ? 0.0 : 0.3; });
  EXPECT_TRUE(out.over_budget);
  EXPECT_FALSE(out.timed_out);
  EXPECT_FALSE(out.crashed);
  EXPECT_GE(out.seconds, 0.3);  // at least its CPU time
  EXPECT_LT(out.seconds, 50.0);
}

TEST(Child, WithinBudgetKeepsTheResult) {
  ChildHandle h = start_child([] { return std::string("done"); });
  ChildOutcome out = wait_child(h, 60.0, [] { return 30.0; });
  EXPECT_FALSE(out.over_budget);
  EXPECT_EQ(out.payload, "done");
}

TEST(Child, SleepingChildUsesNoBudget) {
  // The budget counts CPU time: a child that waits (as one sharing busy cores) is not stopped.
  ChildHandle h = start_child([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    return std::string("slept");
  });
  ChildOutcome out = wait_child(h, 60.0, [] { return 0.2; });
  EXPECT_FALSE(out.over_budget);
  EXPECT_EQ(out.payload, "slept");
}

TEST(Child, GrandchildDiesWithItsParent) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ChildHandle h = start_child([&] {
    ChildHandle inner = start_child(spin);
    ::write(fds[1], &inner.pid, sizeof inner.pid);
    return spin();
  });
  ::close(fds[1]);
  pid_t grandchild = -1;
  ASSERT_EQ(::read(fds[0], &grandchild, sizeof grandchild),
            static_cast<ssize_t>(sizeof grandchild));
  ::close(fds[0]);
  ASSERT_GT(grandchild, 0);
  EXPECT_FALSE(stopped(grandchild));
  ChildOutcome out = wait_child(h, 0.2);
  EXPECT_TRUE(out.timed_out);
  bool gone = false;
  for (int k = 0; k < 500 && !gone; ++k) {
    gone = stopped(grandchild);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " still running after its parent died";
  if (!gone) ::kill(grandchild, SIGKILL);
}

}  // namespace
}  // namespace spax::detail
