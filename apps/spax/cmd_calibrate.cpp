// spax calibrate: measures this machine for the time predictions of `spax analyze` and caches
// the model.
#include <iostream>
#include <memory>

#include "command.hpp"
#include "spax/machine_model.hpp"
#include "spax/report/schedule_report.hpp"

namespace spax::app {
namespace {

struct CalibrateCliOptions {
  std::string path;
  std::string threads;
  bool json = false;
  bool show = false;
};

const Registration reg("calibrate", [](CLI::App& app) {
  auto opts = std::make_shared<CalibrateCliOptions>();
  auto* sub = app.add_subcommand(
      "calibrate",
      "Measure this machine for the predictions of `spax analyze` (a few seconds): dense\n"
      "kernels (potrf, trsm, syrk, gemm, getrf) on a grid of shapes through the BLAS, for\n"
      "1, 2, 4, ... threads up to the hardware threads, the scalar assembly loops, and\n"
      "CHOLMOD's own overhead on three generated matrices. The model is written to the cache\n"
      "($XDG_CACHE_HOME/spax or ~/.cache/spax, machine-model-HOST.json), where analyze finds it.\n"
      "--show prints the cached model without measuring.");
  sub->add_option("--machine-model", opts->path,
                  "Model file to write (or show) instead of the cache file");
  sub->add_option("--calibrate-threads", opts->threads,
                  "Comma-separated thread counts to calibrate (default: 1, 2, 4, ... up to the "
                  "hardware threads)");
  sub->add_flag("--json", opts->json, "Print the model as JSON instead of the summary");
  sub->add_flag("--show", opts->show, "Print the cached model (refused files say why)");
  sub->callback([opts] {
    const std::string path = opts->path.empty() ? machine_model_cache_path() : opts->path;
    MachineModel m;
    if (opts->show) {
      LoadedMachineModel loaded = load_machine_model(path);
      if (!loaded.warning.empty()) warn(loaded.warning);
      if (loaded.status == "absent") warn("no machine model at " + path + ": the default model");
      m = loaded.model;
    } else {
      CalibrationOptions co;
      for (const std::string& item : split_comma_list(opts->threads)) {
        int t = 0;
        try {
          std::size_t used = 0;
          t = std::stoi(item, &used);
          if (used != item.size()) t = 0;
        } catch (const std::exception&) {
          t = 0;
        }
        if (t < 1 || t > 4096)
          throw_usage("--calibrate-threads: '" + item + "' is not a thread count (1 to 4096)");
        co.threads.push_back(t);
      }
      m = calibrate_machine(co);
      save_machine_model(m, path);
    }
    for (const auto& w : machine_model_warnings(m)) warn(w);
    if (opts->json) {
      std::cout << machine_model_json(m, 2) << '\n';
    } else {
      std::cout << machine_model_summary(m, opts->show ? std::string() : path);
    }
  });
});

}  // namespace
}  // namespace spax::app
