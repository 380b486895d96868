// `spax bench` results as CSV and JSON, the warnings for noisy phases, and whether every case
// failed.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/bench_cases.hpp"
#include "spax/report/bench_report.hpp"

namespace spax {

using detail::bench::speedup;

std::string bench_csv(const BenchReport& r) {
  std::ostringstream out;
  out.precision(17);
  out << "matrix,solver,ordering,status,phase,runs,mean_s,sigma_s,min_s,max_s,median_s,"
         "ratio_to_fastest,nnz_L,nnz_U,flops,peak_memory_bytes,backward_error,reason,processes,"
         "speedup\n";
  auto q = [](const std::string& s) {
    std::string e = "\"";
    for (char c : s) e += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return e + "\"";
  };
  auto num = [](double v) {
    if (std::isnan(v)) return std::string();
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
  };
  for (const auto& c : r.cases) {
    auto tail = [&] {
      return "," + (c.nnz_L >= 0 ? std::to_string(c.nnz_L) : std::string()) + "," +
             (c.nnz_U >= 0 ? std::to_string(c.nnz_U) : std::string()) + "," + num(c.flops) + "," +
             num(c.peak_memory_bytes) + "," + num(c.backward_error) + "," + q(c.reason) + "," +
             std::to_string(c.processes);
    };
    if (c.status != "ok" || c.phases.empty()) {
      out << q(c.matrix) << ',' << q(c.solver) << ',' << q(c.ordering) << ',' << c.status
          << ",,0,,,,,,," << tail().substr(1) << ",\n";
      continue;
    }
    for (const auto& p : c.phases) {
      SampleStats s = sample_stats(p.seconds);
      double best = fastest_median(r, c.matrix, p.phase);
      out << q(c.matrix) << ',' << q(c.solver) << ',' << q(c.ordering) << ',' << c.status << ','
          << p.phase << ',' << s.n << ',' << num(s.mean) << ',' << num(s.sigma) << ',' << num(s.min)
          << ',' << num(s.max) << ',' << num(s.median) << ','
          << num(best > 0 ? s.median / best : std::nan("")) << tail() << ','
          << (c.mpi_job ? num(speedup(r, c, p.phase)) : std::string()) << '\n';
    }
  }
  return out.str();
}

nlohmann::json bench_json(const BenchReport& r) {
  nlohmann::json j;
  j["spax_version"] = r.machine.spax_version;
  j["machine"] = {{"cpu_model", r.machine.cpu_model}, {"cores", r.machine.cores}};
  j["libraries"] = {{"suitesparse", r.machine.suitesparse_version},
                    {"metis", r.machine.metis_version},
                    {"superlu", r.machine.superlu_version},
                    {"eigen", r.machine.eigen_version}};
  j["options"] = {{"warmup", r.options.warmup},     {"runs", r.options.runs},
                  {"sequence", r.options.sequence}, {"timeout", r.options.timeout},
                  {"threads", r.options.threads},   {"max_memory_mb", r.options.max_memory_mb},
                  {"seed", r.options.seed},         {"ranks", r.options.ranks},
                  {"mpirun", r.options.mpirun}};
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  j["cases"] = nlohmann::json::array();
  for (const auto& c : r.cases) {
    nlohmann::json cj = {
        {"matrix", c.matrix},
        {"solver", c.solver},
        {"ordering", c.ordering},
        {"status", c.status},
        {"reason", c.reason},
        {"n", c.n},
        {"rows", c.nrows},
        {"cols", c.n},
        {"nnz", c.nnz},
        {"values_synthesized", c.values_synthesized},
        {"nnz_L", c.nnz_L >= 0 ? nlohmann::json(c.nnz_L) : nlohmann::json(nullptr)},
        {"nnz_U", c.nnz_U >= 0 ? nlohmann::json(c.nnz_U) : nlohmann::json(nullptr)},
        {"flops", num(c.flops)},
        {"peak_memory_bytes", num(c.peak_memory_bytes)},
        {"backward_error", num(c.backward_error)},
        {"wall_seconds", c.wall_seconds},
        {"processes", c.processes},
        {"mpi_job", c.mpi_job}};
    if (c.mpi_job) {
      cj["oversubscribed"] = c.oversubscribed;
      cj["peak_memory_per_process"] = c.peak_memory_per_process;
      cj["predicted_speedup"] = num(c.predicted_speedup);
    }
    if (c.iterations >= 0) {
      cj["iterations"] = c.iterations;
      cj["relative_residual"] = num(c.relative_residual);
    }
    if (r.options.sequence > 0 && c.status == "ok") {
      cj["sequence_worst_backward_error"] = num(c.sequence_worst_backward_error);
      cj["sequence_fallbacks"] = c.sequence_fallbacks;
    }
    if (!c.device.empty())
      cj["device"] = {{"name", c.device},
                      {"upload", c.device_upload},
                      {"compute", c.device_compute},
                      {"download", c.device_download},
                      {"host", c.device_host}};
    cj["phases"] = nlohmann::json::object();
    for (const auto& p : c.phases) {
      SampleStats s = sample_stats(p.seconds);
      double best = fastest_median(r, c.matrix, p.phase);
      cj["phases"][p.phase] = {
          {"samples", p.seconds},
          {"mean", s.mean},
          {"sigma", s.sigma},
          {"min", s.min},
          {"max", s.max},
          {"median", s.median},
          {"outliers", s.outliers},
          {"ratio_to_fastest", num(best > 0 ? s.median / best : std::nan(""))}};
      if (c.mpi_job) {
        const double sp = speedup(r, c, p.phase);
        cj["phases"][p.phase]["speedup"] = num(sp);
        cj["phases"][p.phase]["efficiency"] = num(sp / c.processes);
      }
    }
    j["cases"].push_back(cj);
  }
  j["warnings"] = bench_noise_warnings(r);
  return j;
}

std::vector<std::string> bench_noise_warnings(const BenchReport& r) {
  std::vector<std::string> w;
  for (const auto& c : r.cases)
    for (const auto& p : c.phases) {
      SampleStats s = sample_stats(p.seconds);
      if (s.n > 1 && s.mean > 0 && s.sigma / s.mean > 0.10) {
        char b[256];
        std::snprintf(b, sizeof b, "%s %s/%s %s: sigma/mean = %.0f%% (noisy; more --runs?)",
                      c.matrix.c_str(), c.solver.c_str(), c.ordering.c_str(), p.phase.c_str(),
                      100.0 * s.sigma / s.mean);
        w.push_back(b);
      }
    }
  return w;
}

std::string bench_noise_summary(const BenchReport& r) {
  std::size_t phases = 0, noisy = 0, with_outliers = 0;
  double worst = 0.0;
  std::string worst_name;
  for (const auto& c : r.cases)
    for (const auto& p : c.phases) {
      const SampleStats s = sample_stats(p.seconds);
      ++phases;
      with_outliers += s.outliers > 0;
      if (s.n > 1 && s.mean > 0 && s.sigma / s.mean > 0.10) {
        ++noisy;
        if (s.sigma / s.mean > worst) {
          worst = s.sigma / s.mean;
          worst_name = c.solver + "/" + c.ordering + " " + p.phase;
        }
      }
    }
  if (noisy == 0) return {};
  char b[512];
  std::snprintf(b, sizeof b,
                "%zu of %zu timed phases are noisy (sigma above 10%% of the mean; worst %s, "
                "%.0f%%), %zu with outliers: the medians are robust, the means are not; rerun "
                "with more --runs on a quieter machine (the JSON export lists each under "
                "warnings)",
                noisy, phases, worst_name.c_str(), 100.0 * worst, with_outliers);
  return b;
}

bool bench_all_failed(const BenchReport& r) {
  if (r.cases.empty()) return false;
  for (const auto& c : r.cases)
    if (c.status == "ok") return false;
  return true;
}

}  // namespace spax
