// Test systems with the shape of real ones: an MNA circuit with its stamp map and a Newton
// sequence of Jacobians, and grid Laplacians. Deterministic for a seed on every platform
// (std::mt19937_64 and spax's own mapping of its 64-bit outputs to doubles).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spax/scatter.hpp"
#include "spax/sparse.hpp"

namespace spax {

struct SPAX_API CircuitOptions {
  index_t nodes = 1000;    // circuit nodes (ground excluded), at least 16
  std::uint64_t seed = 1;  // structure and values
  int iterations = 3;      // Newton iterations written (jacobian_0000.mtx ...)
};

// An MNA circuit on nodes 0..nodes-1 (the last four are two supply and two clock nets) plus one
// branch-current unknown per voltage source. Devices (models in this order):
//   resistor: a mesh with locality (neighbours on a placement grid, a few longer local links)
//             plus a leakage conductance from every ordinary node to ground (-1);
//             4 stamps [(a,a), (a,b), (b,a), (b,b)], residuals [a, b];
//   nmos, pmos: 4-terminal [d, g, s, b], all 16 stamps (rows d,g,s,b x cols d,g,s,b), unsymmetric
//             (transconductance) plus capacitive companions; nmos bulk and some sources at ground,
//             pmos bulk and some sources at a supply net, some gates on clock nets;
//             residuals [d, g, s, b];
//   vsource:  [(p,br), (n,br), (br,p), (br,n)] with br its branch row (zero diagonal: (br,br) is
//             not stamped); residuals [p, n, br]. Supplies, clocks and a few driven inputs.
struct SPAX_API GeneratedCircuit {
  CircuitOptions options;
  index_t n_nodes = 0;
  StampMap stamps;  // values are a function of (seed, model, device, iteration)
};

SPAX_API GeneratedCircuit generate_circuit(const CircuitOptions& options);

// Per model, one value per Jacobian stamp (aligned with jac_rows/jac_cols, ground stamps
// included) and one per residual index, for Newton iteration k (values converge with k).
struct SPAX_API DeviceValues {
  std::vector<std::vector<double>> jac;
  std::vector<std::vector<double>> res;
};
SPAX_API DeviceValues circuit_device_values(const GeneratedCircuit& c, int iteration);

// The assembled Jacobian (sum of every device's contributions at its non-ground stamps; the
// pattern is exactly the stamped positions) and right-hand side of iteration k.
SPAX_API SparseMatrix circuit_jacobian(const GeneratedCircuit& c, int iteration);
SPAX_API std::vector<double> circuit_rhs(const GeneratedCircuit& c, int iteration);

// Writes DIR/jacobian_0000.mtx ..., DIR/rhs_0000.mtx ... (n x 1 arrays) and DIR/stamps.json
// (created when missing, each file atomically). Returns the paths written.
SPAX_API std::vector<std::string> write_circuit(const GeneratedCircuit& c, const std::string& dir);

// A stamp map as JSON (the layout read_stamps_json reads; n_unknowns first). CSV maps (no
// residuals) are written with empty residual lists.
SPAX_API void write_stamps_json(const StampMap& map, const std::string& path);

// 5-point (dims = 2, n^2 unknowns) or 7-point (dims = 3, n^3 unknowns) Laplacian with Dirichlet
// boundary: diagonal 2*dims, -1 per grid neighbour. Symmetric positive definite; symmetry is set
// to symmetric.
SPAX_API SparseMatrix grid_laplacian(index_t n, int dims);

// Deterministic double in [0, 1) from a 64-bit integer (53 high bits).
inline double unit_double(std::uint64_t x) noexcept {
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

}  // namespace spax
