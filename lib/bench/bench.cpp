#include "spax/bench.hpp"

#include <metis.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SuiteSparse_config.h>
#include <Eigen/Core>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench_detail.hpp"
#include "core/child.hpp"
#include "solve/memory_cap.hpp"
#include "spax/backend.hpp"
#include "spax/batch.hpp"
#include "spax/report/json_text.hpp"
#include "spax/solve.hpp"
#include "spax/timer.hpp"

// Last: SuperLU's utility header defines short macros; only its version numbers are needed.

#include <slu_ddefs.h>

namespace spax {

const std::vector<std::string>& bench_phases() {
  static const std::vector<std::string> p = {"analyze", "factor", "refactor", "solve", "iteration"};
  return p;
}

SampleStats sample_stats(const std::vector<double>& s) {
  SampleStats r;
  r.n = s.size();
  if (s.empty()) return r;
  double sum = 0;
  for (double v : s) sum += v;
  r.mean = sum / static_cast<double>(s.size());
  double ss = 0;
  for (double v : s) ss += (v - r.mean) * (v - r.mean);
  r.sigma = s.size() > 1 ? std::sqrt(ss / static_cast<double>(s.size() - 1)) : 0.0;
  std::vector<double> t = s;
  std::sort(t.begin(), t.end());
  r.min = t.front();
  r.max = t.back();
  auto median_of = [](const std::vector<double>& v) {
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  };
  r.median = median_of(t);
  if (t.size() >= 3) {
    std::vector<double> dev(t.size());
    double mean_dev = 0.0;
    for (std::size_t k = 0; k < t.size(); ++k) {
      dev[k] = std::fabs(t[k] - r.median);
      mean_dev += dev[k];
    }
    mean_dev /= static_cast<double>(t.size());
    std::sort(dev.begin(), dev.end());
    // A robust sigma: 1.4826 MAD, or 1.2533 times the mean absolute deviation when more than
    // half of the samples equal the median.
    const double mad = median_of(dev);
    const double sigma = mad > 0 ? 1.4826 * mad : 1.253314 * mean_dev;
    if (sigma > 0)
      for (double v : t)
        if (std::fabs(v - r.median) > 10.0 * sigma) ++r.outliers;
  }
  return r;
}

namespace {

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double unit(std::uint64_t h) {  // [-1, 1)
  return static_cast<double>(h >> 11) * 0x1.0p-52 - 1.0;
}

}  // namespace

SparseMatrix perturbed_values(const SparseMatrix& a, std::uint64_t seed, index_t k) {
  SparseMatrix b = a;
  const std::uint64_t base = mix64(seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(k));
  // The factor of an entry depends on the unordered pair {i, j}: a symmetric matrix stays
  // symmetric (cholmod's sequence needs that), any other keeps its shape.
  for (index_t j = 0; j < b.ncols; ++j)
    for (index_t p = b.colptr[j]; p < b.colptr[j + 1]; ++p) {
      const index_t i = b.rowind[p];
      const auto lo = static_cast<std::uint64_t>(std::min(i, j)),
                 hi = static_cast<std::uint64_t>(std::max(i, j));
      const double f = 1.0 + 0.05 * unit(mix64(base ^ mix64(lo * 0x9E3779B97F4A7C15ull + hi + 1)));
      if (!b.values.empty()) b.values[static_cast<std::size_t>(p)] *= f;
      if (!b.zvalues.empty()) b.zvalues[static_cast<std::size_t>(p)] *= f;
    }
  return b;
}

namespace {

long rss_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, len, field) == 0) return std::atol(line.c_str() + len + 1);
  return -1;
}

template <class T>
std::vector<T> rhs_ones(const SparseMatrix& a) {
  std::vector<T> x(static_cast<std::size_t>(a.ncols), T(1.0)), b(static_cast<std::size_t>(a.nrows));
  multiply(a, std::span<const T>(x), std::span<T>(b));
  return b;
}

template <class T>
nlohmann::json run_case_in_process(const SparseMatrix& a, const std::string& solver,
                                   const std::string& ordering, const BenchOptions& o,
                                   const solve_detail::FactorMemoryCap& cap) {
  nlohmann::json out;
  SolverOptions so;
  so.ordering = ordering;
  so.threads = o.threads;
  if (is_iterative_solver(solver)) {
    so.options = parse_option_list(o.precond_options);
    so.set("tol", o.tol).set("max_iter", o.max_iter);
  }
  auto make = [&] { return create_solver(solver, so); };
  const int total = o.warmup + o.runs;
  // Peak memory of the factorization: reset the high-water mark, measure after factoring.
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
  }
  const long rss0 = rss_kb("VmRSS:");
  std::vector<double> analyze, factor, refactor, solve, iteration;
  for (int r = 0; r < total; ++r) {
    auto s = make();
    Timer t;
    s->analyze(a);
    if (r >= o.warmup) analyze.push_back(t.seconds());
  }
  auto s = make();
  s->analyze(a);
  cap.check_estimate(*s);
  for (int r = 0; r < total; ++r) {
    Timer t;
    s->factor(a);
    if (r >= o.warmup) factor.push_back(t.seconds());
  }
  const long hwm = rss_kb("VmHWM:");
  for (int r = 0; r < total; ++r) {
    Timer t;
    s->refactor(a);
    if (r >= o.warmup) refactor.push_back(t.seconds());
  }
  const std::vector<T> b = rhs_ones<T>(a);
  std::vector<T> x;
  for (int r = 0; r < total; ++r) {
    x = b;
    Timer t;
    s->solve(std::span<T>(x), 1, false);
    if (r >= o.warmup) solve.push_back(t.seconds());
  }
  const SolverStats st = s->stats();
  out["backward_error"] = backward_error(a, std::span<const T>(x), std::span<const T>(b));
  if (o.sequence > 0) {
    // A Newton-like sequence: one pattern, values perturbed per iteration.
    std::vector<SparseMatrix> seq;
    for (int k = 0; k < o.sequence; ++k) seq.push_back(perturbed_values(a, o.seed, k + 1));
    auto q = make();
    q->analyze(a);
    q->factor(a);
    auto* device = dynamic_cast<DeviceSolver*>(q.get());
    if (device) device->reset_device_timings();
    double worst = 0.0;
    index_t fallbacks = 0;
    for (int k = 0; k < o.sequence; ++k) {
      const std::vector<T> bk = rhs_ones<T>(seq[static_cast<std::size_t>(k)]);
      std::vector<T> xk = bk;
      Timer t;
      q->refactor(seq[static_cast<std::size_t>(k)]);
      if (q->refactor_suspect()) {
        q->factor(seq[static_cast<std::size_t>(k)]);
        ++fallbacks;
      }
      q->solve(std::span<T>(xk), 1, false);
      iteration.push_back(t.seconds());
      const double be = backward_error(seq[static_cast<std::size_t>(k)], std::span<const T>(xk),
                                       std::span<const T>(bk));
      out["backward_error"] = be;
      if (!(be <= worst)) worst = be;
    }
    out["sequence_worst_backward_error"] =
        std::isfinite(worst) ? nlohmann::json(worst) : nlohmann::json(nullptr);
    out["sequence_fallbacks"] = fallbacks;
    if (device) {
      const DeviceTimings d = device->device_timings();
      out["device"] = device->device_name();
      out["device_timings"] = {{"upload", d.upload_seconds},
                               {"compute", d.compute_seconds},
                               {"download", d.download_seconds},
                               {"host", d.host_seconds}};
    }
  }
  out["phases"] = {
      {"analyze", analyze}, {"factor", factor}, {"refactor", refactor}, {"solve", solve}};
  out["processes"] = st.processes;
  if (o.sequence > 0) out["phases"]["iteration"] = iteration;
  out["nnz_L"] = st.nnz_L;
  out["nnz_U"] = st.nnz_U;
  out["flops"] = std::isnan(st.flops) ? nlohmann::json(nullptr) : nlohmann::json(st.flops);
  out["ordering_used"] = st.ordering;
  if (st.iterative) {
    out["iterations"] = st.iterations;
    out["relative_residual"] = st.relative_residual;
  }
  if (rss0 >= 0 && hwm >= 0) out["peak_memory_bytes"] = static_cast<double>(hwm - rss0) * 1024.0;
  return out;
}

}  // namespace

namespace bench_detail {

// One case here, as the JSON text of its result (status, phases, statistics).
std::string case_payload(const SparseMatrix& input, const std::string& solver,
                         const std::string& ordering, const BenchOptions& o) {
  nlohmann::json r;
  // The same cap as spax solve --max-memory: the backend's estimate after analyze and,
  // for KLU, UMFPACK and CHOLMOD, a limit on their allocations. SuperLU and Eigen allocate
  // outside that accounting: with a cap, their cases fail with the reason, as solve does.
  solve_detail::FactorMemoryCap cap(o.max_memory_mb);
  try {
    solve_detail::require_memory_cap_support(solver, o.max_memory_mb);
    const SparseMatrix a = input.has_values() ? input : synthesize_values(input);
    if (auto bad = first_nonfinite_entry(a); !bad.empty())
      throw_input("the matrix has a non-finite value (" + bad + "): refused before factorization");
    r = a.is_complex() ? run_case_in_process<complex_t>(a, solver, ordering, o, cap)
                       : run_case_in_process<double>(a, solver, ordering, o, cap);
    r["status"] = "ok";
  } catch (const Error& e) {
    if (cap.refused())
      r = {{"status", "out-of-memory"}, {"reason", cap.refusal_message(solver)}};
    else if (cap.estimate_exceeded())
      r = {{"status", "out-of-memory"}, {"reason", e.message()}};
    else
      r = {{"status", "failed"}, {"reason", e.what()}};
  } catch (const std::bad_alloc&) {
    r = {{"status", "out-of-memory"}, {"reason", "out of memory"}};
  } catch (const std::exception& e) {
    r = {{"status", "failed"}, {"reason", std::string("internal error: ") + e.what()}};
  }
  return json_text(r);
}

// Fills a case from its JSON result.
void read_payload(BenchCase& c, const std::string& payload, bool synthesized) {
  nlohmann::json r;
  try {
    r = nlohmann::json::parse(payload);
  } catch (...) {
    c.status = "failed";
    c.reason = "the case ended without a result";
    return;
  }
  c.status = r.value("status", "failed");
  c.reason = r.value("reason", "");
  c.values_synthesized = synthesized;
  if (r.contains("peak_memory_per_process") && r["peak_memory_per_process"].is_array())
    c.peak_memory_per_process = r["peak_memory_per_process"].get<std::vector<double>>();
  if (c.status != "ok") return;
  for (const auto& ph : bench_phases())
    if (r["phases"].contains(ph))
      c.phases.push_back({ph, r["phases"][ph].get<std::vector<double>>()});
  c.nnz_L = r.value("nnz_L", index_t{-1});
  c.nnz_U = r.value("nnz_U", index_t{-1});
  if (r.contains("flops") && r["flops"].is_number()) c.flops = r["flops"].get<double>();
  if (r.contains("peak_memory_bytes")) c.peak_memory_bytes = r["peak_memory_bytes"].get<double>();
  if (r.contains("backward_error") && r["backward_error"].is_number())
    c.backward_error = r["backward_error"].get<double>();
  if (r.contains("iterations")) c.iterations = r["iterations"].get<index_t>();
  if (r.contains("relative_residual") && r["relative_residual"].is_number())
    c.relative_residual = r["relative_residual"].get<double>();
  if (r.contains("processes") && r["processes"].is_number_integer())
    c.processes = r["processes"].get<int>();
  if (r.contains("sequence_worst_backward_error") && r["sequence_worst_backward_error"].is_number())
    c.sequence_worst_backward_error = r["sequence_worst_backward_error"].get<double>();
  c.sequence_fallbacks = r.value("sequence_fallbacks", index_t{0});
  if (r.contains("device")) {
    c.device = r["device"].get<std::string>();
    const auto& d = r["device_timings"];
    c.device_upload = d.value("upload", 0.0);
    c.device_compute = d.value("compute", 0.0);
    c.device_download = d.value("download", 0.0);
    c.device_host = d.value("host", 0.0);
  }
  if (r.contains("ordering_used") && r["ordering_used"].is_string() &&
      !r["ordering_used"].get<std::string>().empty() && c.ordering == "default")
    c.ordering = "default (" + r["ordering_used"].get<std::string>() + ")";
}

}  // namespace bench_detail

std::string bench_case_here(const SparseMatrix& a, const std::string& solver,
                            const std::string& ordering, const BenchOptions& options) {
  std::string payload = bench_detail::case_payload(a, solver, ordering, options);
  // Every rank's peak memory (collective inside an MPI job).
  try {
    nlohmann::json r = nlohmann::json::parse(payload);
    r["peak_memory_per_process"] = peak_memory_per_process();
    payload = json_text(r);
  } catch (...) {
  }
  return payload;
}

BenchCase run_bench_case(const SparseMatrix& input, const std::string& matrix_name,
                         const std::string& solver, const std::string& ordering,
                         const BenchOptions& o) {
  BenchCase c;
  c.matrix = matrix_name;
  c.solver = solver;
  c.ordering = ordering;
  c.n = input.ncols;
  c.nrows = input.nrows;
  c.nnz = input.nnz();
  Timer wall;
  if (!input.is_square()) {
    c.status = "failed";
    c.reason = "not square";
    return c;
  }
  auto run_case = [&]() -> std::string {
    return bench_detail::case_payload(input, solver, ordering, o);
  };
  // A backend that must not run in a forked child (MPI, GPU state) runs here, without the
  // timeout, and so does every case inside a multi-process job (nothing forks there); every
  // other case runs in a child process.
  const BackendInfo* backend = find_backend(solver);
  detail::ChildOutcome child;
  if ((backend && backend->caps.in_process_only) || !detail::forking_allowed())
    child.payload = run_case();
  else
    child = detail::run_in_child(run_case, o.timeout);
  c.wall_seconds = wall.seconds();
  if (child.timed_out) {
    c.status = "timeout";
    char t[64];
    std::snprintf(t, sizeof t, "stopped after %g s (the case timeout)", o.timeout);
    c.reason = t;
    return c;
  }
  if (child.crashed) {
    c.status = "failed";
    c.reason = std::string("crashed (signal ") + std::to_string(child.signal) + ")";
    return c;
  }
  bench_detail::read_payload(c, child.payload, !input.has_values());
  return c;
}

MachineInfo machine_info() {
  MachineInfo m;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto p = line.find(':');
      if (p != std::string::npos) m.cpu_model = line.substr(p + 2);
      break;
    }
  }
  m.cores = static_cast<int>(std::thread::hardware_concurrency());
  m.spax_version = version();
  m.suitesparse_version = std::to_string(SUITESPARSE_MAIN_VERSION) + "." +
                          std::to_string(SUITESPARSE_SUB_VERSION) + "." +
                          std::to_string(SUITESPARSE_SUBSUB_VERSION);
  m.metis_version = std::to_string(METIS_VER_MAJOR) + "." + std::to_string(METIS_VER_MINOR) + "." +
                    std::to_string(METIS_VER_SUBMINOR);
  m.superlu_version = std::to_string(SUPERLU_MAJOR_VERSION) + "." +
                      std::to_string(SUPERLU_MINOR_VERSION) + "." +
                      std::to_string(SUPERLU_PATCH_VERSION);
  m.eigen_version = std::to_string(EIGEN_WORLD_VERSION) + "." +
                    std::to_string(EIGEN_MAJOR_VERSION) + "." + std::to_string(EIGEN_MINOR_VERSION);
  return m;
}

}  // namespace spax
