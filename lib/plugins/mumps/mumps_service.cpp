// The mumps plugin's rank protocol: every rank's MUMPS instances, and the collective operations
// rank 0 announces on the channel "mumps", which every rank runs with the same code (the JOB
// calls, the save/restore files moved between the ranks, MUMPS's printing kept off stdout).
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "mumps_instance.hpp"
#include "spax/plugin.hpp"

namespace spax::mumps_plugin::detail {

namespace fs = std::filesystem;
using mpi::Call;

namespace {

// Every rank's instances by id (ids are given by rank 0, in order, so every rank agrees).
std::map<std::int64_t, std::unique_ptr<Instance>>& instances() {
  static auto* m = new std::map<std::int64_t, std::unique_ptr<Instance>>;
  return *m;
}
std::mutex g_instances_mutex;

// Point-to-point transfer of large byte strings (MPI counts are int).
constexpr std::size_t kPiece = std::size_t{1} << 30;
void send_bytes(const std::string& s, int to, MPI_Comm comm) {
  std::int64_t size = static_cast<std::int64_t>(s.size());
  MPI_Send(&size, 1, MPI_INT64_T, to, 7, comm);
  for (std::size_t done = 0; done < s.size(); done += kPiece)
    MPI_Send(s.data() + done, static_cast<int>(std::min(kPiece, s.size() - done)), MPI_BYTE, to, 8,
             comm);
}
std::string recv_bytes(int from, MPI_Comm comm) {
  std::int64_t size = 0;
  MPI_Recv(&size, 1, MPI_INT64_T, from, 7, comm, MPI_STATUS_IGNORE);
  std::string s(static_cast<std::size_t>(std::max<std::int64_t>(size, 0)), '\0');
  for (std::size_t done = 0; done < s.size(); done += kPiece)
    MPI_Recv(s.data() + done, static_cast<int>(std::min(kPiece, s.size() - done)), MPI_BYTE, from,
             8, comm, MPI_STATUS_IGNORE);
  return s;
}

// A fresh private directory for save/restore files.
std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/spax-mumps-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) return {};
  return buf.data();
}

// The files of a directory as one string: per file, name length, name, size, bytes.
std::string pack_dir(const std::string& dir) {
  std::string out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  auto put64 = [&](std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put64(files.size());
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    std::ifstream in(f, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    put64(name.size());
    out += name;
    put64(data.size());
    out += data;
  }
  return out;
}

bool unpack_dir(const std::string& packed, const std::string& dir) {
  std::size_t pos = 0;
  auto get64 = [&](std::uint64_t& v) {
    if (packed.size() - pos < sizeof v) return false;
    std::memcpy(&v, packed.data() + pos, sizeof v);
    pos += sizeof v;
    return true;
  };
  std::uint64_t count = 0;
  if (!get64(count)) return false;
  for (std::uint64_t k = 0; k < count; ++k) {
    std::uint64_t len = 0, size = 0;
    if (!get64(len) || packed.size() - pos < len) return false;
    std::string name = packed.substr(pos, len);
    pos += len;
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      return false;
    if (!get64(size) || packed.size() - pos < size) return false;
    std::ofstream out(fs::path(dir) / name, std::ios::binary | std::ios::trunc);
    out.write(packed.data() + pos, static_cast<std::streamsize>(size));
    pos += size;
    if (!out) return false;
  }
  return pos == packed.size();
}

void set_dir(char* field, std::size_t size, const std::string& dir) {
  std::memset(field, 0, size);
  std::strncpy(field, dir.c_str(), size - 1);
}

// Fortran's FLUSH of a unit (libgfortran, loaded with MUMPS: it is in the plugin's own scope, not
// the process's global one, so it is looked up after this plugin in its own search order).
void flush_fortran_unit(int unit) {
  using flush_t = void (*)(const int*);
  static const flush_t flush = reinterpret_cast<flush_t>(::dlsym(RTLD_NEXT, "_gfortran_flush_i4"));
  if (flush) flush(&unit);
}

// MUMPS prints on Fortran unit 6 (standard output): its verbose output, and a few messages it
// prints whatever ICNTL(1..4) say (spax reports those errors itself). spax's standard output is
// for results: while MUMPS runs on rank 0, file descriptor 1 is standard error when MUMPS's
// output was asked for (verbose), /dev/null otherwise. (The other ranks' standard output is
// /dev/null throughout.)
class StdoutToStderr {
 public:
  explicit StdoutToStderr(bool verbose) {
    std::cout.flush();
    std::fflush(stdout);
    const int target = verbose ? 2 : ::open("/dev/null", O_WRONLY);
    if (target < 0) return;
    saved_ = ::dup(1);
    if (saved_ >= 0) ::dup2(target, 1);
    if (!verbose) ::close(target);
  }
  ~StdoutToStderr() {
    if (saved_ < 0) return;
    flush_fortran_unit(6);
    std::fflush(stdout);
    ::dup2(saved_, 1);
    ::close(saved_);
  }
  StdoutToStderr(const StdoutToStderr&) = delete;
  StdoutToStderr& operator=(const StdoutToStderr&) = delete;

 private:
  int saved_ = -1;
};

}  // namespace

Instance& instance(std::int64_t id) {
  std::lock_guard<std::mutex> lock(g_instances_mutex);
  auto it = instances().find(id);
  if (it == instances().end()) throw_internal("mumps: no instance " + std::to_string(id));
  return *it->second;
}

// The collective operations, run on every rank (rank 0 after announcing them).
void channel(const Call& call) {
  const int rank = mpi::rank();
  // MUMPS's own printing on rank 0: to standard error when asked for, else nowhere.
  const std::int64_t id = call.args.at(0);
  std::optional<StdoutToStderr> redirect;
  if (rank == 0) {
    int verbose = 0;
    if (call.op == kCreate) {
      verbose = static_cast<int>(call.args.at(3));
    } else {
      std::lock_guard<std::mutex> lock(g_instances_mutex);
      auto it = instances().find(id);
      if (it != instances().end()) verbose = it->second->verbose;
    }
    redirect.emplace(verbose > 0);
  }
  switch (call.op) {
    case kCreate: {
      auto inst = std::make_unique<Instance>();
      inst->complex = call.args.at(1) != 0;
      const int sym = static_cast<int>(call.args.at(2));
      const int verbose = static_cast<int>(call.args.at(3));
      inst->verbose = verbose;
      const MUMPS_INT comm = static_cast<MUMPS_INT>(MPI_Comm_c2f(mpi::compute_comm()));
      inst->with([&](auto& s) {
        s.comm_fortran = comm;
        s.par = 1;  // rank 0 works too
        s.sym = sym;
      });
      inst->call(-1);
      // Printing: MUMPS's own output only on rank 0 and only when asked for (verbose); errors
      // are read from INFOG and reported by spax. Every stream is unit 6, standard output,
      // which spax points elsewhere while MUMPS runs (StdoutToStderr): a few messages are
      // written whatever ICNTL(4) says, and unit 0 would be standard error.
      const bool speak = rank == 0 && verbose > 0;
      inst->ICNTL(1) = 6;
      inst->ICNTL(2) = 6;
      inst->ICNTL(3) = 6;
      inst->ICNTL(4) = speak ? verbose : 0;
      std::lock_guard<std::mutex> lock(g_instances_mutex);
      instances()[id] = std::move(inst);
      break;
    }
    case kAnalyze:
      instance(id).call(1);
      break;
    case kFactor: {
      Instance& inst = instance(id);
      const bool ooc = call.args.at(1) != 0;
      const double cap_mb = static_cast<double>(call.args.at(2));  // millions of bytes, 0: none
      if (!call.blob.empty())
        inst.with([&](auto& s) { set_dir(s.ooc_tmpdir, sizeof s.ooc_tmpdir, call.blob); });
      // A memory cap is shared out by each rank's own estimate (INFO(15) in-core, INFO(17)
      // out-of-core, over INFOG(17) / INFOG(27)): set on every rank, ICNTL(23) is each rank's
      // own limit, and the limits add up to the cap.
      int limit = 0;
      if (cap_mb > 0) {
        const double mine = inst.INFO(ooc ? 17 : 15);
        const double total = inst.INFOG(ooc ? 27 : 17);
        const double share = total > 0 ? std::floor(cap_mb * mine / total) : cap_mb;
        limit = static_cast<int>(std::clamp(share, 1.0, 2.0e9));
      }
      inst.ICNTL(23) = limit;
      inst.call(2);
      double used = inst.INFO(22);
      inst.memory_mb.assign(static_cast<std::size_t>(rank == 0 ? mpi::size() : 0), 0.0);
      MPI_Gather(&used, 1, MPI_DOUBLE, inst.memory_mb.data(), 1, MPI_DOUBLE, 0,
                 mpi::compute_comm());
      break;
    }
    case kSolve:
      instance(id).call(3);
      break;
    case kDestroy: {
      std::unique_ptr<Instance> inst;
      {
        std::lock_guard<std::mutex> lock(g_instances_mutex);
        auto it = instances().find(id);
        if (it == instances().end()) break;
        inst = std::move(it->second);
        instances().erase(it);
      }
      inst->call(-2);
      break;
    }
    case kSave: {
      // Each rank saves its part into a private directory; rank 0 collects the parts.
      Instance& inst = instance(id);
      const std::string dir = make_temp_dir();
      int ok = dir.empty() ? 0 : 1, all = 0;
      MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, mpi::compute_comm());
      std::string packed;
      if (all) {
        inst.with([&](auto& s) {
          set_dir(s.save_dir, sizeof s.save_dir, dir);
          set_dir(s.save_prefix, sizeof s.save_prefix, "spax");
        });
        inst.call(7);
        if (inst.INFOG(1) >= 0) packed = pack_dir(dir);
      }
      if (!dir.empty()) fs::remove_all(dir);
      MPI_Comm comm = mpi::compute_comm();
      if (rank == 0) {
        inst.parts.assign(static_cast<std::size_t>(mpi::size()), std::string());
        inst.parts[0] = std::move(packed);
        for (int r = 1; r < mpi::size(); ++r) inst.parts[r] = recv_bytes(r, comm);
        if (!all) inst.parts.clear();
      } else {
        send_bytes(packed, 0, comm);
      }
      break;
    }
    case kRestore: {
      Instance& inst = instance(id);
      MPI_Comm comm = mpi::compute_comm();
      std::string mine;
      if (rank == 0) {
        for (int r = 1; r < mpi::size(); ++r) send_bytes(inst.parts.at(r), r, comm);
        mine = std::move(inst.parts.at(0));
        inst.parts.clear();
      } else {
        mine = recv_bytes(0, comm);
      }
      const std::string dir = make_temp_dir();
      int ok = !dir.empty() && unpack_dir(mine, dir) ? 1 : 0, all = 0;
      MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm);
      if (all) {
        inst.with([&](auto& s) {
          set_dir(s.save_dir, sizeof s.save_dir, dir);
          set_dir(s.save_prefix, sizeof s.save_prefix, "spax");
        });
        inst.call(8);
      }
      if (!dir.empty()) fs::remove_all(dir);
      // Every rank learns whether the files could be written (INFOG(1) says the rest).
      if (!all) inst.with([](auto& s) { s.infog[0] = -1000; });
      break;
    }
    default:
      throw_internal("mumps: unknown operation " + std::to_string(call.op));
  }
}

// Instances still alive when MPI ends (a Solver that outlived the command) are terminated on
// every rank, in id order, before MPI_Finalize.
void destroy_all_instances() {
  std::map<std::int64_t, std::unique_ptr<Instance>> all;
  {
    std::lock_guard<std::mutex> lock(g_instances_mutex);
    all.swap(instances());
  }
  for (auto& [id, inst] : all) inst->call(-2);
}

}  // namespace spax::mumps_plugin::detail
