// `spax gen circuit`: an MNA circuit with the shape of a placed design, its stamp map and a
// Newton sequence of Jacobians assembled from the stamps.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "spax/generate.hpp"
#include "spax/io.hpp"

namespace spax {
namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Value stream of one device: independent of the structure's random stream.
struct DeviceHash {
  std::uint64_t base;
  DeviceHash(std::uint64_t seed, std::size_t model, index_t device)
      : base(splitmix(splitmix(seed ^ 0x5350415843495243ull) ^ (std::uint64_t{model} << 56) ^
                      static_cast<std::uint64_t>(device))) {}
  double u(std::uint64_t slot) const {
    return unit_double(splitmix(base ^ (slot * 0xD6E8FEB86659FD93ull)));
  }
};

enum Model : std::size_t { kResistor = 0, kNmos = 1, kPmos = 2, kVsource = 3 };

struct Builder {
  StampModel* m;
  index_t per, rper;
  void add(std::initializer_list<stamp_index_t> rows, std::initializer_list<stamp_index_t> cols,
           std::initializer_list<stamp_index_t> res) {
    m->jac_rows.insert(m->jac_rows.end(), rows);
    m->jac_cols.insert(m->jac_cols.end(), cols);
    m->res_indices.insert(m->res_indices.end(), res);
    ++m->n_devices;
  }
  void finish() {
    m->has_residuals = true;
    m->jac_ptr.resize(static_cast<std::size_t>(m->n_devices) + 1);
    m->res_ptr.resize(static_cast<std::size_t>(m->n_devices) + 1);
    for (index_t d = 0; d <= m->n_devices; ++d) {
      m->jac_ptr[static_cast<std::size_t>(d)] = d * per;
      m->res_ptr[static_cast<std::size_t>(d)] = d * rper;
    }
  }
};

// Pattern of the assembled Jacobian and, per non-ground stamp (model by model), its entry.
struct AssemblyPlan {
  SparseMatrix pattern;
  std::vector<index_t> entry;
};

AssemblyPlan make_plan(const StampMap& map) {
  const auto n = static_cast<std::size_t>(map.n_unknowns);
  std::vector<stamp_index_t> rows, cols;
  for (const auto& m : map.models)
    for (std::size_t s = 0; s < m.jac_rows.size(); ++s)
      if (m.jac_rows[s] >= 0 && m.jac_cols[s] >= 0) {
        rows.push_back(m.jac_rows[s]);
        cols.push_back(m.jac_cols[s]);
      }
  const std::size_t ns = rows.size();
  std::vector<index_t> colptr(n + 1, 0);
  for (auto c : cols) ++colptr[static_cast<std::size_t>(c) + 1];
  for (std::size_t c = 0; c < n; ++c) colptr[c + 1] += colptr[c];
  std::vector<index_t> bucket(ns);
  {
    std::vector<index_t> next(colptr.begin(), colptr.end() - 1);
    for (std::size_t s = 0; s < ns; ++s)
      bucket[static_cast<std::size_t>(next[static_cast<std::size_t>(cols[s])]++)] =
          static_cast<index_t>(s);
  }
  AssemblyPlan plan;
  SparseMatrix& a = plan.pattern;
  a.nrows = a.ncols = map.n_unknowns;
  a.colptr.assign(n + 1, 0);
  plan.entry.assign(ns, 0);
  std::vector<index_t> mark(n, -1), slot(n, 0);
  std::vector<index_t> col_rows;
  for (std::size_t c = 0; c < n; ++c) {
    col_rows.clear();
    for (index_t k = colptr[c]; k < colptr[c + 1]; ++k) {
      const auto r = static_cast<std::size_t>(
          rows[static_cast<std::size_t>(bucket[static_cast<std::size_t>(k)])]);
      if (mark[r] != static_cast<index_t>(c)) {
        mark[r] = static_cast<index_t>(c);
        col_rows.push_back(static_cast<index_t>(r));
      }
    }
    std::sort(col_rows.begin(), col_rows.end());
    const index_t base = a.nnz();
    for (std::size_t i = 0; i < col_rows.size(); ++i)
      slot[static_cast<std::size_t>(col_rows[i])] = base + static_cast<index_t>(i);
    a.rowind.insert(a.rowind.end(), col_rows.begin(), col_rows.end());
    for (index_t k = colptr[c]; k < colptr[c + 1]; ++k) {
      const auto s = static_cast<std::size_t>(bucket[static_cast<std::size_t>(k)]);
      plan.entry[s] = slot[static_cast<std::size_t>(rows[s])];
    }
    a.colptr[c + 1] = a.nnz();
  }
  a.values.assign(a.rowind.size(), 0.0);
  a.field = Field::real;
  a.symmetry = Symmetry::general;
  return plan;
}

SparseMatrix assemble(const GeneratedCircuit& c, const AssemblyPlan& plan, int iteration) {
  SparseMatrix a = plan.pattern;
  const DeviceValues v = circuit_device_values(c, iteration);
  std::size_t s = 0;
  for (std::size_t mi = 0; mi < c.stamps.models.size(); ++mi) {
    const auto& m = c.stamps.models[mi];
    for (std::size_t k = 0; k < m.jac_rows.size(); ++k)
      if (m.jac_rows[k] >= 0 && m.jac_cols[k] >= 0)
        a.values[static_cast<std::size_t>(plan.entry[s++])] += v.jac[mi][k];
  }
  return a;
}

}  // namespace

GeneratedCircuit generate_circuit(const CircuitOptions& o) {
  if (o.nodes < 16) throw_usage("a generated circuit needs at least 16 nodes");
  if (o.nodes > 100000000) throw_usage("at most 10^8 nodes");
  if (o.iterations < 1) throw_usage("at least one iteration");
  GeneratedCircuit c;
  c.options = o;
  c.n_nodes = o.nodes;
  const index_t N = o.nodes;
  const auto vdd0 = static_cast<stamp_index_t>(N - 1), vdd1 = static_cast<stamp_index_t>(N - 2);
  const auto clk0 = static_cast<stamp_index_t>(N - 3), clk1 = static_cast<stamp_index_t>(N - 4);
  const index_t R = N - 4;  // ordinary nodes
  const auto W = static_cast<index_t>(std::ceil(std::sqrt(static_cast<double>(R))));
  std::mt19937_64 rng(o.seed);
  auto uniform = [&rng] { return unit_double(rng()); };
  auto below = [&rng](index_t m) {
    return static_cast<index_t>(unit_double(rng()) * static_cast<double>(m));
  };
  // A node near i on the placement grid (never i itself).
  auto local = [&](index_t i) -> stamp_index_t {
    for (int t = 0; t < 8; ++t) {
      index_t j = i + (below(5) - 2) * W + (below(5) - 2);
      if (j >= 0 && j < R && j != i) return static_cast<stamp_index_t>(j);
    }
    return static_cast<stamp_index_t>(i + 1 < R ? i + 1 : i - 1);
  };

  StampMap& map = c.stamps;
  map.models.resize(4);
  const char* names[4] = {"resistor", "nmos", "pmos", "vsource"};
  for (std::size_t i = 0; i < 4; ++i) map.models[i].name = names[i];
  Builder res{&map.models[kResistor], 4, 2};
  Builder nmos{&map.models[kNmos], 16, 4};
  Builder pmos{&map.models[kPmos], 16, 4};
  Builder vsrc{&map.models[kVsource], 4, 3};
  auto resistor = [&](stamp_index_t a, stamp_index_t b) {
    res.add({a, a, b, b}, {a, b, a, b}, {a, b});
  };
  for (index_t i = 0; i < R; ++i) {
    const auto a = static_cast<stamp_index_t>(i);
    if (i % W + 1 < W && i + 1 < R && uniform() < 0.85)
      resistor(a, static_cast<stamp_index_t>(i + 1));
    if (i + W < R && uniform() < 0.85) resistor(a, static_cast<stamp_index_t>(i + W));
    if (uniform() < 0.05) resistor(a, local(i));
    resistor(a, -1);  // leakage to ground
  }
  const index_t nmosfets = R / 2;
  for (index_t t = 0; t < nmosfets; ++t) {
    const bool is_n = uniform() < 0.5;
    const index_t ci = below(R);
    const auto d = static_cast<stamp_index_t>(ci);
    const stamp_index_t g = uniform() < 0.08 ? (uniform() < 0.5 ? clk0 : clk1) : local(ci);
    stamp_index_t s;
    if (uniform() < 0.35) {
      s = is_n ? -1 : vdd0;
    } else {
      s = local(ci);
      for (int k = 0; k < 4 && s == g; ++k) s = local(ci);
    }
    const stamp_index_t b = is_n ? -1 : (uniform() < 0.8 ? vdd0 : vdd1);
    const stamp_index_t term[4] = {d, g, s, b};
    Builder& B = is_n ? nmos : pmos;
    for (int r = 0; r < 4; ++r)
      for (int q = 0; q < 4; ++q) {
        B.m->jac_rows.push_back(term[r]);
        B.m->jac_cols.push_back(term[q]);
      }
    B.m->res_indices.insert(B.m->res_indices.end(), {d, g, s, b});
    ++B.m->n_devices;
  }
  std::vector<std::pair<stamp_index_t, stamp_index_t>> sources = {
      {vdd0, -1}, {vdd1, -1}, {clk0, -1}, {clk1, -1}};
  for (index_t t = 0; t < std::max<index_t>(1, R / 1000); ++t)
    sources.emplace_back(static_cast<stamp_index_t>(below(R)), -1);
  index_t br = N;
  for (const auto& [p, nn] : sources) {
    const auto b = static_cast<stamp_index_t>(br++);
    vsrc.add({p, nn, b, b}, {b, b, p, nn}, {p, nn, b});
  }
  map.n_unknowns = br;
  for (Builder* B : {&res, &nmos, &pmos, &vsrc}) B->finish();
  return c;
}

DeviceValues circuit_device_values(const GeneratedCircuit& c, int iteration) {
  DeviceValues v;
  const double f = std::ldexp(1.0, -iteration);  // Newton: corrections halve each iteration
  const std::uint64_t seed = c.options.seed;
  for (std::size_t mi = 0; mi < c.stamps.models.size(); ++mi) {
    const StampModel& m = c.stamps.models[mi];
    std::vector<double> jac(m.jac_rows.size()), res(m.res_indices.size());
    for (index_t d = 0; d < m.n_devices; ++d) {
      const DeviceHash h(seed, mi, d);
      double* J = jac.data() + m.jac_ptr[static_cast<std::size_t>(d)];
      double* F = res.data() + m.res_ptr[static_cast<std::size_t>(d)];
      if (mi == kResistor) {
        const bool leak =
            m.jac_rows[static_cast<std::size_t>(m.jac_ptr[static_cast<std::size_t>(d)]) + 3] < 0;
        const double g = leak ? 1e-3 * (1.0 + h.u(0)) : 0.5 + 1.5 * h.u(0);
        J[0] = g, J[1] = -g, J[2] = -g, J[3] = g;
        const double i = g * (h.u(1) - 0.5) * f;
        F[0] = -i, F[1] = i;
      } else if (mi == kNmos || mi == kPmos) {
        const double gm = 1e-3 * (0.5 + h.u(0)) * (1.0 + 0.8 * (h.u(1) - 0.5) * f);
        const double gds = 0.1 * gm * (1.0 + 0.5 * h.u(2) * f);
        const double gmb = 0.2 * gm;
        const double cgd = 1e-4 * (0.5 + h.u(3)), cgs = 1e-4 * (0.5 + h.u(4));
        const double cgb = 2e-5 * (0.5 + h.u(5)), cdb = 5e-5 * (0.5 + h.u(6));
        const double csb = 5e-5 * (0.5 + h.u(7));
        const double gsum = gm + gds + gmb;
        const double rows[16] = {gds + cgd + cdb,
                                 gm - cgd,
                                 -gsum,
                                 gmb - cdb,  // d
                                 -cgd,
                                 cgd + cgs + cgb,
                                 -cgs,
                                 -cgb,  // g
                                 -gds,
                                 -gm - cgs,
                                 gsum + cgs + csb,
                                 -gmb - csb,  // s
                                 -cdb,
                                 -cgb,
                                 -csb,
                                 cdb + cgb + csb};  // b
        std::copy(rows, rows + 16, J);
        const double i = 1e-4 * (h.u(8) - 0.5) * f;
        F[0] = -i, F[1] = 0.01 * i, F[2] = i, F[3] = -0.01 * i;
      } else {
        J[0] = 1.0, J[1] = -1.0, J[2] = 1.0, J[3] = -1.0;
        const double i = 1e-3 * h.u(0) * f;
        F[0] = -i, F[1] = i, F[2] = (h.u(1) - 0.5) * f;
      }
    }
    v.jac.push_back(std::move(jac));
    v.res.push_back(std::move(res));
  }
  return v;
}

SparseMatrix circuit_jacobian(const GeneratedCircuit& c, int iteration) {
  return assemble(c, make_plan(c.stamps), iteration);
}

std::vector<double> circuit_rhs(const GeneratedCircuit& c, int iteration) {
  std::vector<double> b(static_cast<std::size_t>(c.stamps.n_unknowns), 0.0);
  const DeviceValues v = circuit_device_values(c, iteration);
  for (std::size_t mi = 0; mi < c.stamps.models.size(); ++mi) {
    const auto& m = c.stamps.models[mi];
    for (std::size_t k = 0; k < m.res_indices.size(); ++k)
      if (m.res_indices[k] >= 0) b[static_cast<std::size_t>(m.res_indices[k])] += v.res[mi][k];
  }
  return b;
}

std::vector<std::string> write_circuit(const GeneratedCircuit& c, const std::string& dir) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path d(dir);
  std::vector<std::string> written;
  const AssemblyPlan plan = make_plan(c.stamps);
  for (int k = 0; k < c.options.iterations; ++k) {
    char name[64];
    std::snprintf(name, sizeof name, "jacobian_%04d.mtx", k);
    WriteOptions wo;
    wo.comment = "spax gen circuit --nodes " + std::to_string(c.options.nodes) + " --seed " +
                 std::to_string(c.options.seed) + ": Newton iteration " + std::to_string(k);
    const std::string jp = (d / name).string();
    write_matrix_market(jp, assemble(c, plan, k), wo);
    written.push_back(jp);
    std::snprintf(name, sizeof name, "rhs_%04d.mtx", k);
    DenseMatrix rhs;
    rhs.nrows = c.stamps.n_unknowns;
    rhs.ncols = 1;
    rhs.values = circuit_rhs(c, k);
    const std::string rp = (d / name).string();
    write_dense(rp, rhs, "right-hand side of Newton iteration " + std::to_string(k));
    written.push_back(rp);
  }
  const std::string sp = (d / "stamps.json").string();
  write_stamps_json(c.stamps, sp);
  written.push_back(sp);
  return written;
}

}  // namespace spax
