// spax scatter STAMPS: scatter conflicts of the parallel assembly described by a stamp map.
#include <iostream>
#include <memory>
#include <string>

#include "command.hpp"
#include "spax/io.hpp"
#include "spax/scatter.hpp"
#include "spax/timer.hpp"

namespace spax::app {
namespace {

struct ScatterCliOptions {
  std::string stamps;
  std::string matrix;
  std::string output_dir;
  bool json = false;
  int threads = 0;
};

const Registration reg("scatter", [](CLI::App& app) {
  auto opts = std::make_shared<ScatterCliOptions>();
  auto* sub = app.add_subcommand(
      "scatter",
      "Scatter conflicts of parallel assembly. STAMPS is a stamp map (JSON as simulators hold it,\n"
      "or CSV model,device,row,col). Reports per position how many devices write it (fan-in),\n"
      "the conflict graph (VAJAX keys under device_parallelism), the exact number of conflicting\n"
      "device pairs, a conflict-free batch schedule (greedy colouring), the residual scatter,\n"
      "and with --matrix the stamps outside the matrix pattern and the entries no device writes\n"
      "(exit 1 when the two disagree).");
  sub->add_option("stamps", opts->stamps, "Stamp map (.json, or .csv)")->required();
  sub->add_option("--matrix", opts->matrix, "Matrix Market file the stamps should assemble");
  sub->add_flag("--json", opts->json, "Print {\"device_parallelism\": ...} as JSON");
  sub->add_option("--output-dir", opts->output_dir,
                  "Write scatter_analysis.json, scatter_summary.txt and device_batches.npy");
  add_threads_option(*sub, opts->threads);
  sub->callback([opts] {
    if (!opts->output_dir.empty()) require_output_directory(opts->output_dir, "--output-dir");
    Timer read_timer;
    const StampMap map = read_stamps(opts->stamps);
    const double read_seconds = read_timer.seconds();
    std::unique_ptr<MatrixFile> mf;
    if (!opts->matrix.empty()) {
      ReadOptions ro;
      ro.threads = opts->threads;
      mf = std::make_unique<MatrixFile>(read_matrix_market(opts->matrix, ro));
    }
    ScatterOptions so;
    so.threads = opts->threads;
    ScatterResult r = analyze_scatter(map, so, mf ? &mf->matrix : nullptr);
    r.timings.insert(r.timings.begin(), {"read_stamps", read_seconds});
    r.source = opts->stamps;
    r.matrix_path = opts->matrix;
    if (!opts->output_dir.empty()) write_scatter_outputs(r, opts->output_dir);
    if (opts->json) {
      std::cout << "{\n  \"device_parallelism\": ";
      std::string body = scatter_json(r, 2);
      // indent the nested object by two more spaces
      std::string indented;
      indented.reserve(body.size() + body.size() / 8);
      for (char c : body) {
        indented += c;
        if (c == '\n') indented += "  ";
      }
      std::cout << indented << "\n}\n";
    } else {
      std::cout << scatter_summary(r);
    }
    if (r.has_matrix && (r.pattern.stamps_outside_pattern > 0 || r.pattern.unwritten_entries > 0)) {
      warn("the stamps and the matrix pattern disagree: " +
           std::to_string(r.pattern.stamps_outside_pattern) + " stamped positions outside it, " +
           std::to_string(r.pattern.unwritten_entries) + " entries no device writes");
      set_exit_code(1);
    }
  });
});

}  // namespace
}  // namespace spax::app
