#include "spax/report/batch_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace spax {
namespace {

std::string ms(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f ms", s * 1e3);
  return b;
}
std::string sci(double v) {
  if (!std::isfinite(v)) return "n/a";
  char b[32];
  std::snprintf(b, sizeof b, "%.1e", v);
  return b;
}

}  // namespace

std::string batch_bench_text(const BatchBenchReport& r) {
  std::ostringstream out;
  std::vector<std::string> matrices;
  for (const auto& c : r.cases)
    if (std::find(matrices.begin(), matrices.end(), c.matrix) == matrices.end())
      matrices.push_back(c.matrix);
  for (const auto& m : matrices) {
    double best = INFINITY;
    for (const auto& c : r.cases)
      if (c.matrix == m && c.status == "ok")
        best = std::min(best, sample_stats(c.batch_seconds).mean);
    out << m << ": batch of " << r.count << " perturbed copies (refactor + solve of all, copies "
        << "included; " << r.runs << " runs after " << r.warmup << " warm-up)\n";
    for (const auto& c : r.cases) {
      if (c.matrix != m) continue;
      out << "  " << c.solver << "  ";
      if (c.status != "ok") {
        out << c.status << ": " << c.reason << "\n";
        continue;
      }
      const SampleStats s = sample_stats(c.batch_seconds);
      char ratio[32];
      if (s.mean == best)
        std::snprintf(ratio, sizeof ratio, " *");
      else
        std::snprintf(ratio, sizeof ratio, " x%.2f", best > 0 ? s.mean / best : 0.0);
      char rate[64];
      std::snprintf(rate, sizeof rate, "%.1f matrices/s", s.mean > 0 ? r.count / s.mean : 0.0);
      out << ms(s.mean) << " +- " << ms(s.sigma) << ratio << "  (" << ms(s.mean / r.count)
          << " per matrix, " << rate << ")  worst backward error " << sci(c.worst_backward_error)
          << ", fallbacks " << c.fallbacks << "\n";
      out << "      " << c.method;
      if (!c.device.empty()) {
        const auto& t = c.device_timings;
        out << " on " << c.device << "; last run: upload " << ms(t.upload_seconds) << ", kernels "
            << ms(t.compute_seconds) << ", download " << ms(t.download_seconds) << ", host "
            << ms(t.host_seconds);
      }
      out << "; checks " << ms(c.check_seconds) << ", first factor " << ms(c.factor_seconds);
      if (c.batch_setup_seconds > 0) out << ", batch set-up " << ms(c.batch_setup_seconds);
      out << "\n";
    }
  }
  return out.str();
}

nlohmann::json batch_bench_json(const BatchBenchReport& r) {
  nlohmann::json j;
  j["batch"] = r.count;
  j["warmup"] = r.warmup;
  j["runs"] = r.runs;
  j["seed"] = r.seed;
  j["spax_version"] = r.machine.spax_version;
  j["machine"] = {{"cpu_model", r.machine.cpu_model}, {"cores", r.machine.cores}};
  j["cases"] = nlohmann::json::array();
  for (const auto& c : r.cases) {
    nlohmann::json e = {{"matrix", c.matrix}, {"solver", c.solver}, {"status", c.status},
                        {"n", c.n},           {"nnz", c.nnz},       {"batch", c.count}};
    if (c.status != "ok") {
      e["reason"] = c.reason;
    } else {
      const SampleStats s = sample_stats(c.batch_seconds);
      e["method"] = c.method;
      e["device"] = c.device.empty() ? nlohmann::json() : nlohmann::json(c.device);
      e["batch_seconds"] = c.batch_seconds;
      e["batch_mean"] = s.mean;
      e["batch_sigma"] = s.sigma;
      e["per_matrix_mean"] = s.mean / c.count;
      e["matrices_per_second"] = s.mean > 0 ? c.count / s.mean : 0.0;
      e["device_timings"] = {{"upload", c.device_timings.upload_seconds},
                             {"compute", c.device_timings.compute_seconds},
                             {"download", c.device_timings.download_seconds},
                             {"host", c.device_timings.host_seconds}};
      e["check_seconds"] = c.check_seconds;
      e["analyze_seconds"] = c.analyze_seconds;
      e["factor_seconds"] = c.factor_seconds;
      e["batch_setup_seconds"] = c.batch_setup_seconds;
      e["worst_backward_error"] = std::isfinite(c.worst_backward_error)
                                      ? nlohmann::json(c.worst_backward_error)
                                      : nlohmann::json();
      e["fallbacks"] = c.fallbacks;
    }
    e["values_synthesized"] = c.values_synthesized;
    j["cases"].push_back(e);
  }
  return j;
}

std::string batch_bench_csv(const BatchBenchReport& r) {
  std::ostringstream out;
  out.precision(9);
  out << "matrix,solver,status,batch,method,device,batch_mean,batch_sigma,per_matrix_mean,"
         "upload,compute,download,host,check,worst_backward_error,fallbacks\n";
  for (const auto& c : r.cases) {
    const SampleStats s = sample_stats(c.batch_seconds);
    out << c.matrix << ',' << c.solver << ',' << c.status << ',' << c.count << ",\"" << c.method
        << "\",\"" << c.device << "\"," << s.mean << ',' << s.sigma << ','
        << (c.count ? s.mean / c.count : 0.0) << ',' << c.device_timings.upload_seconds << ','
        << c.device_timings.compute_seconds << ',' << c.device_timings.download_seconds << ','
        << c.device_timings.host_seconds << ',' << c.check_seconds << ',' << c.worst_backward_error
        << ',' << c.fallbacks << '\n';
  }
  return out.str();
}

}  // namespace spax
