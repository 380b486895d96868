// Writes a synthetic stamp map for scatter benchmarks: DEVICES 4-terminal devices with 16
// Jacobian stamps and 4 residual indices each, terminals near each other on NODES unknowns, a
// quarter of the devices tied to one of two supply nets and some terminals at ground.
//   bench_gen_stamps DEVICES OUT.json [NODES]
#include <cstdio>
#include <cstdlib>
#include <random>

#include "spax/generate.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DEVICES OUT.json [NODES]\n", argv[0]);
    return 2;
  }
  const long ndev = std::atol(argv[1]);
  const long nodes = argc > 3 ? std::atol(argv[3]) : ndev / 2 + 16;
  if (ndev < 1 || nodes < 16) return 2;
  std::mt19937_64 rng(2024);
  auto below = [&](long m) { return static_cast<long>(spax::unit_double(rng()) * m); };
  spax::StampMap map;
  map.n_unknowns = nodes;
  spax::StampModel m;
  m.name = "mosfet";
  m.has_residuals = true;
  m.n_devices = ndev;
  for (long d = 0; d < ndev; ++d) {
    int t[4];
    const long c = 2 + below(nodes - 2);
    for (int k = 0; k < 4; ++k) {
      long x = c + (k == 0 ? 0 : below(9) - 4);
      if (x < 2 || x >= nodes) x = c;
      t[k] = static_cast<int>(x);
    }
    if (below(4) == 0) t[3] = static_cast<int>(below(2));  // bulk on a supply net
    if (below(10) == 0) t[2] = -1;                         // source at ground
    for (int r = 0; r < 4; ++r)
      for (int q = 0; q < 4; ++q) {
        m.jac_rows.push_back(t[r]);
        m.jac_cols.push_back(t[q]);
      }
    for (int r = 0; r < 4; ++r) m.res_indices.push_back(t[r]);
  }
  m.jac_ptr.resize(static_cast<std::size_t>(ndev) + 1);
  m.res_ptr.resize(static_cast<std::size_t>(ndev) + 1);
  for (long d = 0; d <= ndev; ++d) {
    m.jac_ptr[static_cast<std::size_t>(d)] = 16 * d;
    m.res_ptr[static_cast<std::size_t>(d)] = 4 * d;
  }
  map.models.push_back(std::move(m));
  spax::write_stamps_json(map, argv[2]);
  return 0;
}
