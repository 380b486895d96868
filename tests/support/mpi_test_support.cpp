#include "mpi_test_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

extern char** environ;

namespace spax::test {

namespace {
std::string slurp(int fd) {
  std::string s;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    s.append(buf, static_cast<std::size_t>(n));
  }
  return s;
}

}  // namespace

void start(Running& r, const std::vector<std::string>& argv_s) {
  int out_pipe[2], err_pipe[2];
  ASSERT_EQ(::pipe(out_pipe), 0);
  ASSERT_EQ(::pipe(err_pipe), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
    posix_spawn_file_actions_addclose(&fa, fd);
  std::vector<std::string> copy = argv_s;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  r.start = std::chrono::steady_clock::now();
  const int rc = posix_spawnp(&r.pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ASSERT_EQ(rc, 0) << "could not start " << argv_s[0];
  const int ofd = out_pipe[0], efd = err_pipe[0];
  r.out_reader = std::thread([&r, ofd] {
    r.out = slurp(ofd);
    ::close(ofd);
  });
  r.err_reader = std::thread([&r, efd] {
    r.err = slurp(efd);
    ::close(efd);
  });
}

// Waits up to `timeout` seconds (then kills it); returns the exit code (128 + signal).
Proc finish(Running& r, double timeout) {
  Proc p;
  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(r.pid, &status, WNOHANG);
    if (w == r.pid) break;
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - r.start).count();
    if (waited > timeout) {
      ::kill(r.pid, SIGKILL);
      ::waitpid(r.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.start).count();
  r.out_reader.join();
  r.err_reader.join();
  p.out = std::move(r.out);
  p.err = std::move(r.err);
  p.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return p;
}

std::vector<std::string> mpirun_argv(int np, const std::vector<std::string>& args) {
  std::vector<std::string> v = {"mpirun", "--oversubscribe", "-np", std::to_string(np),
                                SPAX_BINARY};
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

Proc mpirun(int np, const std::vector<std::string>& args, double timeout) {
  Running r;
  start(r, mpirun_argv(np, args));
  return finish(r, timeout);
}

void set_mpi_test_environment() {
  // Sanitized builds: Open MPI's PMIx client leaks in its own thread (see the file).
  std::string lsan = std::getenv("LSAN_OPTIONS") ? std::getenv("LSAN_OPTIONS") : "use_tls=0";
  if (lsan.find("lsan-openmpi.supp") == std::string::npos)
    lsan +=
        ":print_suppressions=0:suppressions=" SPAX_SOURCE_DIR "/tests/support/lsan-openmpi.supp";
  ::setenv("LSAN_OPTIONS", lsan.c_str(), 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  ::setenv("OPENBLAS_NUM_THREADS", "1", 1);
  ::setenv("OMP_NUM_THREADS", "1", 1);
}

bool have_mpirun() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin"})
    if (::access((std::string(dir) + "/mpirun").c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace spax::test
