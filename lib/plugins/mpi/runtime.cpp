// libspax_mpi.so: the MPI runtime of the MPI plugins (see spax_mpi.hpp).
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>

#include "core/lsan.hpp"  // SPAX_HAVE_LSAN and LeakSanitizer's interface in ASan builds
#include "spax/backend.hpp"
#include "spax/common.hpp"
#include "spax_mpi.hpp"

namespace spax::mpi {
namespace {

// The runtime's own operations, on the channel "spax".
constexpr const char* kChannel = "spax";
enum Op : int { kFinish = 1, kPeakMemory = 2 };

constexpr int kMaxArgs = 8;
struct Header {
  char channel[24];
  std::int32_t op;
  std::int32_t nargs;
  std::int64_t args[kMaxArgs];
  std::int64_t blob_bytes;
};

struct State {
  std::recursive_mutex mutex;
  bool owned = false;     // spax called MPI_Init (so it calls MPI_Finalize)
  bool up = false;        // communicators made, not finished
  bool finished = false;  // finalized: MPI cannot start again in this process
  bool broken = false;    // the other ranks could not be reached
  MPI_Comm service = MPI_COMM_NULL;
  MPI_Comm compute = MPI_COMM_NULL;
  int rank = 0, size = 1;
  std::map<std::string, Handler> channels;
  std::vector<std::function<void()>> hooks;
  std::vector<double> peak;  // rank 0: the last kPeakMemory result
};

// Never destroyed: atexit handlers and plugins' static destructors may run after main.
State& state() {
  static State* s = new State;
  return *s;
}

bool launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

std::string mpi_error_text(int rc) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(rc);
  return std::string(text, static_cast<std::size_t>(len));
}

double own_peak_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) * 1024.0;
  return -1.0;
}

// The header of an announcement: a nonblocking broadcast on every rank (blocking and nonblocking
// collectives do not match each other). The other ranks wait for it without spinning: rank 0
// may work alone for long (reading a matrix, a sequential analysis), and a spinning rank would
// take a core from it where the job shares cores.
int bcast_header(Header& h, bool idle_wait) {
  MPI_Request req;
  int rc = MPI_Ibcast(&h, sizeof h, MPI_BYTE, 0, state().service, &req);
  if (rc != MPI_SUCCESS) return rc;
  if (!idle_wait) return MPI_Wait(&req, MPI_STATUS_IGNORE);
  for (int round = 0;; ++round) {
    int done = 0;
    rc = MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS || done) return rc;
    // Busy for the first moments (a quick next call), then sleeps growing to 1 ms.
    if (round > 1000) ::usleep(static_cast<useconds_t>(std::min(1000, (round - 1000) * 10)));
  }
}

// Bytes over the service communicator, in pieces an int count holds.
int bcast_service(void* data, std::size_t bytes) {
  auto* p = static_cast<char*>(data);
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t done = 0; done < bytes;) {
    const std::size_t piece = std::min(kPiece, bytes - done);
    const int rc = MPI_Bcast(p + done, static_cast<int>(piece), MPI_BYTE, 0, state().service);
    if (rc != MPI_SUCCESS) return rc;
    done += piece;
  }
  return MPI_SUCCESS;
}

#ifdef SPAX_HAVE_LSAN
// One more reference to every Open MPI component loaded now (its MCA plugins), never released.
void pin_openmpi_components() {
  std::vector<std::string> names;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find("/openmpi/") != std::string::npos || name.find("pmix") != std::string::npos)
          static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &names);
  for (const auto& n : names) ::dlopen(n.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}
#endif

void finalize() {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  if (!s.up) return;
  // Hooks first (engine instances still alive, HYPRE_Finalize), newest first.
  auto hooks = std::move(s.hooks);
  s.hooks.clear();
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) {
#ifdef SPAX_HAVE_LSAN
    // Sanitized builds: MPI_Finalize unloads Open MPI's components, and what their threads
    // still hold (Open MPI's own) would then look leaked at exit. Keep every loaded component
    // mapped (one more reference each), and let Open MPI's finalization keep what it allocates.
    __lsan_disable();
    pin_openmpi_components();
#endif
    MPI_Comm_free(&s.service);
    MPI_Comm_free(&s.compute);
    if (s.owned) MPI_Finalize();
#ifdef SPAX_HAVE_LSAN
    __lsan_enable();
#endif
  }
  s.up = false;
  s.finished = true;
}

// Rank 0: tells the other ranks to end with `code`, then ends MPI where spax started it.
void finish(int code) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  if (!s.up || !s.owned) return;  // never started here, or the host program's MPI
  if (s.broken) {
    // Someone is gone: a clean MPI_Finalize would wait for it forever.
    MPI_Abort(MPI_COMM_WORLD, code != 0 ? code : 4);
  }
  if (s.size > 1) {
    Header h{};
    std::strncpy(h.channel, kChannel, sizeof h.channel - 1);
    h.op = kFinish;
    h.nargs = 1;
    h.args[0] = code;
    if (bcast_header(h, false) != MPI_SUCCESS) MPI_Abort(MPI_COMM_WORLD, code != 0 ? code : 4);
  }
  finalize();
}

// A process that ends without finish (a library user, or an exit() on some path) still ends the
// MPI that spax started; rank 0 of a job first releases the other ranks.
void finish_at_exit() {
  State& s = state();
  if (!s.up) return;
  if (s.rank == 0)
    finish(4);
  else
    finalize();
}

// Every rank but 0: serve rank 0's announcements until it finishes; returns its exit code.
int serve() {
  ensure_started();
  State& s = state();
  // Rank 0 speaks for the job: nothing a library prints on standard output here reaches the
  // user. (Standard error stays, for what only this process can say: a crash.)
  if (const int fd = ::open("/dev/null", O_WRONLY); fd >= 0) {
    ::dup2(fd, 1);
    ::close(fd);
  }
  int code = 4;
  for (;;) {
    Header h{};
    if (bcast_header(h, true) != MPI_SUCCESS) MPI_Abort(MPI_COMM_WORLD, 4);
    Call call;
    call.channel.assign(h.channel, strnlen(h.channel, sizeof h.channel));
    call.op = h.op;
    call.args.assign(h.args, h.args + std::clamp(h.nargs, 0, kMaxArgs));
    if (h.blob_bytes > 0) {
      call.blob.resize(static_cast<std::size_t>(h.blob_bytes));
      if (bcast_service(call.blob.data(), call.blob.size()) != MPI_SUCCESS)
        MPI_Abort(MPI_COMM_WORLD, 4);
    }
    if (call.channel == kChannel && call.op == kFinish) {
      code = static_cast<int>(call.args.empty() ? 4 : call.args[0]);
      break;
    }
    try {
      Handler handler;
      {
        std::lock_guard<std::recursive_mutex> lock(s.mutex);
        auto it = s.channels.find(call.channel);
        if (it != s.channels.end()) handler = it->second;
      }
      // A channel this rank does not know (a plugin missing here) cannot take part: end the job.
      if (!handler) MPI_Abort(MPI_COMM_WORLD, 4);
      handler(call);
    } catch (...) {
      // Half a collective operation behind: the job cannot go on. The launcher ends the other
      // processes; rank 0 says so.
      MPI_Abort(MPI_COMM_WORLD, 4);
    }
  }
  finalize();
  return code;
}

int start() {
  ensure_started();
  return state().size;
}

std::vector<double> peak_memory() {
  State& s = state();
  if (!s.up) return {};
  if (s.rank != 0) return {};
  run({kChannel, kPeakMemory, {}, {}});
  return s.peak;
}

void runtime_channel(const Call& call) {
  State& s = state();
  if (call.op == kPeakMemory) {
    double mine = own_peak_bytes();
    std::vector<double> all(static_cast<std::size_t>(s.rank == 0 ? s.size : 0));
    MPI_Gather(&mine, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, 0, s.compute);
    if (s.rank == 0) s.peak = std::move(all);
  }
}

}  // namespace

void install() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_channel(kChannel, runtime_channel);
    ProcessService service;
    service.start = start;
    service.serve = serve;
    service.finish = finish;
    service.peak_memory = peak_memory;
    register_process_service("mpi", std::move(service));
  });
}

void ensure_started() {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  if (s.up) return;
  if (s.finished) throw_internal("MPI was already finalized in this process and cannot restart");
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized) throw_internal("MPI was already finalized in this process and cannot restart");
  if (!initialized) {
    if (!launched()) {
      // Not launched by mpirun: a singleton that starts no runtime daemon and uses only the
      // in-process transport (fast to start, silent, fine in forked children). A user's own
      // OMPI_MCA_* settings win.
      ::setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
      ::setenv("OMPI_MCA_btl", "self", 0);
      ::setenv("OMPI_MCA_pml", "ob1", 0);
      ::setenv("OMPI_MCA_osc", "^ucx", 0);
    }
    int provided = 0;
#ifdef SPAX_HAVE_LSAN
    // Open MPI keeps what MPI_Init allocates past MPI_Finalize (its own leaks, not spax's):
    // LeakSanitizer ignores allocations made while it is disabled.
    __lsan_disable();
#endif
    const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
#ifdef SPAX_HAVE_LSAN
    __lsan_enable();
#endif
    if (rc != MPI_SUCCESS) throw_internal("MPI could not start (" + mpi_error_text(rc) + ")");
    s.owned = true;
    std::atexit(finish_at_exit);
  }
#ifdef SPAX_HAVE_LSAN
  __lsan_disable();
#endif
  MPI_Comm_dup(MPI_COMM_WORLD, &s.service);
  MPI_Comm_dup(MPI_COMM_WORLD, &s.compute);
#ifdef SPAX_HAVE_LSAN
  __lsan_enable();
#endif
  // The announcements report a lost rank as an error (said on rank 0) instead of aborting.
  MPI_Comm_set_errhandler(s.service, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &s.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &s.size);
  s.up = true;
}

bool active() {
  return state().up;
}

int rank() {
  return state().rank;
}

int size() {
  return state().size;
}

MPI_Comm compute_comm() {
  ensure_started();
  return state().compute;
}

void register_channel(const std::string& name, Handler handler) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  s.channels[name] = std::move(handler);
}

void run(const Call& call) {
  ensure_started();
  State& s = state();
  if (s.rank != 0) throw_internal("mpi: only rank 0 announces collective operations");
  if (s.broken) throw_internal("the other processes of the MPI job cannot be reached");
  Handler handler;
  {
    std::lock_guard<std::recursive_mutex> lock(s.mutex);
    auto it = s.channels.find(call.channel);
    if (it == s.channels.end()) throw_internal("mpi: no channel '" + call.channel + "'");
    handler = it->second;
  }
  if (call.args.size() > static_cast<std::size_t>(kMaxArgs))
    throw_internal("mpi: more than 8 arguments in one call");
  if (s.size > 1) {
    Header h{};
    std::strncpy(h.channel, call.channel.c_str(), sizeof h.channel - 1);
    h.op = call.op;
    h.nargs = static_cast<std::int32_t>(call.args.size());
    std::copy(call.args.begin(), call.args.end(), h.args);
    h.blob_bytes = static_cast<std::int64_t>(call.blob.size());
    int rc = bcast_header(h, false);
    if (rc == MPI_SUCCESS && !call.blob.empty())
      rc = bcast_service(const_cast<char*>(call.blob.data()), call.blob.size());
    if (rc != MPI_SUCCESS) {
      s.broken = true;
      throw_internal("the other processes of the MPI job cannot be reached (" + mpi_error_text(rc) +
                     ")");
    }
  }
  handler(call);
}

void at_finalize(std::function<void()> hook) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  s.hooks.push_back(std::move(hook));
}

void bcast_bytes(void* data, std::size_t bytes, int root) {
  auto* p = static_cast<char*>(data);
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t done = 0; done < bytes;) {
    const std::size_t piece = std::min(kPiece, bytes - done);
    MPI_Bcast(p + done, static_cast<int>(piece), MPI_BYTE, root, state().compute);
    done += piece;
  }
}

}  // namespace spax::mpi
