#include "core/child.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>

#include "spax/common.hpp"

namespace spax::detail {

ChildOutcome run_in_child(const std::function<std::string()>& work, double timeout_seconds) {
  int fds[2];
  if (::pipe(fds) != 0) throw_internal("pipe failed");
  std::fflush(nullptr);  // nothing buffered may be written twice
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw_internal("fork failed");
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string s;
    try {
      s = work();
    } catch (const std::exception& e) {
      s = std::string("ERR ") + e.what();
    } catch (...) {
      s = "ERR unknown failure";
    }
    std::size_t done = 0;
    while (done < s.size()) {
      ssize_t w = ::write(fds[1], s.data() + done, s.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += static_cast<std::size_t>(w);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildOutcome out;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  char buf[65536];
  for (;;) {
    int ms = -1;
    if (timeout_seconds > 0) {
      const double left = timeout_seconds - elapsed();
      if (left <= 0) {
        out.timed_out = true;
        break;
      }
      ms = static_cast<int>(std::ceil(left * 1000.0));
    }
    pollfd pfd{fds[0], POLLIN, 0};
    int r = ::poll(&pfd, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;  // re-check the deadline
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got > 0) {
      out.payload.append(buf, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    break;  // end of the pipe: the child is done
  }
  ::close(fds[0]);
  if (out.timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.seconds = elapsed();
  if (!out.timed_out && WIFSIGNALED(status)) {
    out.crashed = true;
    out.signal = WTERMSIG(status);
  }
  return out;
}

}  // namespace spax::detail
