// spax bench --batch K: one batch of K perturbed copies per solver, timed like the other phases.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/child.hpp"
#include "spax/backend.hpp"
#include "spax/batch.hpp"
#include "spax/bench.hpp"
#include "spax/report/json_text.hpp"

namespace spax {

std::pair<std::string, std::map<std::string, std::string>> split_solver_spec(
    const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return {spec, {}};
  std::string list = spec.substr(colon + 1);
  std::replace(list.begin(), list.end(), ':', ',');
  return {spec.substr(0, colon), parse_option_list(list)};
}

BatchBenchCase run_batch_bench_case(const SparseMatrix& input, const std::string& matrix_name,
                                    const std::string& solver, int count, int warmup, int runs,
                                    double timeout, std::uint64_t seed, int threads) {
  BatchBenchCase c;
  c.matrix = matrix_name;
  c.solver = solver;
  c.n = input.nrows;
  c.nnz = input.nnz();
  c.count = count;
  c.values_synthesized = !input.has_values();
  auto work = [&]() -> std::string {
    nlohmann::json r;
    try {
      if (!input.is_square()) throw_input("not square");
      const SparseMatrix a = input.has_values() ? input : synthesize_values(input);
      std::vector<SparseMatrix> copies;
      for (int k = 0; k < count; ++k) copies.push_back(perturbed_values(a, seed, k + 1));
      BatchOptions o;
      auto [name, options] = split_solver_spec(solver);
      o.solver = name;
      o.host_loop = options.erase("host_loop") > 0;
      if (auto it = options.find("ordering"); it != options.end()) {
        o.solver_options.ordering = it->second;
        options.erase(it);
      }
      o.solver_options.options = options;
      o.threads = threads;
      o.solver_options.threads = threads;
      std::vector<double> samples;
      BatchResult last;
      for (int run = 0; run < warmup + runs; ++run) {
        last = run_batch(copies, {}, o);
        if (run >= warmup) samples.push_back(last.batch_seconds);
      }
      double worst = 0.0;
      for (double e : last.backward_error)
        if (!(e <= worst)) worst = e;
      const auto& t = last.device_timings;
      r = {{"status", "ok"},
           {"method", last.method},
           {"device", last.device},
           {"batch_seconds", samples},
           {"analyze_seconds", last.analyze_seconds},
           {"factor_seconds", last.factor_seconds},
           {"batch_setup_seconds", last.batch_setup_seconds},
           {"check_seconds", last.check_seconds},
           {"upload", t.upload_seconds},
           {"compute", t.compute_seconds},
           {"download", t.download_seconds},
           {"host", t.host_seconds},
           {"fallbacks", last.refactor_fallbacks.size()},
           {"worst_backward_error",
            std::isfinite(worst) ? nlohmann::json(worst) : nlohmann::json()}};
    } catch (const Error& e) {
      r = {{"status", "failed"}, {"reason", e.what()}};
    } catch (const std::exception& e) {
      r = {{"status", "failed"}, {"reason", std::string("internal error: ") + e.what()}};
    }
    return json_text(r);
  };
  const BackendInfo* b = find_backend(split_solver_spec(solver).first);
  detail::ChildOutcome child;
  if (b && b->caps.in_process_only)
    child.payload = work();
  else
    child = detail::run_in_child(work, timeout);
  if (child.timed_out) {
    c.status = "timeout";
    c.reason = "stopped after " + std::to_string(timeout) + " s (--timeout)";
    return c;
  }
  if (child.crashed) {
    c.status = "failed";
    c.reason = "crashed (signal " + std::to_string(child.signal) + ")";
    return c;
  }
  nlohmann::json r;
  try {
    r = nlohmann::json::parse(child.payload);
  } catch (...) {
    c.status = "failed";
    c.reason = "the case ended without a result";
    return c;
  }
  c.status = r.value("status", "failed");
  c.reason = r.value("reason", "");
  if (c.status != "ok") return c;
  c.method = r.value("method", "");
  c.device = r.value("device", "");
  c.batch_seconds = r["batch_seconds"].get<std::vector<double>>();
  c.analyze_seconds = r.value("analyze_seconds", 0.0);
  c.factor_seconds = r.value("factor_seconds", 0.0);
  c.batch_setup_seconds = r.value("batch_setup_seconds", 0.0);
  c.check_seconds = r.value("check_seconds", 0.0);
  c.device_timings.upload_seconds = r.value("upload", 0.0);
  c.device_timings.compute_seconds = r.value("compute", 0.0);
  c.device_timings.download_seconds = r.value("download", 0.0);
  c.device_timings.host_seconds = r.value("host", 0.0);
  c.fallbacks = r.value("fallbacks", index_t{0});
  if (r["worst_backward_error"].is_number())
    c.worst_backward_error = r["worst_backward_error"].get<double>();
  return c;
}

}  // namespace spax
