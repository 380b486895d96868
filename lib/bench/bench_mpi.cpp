// spax bench across process counts: a case of a multi-process backend (mumps) runs as an MPI job
// of K processes, `MPIRUN [--oversubscribe] -np K SPAX bench-case FILE ...`, whose rank 0 prints
// the case's result as JSON (bench_case_here) on its standard output.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <sstream>
#include <thread>

#include "bench/bench_detail.hpp"
#include "spax/analysis.hpp"
#include "spax/bench.hpp"
#include "spax/machine_model.hpp"
#include "spax/predict.hpp"
#include "spax/report/bench_report.hpp"
#include "spax/timer.hpp"

extern char** environ;

namespace spax {
namespace {

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string self_executable() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

// The last line of a text that says something (for a failure's reason): spax's own message when
// there is one, else the launcher's first words.
std::string reason_from(const std::string& err, int status_code) {
  std::istringstream in(err);
  std::string line, spax_line, first;
  while (std::getline(in, line)) {
    if (line.rfind("spax: ", 0) == 0 && line.rfind("spax: warning:", 0) != 0) spax_line = line;
    if (first.empty() && line.find_first_not_of(" -") != std::string::npos) first = line;
  }
  if (!spax_line.empty()) return spax_line.substr(6);
  std::string r = "the MPI job ended with status " + std::to_string(status_code);
  if (!first.empty()) r += ": " + first;
  return r;
}

}  // namespace

BenchCase run_bench_case_mpi(const std::string& matrix_path, const SparseMatrix& a,
                             const std::string& matrix_name, const std::string& solver,
                             const std::string& ordering, int processes, const BenchOptions& o) {
  BenchCase c;
  c.matrix = matrix_name;
  c.solver = solver;
  c.ordering = ordering;
  c.n = a.ncols;
  c.nnz = a.nnz();
  c.processes = processes;
  c.mpi_job = true;
  Timer wall;
  std::vector<std::string> argv = split_words(o.mpirun);
  if (argv.empty()) argv.push_back("mpirun");
  const unsigned cores = std::thread::hardware_concurrency();
  c.oversubscribed = cores > 0 && static_cast<unsigned>(processes) > cores;
  if (c.oversubscribed) argv.push_back("--oversubscribe");
  const std::string program = o.program.empty() ? self_executable() : o.program;
  argv.insert(argv.end(), {"-np",
                           std::to_string(processes),
                           program,
                           "bench-case",
                           matrix_path,
                           "--solver",
                           solver,
                           "--ordering",
                           ordering,
                           "--warmup",
                           std::to_string(o.warmup),
                           "--runs",
                           std::to_string(o.runs),
                           "--sequence",
                           std::to_string(o.sequence),
                           "--max-memory",
                           number(o.max_memory_mb),
                           "--seed",
                           std::to_string(o.seed),
                           "--tol",
                           number(o.tol),
                           "--max-iter",
                           std::to_string(o.max_iter),
                           "--threads",
                           std::to_string(o.threads)});
  if (!o.precond_options.empty()) argv.insert(argv.end(), {"--precond-options", o.precond_options});

  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0) throw_internal("pipe failed");
  if (::pipe(err_pipe) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw_internal("pipe failed");
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
    posix_spawn_file_actions_addclose(&fa, fd);
  // Its own process group, so that a timeout stops the launcher and everything it started.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (auto& s : argv) args.push_back(s.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    c.status = "failed";
    c.reason = "could not start the MPI launcher '" + argv[0] + "': " + std::strerror(rc);
    return c;
  }
  // Both pipes read until they close, or until the deadline.
  std::string out, err;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  bool timed_out = false;
  const auto start = std::chrono::steady_clock::now();
  char buf[65536];
  for (int open = 2; open > 0;) {
    const double left =
        o.timeout - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.timeout > 0 && left <= 0) {
      timed_out = true;
      break;
    }
    const int ms = o.timeout > 0 ? static_cast<int>(left * 1000.0) + 1 : -1;
    const int r = ::poll(fds, 2, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        (k == 0 ? out : err).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[k].fd);
        fds[k].fd = -1;
        --open;
      }
    }
  }
  if (timed_out) {
    // The launcher passes SIGTERM on to its processes; whatever remains is killed.
    ::kill(-pid, SIGTERM);
    for (int t = 0; t < 100 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++t)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(-pid, SIGKILL);
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.wall_seconds = wall.seconds();
  if (timed_out) {
    c.status = "timeout";
    char t[64];
    std::snprintf(t, sizeof t, "stopped after %g s (--timeout)", o.timeout);
    c.reason = t;
    return c;
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != 0 || out.empty()) {
    c.status = "failed";
    c.reason = reason_from(err, code);
    return c;
  }
  bench_detail::read_payload(c, out, !a.has_values());
  c.processes = processes;
  return c;
}

std::string add_rank_predictions(BenchReport& report, const std::string& matrix_name,
                                 const SparseMatrix& a) {
  int most = 1;
  for (const auto& c : report.cases)
    if (c.mpi_job && c.matrix == matrix_name) most = std::max(most, c.processes);
  if (!a.is_square()) return "no prediction: the matrix is not square";
  try {
    const LoadedMachineModel model = load_machine_model(machine_model_cache_path());
    AnalysisOptions o;
    o.relaxed = true;
    o.model = &model.model;
    o.predict.max_workers = most;
    const OrderingAnalysis oa = analyze_ordering(a, compute_ordering(a, "amd"), o);
    if (!oa.schedule) return "no prediction was made";
    for (auto& c : report.cases) {
      if (!c.mpi_job || c.matrix != matrix_name) continue;
      for (const auto& row : oa.schedule->rows)
        if (row.p == c.processes) c.predicted_speedup = row.tree_front.speedup;
    }
    return model.status == "calibrated"
               ? std::string()
               : "predictions from the default machine model (run spax calibrate for this one's)";
  } catch (const Error& e) {
    return std::string("no prediction: ") + e.what();
  }
}

}  // namespace spax
