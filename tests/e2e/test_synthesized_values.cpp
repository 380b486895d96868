// Pattern-only files declared symmetric get symmetric synthesized values wherever values are
// synthesized (solve, bench, analyze's LU), so `auto` and cholmod treat them as the symmetric
// positive definite matrices they then are; bench's perturbed sequence keeps symmetry.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax::test {
namespace {

// The 5-point Laplacian pattern of a k x k grid, lower triangle, declared symmetric.
std::string grid_pattern(int k) {
  std::ostringstream body;
  int entries = 0;
  for (int j = 0; j < k * k; ++j) {
    body << j + 1 << ' ' << j + 1 << '\n';
    ++entries;
    if ((j + 1) % k != 0) {
      body << j + 2 << ' ' << j + 1 << '\n';
      ++entries;
    }
    if (j + k < k * k) {
      body << j + k + 1 << ' ' << j + 1 << '\n';
      ++entries;
    }
  }
  return "%%MatrixMarket matrix coordinate pattern symmetric\n" + std::to_string(k * k) + ' ' +
         std::to_string(k * k) + ' ' + std::to_string(entries) + '\n' + body.str();
}

TEST(SynthesizedValues, SymmetricPatternSolvesWithCholmodAndAutoChoosesIt) {
  ScratchDir d;
  write_text_file(d / "p.mtx", grid_pattern(16));  // n = 256 > auto's dense limit of 200
  auto chol = run_spax({"solve", (d / "p.mtx").string(), "--solver", "cholmod", "--json"});
  ASSERT_EQ(chol.exit_code, 0) << chol.err;
  auto j = parse_json(chol);
  EXPECT_EQ(j["values_synthesized"], true);
  EXPECT_LT(j["backward_error"][0].get<double>(), 1e-12);
  auto aut = run_spax({"solve", (d / "p.mtx").string(), "--json"});
  ASSERT_EQ(aut.exit_code, 0) << aut.err;
  auto ja = parse_json(aut);
  EXPECT_EQ(ja["solver"], "cholmod") << ja["chosen_because"];
}

TEST(SynthesizedValues, BenchRunsCholmodOnASymmetricPatternAndItsSequence) {
  ScratchDir d;
  write_text_file(d / "p.mtx", grid_pattern(12));
  const auto out = (d / "b.json").string();
  auto r = run_spax({"bench", (d / "p.mtx").string(), "--solvers", "cholmod,klu", "--runs", "1",
                     "--warmup", "0", "--sequence", "3", "--export-json", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(read_text_file(out));
  ASSERT_EQ(j["cases"].size(), 2u);
  for (const auto& c : j["cases"]) {
    EXPECT_EQ(c["status"], "ok") << c.dump();
    EXPECT_EQ(c["values_synthesized"], true);
    EXPECT_EQ(c["phases"]["iteration"]["samples"].size(), 3u);
  }
}

// Each perturbed matrix of a symmetric (or Hermitian) one is symmetric (Hermitian), bit for bit.
TEST(SynthesizedValues, PerturbedSequenceKeepsSymmetry) {
  MatrixFile mf = parse_matrix_market(grid_pattern(6), "p.mtx");
  const SparseMatrix a = synthesize_values(mf.matrix);
  MatrixFile h = parse_matrix_market(
      "%%MatrixMarket matrix coordinate complex hermitian\n3 3 4\n1 1 4 0\n2 1 1 2\n3 2 -1 1\n3 3 "
      "5 0\n",
      "h.mtx");
  for (index_t k = 1; k <= 3; ++k) {
    const SparseMatrix p = perturbed_values(a, 11, k);
    const SparseMatrix pt = transpose(p);
    EXPECT_EQ(p.values, pt.values) << k;
    EXPECT_NE(p.values, a.values) << k;
    const SparseMatrix q = perturbed_values(h.matrix, 11, k);
    const SparseMatrix qh = transpose(q, true);
    EXPECT_EQ(q.zvalues, qh.zvalues) << k;
  }
}

}  // namespace
}  // namespace spax::test
