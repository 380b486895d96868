// UMFPACK backend (umfpack_dl_* / umfpack_zl_*): Symbolic reused across refactors (fresh row
// pivoting each time), Symbolic and Numeric saved/loaded for the cache.
#include <sys/mman.h>
#include <umfpack.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "solve/backends.hpp"
#include "spax/io.hpp"
#include "spax/timer.hpp"

namespace spax::solve_detail {
namespace {

namespace fs = std::filesystem;

// UMFPACK saves and loads its objects through named files. A memory-backed file (memfd) named
// /proc/self/fd/N keeps that off the disk; where memfd is unavailable a private temporary file
// is used instead.
class ScratchFile {
 public:
  ScratchFile() {
    fd_ = ::memfd_create("spax-umfpack", MFD_CLOEXEC);
    if (fd_ >= 0) {
      path_ = "/proc/self/fd/" + std::to_string(fd_);
    } else {
      static std::atomic<unsigned> counter{0};
      path_ = (fs::temp_directory_path() / ("spax-umf-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(counter++) + ".tmp"))
                  .string();
    }
  }
  ~ScratchFile() {
    if (fd_ >= 0) {
      ::close(fd_);
    } else {
      std::error_code ec;
      fs::remove(path_, ec);
    }
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  char* path() { return path_.data(); }
  void write(const char* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(data, static_cast<std::streamsize>(size));
  }
  std::string read() { return read_whole_file(path_).value_or(std::string()); }

 private:
  int fd_ = -1;
  std::string path_;
};

class UmfpackSolver final : public Solver {
 public:
  explicit UmfpackSolver(const SolverOptions& o) : opt_(o) {
    umfpack_dl_defaults(control_);
    control_[UMFPACK_IRSTEP] = 0;
  }
  ~UmfpackSolver() override {
    free_numeric();
    free_symbolic();
  }
  std::string name() const override { return "umfpack"; }
  bool wants_rcond_estimate() const override { return true; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    free_numeric();
    free_symbolic();
    complex_ = a.is_complex();
    n_ = a.nrows;
    std::string ord = opt_.ordering == "default" ? "amd" : opt_.ordering;
    std::vector<SuiteSparse_long> q;
    if (ord == "amd") {
      control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_AMD;
      control_[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_AUTO;
    } else if (ord == "colamd") {
      control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_AMD;
      control_[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_UNSYMMETRIC;
    } else if (ord == "metis") {
      control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_METIS;
    } else if (ord == "natural") {
      control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_NONE;
    } else if (ord == "given") {
      check_given(opt_, n_);
      q.assign(opt_.permutation.begin(), opt_.permutation.end());
      control_[UMFPACK_ORDERING] = UMFPACK_ORDERING_GIVEN;
    } else {
      throw_usage("umfpack: unknown ordering '" + ord + "' (amd, colamd, metis, natural, given)");
    }
    auto* Ap = const_cast<SuiteSparse_long*>(a.colptr.data());
    auto* Ai = const_cast<SuiteSparse_long*>(a.rowind.data());
    SuiteSparse_long st;
    SuiteSparse_long* qp = q.empty() ? nullptr : q.data();
    // Values (when present) let UMFPACK judge the diagonal for its strategy and pivoting.
    if (complex_)
      st = umfpack_zl_qsymbolic(
          n_, n_, Ap, Ai,
          a.zvalues.empty() ? nullptr : reinterpret_cast<const double*>(a.zvalues.data()), nullptr,
          qp, &sym_, control_, info_);
    else
      st = umfpack_dl_qsymbolic(n_, n_, Ap, Ai, a.values.empty() ? nullptr : a.values.data(), qp,
                                &sym_, control_, info_);
    if (st != UMFPACK_OK)
      throw_internal("umfpack symbolic failed (status " + std::to_string(st) + ")");
    // No factor_bytes_estimate: UMFPACK's (an upper bound for the worst pivoting) is often
    // several times the real need; --max-memory holds UMFPACK by its allocation limit instead.
    stats_.ordering = ord;
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    free_numeric();
    keep(a);
    SuiteSparse_long st;
    if (complex_)
      st = umfpack_zl_numeric(ap_.data(), ai_.data(), ax_.data(), nullptr, sym_, &num_, control_,
                              info_);
    else
      st = umfpack_dl_numeric(ap_.data(), ai_.data(), ax_.data(), sym_, &num_, control_, info_);
    if (st == UMFPACK_WARNING_singular_matrix) {
      free_numeric();
      throw_singular(a, -1);
    }
    if (st != UMFPACK_OK)
      throw_internal("umfpack numeric failed (status " + std::to_string(st) + ")");
    stats_.nnz_L = static_cast<index_t>(info_[UMFPACK_LNZ]);
    stats_.nnz_U = static_cast<index_t>(info_[UMFPACK_UNZ]);
    stats_.flops = info_[UMFPACK_FLOPS];
    stats_.rcond = info_[UMFPACK_RCOND];
    stats_.factor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    Timer t;
    std::vector<double> x(static_cast<std::size_t>(n_));
    for (index_t k = 0; k < nrhs; ++k) {
      double* bk = b.data() + k * n_;
      SuiteSparse_long st =
          umfpack_dl_solve(transpose ? UMFPACK_At : UMFPACK_A, ap_.data(), ai_.data(), ax_.data(),
                           x.data(), bk, num_, control_, info_);
      if (st < 0) throw_internal("umfpack solve failed (status " + std::to_string(st) + ")");
      std::copy(x.begin(), x.end(), bk);
    }
    stats_.solve_seconds = t.seconds();
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    Timer t;
    std::vector<complex_t> x(static_cast<std::size_t>(n_));
    for (index_t k = 0; k < nrhs; ++k) {
      auto* bk = reinterpret_cast<double*>(b.data() + k * n_);
      SuiteSparse_long st = umfpack_zl_solve(
          transpose ? UMFPACK_At : UMFPACK_A, ap_.data(), ai_.data(), ax_.data(), nullptr,
          reinterpret_cast<double*>(x.data()), nullptr, bk, nullptr, num_, control_, info_);
      if (st < 0) throw_internal("umfpack solve failed (status " + std::to_string(st) + ")");
      std::copy(x.begin(), x.end(), b.data() + k * n_);
    }
    stats_.solve_seconds = t.seconds();
  }

  std::string export_symbolic() const override {
    if (!sym_) return {};
    ScratchFile f;
    SuiteSparse_long st = complex_ ? umfpack_zl_save_symbolic(sym_, f.path())
                                   : umfpack_dl_save_symbolic(sym_, f.path());
    std::string bytes = st == UMFPACK_OK ? f.read() : std::string();
    return bytes.empty() ? bytes : bytes + stats_.ordering + '\0' + std::to_string(bytes.size());
  }
  bool import_symbolic(const SparseMatrix& a, const std::string& bytes) override {
    std::string body;
    std::string ord;
    if (!split(bytes, body, ord)) return false;
    free_numeric();
    free_symbolic();
    complex_ = a.is_complex();
    n_ = a.nrows;
    ScratchFile f;
    f.write(body.data(), body.size());
    SuiteSparse_long st = complex_ ? umfpack_zl_load_symbolic(&sym_, f.path())
                                   : umfpack_dl_load_symbolic(&sym_, f.path());
    if (st != UMFPACK_OK) {
      sym_ = nullptr;
      return false;
    }
    stats_.ordering = ord;
    stats_.analyze_seconds = 0.0;
    return true;
  }

  bool supports_numeric_cache() const override { return true; }
  std::string export_numeric() const override {
    if (!num_) return {};
    ScratchFile f;
    SuiteSparse_long st = complex_ ? umfpack_zl_save_numeric(num_, f.path())
                                   : umfpack_dl_save_numeric(num_, f.path());
    std::string bytes = st == UMFPACK_OK ? f.read() : std::string();
    if (bytes.empty()) return bytes;
    std::string extra;
    for (int k : {UMFPACK_LNZ, UMFPACK_UNZ, UMFPACK_FLOPS, UMFPACK_RCOND}) put(extra, info_[k]);
    return bytes + extra + std::to_string(bytes.size());
  }
  bool import_numeric(const SparseMatrix& a, const std::string& bytes) override {
    auto pos = bytes.find_last_not_of("0123456789");
    if (pos == std::string::npos || pos + 1 >= bytes.size()) return false;
    std::size_t len = std::stoull(bytes.substr(pos + 1));
    if (len + 4 * sizeof(double) != pos + 1) return false;
    free_numeric();
    keep(a);
    ScratchFile f;
    f.write(bytes.data(), len);
    SuiteSparse_long st = complex_ ? umfpack_zl_load_numeric(&num_, f.path())
                                   : umfpack_dl_load_numeric(&num_, f.path());
    if (st != UMFPACK_OK) {
      num_ = nullptr;
      return false;
    }
    Reader r{bytes, len};
    stats_.nnz_L = static_cast<index_t>(r.get<double>());
    stats_.nnz_U = static_cast<index_t>(r.get<double>());
    stats_.flops = r.get<double>();
    stats_.rcond = r.get<double>();
    stats_.factor_seconds = 0.0;
    return true;
  }

 private:
  static bool split(const std::string& bytes, std::string& body, std::string& ord) {
    auto z = bytes.rfind('\0');
    if (z == std::string::npos) return false;
    std::size_t len = 0;
    try {
      len = std::stoull(bytes.substr(z + 1));
    } catch (...) {
      return false;
    }
    if (len > z) return false;
    body = bytes.substr(0, len);
    ord = bytes.substr(len, z - len);
    return true;
  }
  void keep(const SparseMatrix& a) {
    complex_ = a.is_complex();
    ap_.assign(a.colptr.begin(), a.colptr.end());
    ai_.assign(a.rowind.begin(), a.rowind.end());
    if (complex_) {
      auto* p = reinterpret_cast<const double*>(a.zvalues.data());
      ax_.assign(p, p + 2 * a.zvalues.size());
    } else {
      ax_ = a.values;
    }
  }
  void free_numeric() {
    if (!num_) return;
    if (complex_)
      umfpack_zl_free_numeric(&num_);
    else
      umfpack_dl_free_numeric(&num_);
    num_ = nullptr;
  }
  void free_symbolic() {
    if (!sym_) return;
    if (complex_)
      umfpack_zl_free_symbolic(&sym_);
    else
      umfpack_dl_free_symbolic(&sym_);
    sym_ = nullptr;
  }

  SolverOptions opt_;
  double control_[UMFPACK_CONTROL];
  double info_[UMFPACK_INFO];
  void* sym_ = nullptr;
  void* num_ = nullptr;
  index_t n_ = 0;
  bool complex_ = false;
  std::vector<SuiteSparse_long> ap_, ai_;
  std::vector<double> ax_;
};

}  // namespace

BackendInfo umfpack_backend() {
  BackendInfo b;
  b.name = "umfpack";
  b.summary = "UMFPACK: multifrontal sparse LU";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.caps.symbolic_cache = true;
  b.caps.numeric_cache = true;
  b.caps.memory_cap = true;
  b.orderings = {"amd", "colamd", "metis", "natural", "given"};
  b.factory = [](const SolverOptions& o) { return std::unique_ptr<Solver>(new UmfpackSolver(o)); };
  b.auto_priority = 40;
  b.auto_fit = [](const SparseMatrix& a, const SolverOptions&) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "unsymmetric with %.1f entries per column",
                  entries_per_column(a));
    return std::string(buf) + ": multifrontal LU (UMFPACK)";
  };
  return b;
}

}  // namespace spax::solve_detail
