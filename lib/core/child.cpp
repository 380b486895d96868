#include "core/child.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>

#include "spax/backend.hpp"
#include "spax/common.hpp"

namespace spax::detail {

bool forking_allowed() noexcept {
  return !in_multi_process_job();
}

ChildHandle start_child(const std::function<std::string()>& work) {
  if (!forking_allowed()) throw_internal("no child process inside a multi-process (MPI) job");
  int fds[2];
  if (::pipe(fds) != 0) throw_internal("pipe failed");
  std::fflush(nullptr);  // nothing buffered may be written twice
  ChildHandle h;
  h.start = std::chrono::steady_clock::now();
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw_internal("fork failed");
  }
  if (pid == 0) {
    ::close(fds[0]);
    // An orphaned child would keep computing for nobody.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::signal(SIGPIPE, SIG_IGN);  // a parent gone or no longer reading: the write fails, no more
    std::string s;
    try {
      s = work();
    } catch (const std::exception& e) {
      s = std::string("ERR ") + e.what();
    } catch (...) {
      s = "ERR unknown failure";
    }
    write_all(fds[1], s.data(), s.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  h.pid = pid;
  h.fd = fds[0];
  return h;
}

double cpu_seconds(pid_t pid) {
  clockid_t clock = CLOCK_PROCESS_CPUTIME_ID;
  if (pid != 0 && ::clock_getcpuclockid(pid, &clock) != 0) return -1.0;
  timespec ts{};
  if (::clock_gettime(clock, &ts) != 0) return -1.0;
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  std::size_t done = 0;
  while (done < size) {
    ssize_t w = ::write(fd, p + done, size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // the reader is gone (children ignore SIGPIPE)
    done += static_cast<std::size_t>(w);
  }
}

bool read_all(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  std::size_t done = 0;
  while (done < size) {
    ssize_t r = ::read(fd, p + done, size - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<std::size_t>(r);
  }
  return true;
}

ChildOutcome wait_child(ChildHandle& child, double timeout_seconds,
                        const std::function<double()>& cpu_budget) {
  ChildOutcome out;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - child.start).count();
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
    if (cpu_budget) {
      ms = ms < 0 ? 10 : std::min(ms, 10);
      const double budget = cpu_budget();
      if (budget > 0) {
        const double used = cpu_seconds(child.pid);
        if (used > budget) {
          out.over_budget = true;
          break;
        }
      }
    }
    pollfd pfd{child.fd, POLLIN, 0};
    int r = ::poll(&pfd, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;  // re-check the deadline and the budget
    ssize_t got = ::read(child.fd, buf, sizeof buf);
    if (got > 0) {
      out.payload.append(buf, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    break;  // end of the pipe: the child is done
  }
  ::close(child.fd);
  child.fd = -1;
  if (out.timed_out || out.over_budget) ::kill(child.pid, SIGKILL);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  child.pid = -1;
  out.seconds = elapsed();
  if (!out.timed_out && !out.over_budget && WIFSIGNALED(status)) {
    out.crashed = true;
    out.signal = WTERMSIG(status);
  }
  return out;
}

ChildOutcome run_in_child(const std::function<std::string()>& work, double timeout_seconds) {
  ChildHandle h = start_child(work);
  return wait_child(h, timeout_seconds);
}

}  // namespace spax::detail
