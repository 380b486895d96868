#include "core/child_pool.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "spax/common.hpp"

namespace spax::detail {

ChildPool::~ChildPool() {
  for (auto& r : tasks_)
    if (r.launched && !r.done) {
      ::kill(r.child.pid, SIGKILL);
      int st = 0;
      while (::waitpid(r.child.pid, &st, 0) < 0 && errno == EINTR) {
      }
      ::close(r.child.fd);
    }
}

void ChildPool::add(Task task) {
  Running r;
  r.task = std::move(task);
  tasks_.push_back(std::move(r));
}

void ChildPool::launch(Running& r) {
  r.launched = true;
  if (r.task.before_fork) r.task.before_fork();
  try {
    r.child = start_child([&] {
      if (r.task.in_child) r.task.in_child();
      return r.task.work();
    });
    if (r.task.after_fork) r.task.after_fork();
  } catch (const Error&) {
    // No pipe or no process: the work runs here, without the time limit.
    if (r.task.after_fork) r.task.after_fork();
    ChildOutcome out;
    const auto start = std::chrono::steady_clock::now();
    try {
      out.payload = r.task.work();
    } catch (const std::exception& e) {
      out.payload = std::string("ERR ") + e.what();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.done = true;
    if (r.task.done) r.task.done(out);
  }
}

void ChildPool::reap(Running& r, bool timed_out) {
  if (timed_out) ::kill(r.child.pid, SIGKILL);
  int status = 0;
  while (::waitpid(r.child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(r.child.fd);
  r.done = true;
  ChildOutcome out;
  out.timed_out = timed_out;
  out.crashed = !timed_out && WIFSIGNALED(status);
  out.signal = out.crashed ? WTERMSIG(status) : 0;
  out.payload = std::move(r.buffer);
  out.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - r.child.start).count();
  if (r.task.done) r.task.done(out);
}

void ChildPool::pump(bool block) {
  for (bool progressed = true;;) {
    int running = 0;
    for (auto& r : tasks_)
      if (r.launched && !r.done) ++running;
    for (auto& r : tasks_) {
      if (running >= max_parallel_) break;
      if (!r.launched) {
        launch(r);
        if (!r.done) ++running;
      }
    }
    if (running == 0 || (!block && !progressed)) return;

    std::vector<pollfd> fds;
    std::vector<Running*> who;
    int timeout_ms = -1;
    const auto now = std::chrono::steady_clock::now();
    for (auto& r : tasks_) {
      if (!r.launched || r.done) continue;
      fds.push_back({r.child.fd, POLLIN, 0});
      who.push_back(&r);
      if (timeout_ > 0) {
        const double left = timeout_ - std::chrono::duration<double>(now - r.child.start).count();
        const int ms = static_cast<int>(std::ceil(std::max(0.0, left) * 1000.0));
        timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
      }
    }
    if (!block) timeout_ms = 0;
    const int got_events = ::poll(fds.data(), fds.size(), timeout_ms);
    if (got_events < 0 && errno != EINTR)
      throw_internal("poll failed: " + std::string(std::strerror(errno)));
    progressed = got_events > 0;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      Running& r = *who[k];
      if (got_events > 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[4096];
        const ssize_t got = ::read(r.child.fd, buf, sizeof buf);
        if (got > 0) {
          r.buffer.append(buf, static_cast<std::size_t>(got));
          continue;
        }
        if (got < 0 && errno == EINTR) continue;
        reap(r, false);
        continue;
      }
      if (timeout_ > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - r.child.start).count() >=
              timeout_)
        reap(r, true);
    }
  }
}

}  // namespace spax::detail
