// The machine model: rate tables built from timed calls and interpolated, the split model's
// bounds, and the per-machine cache (round trip, foreign, stale and malformed files).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <SuiteSparse_config.h>
#include <malloc.h>

#include "analysis/cholmod_timing.hpp"
#include "core/lsan.hpp"
#include "spax/generate.hpp"
#include "spax/machine_model.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

// Samples of one thread count whose rate is a power law of the shape: a law that multilinear
// interpolation in log(rate) over log(dimensions) reproduces exactly between grid points.
double law_rate(const KernelCall& c) {
  std::vector<double> x = kernel_axes(c);
  double r = 1e9;
  const double e[3] = {0.3, 0.2, 0.1};
  for (std::size_t i = 0; i < x.size(); ++i) r *= std::pow(x[i], e[i]);
  return r;
}

std::vector<CalibrationSample> law_samples(int threads) {
  std::vector<CalibrationSample> s;
  for (double m : {1.0, 4.0, 16.0, 64.0})
    for (double n : {1.0, 8.0, 64.0})
      for (double k : {2.0, 32.0}) {
        KernelCall g{Kernel::gemm, m, n, k};
        s.push_back({threads, g, kernel_work(g) / law_rate(g)});
      }
  for (double n : {1.0, 10.0, 100.0, 1000.0}) {
    KernelCall p{Kernel::potrf, n, n, 0};
    s.push_back({threads, p, kernel_work(p) / law_rate(p)});
  }
  return s;
}

TEST(MachineModel, TablesReproduceTheirSamplesAndInterpolateInLogSpace) {
  MachineModel m;
  m.source = "calibrated";
  m.threads.push_back(fit_thread_model(1, law_samples(1)));
  const KernelTable& g = m.threads[0].kernels[static_cast<int>(Kernel::gemm)];
  ASSERT_EQ(g.axes.size(), 3u);
  EXPECT_EQ(g.axes[0], (std::vector<double>{1, 4, 16, 64}));
  EXPECT_EQ(g.samples, 24);
  for (KernelCall c : {KernelCall{Kernel::gemm, 4, 8, 32}, KernelCall{Kernel::gemm, 2, 20, 7},
                       KernelCall{Kernel::gemm, 50, 3, 30}, KernelCall{Kernel::potrf, 31, 31, 0},
                       KernelCall{Kernel::potrf, 500, 500, 0}}) {
    SCOPED_TRACE(kernel_name(c.kernel));
    const double expect = kernel_work(c) / law_rate(c);
    EXPECT_NEAR(m.seconds(c, 1), expect, 1e-9 * expect);
  }
  // Outside the grid the rate is the nearest grid value's: m = 256 runs at the rate of m = 64.
  KernelCall big{Kernel::gemm, 256, 8, 32};
  KernelCall edge{Kernel::gemm, 64, 8, 32};
  EXPECT_NEAR(m.seconds(big, 1), kernel_work(big) / law_rate(edge), 1e-9 * m.seconds(big, 1));
}

TEST(MachineModel, WorkAndFlops) {
  EXPECT_DOUBLE_EQ(kernel_flops({Kernel::gemm, 3, 4, 5}), 120.0);
  EXPECT_DOUBLE_EQ(kernel_flops({Kernel::syrk, 4, 4, 5}), 4 * 5 * 5.0);
  EXPECT_DOUBLE_EQ(kernel_flops({Kernel::trsm, 7, 3, 0}), 63.0);
  EXPECT_DOUBLE_EQ(kernel_flops({Kernel::potrf, 3, 3, 0}), 9.0);
  EXPECT_DOUBLE_EQ(kernel_flops({Kernel::getrf, 3, 3, 0}), 18.0);
  EXPECT_DOUBLE_EQ(kernel_work({Kernel::assemble, 4, 30, 10}), 30.0);
  EXPECT_DOUBLE_EQ(kernel_work({Kernel::stream, 100, 0, 0}), 100.0);
}

TEST(MachineModel, MoreThreadsNeverSlowerNorBetterThanPerfect) {
  MachineModel m = default_machine_model();
  // A second calibrated count that is slower than one thread for small calls, as a busy
  // OpenBLAS can be.
  std::vector<CalibrationSample> two;
  for (const auto& s : law_samples(2)) two.push_back({2, s.call, s.seconds * 3.0});
  m.threads.push_back(fit_thread_model(2, two));
  for (KernelCall c :
       {KernelCall{Kernel::gemm, 1000, 200, 200}, KernelCall{Kernel::gemm, 3, 3, 3},
        KernelCall{Kernel::syrk, 500, 500, 100}, KernelCall{Kernel::trsm, 800, 64, 0},
        KernelCall{Kernel::potrf, 3000, 3000, 0}, KernelCall{Kernel::assemble, 100, 5000, 100}}) {
    SCOPED_TRACE(kernel_name(c.kernel));
    const double one = m.seconds(c, 1);
    for (int q : {2, 4, 8, 64}) {
      const double t = m.seconds(c, q);
      EXPECT_GE(t, one / q * (1 - 1e-12));
      if (q > 2) {  // q threads can idle down to 2
        EXPECT_LE(t, m.seconds(c, 2) * (1 + 1e-12));
      }
    }
  }
  EXPECT_DOUBLE_EQ(m.barrier_seconds(1), 0.0);
  EXPECT_DOUBLE_EQ(default_machine_model().barrier_seconds(8), 3e-6);
}

// A calibration whose several-thread rates fall below one thread's is called doubtful; one whose
// rates grow, or fall by less than a fifth, is not.
TEST(MachineModel, WarnsOfACalibrationSlowerOnSeveralThreads) {
  MachineModel m = default_machine_model();
  EXPECT_TRUE(machine_model_warnings(m).empty());  // one thread only
  ThreadModel two = m.threads.front();
  two.threads = 2;
  for (auto& t : two.kernels)
    for (double& r : t.rate) r *= 1.9;
  m.threads.push_back(two);
  EXPECT_TRUE(machine_model_warnings(m).empty());
  // gemm at half its one-thread rate, syrk at 85% (within the fifth), potrf at 70%.
  const auto scale = [&](Kernel k, double f) {
    auto& t = m.threads[1].kernels[static_cast<std::size_t>(k)];
    t.rate = m.threads[0].kernels[static_cast<std::size_t>(k)].rate;
    for (double& r : t.rate) r *= f;
  };
  scale(Kernel::gemm, 0.5);
  scale(Kernel::syrk, 0.85);
  scale(Kernel::potrf, 0.7);
  const auto w = machine_model_warnings(m);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("on 2 threads"), std::string::npos) << w[0];
  // Each named with its best rate on 2 threads against 1, in Gflop/s.
  for (auto [k, f] : {std::pair{Kernel::gemm, 0.5}, std::pair{Kernel::potrf, 0.7}}) {
    const auto& r = m.threads[0].kernels[static_cast<std::size_t>(k)].rate;
    const double one = *std::max_element(r.begin(), r.end()) / 1e9;
    char want[96];
    std::snprintf(want, sizeof want, "%s %.1f against %.1f Gflop/s", kernel_name(k), one * f, one);
    EXPECT_NE(w[0].find(want), std::string::npos) << want << " in " << w[0];
  }
  EXPECT_EQ(w[0].find("syrk"), std::string::npos) << w[0];
}

TEST(MachineModel, LargePotrfIsBlockedBeyondTheTable) {
  MachineModel m = default_machine_model();
  // The default table stops at n = 1024; n = 4096 is priced as a right-looking factorization in
  // panels of 256 columns: potrf of the panel block, trsm of the rows below, syrk of the rest.
  const double t = m.seconds({Kernel::potrf, 4096, 4096, 0}, 1);
  double panels = 0.0;
  for (double j = 0; j < 4096; j += 256) {
    const double r = 4096 - j - 256;
    panels += m.seconds({Kernel::potrf, 256, 256, 0}, 1);
    if (r > 0)
      panels += m.seconds({Kernel::trsm, r, 256, 0}, 1) + m.seconds({Kernel::syrk, r, r, 256}, 1);
  }
  EXPECT_NEAR(t, panels, 1e-12 * panels);
}

MachineModel small_calibrated(const MachineIdentity& id, const std::string& created) {
  MachineModel m = default_machine_model();
  m.source = "calibrated";
  m.created = created;
  m.machine = id;
  m.calibration_seconds = 1.5;
  return m;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The CHOLMOD timing behind `analyze --measure` and the calibration maps CHOLMOD's large blocks
// fresh by replacing CHOLMOD's allocator while it runs, and leaves the process's malloc alone: a
// fixed glibc mmap threshold (mallopt, as it once set) made every multi-threaded OpenBLAS call map
// and unmap its per-call buffer, and measured 2 BLAS threads as 0.7x of one on bcsstk13.
TEST(CholmodTiming, ReplacesOnlyCholmodsAllocatorAndRestoresIt) {
  const auto before = SuiteSparse_config;
  const detail::SpdUpper a = detail::spd_upper(grid_laplacian(40, 2));
  const detail::CholmodTimes t = detail::time_cholmod_supernodal(a, {}, {1, 2}, 2, 10.0);
  EXPECT_GE(t.rounds, 1);
  for (double s : t.seconds) EXPECT_TRUE(std::isfinite(s) && s > 0.0);
  EXPECT_EQ(SuiteSparse_config.malloc_func, before.malloc_func);
  EXPECT_EQ(SuiteSparse_config.calloc_func, before.calloc_func);
  EXPECT_EQ(SuiteSparse_config.realloc_func, before.realloc_func);
  EXPECT_EQ(SuiteSparse_config.free_func, before.free_func);
#ifdef SPAX_HAVE_LSAN
  GTEST_SKIP() << "glibc's malloc is replaced by the sanitizer's here";
#else
  // glibc's threshold is still dynamic: freeing a mapped 1 MB block raises it, so the next 1 MB
  // comes from the heap (a fixed threshold would map it again).
  void* first = std::malloc(1 << 20);
  ASSERT_NE(first, nullptr);
  std::free(first);
  const auto mapped = mallinfo2().hblks;
  void* second = std::malloc(1 << 20);
  ASSERT_NE(second, nullptr);
  static_cast<char*>(second)[0] = 1;
  EXPECT_EQ(mallinfo2().hblks, mapped);
  std::free(second);
#endif
}

TEST(MachineModelCache, RoundTrip) {
  test::ScratchDir dir;
  const std::string path = (dir / "sub" / "model.json").string();
  MachineIdentity id = current_machine();
  MachineModel m = small_calibrated(id, now_utc());
  save_machine_model(m, path);
  LoadedMachineModel l = load_machine_model(path, id);
  EXPECT_EQ(l.status, "calibrated") << l.warning;
  EXPECT_TRUE(l.warning.empty());
  EXPECT_EQ(l.model.source, "calibrated");
  EXPECT_EQ(l.model.created, m.created);
  EXPECT_EQ(l.model.machine.blas, id.blas);
  for (KernelCall c : {KernelCall{Kernel::gemm, 100, 30, 7}, KernelCall{Kernel::touch, 1e6, 0, 0},
                       KernelCall{Kernel::assemble, 10, 300, 40}})
    EXPECT_DOUBLE_EQ(l.model.seconds(c, 1), m.seconds(c, 1));
  EXPECT_DOUBLE_EQ(l.model.backend.per_update, m.backend.per_update);
}

TEST(MachineModelCache, AbsentForeignAndStaleFilesGiveTheDefaultModel) {
  test::ScratchDir dir;
  MachineIdentity id = current_machine();
  LoadedMachineModel absent = load_machine_model((dir / "none.json").string(), id);
  EXPECT_EQ(absent.status, "absent");
  EXPECT_EQ(absent.model.source, "default");
  const std::string path = (dir / "m.json").string();
  auto refused = [&](const MachineModel& m, const std::string& why) {
    save_machine_model(m, path);
    LoadedMachineModel l = load_machine_model(path, id);
    EXPECT_EQ(l.status, "refused") << why;
    EXPECT_EQ(l.model.source, "default") << why;
    EXPECT_NE(l.warning.find(why), std::string::npos) << l.warning;
  };
  MachineIdentity other = id;
  other.host = id.host + "-other";
  refused(small_calibrated(other, now_utc()), "host");
  other = id;
  other.blas = "reference BLAS";
  refused(small_calibrated(other, now_utc()), "BLAS");
  other = id;
  other.hardware_threads = id.hardware_threads + 1;
  refused(small_calibrated(other, now_utc()), "hardware threads");
  refused(small_calibrated(id, "2001-01-01T00:00:00Z"), "older than");
  refused(small_calibrated(id, "2999-01-01T00:00:00Z"), "future");
  refused(small_calibrated(id, "yesterday"), "date");
  MachineModel d = default_machine_model();
  refused(d, "not a calibration");
  // An explicit file may come from another machine: accepted with a warning when asked.
  save_machine_model(small_calibrated(other, now_utc()), path);
  LoadedMachineModel foreign = load_machine_model(path, id, 90.0, false);
  EXPECT_EQ(foreign.status, "calibrated");
  EXPECT_FALSE(foreign.warning.empty());
}

TEST(MachineModelCache, MalformedFilesAreRefusedNeverThrow) {
  test::ScratchDir dir;
  MachineIdentity id = current_machine();
  const std::string path = (dir / "m.json").string();
  save_machine_model(small_calibrated(id, now_utc()), path);
  const std::string good = test::read_text_file(path);
  auto check = [&](const std::string& text, const std::string& what) {
    test::write_text_file(path, text);
    LoadedMachineModel l;
    EXPECT_NO_THROW(l = load_machine_model(path, id)) << what;
    EXPECT_EQ(l.status, "refused") << what;
    EXPECT_EQ(l.model.source, "default") << what;
    EXPECT_FALSE(l.warning.empty()) << what;
  };
  check("", "empty");
  check("not json", "text");
  check("[1, 2]", "array");
  check(good.substr(0, good.size() / 2), "cut in half");
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  };
  check(replace("\"format\": 1", "\"format\": 99"), "format");
  check(replace("\"format\": 1", "\"format\": \"1\""), "format type");
  check(replace("\"threads\": 1", "\"threads\": 2"), "thread counts");
  check(replace("\"rate\": [", "\"rate\": [-1.0, "), "negative rate");
  check(replace("\"rate\": [", "\"rate\": [1.0, "), "rate count");
  check(replace("\"axes\": [", "\"axes\": [[0.5], "), "axes");
  check(replace("\"per_update_seconds\"", "\"per_update_secs\""), "missing key");
  check(replace("\"backend\": {", "\"backend\": 3, \"x\": {"), "backend type");
  // Every byte replaced in turn (a stride keeps it short): never a crash or an exception.
  for (std::size_t i = 0; i < good.size(); i += 97) {
    std::string s = good;
    s[i] = s[i] == '9' ? '}' : '9';
    test::write_text_file(path, s);
    EXPECT_NO_THROW(load_machine_model(path, id)) << "byte " << i;
  }
  // A directory where the file should be.
  std::filesystem::remove(path);
  std::filesystem::create_directory(path);
  LoadedMachineModel l = load_machine_model(path, id);
  EXPECT_EQ(l.status, "refused");
}

TEST(MachineModelCache, PathFollowsXdgCacheHome) {
  const char* old_xdg = std::getenv("XDG_CACHE_HOME");
  const std::string saved = old_xdg ? old_xdg : "";
  ::setenv("XDG_CACHE_HOME", "/some/cache", 1);
  const std::string p = machine_model_cache_path();
  EXPECT_EQ(p.rfind("/some/cache/spax/machine-model-", 0), 0u) << p;
  EXPECT_EQ(p.substr(p.size() - 5), ".json");
  ::setenv("XDG_CACHE_HOME", "", 1);
  const char* home = std::getenv("HOME");
  if (home && *home) {
    EXPECT_EQ(machine_model_cache_path().rfind(std::string(home) + "/.cache/spax/", 0), 0u);
  }
  if (old_xdg)
    ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  else
    ::unsetenv("XDG_CACHE_HOME");
}

}  // namespace
}  // namespace spax
