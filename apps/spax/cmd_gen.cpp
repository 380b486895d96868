// spax gen: test systems with the shape of real ones (an MNA circuit with its stamp map and a
// Newton sequence; grid Laplacians).
#include <iostream>
#include <memory>
#include <string>

#include "command.hpp"
#include "spax/generate.hpp"
#include "spax/io.hpp"

namespace spax::app {
namespace {

struct GenOptions {
  index_t nodes = 0;
  std::uint64_t seed = 1;
  int iterations = 3;
  std::string out;
  index_t n = 0;
};

void add_grid(CLI::App* gen, const std::shared_ptr<GenOptions>& opts, const std::string& name,
              int dims) {
  auto* sub = gen->add_subcommand(
      name, dims == 2 ? "5-point Laplacian of an N x N grid (SPD, symmetric storage)"
                      : "7-point Laplacian of an N x N x N grid (SPD, symmetric storage)");
  sub->add_option("--n", opts->n, "Grid points per side")
      ->required()
      ->check(positive(NumberKind::integer));
  sub->add_option("--out", opts->out, "Matrix Market file to write (- for standard output)")
      ->required();
  sub->callback([opts, dims, name] {
    require_writable_output(opts->out, "--out");
    const SparseMatrix a = grid_laplacian(opts->n, dims);
    WriteOptions wo;
    wo.symmetry = Symmetry::symmetric;
    wo.comment = "spax gen " + name + " --n " + std::to_string(opts->n);
    write_matrix_market(opts->out, a, wo);
    (is_stdout_path(opts->out) ? std::cerr : std::cout)
        << opts->out << ": " << a.nrows << " x " << a.ncols << ", " << a.nnz() << " nonzeros\n";
  });
}

const Registration reg("gen", [](CLI::App& app) {
  auto opts = std::make_shared<GenOptions>();
  auto* gen = app.add_subcommand("gen", "Generate test systems with the shape of real ones");
  gen->require_subcommand(1);
  auto* circuit = gen->add_subcommand(
      "circuit",
      "An MNA circuit: resistor mesh with locality, MOSFET-like 4-terminal devices (unsymmetric\n"
      "stamps), voltage sources adding branch rows with a zero diagonal, supply and clock nets\n"
      "with very high fan-out. Writes DIR/jacobian_0000.mtx ..., DIR/rhs_0000.mtx ... (one\n"
      "pattern, values converging as a Newton iteration's do) and DIR/stamps.json, which\n"
      "assembles exactly those matrices. Deterministic for a seed.");
  circuit->add_option("--nodes", opts->nodes, "Circuit nodes (>= 16)")
      ->required()
      ->check(between(16, 1e8, NumberKind::integer));
  circuit->add_option("--seed", opts->seed, "Random seed")
      ->capture_default_str()
      ->check(non_negative(NumberKind::unsigned_integer));
  circuit->add_option("--iterations", opts->iterations, "Newton iterations (matrices) to write")
      ->capture_default_str()
      ->check(at_least(1, NumberKind::integer));
  circuit->add_option("--out", opts->out, "Output directory (created when missing)")->required();
  circuit->callback([opts] {
    require_output_directory(opts->out, "--out");
    CircuitOptions co;
    co.nodes = opts->nodes;
    co.seed = opts->seed;
    co.iterations = opts->iterations;
    const GeneratedCircuit c = generate_circuit(co);
    write_circuit(c, opts->out);
    std::cout << opts->out << ": " << c.stamps.n_unknowns << " unknowns (" << c.n_nodes
              << " nodes + " << c.stamps.n_unknowns - c.n_nodes << " branch currents), "
              << c.stamps.total_devices() << " devices";
    for (const auto& m : c.stamps.models) std::cout << ", " << m.n_devices << ' ' << m.name;
    std::cout << "; " << opts->iterations << " Newton iterations\n";
  });
  add_grid(gen, opts, "grid2d", 2);
  add_grid(gen, opts, "grid3d", 3);
});

}  // namespace
}  // namespace spax::app
