// The machine model's tables: the calibration grid, building the tables from timed calls, and
// the documented default model.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "analysis/calibration_grid.hpp"
#include "spax/machine_model.hpp"

namespace spax {

namespace detail {

std::vector<KernelCall> calibration_grid(int max_dim) {
  std::vector<KernelCall> g;
  auto d = [](int v) { return static_cast<double>(v); };
  for (int n : {1, 2, 4, 8, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048})
    if (n <= max_dim) {
      g.push_back({Kernel::potrf, d(n), d(n), 0});
      g.push_back({Kernel::getrf, d(n), d(n), 0});
    }
  const std::vector<int> outer = {1, 4, 16, 64, 256, 1024, 4096};
  const std::vector<int> inner = {1, 4, 16, 64, 256};
  for (int m : outer)
    for (int n : {1, 2, 4, 8, 16, 32, 64, 128, 256})
      if (m <= max_dim && n <= max_dim) g.push_back({Kernel::trsm, d(m), d(n), 0});
  for (int n : outer)
    for (int k : inner)
      if (n <= max_dim && k <= max_dim) g.push_back({Kernel::syrk, d(n), d(n), d(k)});
  for (int m : outer)
    for (int n : inner)
      for (int k : inner)
        if (m <= max_dim && n <= max_dim && k <= max_dim)
          g.push_back({Kernel::gemm, d(m), d(n), d(k)});
  // Assembly: r1 columns of an r2-row update (lower part: r1 r2 - r1 (r1 - 1) / 2 entries); the
  // cells with r2 < r1 are no real shape and take the rate of r2 = r1.
  for (int r1 : {1, 4, 16, 64, 256})
    for (int r2 : {1, 4, 16, 64, 256, 1024, 4096}) {
      const int rows = std::max(r1, r2);
      const double entries = d(r1) * rows - 0.5 * d(r1) * (r1 - 1);
      g.push_back({Kernel::assemble, d(r1), entries, d(r2)});
    }
  for (int e : {16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576})
    g.push_back({Kernel::stream, d(e), 0, 0});
  for (int e : {1 << 17, 1 << 19, 1 << 21}) g.push_back({Kernel::touch, d(e), 0, 0});
  return g;
}

}  // namespace detail

MachineModel default_machine_model() {
  MachineModel m;
  m.source = "default";
  m.format = kMachineModelFormat;
  m.spax_version = version();
  std::vector<CalibrationSample> samples;
  for (const KernelCall& c : detail::calibration_grid(1024)) {
    const double flops = kernel_flops(c);
    double s = 0.3e-6;
    switch (c.kernel) {
      case Kernel::gemm:
        s += 1e-9 * c.m * c.n + 0.5e-9 * (c.m + c.n) * c.k + flops / 2e10;
        break;
      case Kernel::syrk:
        s += 0.5e-9 * c.n * c.n + 0.5e-9 * c.n * c.k + flops / 2e10;
        break;
      case Kernel::trsm:
        s += 1.5e-9 * c.m * c.n + 0.5e-9 * c.n * c.n + flops / 1.5e10;
        break;
      case Kernel::potrf:
        s += 10e-9 * c.m + 1e-9 * c.m * c.m + flops / 1.5e10;
        break;
      case Kernel::getrf:
        s += 30e-9 * c.m + 1.5e-9 * c.m * c.m + flops / 1.3e10;
        break;
      case Kernel::assemble:
        s = 0.05e-6 + 2e-9 * c.m + 1.5e-9 * c.n;
        break;
      case Kernel::stream:
        s = 0.02e-6 + 0.4e-9 * c.m;
        break;
      case Kernel::touch:
        s = 2e-9 * c.m;
        break;
    }
    samples.push_back({1, c, s});
  }
  m.threads.push_back(fit_thread_model(1, samples));
  m.backend.per_supernode = 2e-6;
  m.backend.per_update = 1e-6;
  m.backend.per_entry = 5e-9;
  return m;
}

ThreadModel fit_thread_model(int threads, const std::vector<CalibrationSample>& samples) {
  ThreadModel t;
  t.threads = threads;
  for (int k = 0; k < kKernelCount; ++k) {
    // Fastest time per shape (axes values as the key), with the call's work.
    std::map<std::vector<double>, std::pair<double, double>> best;
    for (const auto& s : samples) {
      if (s.threads != threads || static_cast<int>(s.call.kernel) != k || !(s.seconds > 0.0))
        continue;
      const double work = kernel_work(s.call);
      if (!(work > 0.0)) continue;
      std::vector<double> key = kernel_axes(s.call);
      for (double& v : key) v = std::max(v, 1.0);
      auto [it, fresh] = best.emplace(key, std::make_pair(s.seconds, work));
      if (!fresh) it->second.first = std::min(it->second.first, s.seconds);
    }
    if (best.empty()) continue;
    KernelTable& tab = t.kernels[static_cast<std::size_t>(k)];
    const std::size_t d = best.begin()->first.size();
    tab.axes.assign(d, {});
    for (const auto& [key, tw] : best)
      for (std::size_t a = 0; a < d; ++a) tab.axes[a].push_back(key[a]);
    for (auto& ax : tab.axes) {
      std::sort(ax.begin(), ax.end());
      ax.erase(std::unique(ax.begin(), ax.end()), ax.end());
    }
    std::vector<std::pair<std::vector<double>, double>> pts;  // shape, rate
    for (const auto& [key, tw] : best) pts.emplace_back(key, tw.second / tw.first);
    std::size_t cells = 1;
    for (const auto& ax : tab.axes) cells *= ax.size();
    tab.rate.assign(cells, 0.0);
    tab.samples = static_cast<int>(best.size());
    for (std::size_t cell = 0; cell < cells; ++cell) {
      std::vector<double> key(d);
      std::size_t rest = cell;
      for (std::size_t a = d; a-- > 0;) {
        key[a] = tab.axes[a][rest % tab.axes[a].size()];
        rest /= tab.axes[a].size();
      }
      double bestd = std::numeric_limits<double>::infinity(), rate = 0.0;
      for (const auto& [pk, pr] : pts) {
        double dist = 0.0;
        for (std::size_t a = 0; a < d; ++a) dist += std::fabs(std::log(pk[a] / key[a]));
        if (dist < bestd) {
          bestd = dist;
          rate = pr;
        }
      }
      tab.rate[cell] = rate;
    }
    prepare_table(tab);
  }
  return t;
}

}  // namespace spax
