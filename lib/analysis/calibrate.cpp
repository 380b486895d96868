// Calibration of the machine model: dense kernels timed through the BLAS the backends use, on a
// grid of shapes, for each thread count; the scalar assembly and streaming loops on one thread;
// a barrier among t threads.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <functional>
#include <thread>

#include <sys/mman.h>
#include <time.h>

#include "analysis/calibrate_backend.hpp"
#include "analysis/calibration_grid.hpp"
#include "core/blas_threads.hpp"
#include "spax/machine_model.hpp"
#include "spax/timer.hpp"

extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dtrsm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
            const int* n, const double* alpha, const double* a, const int* lda, double* b,
            const int* ldb, std::size_t, std::size_t, std::size_t, std::size_t);
void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* beta, double* c, const int* ldc,
            std::size_t, std::size_t);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, std::size_t, std::size_t);
}

namespace spax {
namespace {

// Deterministic values in [0, 1).
struct Lcg {
  std::uint64_t s = 0x9e3779b97f4a7c15ull;
  double next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * (1.0 / 9007199254740992.0);
  }
};

// With one BLAS thread every call runs on the calling thread: its CPU time is the call's time,
// without what a busy machine gives to other processes. Several threads need the wall clock.
bool g_cpu_clock = true;

double now_seconds() {
  timespec ts{};
  ::clock_gettime(g_cpu_clock ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Times `run(batch)` (which makes `batch` calls) until at least `min_seconds` were spent, at
// least twice, and returns the fastest seconds per call. `prepare(batch)` (untimed) restores
// inputs that a call destroys.
double time_per_call(const std::function<void(int)>& prepare, const std::function<void(int)>& run,
                     int batch, double min_seconds) {
  double best = std::numeric_limits<double>::infinity(), spent = 0.0;
  for (int rep = 0; rep < 2 || spent < min_seconds; ++rep) {
    if (prepare) prepare(batch);
    const double t0 = now_seconds();
    run(batch);
    const double s = now_seconds() - t0;
    spent += s;
    best = std::min(best, s / batch);
    if (rep > 1000) break;
  }
  return best;
}

// Calls per timed batch so that one batch holds about 50 microseconds of work at 1e10 flop/s
// (timer resolution and call overhead stay negligible), at most `cap`.
int batch_for(double work, int cap) {
  const double per = std::max(work / 1e10, 1e-8);
  return static_cast<int>(std::clamp(5e-5 / per, 1.0, static_cast<double>(cap)));
}

// An update's operands rotate through copies spanning 8 MB (beyond a core's L2), each copy at
// least a page apart: the stride between copies (doubles) and their number.
constexpr double kColdBytes = 8.0 * 1024 * 1024;
std::size_t cold_stride(std::size_t doubles) {
  return std::max<std::size_t>(doubles, 512);
}
std::size_t cold_copies(std::size_t doubles) {
  const double c = std::ceil(kColdBytes / (8.0 * static_cast<double>(cold_stride(doubles))));
  return static_cast<std::size_t>(std::clamp(c, 1.0, 2048.0));
}

struct Buffers {
  std::vector<double> a, b, c, pristine;
  std::vector<int> ipiv;
};

// An n x n symmetric, strictly diagonally dominant matrix (SPD; LU pivots stay on the diagonal).
void dominant(std::vector<double>& a, int n, Lcg& rng) {
  a.assign(static_cast<std::size_t>(n) * n, 0.0);
  for (int j = 0; j < n; ++j)
    for (int i = j + 1; i < n; ++i)
      a[static_cast<std::size_t>(j) * n + i] = a[static_cast<std::size_t>(i) * n + j] =
          rng.next() - 0.5;
  for (int j = 0; j < n; ++j) a[static_cast<std::size_t>(j) * n + j] = n + 1.0;
}

double time_blas(const KernelCall& call, double min_seconds, Buffers& buf, Lcg& rng) {
  const int m = static_cast<int>(call.m), n = static_cast<int>(call.n),
            k = static_cast<int>(call.k);
  const double one = 1.0, zero = 0.0;
  int info = 0;
  const double work = kernel_flops(call);
  switch (call.kernel) {
    case Kernel::potrf:
    case Kernel::getrf: {
      // Destroys its input: `batch` copies, restored before each timed batch.
      const std::size_t nn = static_cast<std::size_t>(n) * n;
      const int batch = batch_for(work, std::max(1, static_cast<int>(4e6 / (nn + 1.0))));
      dominant(buf.pristine, n, rng);
      buf.a.resize(nn * batch);
      buf.ipiv.resize(static_cast<std::size_t>(n));
      auto prepare = [&](int b) {
        for (int i = 0; i < b; ++i)
          std::memcpy(buf.a.data() + nn * i, buf.pristine.data(), nn * sizeof(double));
      };
      auto run = [&](int b) {
        for (int i = 0; i < b; ++i) {
          if (call.kernel == Kernel::potrf)
            dpotrf_("L", &n, buf.a.data() + nn * i, &n, &info, 1);
          else
            dgetrf_(&n, &n, buf.a.data() + nn * i, &n, buf.ipiv.data(), &info);
        }
      };
      return time_per_call(prepare, run, batch, min_seconds);
    }
    case Kernel::trsm: {
      // L = I + small strictly lower part: repeated solves keep B bounded.
      buf.a.assign(static_cast<std::size_t>(n) * n, 0.0);
      for (int j = 0; j < n; ++j) {
        buf.a[static_cast<std::size_t>(j) * n + j] = 1.0;
        for (int i = j + 1; i < n; ++i)
          buf.a[static_cast<std::size_t>(j) * n + i] = 1e-3 * (rng.next() - 0.5) / n;
      }
      buf.b.resize(static_cast<std::size_t>(m) * n);
      for (auto& v : buf.b) v = rng.next();
      auto run = [&](int b) {
        for (int i = 0; i < b; ++i)
          dtrsm_("R", "L", "T", "N", &m, &n, &one, buf.a.data(), &n, buf.b.data(), &m, 1, 1, 1, 1);
      };
      return time_per_call({}, run, batch_for(work, 100000), min_seconds);
    }
    case Kernel::syrk: {
      // An update reads a descendant's columns, long out of the nearer caches: the operand
      // rotates through copies spanning kColdBytes.
      const std::size_t na = cold_stride(static_cast<std::size_t>(n) * k);
      const std::size_t copies = cold_copies(na);
      buf.a.resize(na * copies);
      for (auto& v : buf.a) v = rng.next();
      buf.c.assign(static_cast<std::size_t>(n) * n, 0.0);
      std::size_t next = 0;
      auto run = [&](int b) {
        for (int i = 0; i < b; ++i, next = (next + 1) % copies)
          dsyrk_("L", "N", &n, &k, &one, buf.a.data() + na * next, &n, &zero, buf.c.data(), &n, 1,
                 1);
      };
      return time_per_call({}, run, batch_for(work, 100000), min_seconds);
    }
    case Kernel::gemm: {
      const std::size_t na = cold_stride(static_cast<std::size_t>(m) * k),
                        nb = cold_stride(static_cast<std::size_t>(n) * k);
      const std::size_t copies = cold_copies(na + nb);
      buf.a.resize(na * copies);
      buf.b.resize(nb * copies);
      for (auto& v : buf.a) v = rng.next();
      for (auto& v : buf.b) v = rng.next();
      buf.c.assign(static_cast<std::size_t>(m) * n, 0.0);
      std::size_t next = 0;
      auto run = [&](int b) {
        for (int i = 0; i < b; ++i, next = (next + 1) % copies)
          dgemm_("N", "T", &m, &n, &k, &one, buf.a.data() + na * next, &m, buf.b.data() + nb * next,
                 &n, &zero, buf.c.data(), &m, 1, 1);
      };
      return time_per_call({}, run, batch_for(work, 100000), min_seconds);
    }
    default:
      break;
  }
  throw_internal("time_blas: not a BLAS kernel");
}

// The assembly loop of a supernodal factorization: the lower part of an nrow2 x nrow1 update C
// subtracted from the first nrow1 columns of a supernode of 2 * nrow2 rows through a relative map.
double time_assemble(int nrow1, int nrow2, double min_seconds, Lcg& rng, double& sink) {
  const int nsrow = 2 * nrow2;
  std::vector<double> c(static_cast<std::size_t>(nrow1) * nrow2),
      x(static_cast<std::size_t>(nsrow) * nrow1);
  for (auto& v : c) v = rng.next();
  std::vector<int> rel(static_cast<std::size_t>(nrow2));
  for (int i = 0, r = 0; i < nrow2; ++i) {
    r += 1 + static_cast<int>(rng.next() * 1.999);
    rel[static_cast<std::size_t>(i)] = std::min(r, nsrow - 1);
  }
  const double entries =
      static_cast<double>(nrow1) * nrow2 - 0.5 * static_cast<double>(nrow1) * (nrow1 - 1);
  auto run = [&](int b) {
    for (int r = 0; r < b; ++r)
      for (int j = 0; j < nrow1; ++j) {
        double* px = x.data() + static_cast<std::size_t>(j) * nsrow;
        const double* cj = c.data() + static_cast<std::size_t>(j) * nrow2;
        for (int i = j; i < nrow2; ++i) px[rel[static_cast<std::size_t>(i)]] -= cj[i];
      }
  };
  const double s = time_per_call({}, run, batch_for(entries * 10.0, 100000), min_seconds);
  sink += x[static_cast<std::size_t>(nsrow) - 1];
  return s;
}

double time_stream(int entries, double min_seconds, double& sink) {
  std::vector<double> x(static_cast<std::size_t>(entries), 1.0);
  std::vector<int> map(static_cast<std::size_t>(entries));
  auto run = [&](int b) {
    for (int r = 0; r < b; ++r) {
      std::fill(x.begin(), x.end(), 0.0);
      for (int i = 0; i < entries; ++i) map[static_cast<std::size_t>(i)] = i;
    }
  };
  const double s = time_per_call({}, run, batch_for(entries * 10.0, 100000), min_seconds);
  sink += x.back() + map.back();
  return s;
}

// Zeroing `entries` doubles of memory freshly mapped from the system (every page faults on its
// first write), as a new factor is: mapped, written and unmapped each time.
double time_touch(int entries, double min_seconds, double& sink) {
  const std::size_t bytes = static_cast<std::size_t>(entries) * sizeof(double);
  auto run = [&](int b) {
    for (int r = 0; r < b; ++r) {
      void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw_internal("calibration: mmap failed");
      auto* x = static_cast<double*>(p);
      std::memset(x, 0, bytes);
      sink += x[static_cast<std::size_t>(entries) / 2];
      ::munmap(p, bytes);
    }
  };
  return time_per_call({}, run, 1, min_seconds);
}

// One barrier among t threads (a sense-reversing spin barrier that yields while it waits).
double time_barrier(int t, int passes) {
  if (t <= 1) return 0.0;
  constexpr int kRounds = 200;
  double best = std::numeric_limits<double>::infinity();
  for (int pass = 0; pass < std::max(passes, 1) * 3; ++pass) {
    std::atomic<int> count{0};
    std::atomic<int> sense{0};
    auto barrier = [&](int& local) {
      local = 1 - local;
      if (count.fetch_add(1) + 1 == t) {
        count.store(0);
        sense.store(local);
      } else {
        while (sense.load() != local) std::this_thread::yield();
      }
    };
    std::vector<std::thread> others;
    std::atomic<bool> go{false};
    for (int i = 1; i < t; ++i)
      others.emplace_back([&] {
        int local = 0;
        while (!go.load()) std::this_thread::yield();
        for (int r = 0; r < kRounds; ++r) barrier(local);
      });
    int local = 0;
    Timer timer;
    go.store(true);
    for (int r = 0; r < kRounds; ++r) barrier(local);
    const double s = timer.seconds();
    for (auto& th : others) th.join();
    best = std::min(best, s / kRounds);
  }
  return best;
}

volatile double g_sink = 0.0;

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

MachineModel calibrate_machine(const CalibrationOptions& options,
                               std::vector<CalibrationSample>* samples_out) {
  Timer total;
  MachineModel model;
  model.source = "calibrated";
  model.format = kMachineModelFormat;
  model.spax_version = version();
  model.created = utc_now();
  model.machine = current_machine();
  std::vector<int> counts = options.threads;
  if (counts.empty()) {
    const int hw = std::max(1, model.machine.hardware_threads);
    for (int t = 1; t <= hw && counts.size() < 6; t *= 2) counts.push_back(t);
    if (counts.back() != hw && counts.size() < 6) counts.push_back(hw);
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  if (counts.empty() || counts.front() != 1) counts.insert(counts.begin(), 1);
  for (int t : counts)
    if (t < 1) throw_usage("calibration thread counts must be positive");

  const int saved_threads = detail::blas_threads();
  std::vector<KernelCall> grid = detail::calibration_grid(std::max(options.max_dimension, 16));
  std::vector<KernelCall> blas, scalar;
  for (const auto& c : grid)
    (c.kernel == Kernel::assemble || c.kernel == Kernel::stream || c.kernel == Kernel::touch
         ? scalar
         : blas)
        .push_back(c);
  std::vector<CalibrationSample> samples;
  Lcg rng;
  Buffers buf;
  double sink = 0.0;
  const double ms = options.min_seconds_per_sample;
  const int passes = std::max(options.passes, 1);
  // pass_times[t][i][pass]
  std::vector<std::vector<std::vector<double>>> pass_times;
  auto time_scalar = [&](const KernelCall& c) {
    if (c.kernel == Kernel::assemble)
      return time_assemble(static_cast<int>(c.m), static_cast<int>(std::max(c.m, c.k)), ms, rng,
                           sink);
    if (c.kernel == Kernel::touch) return time_touch(static_cast<int>(c.m), ms, sink);
    return time_stream(static_cast<int>(c.m), ms, sink);
  };
  try {
    for (int t : counts) {
      detail::set_blas_threads(t);
      g_cpu_clock = t == 1;
      // Wake OpenBLAS's thread pool before timing.
      time_blas({Kernel::gemm, 256, 256, 256}, 0.0, buf, rng);
      const std::vector<KernelCall>& shapes = t == 1 ? grid : blas;
      std::vector<std::vector<double>> times(shapes.size());
      for (int pass = 0; pass < passes; ++pass)
        for (std::size_t i = 0; i < shapes.size(); ++i) {
          const KernelCall& c = shapes[i];
          const bool sc = c.kernel == Kernel::assemble || c.kernel == Kernel::stream ||
                          c.kernel == Kernel::touch;
          times[i].push_back(sc ? time_scalar(c) : time_blas(c, ms, buf, rng));
        }
      for (std::size_t i = 0; i < shapes.size(); ++i)
        samples.push_back({t, shapes[i], *std::min_element(times[i].begin(), times[i].end())});
      pass_times.push_back(std::move(times));
    }
    detail::set_blas_threads(saved_threads);
  } catch (...) {
    detail::set_blas_threads(saved_threads);
    throw;
  }
  for (std::size_t ti = 0; ti < counts.size(); ++ti) {
    const int t = counts[ti];
    ThreadModel tm = fit_thread_model(t, samples);
    tm.barrier_seconds = time_barrier(t, options.passes);
    // Repeatability: the two fastest passes of each shape, per kernel.
    const std::vector<KernelCall>& shapes = t == 1 ? grid : blas;
    for (int k = 0; k < kKernelCount; ++k) {
      std::vector<double> d;
      for (std::size_t i = 0; i < shapes.size(); ++i) {
        if (static_cast<int>(shapes[i].kernel) != k) continue;
        std::vector<double> v = pass_times[ti][i];
        if (v.size() < 2) continue;
        std::sort(v.begin(), v.end());
        d.push_back(v[1] / v[0] - 1.0);
      }
      if (d.empty()) continue;
      std::sort(d.begin(), d.end());
      tm.kernels[static_cast<std::size_t>(k)].repeatability = d[d.size() / 2];
    }
    model.threads.push_back(std::move(tm));
  }
  g_sink = sink;  // keeps the timed loops observable
  detail::calibrate_backend(model);
  model.calibration_seconds = total.seconds();
  if (samples_out) *samples_out = std::move(samples);
  return model;
}

}  // namespace spax
