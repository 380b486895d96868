// The MUMPS plugin (libspax-mumps.so): MUMPS 5.x through its C interface (dmumps_c for real,
// zmumps_c for complex matrices) as the backend `mumps`, on one process (MPI as a singleton) or
// on every process of an MPI job. The matrix is given centralized on rank 0 (ICNTL(18) = 0); the
// factors are distributed over the ranks.
//
// Rank 0 holds the Solver; every MUMPS call is a collective operation that rank 0 announces on
// the runtime's channel "mumps" (spax_mpi.hpp), so the other ranks, in their service loop, take
// part in it with the same code: create (JOB=-1), analyze (JOB=1), factor (JOB=2), solve (JOB=3),
// save and restore (JOB=7/8, the cache), destroy (JOB=-2). Decisions (retries, fallbacks, errors)
// are made on rank 0 from INFOG, which MUMPS makes identical on every rank.
#include <dlfcn.h>
#include <dmumps_c.h>
#include <fcntl.h>
#include <unistd.h>
#include <zmumps_c.h>

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
#include <sstream>

#include "spax/analysis.hpp"
#include "spax/plugin.hpp"
#include "spax/timer.hpp"
#include "spax_mpi.hpp"

namespace spax::mumps_plugin {
namespace {

namespace fs = std::filesystem;
using mpi::Call;

constexpr const char* kChannel = "mumps";
enum Op : int { kCreate = 1, kAnalyze, kFactor, kSolve, kDestroy, kSave, kRestore };

// One MUMPS instance (real or complex) as every rank holds it.
struct Instance {
  bool complex = false;
  int verbose = 0;  // MUMPS's own output wanted (ICNTL(4) level on rank 0)
  DMUMPS_STRUC_C d{};
  ZMUMPS_STRUC_C z{};
  // Rank 0: the memory each rank's factorization used (INFO(22), millions of bytes), after
  // kFactor; the files each rank saved (kSave) or is to restore (kRestore).
  std::vector<double> memory_mb;
  std::vector<std::string> parts;

  template <class F>
  auto with(F&& f) {
    return complex ? f(z) : f(d);
  }
  void call(int job) {
    if (complex) {
      z.job = job;
      zmumps_c(&z);
    } else {
      d.job = job;
      dmumps_c(&d);
    }
  }
  int* icntl() { return complex ? z.icntl : d.icntl; }
  double* cntl() { return complex ? z.cntl : d.cntl; }
  int* info() { return complex ? z.info : d.info; }
  int* infog() { return complex ? z.infog : d.infog; }
  double* rinfog() { return complex ? z.rinfog : d.rinfog; }
  int& ICNTL(int i) { return icntl()[i - 1]; }
  double& CNTL(int i) { return cntl()[i - 1]; }
  int INFO(int i) { return info()[i - 1]; }
  int INFOG(int i) { return infog()[i - 1]; }
  double RINFOG(int i) { return rinfog()[i - 1]; }
};

// Every rank's instances by id (ids are given by rank 0, in order, so every rank agrees).
std::map<std::int64_t, std::unique_ptr<Instance>>& instances() {
  static auto* m = new std::map<std::int64_t, std::unique_ptr<Instance>>;
  return *m;
}
std::mutex g_instances_mutex;

Instance& instance(std::int64_t id) {
  std::lock_guard<std::mutex> lock(g_instances_mutex);
  auto it = instances().find(id);
  if (it == instances().end()) throw_internal("mumps: no instance " + std::to_string(id));
  return *it->second;
}

// Count fields of INFO/INFOG: negative values are millions.
double count_field(int v) {
  return v < 0 ? -static_cast<double>(v) * 1e6 : static_cast<double>(v);
}

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

// The relaxation after a workspace error: numerical pivoting can delay many pivots (nnc1374: 4.3
// times the estimated factor entries), so it grows fast: 20 -> 100 -> 500.
int next_relax(int relax) {
  return std::max(5 * relax, relax + 80);
}

// INFOG(1) codes that a larger workspace relaxation (ICNTL(14)) cures.
bool workspace_error(int e) {
  return e == -8 || e == -9 || e == -11 || e == -12 || e == -14 || e == -15 || e == -17 || e == -20;
}

std::string mumps_error_text(int e, int e2) {
  std::string what;
  switch (e) {
    case -5:
    case -13:
      what = "memory allocation failed";
      break;
    case -6:
    case -10:
      what = "the matrix is singular";
      break;
    case -7:
      what = "integer allocation failed";
      break;
    case -8:
    case -9:
    case -14:
    case -15:
    case -11:
    case -12:
    case -17:
    case -20:
      what = "internal workspace too small";
      break;
    case -19:
      what = "the memory limit (ICNTL(23)) is too small";
      break;
    case -16:
      what = "the matrix order is out of range";
      break;
    case -40:
      what = "the matrix is not positive definite";
      break;
    default:
      if (e <= -90 && e >= -99) what = "out-of-core file error";
      break;
  }
  return "INFOG(1) = " + std::to_string(e) + ", INFOG(2) = " + std::to_string(e2) +
         (what.empty() ? std::string() : " (" + what + ")");
}

struct OrderingChoice {
  const char* name;
  int icntl7;
};
// The sequential orderings of Debian's MUMPS build (no SCOTCH, no METIS inside it); metis is
// spax's METIS nested dissection given to MUMPS as its pivot order.
constexpr OrderingChoice kOrderings[] = {{"auto", 7}, {"amd", 0},   {"amf", 2},  {"qamd", 6},
                                         {"pord", 4}, {"metis", 1}, {"given", 1}};

std::string ordering_name_of(int infog7, int infog32, const std::string& given_name) {
  if (infog32 == 2) return infog7 == 1 ? "ptscotch" : infog7 == 2 ? "parmetis" : "parallel";
  switch (infog7) {
    case 0:
      return "amd";
    case 1:
      return given_name;
    case 2:
      return "amf";
    case 3:
      return "scotch";
    case 4:
      return "pord";
    case 5:
      return "metis";
    case 6:
      return "qamd";
    default:
      return "mumps-" + std::to_string(infog7);
  }
}

template <class T>
T conj_if(T v);
template <>
double conj_if<double>(double v) {
  return v;
}
template <>
complex_t conj_if<complex_t>(complex_t v) {
  return std::conj(v);
}

std::int64_t next_instance_id() {
  static std::int64_t next = 1;
  return next++;
}

class MumpsSolver final : public Solver {
 public:
  explicit MumpsSolver(const SolverOptions& o) : options_(o) {
    const auto& k = o.options;
    ooc_ = option_choice(k, "mumps", "ooc", {"0", "1"}) == "1";
    ooc_dir_ = k.at("ooc_dir");
    if (k.at("relax") != "auto")
      relax_ = static_cast<int>(option_number(k, "mumps", "relax", 0, 1e6));
    if (k.at("threshold") != "auto") threshold_ = option_number(k, "mumps", "threshold", 0.0, 1.0);
    std::vector<std::string> names;
    for (const auto& c : kOrderings) names.emplace_back(c.name);
    ordering_ = option_choice(k, "mumps", "ordering", names);
    if (o.ordering != "default") {
      if (ordering_ != "auto" && ordering_ != o.ordering)
        throw_usage("mumps: the ordering '" + o.ordering +
                    "' and the option ordering=" + ordering_ + " disagree");
      ordering_ = o.ordering;
    }
    if (ordering_ == "given" && o.permutation.empty())
      throw_usage("mumps: the ordering 'given' needs a permutation");
    const std::string analysis =
        option_choice(k, "mumps", "analysis", {"auto", "sequential", "parallel"});
    analysis_ = analysis == "sequential" ? 1 : analysis == "parallel" ? 2 : 0;
    verbose_ = static_cast<int>(option_number(k, "mumps", "verbose", 0, 4));
    if (ooc_ && !ooc_dir_.empty()) {
      std::error_code ec;
      if (!fs::is_directory(ooc_dir_, ec))
        throw_usage("mumps: ooc_dir '" + ooc_dir_ + "' is not a directory");
      if (ooc_dir_.size() >= 255) throw_usage("mumps: ooc_dir is longer than 255 characters");
    }
    // MPI's start-up (a singleton: about 0.1 s) is not part of the timed phases.
    mpi::ensure_started();
  }
  ~MumpsSolver() override {
    try {
      destroy();
    } catch (...) {
    }
  }

  std::string name() const override { return "mumps"; }
  bool wants_rcond_estimate() const override { return true; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    setup_pattern(a);
    recreate(sym_for(a));
    analyze_here(a);
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    factor_here(a);
    stats_.factor_seconds = t.seconds();
  }
  // JOB=2 on the kept analysis: MUMPS pivots afresh within it (threshold partial pivoting).
  void refactor(const SparseMatrix& a) override {
    Timer t;
    factor_here(a);
    stats_.refactor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    solve_t(b, nrhs, transpose);
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    solve_t(b, nrhs, transpose);
  }

  // The cache: MUMPS's save/restore (JOB=7/8) of every rank's part, in-core factors only.
  std::string export_symbolic() const override { return ooc_ ? std::string() : save(); }
  bool import_symbolic(const SparseMatrix& a, const std::string& bytes) override {
    if (ooc_) return false;
    Timer t;
    setup_pattern(a);
    const bool ok = restore(a, bytes, false);
    if (ok) {
      ++analyses_restored_;
      analysed_stats();
    }
    stats_.analyze_seconds = t.seconds();
    return ok;
  }
  bool supports_numeric_cache() const override { return !ooc_; }
  std::string export_numeric() const override { return ooc_ ? std::string() : save(); }
  bool import_numeric(const SparseMatrix& a, const std::string& bytes) override {
    if (ooc_ || !analysed_) return false;
    Timer t;
    if (!restore(a, bytes, true)) return false;
    gather_values(a);
    factored_ = true;
    factored_stats();
    stats_.factor_seconds = t.seconds();
    return true;
  }

 private:
  // ---- the pattern, the symmetry and the values handed to MUMPS (rank 0) ----
  void setup_pattern(const SparseMatrix& a) {
    if (!a.is_square()) throw_usage("mumps: the matrix is not square");
    n_ = to_int32(a.nrows, "mumps: matrix dimension");
    complex_ = a.is_complex();
    // mirror_[k]: the position of entry (j, i) for entry k = (i, j); -1 when absent.
    const std::size_t nnz = static_cast<std::size_t>(a.nnz());
    mirror_.assign(nnz, -1);
    pattern_symmetric_ = true;
    spd_diagonal_ = !complex_;
    for (index_t j = 0; j < a.ncols; ++j) {
      bool diag = false;
      for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k) {
        const index_t i = a.rowind[k];
        const index_t* first = a.rowind.data() + a.colptr[i];
        const index_t* last = a.rowind.data() + a.colptr[i + 1];
        const index_t* p = std::lower_bound(first, last, j);
        if (p != last && *p == j)
          mirror_[static_cast<std::size_t>(k)] = static_cast<index_t>(p - a.rowind.data());
        else
          pattern_symmetric_ = false;
        if (i == j) {
          diag = true;
          if (!complex_ && !(a.values[static_cast<std::size_t>(k)] > 0)) spd_diagonal_ = false;
        }
      }
      if (!diag) spd_diagonal_ = false;
    }
    if (!pattern_symmetric_) spd_diagonal_ = false;
  }

  bool values_symmetric(const SparseMatrix& a) const {
    if (!pattern_symmetric_) return false;
    for (std::size_t k = 0; k < mirror_.size(); ++k) {
      const auto m = static_cast<std::size_t>(mirror_[k]);
      if (complex_ ? a.zvalues[k] != a.zvalues[m] : a.values[k] != a.values[m]) return false;
    }
    return true;
  }

  // SYM: 1 (assumed positive definite: LDL^T without pivoting) for a real symmetric matrix with
  // a positive diagonal, 2 (general symmetric, pivoting) for other symmetric ones, 0 otherwise.
  int sym_for(const SparseMatrix& a) const {
    if (!values_symmetric(a)) return 0;
    return spd_diagonal_ ? 1 : 2;
  }

  // The entries handed to MUMPS: all of them, or the lower triangle when SYM != 0 (MUMPS sums
  // both triangles otherwise). 1-based.
  void build_entries(const SparseMatrix& a) {
    irn_.clear();
    jcn_.clear();
    sel_.clear();
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k) {
        const index_t i = a.rowind[k];
        if (sym_ != 0 && i < j) continue;
        irn_.push_back(static_cast<MUMPS_INT>(i + 1));
        jcn_.push_back(static_cast<MUMPS_INT>(j + 1));
        sel_.push_back(k);
      }
  }

  void gather_values(const SparseMatrix& a) {
    if (complex_) {
      zvals_.resize(sel_.size());
      for (std::size_t q = 0; q < sel_.size(); ++q)
        zvals_[q] = a.zvalues[static_cast<std::size_t>(sel_[q])];
    } else {
      dvals_.resize(sel_.size());
      for (std::size_t q = 0; q < sel_.size(); ++q)
        dvals_[q] = a.values[static_cast<std::size_t>(sel_[q])];
    }
  }

  // ---- instances ----
  void destroy() {
    if (id_ == 0) return;
    if (mpi::active()) mpi::run({kChannel, kDestroy, {id_}, {}});
    id_ = 0;
    analysed_ = factored_ = false;
  }

  void recreate(int sym) {
    destroy();
    sym_ = sym;
    id_ = next_instance_id();
    mpi::run({kChannel, kCreate, {id_, complex_ ? 1 : 0, sym_, verbose_}, {}});
    Instance& in = instance(id_);
    if (in.INFOG(1) < 0)
      throw_internal("mumps: initialisation failed (" + mumps_error_text(in.INFOG(1), in.INFOG(2)) +
                     ")");
    default_relax_ = in.ICNTL(14);
  }

  Instance& inst() { return instance(id_); }

  void set_host_matrix() {
    Instance& in = inst();
    in.with([&](auto& s) {
      s.n = n_;
      s.nnz = static_cast<MUMPS_INT8>(irn_.size());
      s.irn = irn_.data();
      s.jcn = jcn_.data();
    });
    if (complex_)
      in.z.a = reinterpret_cast<ZMUMPS_COMPLEX*>(zvals_.data());
    else
      in.d.a = dvals_.data();
    in.ICNTL(5) = 0;   // assembled
    in.ICNTL(18) = 0;  // centralized on rank 0
  }

  // JOB=1 for the current pattern (rank 0 decides the ordering; values help the column
  // permutation MUMPS computes for unsymmetric matrices).
  void analyze_here(const SparseMatrix& a) {
    build_entries(a);
    gather_values(a);
    set_host_matrix();
    Instance& in = inst();
    int icntl7 = 7;
    given_name_ = "given";
    perm_in_.clear();
    for (const auto& c : kOrderings)
      if (ordering_ == c.name) icntl7 = c.icntl7;
    if (ordering_ == "metis" || ordering_ == "given") {
      std::vector<index_t> perm;
      if (ordering_ == "metis") {
        perm = compute_ordering(a, "metis").perm;
        given_name_ = "metis";
      } else {
        perm = options_.permutation;
        if (!is_permutation(perm, a.nrows))
          throw_usage("mumps: the given ordering is not a permutation of 0.." +
                      std::to_string(a.nrows - 1));
      }
      perm_in_.assign(static_cast<std::size_t>(n_), 0);
      for (std::size_t k = 0; k < perm.size(); ++k)
        perm_in_[static_cast<std::size_t>(perm[k])] = static_cast<MUMPS_INT>(k + 1);
      in.with([&](auto& s) { s.perm_in = perm_in_.data(); });
    }
    in.ICNTL(7) = icntl7;
    in.ICNTL(28) = analysis_;
    in.ICNTL(14) = relax_ >= 0 ? relax_ : default_relax_;
    mpi::run({kChannel, kAnalyze, {id_}, {}});
    if (in.INFOG(1) < 0) {
      const int e = in.INFOG(1);
      if (e == -6 || e == -10) throw_singular(a, -1);
      if (e == -38)
        throw_usage(
            "mumps: a parallel analysis needs a MUMPS built with PT-SCOTCH or ParMETIS, and this "
            "one has neither (INFOG(1) = -38): use analysis=sequential or auto");
      throw_internal("mumps: analysis failed (" + mumps_error_text(e, in.INFOG(2)) + ")");
    }
    analysed_ = true;
    factored_ = false;
    ++analyses_;
    if (analysis_ == 2 && in.INFOG(32) != 2)
      note(
          "mumps: the analysis ran sequentially (asked: parallel; it needs more than one "
          "process and a MUMPS built with PT-SCOTCH or ParMETIS, which this one " +
          std::string(mpi::size() > 1 ? "is not" : "may not be") + ")");
    analysed_stats();
  }

  void analysed_stats() {
    Instance& in = inst();
    stats_.ordering = ordering_name_of(in.INFOG(7), in.INFOG(32), given_name_);
    stats_.processes = mpi::size();
    // INFOG(16/17), (26/27): estimated memory of the factorization in millions of bytes, max
    // per rank and total, in-core and out-of-core.
    stats_.factor_bytes_estimate = static_cast<double>(in.INFOG(ooc_ ? 27 : 17)) * 1e6;
    auto& d = stats_.details;
    d["sym"] = sym_;
    d["analyses"] = analyses_ + analyses_restored_;
    d["estimated_factor_entries"] = count_field(in.INFOG(20));
    d["estimated_flops"] = in.RINFOG(1);
    d["estimated_memory_max_per_process_bytes"] = in.INFOG(16) * 1e6;
    d["estimated_memory_total_bytes"] = in.INFOG(17) * 1e6;
    d["estimated_ooc_memory_max_per_process_bytes"] = in.INFOG(26) * 1e6;
    d["estimated_ooc_memory_total_bytes"] = in.INFOG(27) * 1e6;
    d["parallel_analysis"] = in.INFOG(32) == 2 ? 1 : 0;
    d["ooc"] = ooc_ ? 1 : 0;
  }

  void factored_stats() {
    Instance& in = inst();
    const double entries = count_field(in.INFOG(29));
    if (sym_ != 0) {
      stats_.nnz_L = static_cast<index_t>(entries);
      stats_.nnz_U = stats_.nnz_L;
    } else {
      // MUMPS counts the entries of L and U together.
      stats_.nnz_L = static_cast<index_t>(entries);
      stats_.nnz_U = -1;
    }
    stats_.flops = in.RINFOG(3);
    stats_.processes = mpi::size();
    stats_.memory_per_process.clear();
    for (double mb : in.memory_mb) stats_.memory_per_process.push_back(mb * 1e6);
    auto& d = stats_.details;
    d["factor_entries"] = entries;
    d["memory_used_max_per_process_bytes"] = in.INFOG(21) * 1e6;
    d["memory_used_total_bytes"] = in.INFOG(22) * 1e6;
    d["delayed_pivots"] = in.INFOG(13);
    if (sym_ != 0) d["negative_pivots"] = in.INFOG(12);
    d["relax"] = in.ICNTL(14);
    d["sym"] = sym_;
    d["analyses"] = analyses_ + analyses_restored_;
  }

  void note(const std::string& w) {
    if (std::find(stats_.warnings.begin(), stats_.warnings.end(), w) == stats_.warnings.end())
      stats_.warnings.push_back(w);
  }

  // A symmetric instance whose matrix turned out otherwise (not positive definite for SYM=1, or
  // new values no longer symmetric): a fresh instance and analysis of the right kind.
  void reanalyse_as(const SparseMatrix& a, int sym) {
    recreate(sym);
    analyze_here(a);
  }

  void factor_here(const SparseMatrix& a) {
    if (!analysed_) throw_internal("mumps: factor before analyze");
    if (a.is_complex() != complex_ || a.nrows != n_)
      throw_internal("mumps: the matrix does not match the analysis");
    // New values may end the symmetry the analysis relied on.
    if (sym_ != 0 && !values_symmetric(a)) {
      note("mumps: the values are no longer symmetric: analysed again as unsymmetric (SYM=0)");
      reanalyse_as(a, 0);
    }
    gather_values(a);
    for (int round = 0;; ++round) {
      run_factor(a);
      Instance& in = inst();
      // SYM=1 pivots without looking: negative pivots mean the matrix is not positive definite,
      // and LDL^T with pivoting (SYM=2) is the safe factorization.
      if (sym_ == 1 && round == 0 && in.INFOG(12) > 0) {
        reanalyse_as(a, 2);
        gather_values(a);
        continue;
      }
      break;
    }
    factored_ = true;
    factored_stats();
  }

  // JOB=2 with the workspace retries; throws named errors.
  void run_factor(const SparseMatrix& a) {
    Instance& in0 = inst();
    in0.ICNTL(22) = ooc_ ? 1 : 0;
    if (threshold_ >= 0) in0.CNTL(1) = threshold_;
    int relax = relax_ >= 0 ? relax_ : default_relax_;
    const double cap = memory_cap_bytes();
    // --max-memory counts MB of 2^20 bytes; MUMPS counts millions of bytes.
    const std::int64_t cap_mb = cap > 0 ? static_cast<std::int64_t>(std::floor(cap / 1e6)) : 0;
    for (int retry = 0;; ++retry) {
      Instance& in = inst();
      set_host_matrix();
      in.ICNTL(14) = relax;
      mpi::run({kChannel, kFactor, {id_, ooc_ ? 1 : 0, cap_mb}, ooc_ ? ooc_dir_ : std::string()});
      const int e = in.INFOG(1), e2 = in.INFOG(2);
      if (e >= 0) return;
      if (sym_ == 1 && (e == -10 || e == -40)) {
        // A zero or negative pivot without pivoting: not positive definite, try SYM=2.
        reanalyse_as(a, 2);
        gather_values(a);
        run_factor(a);
        return;
      }
      if (workspace_error(e) || e == -19) {
        if (cap_mb > 0)
          throw_numerical("mumps: the factorization needs more than the memory cap of " +
                          std::to_string(static_cast<long long>(cap / (1024.0 * 1024.0))) +
                          " MB (" + mumps_error_text(e, e2) + ")");
        if (retry < 2) {
          const int next = next_relax(relax);
          note("mumps: workspace too small with relax=" + std::to_string(relax) + " (" +
               mumps_error_text(e, e2) + "): factorized again with relax=" + std::to_string(next));
          relax = next;
          continue;
        }
        throw_numerical("mumps: the factorization's workspace is still too small with relax=" +
                        std::to_string(relax) + " after two retries (" + mumps_error_text(e, e2) +
                        ")");
      }
      if (e == -10 || e == -6) throw_singular(a, -1);
      if (e == -13 || e == -5 || e == -7)
        throw_numerical("mumps: the factorization could not allocate its memory (" +
                        mumps_error_text(e, e2) +
                        "); out-of-core factors (option ooc=1) need much less");
      if (e <= -90 && e >= -99)
        throw_input("mumps: out-of-core factor files could not be written in " +
                    (ooc_dir_.empty() ? std::string("the temporary directory") : ooc_dir_) + " (" +
                    mumps_error_text(e, e2) + ")");
      throw_internal("mumps: factorization failed (" + mumps_error_text(e, e2) + ")");
    }
  }

  template <class T>
  void solve_t(std::span<T> b, index_t nrhs, bool transpose) {
    if (!factored_) throw_internal("mumps: solve before factor");
    if ((std::is_same_v<T, complex_t>) != complex_)
      throw_internal("mumps: right-hand side of the other field");
    const std::size_t n = static_cast<std::size_t>(n_);
    if (nrhs <= 0 || b.size() != n * static_cast<std::size_t>(nrhs))
      throw_internal("mumps: right-hand side of the wrong size");
    Timer t;
    // A^H x = b (complex) is A^T conj(x) = conj(b); MUMPS solves A^T with ICNTL(9) != 1, and a
    // symmetric matrix is its own transpose.
    const bool conj = transpose && std::is_same_v<T, complex_t>;
    std::vector<T> rhs(b.begin(), b.end());
    if (conj)
      for (auto& v : rhs) v = conj_if(v);
    for (int retry = 0;; ++retry) {
      std::vector<T> work = rhs;
      Instance& in = inst();
      in.ICNTL(9) = transpose && sym_ == 0 ? 0 : 1;
      in.ICNTL(20) = 0;  // dense right-hand sides
      in.ICNTL(21) = 0;  // the solution centralized on rank 0
      in.with([&](auto& s) {
        s.nrhs = static_cast<MUMPS_INT>(nrhs);
        s.lrhs = n_;
        s.rhs = reinterpret_cast<decltype(s.rhs)>(work.data());
      });
      mpi::run({kChannel, kSolve, {id_}, {}});
      const int e = in.INFOG(1);
      if (e >= 0) {
        for (std::size_t q = 0; q < work.size(); ++q) b[q] = conj ? conj_if(work[q]) : work[q];
        break;
      }
      if (workspace_error(e) && retry < 2 && memory_cap_bytes() <= 0) {
        // The solve's workspace comes from the factorization's: factor again with more room.
        const int relax = in.ICNTL(14);
        const int next = next_relax(relax);
        note("mumps: solve workspace too small with relax=" + std::to_string(relax) + " (" +
             mumps_error_text(e, in.INFOG(2)) +
             "): factorized again with relax=" + std::to_string(next));
        refactor_kept_values(next);
        continue;
      }
      throw_internal("mumps: solve failed (" + mumps_error_text(e, in.INFOG(2)) + ")");
    }
    stats_.solve_seconds = t.seconds();
  }

  // Factor again from the values kept on rank 0 (after a solve-phase workspace error).
  void refactor_kept_values(int relax) {
    Instance& in = inst();
    in.ICNTL(22) = ooc_ ? 1 : 0;
    in.ICNTL(14) = relax;
    set_host_matrix();
    mpi::run({kChannel, kFactor, {id_, ooc_ ? 1 : 0, 0}, ooc_ ? ooc_dir_ : std::string()});
    if (in.INFOG(1) < 0)
      throw_internal("mumps: factorization failed (" + mumps_error_text(in.INFOG(1), in.INFOG(2)) +
                     ")");
  }

  // ---- the cache ----
  // Header: magic, processes, SYM, complex, n, entries, the options that shape the analysis;
  // then each rank's saved files.
  std::string header_key() const {
    std::ostringstream s;
    s << "SPAXMUMPS1 " << mpi::size() << ' ' << sym_ << ' ' << (complex_ ? 1 : 0) << ' ' << n_
      << ' ' << irn_.size() << ' ' << ordering_ << ' ' << analysis_ << ' ' << relax_ << ' '
      << threshold_ << '\n';
    return s.str();
  }

  std::string save() const {
    if (id_ == 0 || !analysed_) return {};
    auto* self = const_cast<MumpsSolver*>(this);
    mpi::run({kChannel, kSave, {id_}, {}});
    Instance& in = self->inst();
    if (in.INFOG(1) < 0 || in.parts.size() != static_cast<std::size_t>(mpi::size())) {
      in.parts.clear();
      return {};
    }
    std::string out = header_key();
    for (const auto& p : in.parts) {
      const std::uint64_t size = p.size();
      out.append(reinterpret_cast<const char*>(&size), sizeof size);
      out += p;
    }
    in.parts.clear();
    return out;
  }

  // Restores a saved instance for matrix `a` (the pattern set up); false when the bytes do not
  // fit (another process count, symmetry, size or options).
  bool restore(const SparseMatrix& a, const std::string& bytes, bool numeric) {
    mpi::ensure_started();
    const int sym = numeric ? sym_ : sym_for(a);
    const int keep_sym = sym_;
    sym_ = sym;
    complex_ = a.is_complex();
    build_entries(a);
    const std::string key = header_key();
    sym_ = keep_sym;
    if (bytes.compare(0, key.size(), key) != 0) return false;
    std::vector<std::string> parts;
    std::size_t pos = key.size();
    for (int r = 0; r < mpi::size(); ++r) {
      std::uint64_t size = 0;
      if (bytes.size() - pos < sizeof size) return false;
      std::memcpy(&size, bytes.data() + pos, sizeof size);
      pos += sizeof size;
      if (bytes.size() - pos < size) return false;
      parts.push_back(bytes.substr(pos, size));
      pos += size;
    }
    if (pos != bytes.size()) return false;
    // MUMPS restores into a fresh instance only.
    recreate(sym);
    Instance& in = inst();
    in.parts = std::move(parts);
    mpi::run({kChannel, kRestore, {id_}, {}});
    if (in.INFOG(1) < 0) {
      // Files that do not restore: back to a plain analysis, which the caller then factors
      // (a numeric restore replaced the analysis it had).
      if (numeric) {
        reanalyse_as(a, sym);
      } else {
        destroy();
      }
      return false;
    }
    gather_values(a);
    set_host_matrix();
    given_name_ = ordering_ == "metis" ? "metis" : "given";
    analysed_ = true;
    return true;
  }

  SolverOptions options_;
  bool ooc_ = false;
  std::string ooc_dir_;
  int relax_ = -1;         // ICNTL(14); -1: MUMPS's default
  double threshold_ = -1;  // CNTL(1); -1: MUMPS's default
  std::string ordering_;   // auto, amd, amf, qamd, pord, metis, given
  std::string given_name_ = "given";
  int analysis_ = 0;  // ICNTL(28)
  int verbose_ = 0;
  int default_relax_ = 20;

  std::int64_t id_ = 0;
  int sym_ = 0;
  int n_ = 0;
  bool complex_ = false;
  bool analysed_ = false;
  bool factored_ = false;
  int analyses_ = 0;
  int analyses_restored_ = 0;
  bool pattern_symmetric_ = false;
  bool spd_diagonal_ = false;
  std::vector<index_t> mirror_;
  std::vector<MUMPS_INT> irn_, jcn_, perm_in_;
  std::vector<index_t> sel_;
  std::vector<double> dvals_;
  std::vector<complex_t> zvals_;
};

void register_mumps() {
  mpi::install();
  mpi::register_channel(kChannel, channel);
  mpi::at_finalize(destroy_all_instances);
  BackendInfo b;
  b.name = "mumps";
  b.kind = BackendKind::direct;
  b.summary =
      "MUMPS: multifrontal LU (LDL^T for symmetric matrices) with threshold pivoting, on one "
      "process or distributed over the processes of an MPI job";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.caps.keeps_pivots = false;
  b.caps.symbolic_cache = true;
  b.caps.numeric_cache = true;
  b.caps.memory_cap = true;
  b.caps.in_process_only = true;
  b.caps.multi_process = true;
  b.orderings = {"amd", "amf", "qamd", "pord", "metis", "given"};
  b.options = {
      {"ordering", "auto",
       "auto (MUMPS's choice), amd, amf, qamd, pord, metis (spax's METIS given to MUMPS), given "
       "(as --ordering)"},
      {"analysis", "auto",
       "auto, sequential, parallel (ICNTL(28); parallel needs PT-SCOTCH or "
       "ParMETIS in the MUMPS build)"},
      {"relax", "auto", "percentage added to the estimated workspace (ICNTL(14)); auto: MUMPS's"},
      {"threshold", "auto", "relative pivoting threshold in [0, 1] (CNTL(1)); auto: MUMPS's"},
      {"ooc", "0", "1: out-of-core factors, written to files (ICNTL(22))"},
      {"ooc_dir", "", "directory of the out-of-core files (default: the temporary directory)"},
      {"verbose", "0", "MUMPS's own output on stderr, level 0..4 (ICNTL(4))"},
  };
  b.factory = [](const SolverOptions& o) { return std::make_unique<MumpsSolver>(o); };
  // Under mpirun -np N, `auto` picks the only kind of backend that runs across the processes.
  b.auto_priority = 90;
  b.auto_fit = [](const SparseMatrix&, const SolverOptions&) -> std::string {
    if (!in_multi_process_job()) return "";
    return "the job has " + std::to_string(process_count()) +
           " processes and mumps is the direct solver that runs across them";
  };
  register_backend(std::move(b));
}

}  // namespace
}  // namespace spax::mumps_plugin

SPAX_PLUGIN_ENTRY(spax::mumps_plugin::register_mumps)
