// The machine model: kernel shapes and work, rate tables and their interpolation, and the split
// model for thread counts that were not calibrated.
#include "spax/machine_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>

#include "analysis/calibration_grid.hpp"

namespace spax {

const char* kernel_name(Kernel k) {
  switch (k) {
    case Kernel::potrf:
      return "potrf";
    case Kernel::trsm:
      return "trsm";
    case Kernel::syrk:
      return "syrk";
    case Kernel::gemm:
      return "gemm";
    case Kernel::getrf:
      return "getrf";
    case Kernel::assemble:
      return "assemble";
    case Kernel::stream:
      return "stream";
    case Kernel::touch:
      return "touch";
  }
  return "?";
}

namespace {
int axes_of(const KernelCall& c, double* v);
}

std::vector<double> kernel_axes(const KernelCall& c) {
  double v[3];
  const int d = axes_of(c, v);
  return std::vector<double>(v, v + d);
}

void prepare_table(KernelTable& t) {
  t.log_rate.resize(t.rate.size());
  for (std::size_t i = 0; i < t.rate.size(); ++i) t.log_rate[i] = std::log(t.rate[i]);
  t.log_axes.assign(t.axes.size(), {});
  for (std::size_t a = 0; a < t.axes.size(); ++a)
    for (double x : t.axes[a]) t.log_axes[a].push_back(std::log(x));
}

double kernel_flops(const KernelCall& c) {
  const double m = c.m, n = c.n, k = c.k;
  switch (c.kernel) {
    case Kernel::potrf:
      return m * m * m / 3.0;
    case Kernel::getrf:
      return 2.0 * m * m * m / 3.0;
    case Kernel::trsm:
      return m * n * n;
    case Kernel::syrk:
      return n * (n + 1.0) * k;
    case Kernel::gemm:
      return 2.0 * m * n * k;
    case Kernel::assemble:
    case Kernel::stream:
    case Kernel::touch:
      return 0.0;
  }
  return 0.0;
}

double kernel_work(const KernelCall& c) {
  switch (c.kernel) {
    case Kernel::assemble:
      return c.n;
    case Kernel::stream:
    case Kernel::touch:
      return c.m;
    default:
      return kernel_flops(c);
  }
}

namespace {

bool is_scalar(Kernel k) {
  return k == Kernel::assemble || k == Kernel::stream || k == Kernel::touch;
}

// The table dimensions of a call without allocating (at most three).
int axes_of(const KernelCall& c, double* v) {
  switch (c.kernel) {
    case Kernel::potrf:
    case Kernel::getrf:
    case Kernel::stream:
    case Kernel::touch:
      v[0] = c.m;
      return 1;
    case Kernel::trsm:
      v[0] = c.m, v[1] = c.n;
      return 2;
    case Kernel::syrk:
      v[0] = c.n, v[1] = c.k;
      return 2;
    case Kernel::gemm:
      v[0] = c.m, v[1] = c.n, v[2] = c.k;
      return 3;
    case Kernel::assemble:
      v[0] = c.m, v[1] = c.k;
      return 2;
  }
  return 0;
}

// Multilinear interpolation of log(rate) over log(dimensions), clamped to the grid.
double table_rate(const KernelTable& t, const double* dims, int d) {
  if (static_cast<std::size_t>(d) != t.axes.size())
    throw_internal("machine model: a rate table has the wrong number of axes");
  const bool cached = t.log_rate.size() == t.rate.size() && t.log_axes.size() == t.axes.size();
  std::size_t lo[3] = {}, stride[3] = {}, size[3] = {};
  double w[3] = {};
  std::size_t s = 1;
  for (int a = d; a-- > 0;) {
    stride[a] = s;
    size[a] = t.axes[a].size();
    s *= size[a];
  }
  for (int a = 0; a < d; ++a) {
    const auto& ax = t.axes[a];
    const double x = dims[a] > 1.0 ? std::log(dims[a]) : 0.0;
    auto lx = [&](std::size_t i) { return cached ? t.log_axes[a][i] : std::log(ax[i]); };
    if (size[a] == 1 || x <= lx(0)) {
      lo[a] = 0;
      w[a] = 0.0;
    } else if (x >= lx(size[a] - 1)) {
      lo[a] = size[a] - 2;
      w[a] = 1.0;
    } else {
      std::size_t i = 1;
      while (i + 1 < size[a] && lx(i) < x) ++i;
      lo[a] = i - 1;
      const double x0 = lx(i - 1), x1 = lx(i);
      w[a] = std::clamp((x - x0) / (x1 - x0), 0.0, 1.0);
    }
  }
  double acc = 0.0;
  for (unsigned corner = 0; corner < (1u << d); ++corner) {
    double weight = 1.0;
    std::size_t idx = 0;
    for (int a = 0; a < d; ++a) {
      const bool up = (corner >> a) & 1u;
      if (up && size[a] == 1) {
        weight = 0.0;
        break;
      }
      weight *= up ? w[a] : 1.0 - w[a];
      idx += (lo[a] + (up ? 1 : 0)) * stride[a];
    }
    if (weight == 0.0) continue;
    acc += weight * (cached ? t.log_rate[idx] : std::log(t.rate[idx]));
  }
  return std::exp(acc);
}

double eval_table(const KernelTable& t, const KernelCall& c) {
  if (t.empty()) return 0.0;
  const double work = kernel_work(c);
  if (work <= 0.0) return 0.0;
  double dims[3];
  const int d = axes_of(c, dims);
  return work / table_rate(t, dims, d);
}

const KernelTable& table_of(const ThreadModel& t, Kernel k) {
  return t.kernels[static_cast<std::size_t>(k)];
}

double axis_max(const KernelTable& t, std::size_t a) {
  return t.axes.size() > a && !t.axes[a].empty() ? t.axes[a].back() : 0.0;
}

constexpr double kBlock = 256.0;

// One call on the thread model t. Beyond the table, where rates stop saturating because the
// library switches to blocked algorithms, potrf and getrf of n x n become right-looking panels of
// 256 columns (potrf/getrf of the panel block, trsm of the rows below, syrk/gemm of the trailing
// block) and a trsm with more than the table's largest triangle becomes panels of 256 columns
// (trsm + gemm update of the remaining columns).
double eval_on(const ThreadModel& t, const KernelCall& c) {
  const KernelTable& tab = table_of(t, c.kernel);
  if (tab.empty()) return 0.0;
  if ((c.kernel == Kernel::potrf || c.kernel == Kernel::getrf) && c.m > axis_max(tab, 0) &&
      axis_max(tab, 0) >= kBlock) {
    double sec = 0.0;
    for (double j = 0.0; j < c.m; j += kBlock) {
      const double b = std::min(kBlock, c.m - j), r = c.m - j - b;
      sec += eval_table(tab, {c.kernel, b, b, 0.0});
      if (r <= 0.0) continue;
      if (c.kernel == Kernel::potrf) {
        sec += eval_on(t, {Kernel::trsm, r, b, 0.0}) + eval_on(t, {Kernel::syrk, r, r, b});
      } else {
        sec += 2.0 * eval_on(t, {Kernel::trsm, r, b, 0.0}) + eval_on(t, {Kernel::gemm, r, r, b});
      }
    }
    return sec;
  }
  if (c.kernel == Kernel::trsm && c.n > axis_max(tab, 1) && axis_max(tab, 1) >= 64.0) {
    const double nb = axis_max(tab, 1);
    double sec = 0.0;
    for (double j = 0.0; j < c.n; j += nb) {
      const double b = std::min(nb, c.n - j), rest = c.n - j - b;
      sec += eval_table(tab, {Kernel::trsm, c.m, b, 0.0});
      if (rest > 0.0) sec += eval_on(t, {Kernel::gemm, c.m, rest, b});
    }
    return sec;
  }
  return eval_table(tab, c);
}

const ThreadModel* exact(const MachineModel& m, int q) {
  for (const auto& t : m.threads)
    if (t.threads == q) return &t;
  return nullptr;
}

// The largest calibrated count <= q with a table for kernel k (the first thread model when none).
const ThreadModel& largest_at_most(const MachineModel& m, int q, Kernel k) {
  const ThreadModel* best = &m.threads.front();
  for (const auto& t : m.threads)
    if (t.threads <= q && !t.kernels[static_cast<std::size_t>(k)].empty()) best = &t;
  return *best;
}

constexpr double kPanel = 128.0;

}  // namespace

std::vector<int> MachineModel::thread_counts() const {
  std::vector<int> out;
  for (const auto& t : threads) out.push_back(t.threads);
  return out;
}

int MachineModel::max_calibrated_threads() const {
  return threads.empty() ? 1 : threads.back().threads;
}

double MachineModel::barrier_seconds(int q) const {
  if (q <= 1) return 0.0;
  if (const ThreadModel* t = exact(*this, q)) return t->barrier_seconds;
  const ThreadModel* t = &threads.front();
  for (const auto& x : threads)
    if (x.threads <= q) t = &x;
  if (t->threads <= 1 || t->barrier_seconds <= 0.0) return 1e-6 * std::log2(static_cast<double>(q));
  return t->barrier_seconds * std::log2(static_cast<double>(q)) /
         std::log2(static_cast<double>(t->threads));
}

double MachineModel::raw_seconds(const KernelCall& c, int q) const {
  if (threads.empty()) throw_internal("machine model without a thread model");
  q = std::max(q, 1);
  const double one = eval_on(threads.front(), c);
  if (q == 1) return one;
  const double floor = one / q;
  if (is_scalar(c.kernel)) {
    // Scalar loops are calibrated on one thread; q threads split their columns or entries.
    KernelCall piece = c;
    piece.m = c.m / q;
    if (c.kernel == Kernel::assemble) piece.n = c.n / q;
    const double split =
        eval_table(table_of(threads.front(), c.kernel), piece) + barrier_seconds(q);
    return std::max(floor, std::min(one, split));
  }
  if (const ThreadModel* t = exact(*this, q)) {
    if (!table_of(*t, c.kernel).empty()) return std::max(floor, eval_on(*t, c));
  }
  const ThreadModel& base = largest_at_most(*this, q, c.kernel);
  const int Q = base.threads;
  const double g = static_cast<double>(q) / Q;
  const double whole = Q == 1 ? one : eval_on(base, c);
  double split = whole;
  switch (c.kernel) {
    case Kernel::gemm: {
      // The m x n result cut into g pieces as square as possible.
      const double a = std::clamp(std::sqrt(g * std::max(c.m, 1.0) / std::max(c.n, 1.0)), 1.0, g);
      split = eval_on(base, {Kernel::gemm, c.m / a, c.n / (g / a), c.k}) + barrier_seconds(q);
      break;
    }
    case Kernel::syrk: {
      const double n = c.n / std::sqrt(g);
      split = eval_on(base, {Kernel::syrk, n, n, c.k}) + barrier_seconds(q);
      break;
    }
    case Kernel::trsm:
      split = eval_on(base, {Kernel::trsm, c.m / g, c.n, 0.0}) + barrier_seconds(q);
      break;
    case Kernel::potrf:
    case Kernel::getrf: {
      const double n = c.m;
      if (n <= 2.0 * kPanel) break;
      double t = 0.0;
      for (double j = 0.0; j < n; j += kPanel) {
        const double b = std::min(kPanel, n - j);
        const double r = n - j - b;
        t += eval_on(base, {c.kernel, b, b, 0.0});
        if (r <= 0.0) continue;
        if (c.kernel == Kernel::potrf) {
          t += seconds({Kernel::trsm, r, b, 0.0}, q);
          t += seconds({Kernel::syrk, r, r, b}, q);
        } else {
          t += 2.0 * seconds({Kernel::trsm, r, b, 0.0}, q);
          t += seconds({Kernel::gemm, r, r, b}, q);
        }
      }
      split = t;
      break;
    }
    default:
      break;
  }
  return std::max(floor, std::min(whole, split));
}

double MachineModel::seconds(const KernelCall& c, int q) const {
  if (threads.empty()) throw_internal("machine model without a thread model");
  q = std::max(q, 1);
  const int top = is_scalar(c.kernel) ? 1 : max_calibrated_threads();
  if (q <= top || exact(*this, q)) return raw_seconds(c, q);
  // Beyond the calibrated counts, q threads may leave some idle: the best of Q, 2Q, 4Q, ... <= q
  // and q itself (Q the largest calibrated count), so more threads are never slower.
  const ThreadModel& base =
      is_scalar(c.kernel) ? threads.front() : largest_at_most(*this, q, c.kernel);
  double best = raw_seconds(c, base.threads);
  for (int w = 2 * base.threads; w < q; w *= 2) best = std::min(best, raw_seconds(c, w));
  return std::min(best, raw_seconds(c, q));
}

std::vector<std::string> machine_model_warnings(const MachineModel& m) {
  std::vector<std::string> out;
  if (m.threads.empty() || m.threads.front().threads != 1) return out;
  auto best = [](const KernelTable& t) {
    return t.rate.empty() ? 0.0 : *std::max_element(t.rate.begin(), t.rate.end());
  };
  for (std::size_t ti = 1; ti < m.threads.size(); ++ti) {
    const ThreadModel& t = m.threads[ti];
    std::string slow;
    for (Kernel k : {Kernel::potrf, Kernel::trsm, Kernel::syrk, Kernel::gemm}) {
      const double one = best(m.threads.front().kernels[static_cast<std::size_t>(k)]);
      const double many = best(t.kernels[static_cast<std::size_t>(k)]);
      if (one <= 0.0 || many <= 0.0 || many >= 0.8 * one) continue;
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s%s %.1f against %.1f Gflop/s", slow.empty() ? "" : ", ",
                    kernel_name(k), many / 1e9, one / 1e9);
      slow += buf;
    }
    if (!slow.empty())
      out.push_back("the calibration on " + std::to_string(t.threads) +
                    " threads is slower than on one (" + slow +
                    "): the machine was probably busy while it was calibrated, and predictions "
                    "for several workers come out too pessimistic; calibrate again on an idle "
                    "machine");
  }
  return out;
}

}  // namespace spax
