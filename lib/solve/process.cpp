// Several processes (mpirun -np N) without MPI in libspax: the launcher's environment says
// whether this process is one of several, and the process service that the MPI plugins' shared
// runtime registers does the rest (start-up, the worker ranks' service loop, the end of the job).
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <string>

#include "io/interrupt_note.hpp"
#include "solve/plugins.hpp"
#include "spax/backend.hpp"

namespace spax {
namespace {

// A non-negative integer from the environment, or -1.
int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < 0 || x > 1 << 30) return -1;
  return static_cast<int>(x);
}

struct Services {
  std::mutex mutex;
  std::deque<std::pair<std::string, ProcessService>> list;  // stable addresses
  bool joined = false;  // rank 0 started the job's runtime at start-up
};

Services& services() {
  static Services s;
  return s;
}

// The one service spax uses (the first registered): every MPI plugin installs the same runtime.
ProcessService* the_service() {
  Services& s = services();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.list.empty() ? nullptr : &s.list.front().second;
}

double own_peak_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) * 1024.0;
  return -1.0;
}

}  // namespace

int process_rank() noexcept {
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"})
    if (int r = env_int(v); r >= 0) return r;
  return 0;
}

int process_count() noexcept {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (int n = env_int(v); n >= 1) return n;
  // PMIx alone does not say the size: count the job as several (nothing forks, rank 0 starts the
  // runtime), which is right when it is and harmless when it is not.
  if (env_int("PMIX_RANK") >= 0) return 2;
  return 1;
}

bool in_multi_process_job() noexcept {
  return process_count() > 1;
}

void register_process_service(const std::string& name, ProcessService service) {
  Services& s = services();
  std::lock_guard<std::mutex> lock(s.mutex);
  for (const auto& [n, unused] : s.list)
    if (n == name) return;
  s.list.emplace_back(name, std::move(service));
}

int run_as_worker_if_needed() {
  if (!in_multi_process_job()) return -1;
  solve_detail::load_all_plugins();
  ProcessService* service = the_service();
  const bool worker = process_rank() != 0;
  if (!service) {
    // No MPI plugin: rank 0 runs the command alone (single-process backends only), the others
    // have nothing to serve and end quietly.
    return worker ? 0 : -1;
  }
  if (worker) {
    // Prints nothing, ever: rank 0 speaks for the job.
    if (!service->serve) return 0;
    try {
      return service->serve();
    } catch (...) {
      return 4;
    }
  }
  if (service->start) {
    service->start();
    services().joined = true;
  }
  // When another rank dies, the launcher (Open MPI's mpirun) ends the others with SIGTERM: say
  // so, once, from rank 0.
  set_termination_note(
      "spax: the MPI job was stopped by its launcher: another of its processes ended abnormally "
      "(or the job was interrupted)\n");
  return -1;
}

int finish_process(int code) {
  if (ProcessService* service = the_service(); service && service->finish) {
    set_termination_note(nullptr);
    try {
      service->finish(code);
    } catch (...) {
      return code != 0 ? code : 4;
    }
  }
  return code;
}

std::vector<double> peak_memory_per_process() {
  if (ProcessService* service = the_service(); service && service->peak_memory) {
    std::vector<double> v = service->peak_memory();
    if (!v.empty()) return v;
  }
  return {own_peak_bytes()};
}

}  // namespace spax
