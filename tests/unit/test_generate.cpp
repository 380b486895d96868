// spax gen: generated circuits' stamps reproduce their matrices (summed independently from
// stamps.json read with a DOM parser), determinism per seed, grid Laplacians by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "spax/generate.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax::test {
namespace {

using Pos = std::pair<index_t, index_t>;

TEST(GenerateCircuit, StampsReproduceTheWrittenMatrices) {
  CircuitOptions o;
  o.nodes = 400;
  o.seed = 7;
  o.iterations = 2;
  const GeneratedCircuit c = generate_circuit(o);
  ScratchDir dir;
  const auto written = write_circuit(c, dir.path().string());
  EXPECT_EQ(written.size(), 5u);
  std::ifstream in(dir / "stamps.json");
  const auto j = nlohmann::ordered_json::parse(in);  // keeps the file order of models
  const index_t n = j["n_unknowns"].get<index_t>();
  EXPECT_EQ(n, c.stamps.n_unknowns);
  for (int k = 0; k < o.iterations; ++k) {
    SCOPED_TRACE("iteration " + std::to_string(k));
    const DeviceValues v = circuit_device_values(c, k);
    std::map<Pos, double> ref;
    std::vector<double> rhs(static_cast<std::size_t>(n), 0.0);
    std::size_t mi = 0;
    for (const auto& [name, m] : j["models"].items()) {
      ASSERT_LT(mi, v.jac.size());
      EXPECT_EQ(name, c.stamps.models[mi].name);  // file order = model order
      const auto& rows = m["jac_row_indices"];
      const auto& cols = m["jac_col_indices"];
      const auto& res = m["res_indices"];
      std::size_t s = 0, q = 0;
      for (std::size_t d = 0; d < rows.size(); ++d) {
        ASSERT_EQ(rows[d].size(), cols[d].size());
        for (std::size_t e = 0; e < rows[d].size(); ++e, ++s) {
          const index_t r = rows[d][e], cc = cols[d][e];
          if (r >= 0 && cc >= 0) ref[{r, cc}] += v.jac[mi][s];
        }
        for (std::size_t e = 0; e < res[d].size(); ++e, ++q) {
          const index_t r = res[d][e];
          if (r >= 0) rhs[static_cast<std::size_t>(r)] += v.res[mi][q];
        }
      }
      EXPECT_EQ(s, v.jac[mi].size());
      EXPECT_EQ(q, v.res[mi].size());
      ++mi;
    }
    char name[64];
    std::snprintf(name, sizeof name, "jacobian_%04d.mtx", k);
    const MatrixFile mf = read_matrix_market((dir / name).string());
    const SparseMatrix& a = mf.matrix;
    ASSERT_EQ(a.nrows, n);
    ASSERT_EQ(a.nnz(), static_cast<index_t>(ref.size()));
    for (index_t col = 0; col < n; ++col)
      for (index_t p = a.colptr[static_cast<std::size_t>(col)];
           p < a.colptr[static_cast<std::size_t>(col) + 1]; ++p) {
        const index_t row = a.rowind[static_cast<std::size_t>(p)];
        auto it = ref.find({row, col});
        ASSERT_NE(it, ref.end()) << row << ',' << col;
        EXPECT_NEAR(a.values[static_cast<std::size_t>(p)], it->second,
                    1e-12 * std::max(1.0, std::abs(it->second)));
      }
    std::snprintf(name, sizeof name, "rhs_%04d.mtx", k);
    const DenseMatrix b = read_dense((dir / name).string());
    ASSERT_EQ(b.nrows, n);
    for (index_t i = 0; i < n; ++i)
      EXPECT_NEAR(b.values[static_cast<std::size_t>(i)], rhs[static_cast<std::size_t>(i)],
                  1e-15 + 1e-12 * std::abs(rhs[static_cast<std::size_t>(i)]));
  }
}

TEST(GenerateCircuit, HasTheShapeOfAnMnaSystem) {
  CircuitOptions o;
  o.nodes = 2000;
  o.seed = 3;
  const GeneratedCircuit c = generate_circuit(o);
  const SparseMatrix a = circuit_jacobian(c, 0);
  const index_t n = a.nrows;
  EXPECT_GT(n, o.nodes);  // branch currents of the voltage sources
  auto value = [&](index_t i, index_t j) -> std::pair<bool, double> {
    for (index_t p = a.colptr[static_cast<std::size_t>(j)];
         p < a.colptr[static_cast<std::size_t>(j) + 1]; ++p)
      if (a.rowind[static_cast<std::size_t>(p)] == i)
        return {true, a.values[static_cast<std::size_t>(p)]};
    return {false, 0.0};
  };
  // branch rows: zero (absent) diagonal
  for (index_t br = o.nodes; br < n; ++br) EXPECT_FALSE(value(br, br).first) << br;
  // unsymmetric values somewhere
  bool unsym = false;
  for (index_t j = 0; j < o.nodes && !unsym; ++j)
    for (index_t p = a.colptr[static_cast<std::size_t>(j)];
         p < a.colptr[static_cast<std::size_t>(j) + 1]; ++p) {
      const index_t i = a.rowind[static_cast<std::size_t>(p)];
      auto t = value(j, i);
      if (!t.first || t.second != a.values[static_cast<std::size_t>(p)]) unsym = true;
    }
  EXPECT_TRUE(unsym);
  // a supply net with very high fan-out: column vdd (node nodes-1) is long
  const index_t vdd = o.nodes - 1;
  const index_t len =
      a.colptr[static_cast<std::size_t>(vdd) + 1] - a.colptr[static_cast<std::size_t>(vdd)];
  EXPECT_GT(len, 100);
  // values change across iterations, the pattern does not
  const SparseMatrix a1 = circuit_jacobian(c, 1);
  EXPECT_EQ(a1.rowind, a.rowind);
  EXPECT_NE(a1.values, a.values);
}

TEST(GenerateCircuit, DeterministicForASeed) {
  CircuitOptions o;
  o.nodes = 500;
  o.seed = 11;
  const auto a = generate_circuit(o), b = generate_circuit(o);
  ASSERT_EQ(a.stamps.models.size(), b.stamps.models.size());
  for (std::size_t i = 0; i < a.stamps.models.size(); ++i) {
    EXPECT_EQ(a.stamps.models[i].jac_rows, b.stamps.models[i].jac_rows);
    EXPECT_EQ(a.stamps.models[i].jac_cols, b.stamps.models[i].jac_cols);
    EXPECT_EQ(a.stamps.models[i].res_indices, b.stamps.models[i].res_indices);
  }
  EXPECT_EQ(circuit_jacobian(a, 1).values, circuit_jacobian(b, 1).values);
  o.seed = 12;
  const auto c = generate_circuit(o);
  EXPECT_NE(c.stamps.models[1].jac_rows, a.stamps.models[1].jac_rows);
  EXPECT_THROW(generate_circuit(CircuitOptions{5, 1, 1}), Error);
  // the 64-bit -> double mapping: 53 high bits
  EXPECT_EQ(unit_double(0), 0.0);
  EXPECT_EQ(unit_double(~std::uint64_t{0}), 1.0 - 0x1.0p-53);
  EXPECT_EQ(unit_double(std::uint64_t{1} << 63), 0.5);
}

// Dense Cholesky succeeds iff the (symmetric) matrix is positive definite.
bool dense_cholesky_ok(const SparseMatrix& a) {
  const auto n = static_cast<std::size_t>(a.nrows);
  std::vector<double> m(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      m[static_cast<std::size_t>(a.rowind[static_cast<std::size_t>(p)]) * n + j] =
          a.values[static_cast<std::size_t>(p)];
  for (std::size_t k = 0; k < n; ++k) {
    double d = m[k * n + k];
    for (std::size_t s = 0; s < k; ++s) d -= m[k * n + s] * m[k * n + s];
    if (d <= 0) return false;
    d = std::sqrt(d);
    m[k * n + k] = d;
    for (std::size_t i = k + 1; i < n; ++i) {
      double v = m[i * n + k];
      for (std::size_t s = 0; s < k; ++s) v -= m[i * n + s] * m[k * n + s];
      m[i * n + k] = v / d;
    }
  }
  return true;
}

TEST(GenerateGrid, FiveAndSevenPointLaplacians) {
  const SparseMatrix g2 = grid_laplacian(3, 2);
  g2.validate();
  EXPECT_EQ(g2.nrows, 9);
  EXPECT_EQ(g2.nnz(), 9 + 2 * 12);  // 12 grid edges
  // column 4 (the centre) has rows 1, 3, 4, 5, 7
  EXPECT_EQ(
      std::vector<index_t>(g2.rowind.begin() + g2.colptr[4], g2.rowind.begin() + g2.colptr[5]),
      (std::vector<index_t>{1, 3, 4, 5, 7}));
  EXPECT_EQ(g2.values[static_cast<std::size_t>(g2.colptr[4]) + 2], 4.0);
  EXPECT_EQ(g2.symmetry, Symmetry::symmetric);
  EXPECT_TRUE(dense_cholesky_ok(g2));
  const SparseMatrix g3 = grid_laplacian(2, 3);
  g3.validate();
  EXPECT_EQ(g3.nrows, 8);
  EXPECT_EQ(g3.nnz(), 8 + 2 * 12);  // a cube has 12 edges
  EXPECT_EQ(std::vector<index_t>(g3.rowind.begin(), g3.rowind.begin() + g3.colptr[1]),
            (std::vector<index_t>{0, 1, 2, 4}));
  EXPECT_EQ(g3.values[0], 6.0);
  EXPECT_TRUE(dense_cholesky_ok(g3));
  EXPECT_TRUE(dense_cholesky_ok(grid_laplacian(4, 3)));
  EXPECT_THROW(grid_laplacian(0, 2), Error);
}

}  // namespace
}  // namespace spax::test
