// The iterative backends: each method and preconditioner on SPD and unsymmetric matrices with a
// known solution, compared with a direct solve (KLU); the hand-written Krylov loops against
// Eigen's ConjugateGradient, BiCGSTAB and GMRES; setup reuse across a sequence against fresh
// setups; non-convergence, bad knobs and the residual history.
#include <gtest/gtest.h>

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <cmath>
#include <unsupported/Eigen/IterativeSolvers>

#include "reference_solve.hpp"
#include "spax/bench.hpp"
#include "spax/generate.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::relative_difference;
using test::times;

// A known solution x*_i = 1 + (i mod 7) / 7 and b = A x* (computed here).
std::vector<double> known_x(index_t n) {
  std::vector<double> x(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) x[i] = 1.0 + static_cast<double>(i % 7) / 7.0;
  return x;
}
double rel_residual(const SparseMatrix& a, const std::vector<double>& x,
                    const std::vector<double>& b) {
  auto ax = times(a, x);
  double rn = 0, bn = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    rn += (b[i] - ax[i]) * (b[i] - ax[i]);
    bn += b[i] * b[i];
  }
  return std::sqrt(rn / bn);
}

std::vector<double> solve_with(const std::string& name, const SparseMatrix& a,
                               const std::vector<double>& b, SolverOptions o = {}) {
  auto s = create_solver(name, o);
  s->analyze(a);
  s->factor(a);
  std::vector<double> x = b;
  s->solve(std::span<double>(x), 1, false);
  return x;
}

// 2D convection-diffusion with upwind differences: unsymmetric, nonsingular, an M-matrix.
SparseMatrix convection_diffusion(index_t m, double c) {
  const index_t n = m * m;
  std::vector<double> dense(static_cast<std::size_t>(n * n), 0.0);
  auto at = [&](index_t i, index_t j) -> double& { return dense[i * n + j]; };
  for (index_t y = 0; y < m; ++y)
    for (index_t x = 0; x < m; ++x) {
      const index_t i = y * m + x;
      at(i, i) = 4.0 + c;
      if (x > 0) at(i, i - 1) = -1.0 - c;  // upwind in x
      if (x + 1 < m) at(i, i + 1) = -1.0;
      if (y > 0) at(i, i - m) = -1.0;
      if (y + 1 < m) at(i, i + m) = -1.0;
    }
  return test::from_dense(n, dense);
}

void expect_matches_direct(const std::string& name, const SparseMatrix& a, double tol_x) {
  const auto b = times(a, known_x(a.nrows));
  const auto direct = solve_with("klu", a, b);
  SolverOptions o;
  o.set("tol", 1e-10);
  o.set("max_iter", 2000);
  std::vector<double> x;
  ASSERT_NO_THROW(x = solve_with(name, a, b, o)) << name;
  EXPECT_LT(relative_difference(x, direct), tol_x) << name;
  EXPECT_LT(relative_difference(x, known_x(a.nrows)), tol_x) << name;
  EXPECT_LE(rel_residual(a, x, b), 1e-10 * 1.0001) << name;
}

const std::vector<std::string> kPreconds = {"none", "jacobi", "block-jacobi", "ilut", "amg"};

TEST(Iterative, EveryMethodOnSpdGrids) {
  for (const auto& a : {grid_laplacian(12, 2), grid_laplacian(6, 3)}) {
    for (const char* m : {"cg", "bicgstab", "gmres"})
      for (const auto& p : kPreconds) expect_matches_direct(std::string(m) + "+" + p, a, 1e-7);
    expect_matches_direct("amg", a, 1e-7);
  }
}

TEST(Iterative, UnsymmetricMethodsOnConvectionDiffusion) {
  const SparseMatrix a = convection_diffusion(12, 2.0);
  for (const char* m : {"bicgstab", "gmres"})
    for (const auto& p : kPreconds) expect_matches_direct(std::string(m) + "+" + p, a, 1e-7);
  expect_matches_direct("amg", a, 1e-7);
}

TEST(Iterative, SharedMatrices) {
  SPAX_REQUIRE_SHARED();
  auto load = [](const std::string& rel) {
    return read_matrix_market((test::shared_matrices_dir() / rel).string()).matrix;
  };
  const SparseMatrix bus = load("real/494_bus.mtx");  // SPD
  for (const char* s : {"cg+amg", "cg+ilut", "bicgstab+ilut", "gmres+ilut", "cg+jacobi"})
    expect_matches_direct(s, bus, 1e-5);
  const SparseMatrix olm = load("real/olm500.mtx");  // unsymmetric
  for (const char* s : {"gmres+ilut", "bicgstab+ilut", "gmres+block-jacobi"})
    expect_matches_direct(s, olm, 1e-5);
  const SparseMatrix west = load("real/west0067.mtx");  // unsymmetric, zero diagonal entries
  expect_matches_direct("gmres+block-jacobi", west, 1e-6);
}

TEST(Iterative, WholeBlockJacobiIsExact) {
  // One block holding the whole matrix: the preconditioner is A^-1, GMRES needs one iteration.
  const SparseMatrix a = convection_diffusion(5, 1.0);
  SolverOptions o;
  o.set("block", "25").set("max_block", "25");
  auto s = create_solver("gmres+block-jacobi", o);
  s->analyze(a);
  s->factor(a);
  auto x = times(a, known_x(25));
  s->solve(std::span<double>(x), 1, false);
  EXPECT_EQ(s->stats().iterations, 1);
  EXPECT_LT(relative_difference(x, known_x(25)), 1e-12);
}

TEST(Iterative, BtfBlocksOfADecoupledMatrixAreExact) {
  // Unknowns {0, 2} and {1, 3} are coupled only among themselves: BTF finds these two 2x2
  // blocks, so block-jacobi (dense LU per block) is A^-1 and GMRES needs one iteration, where
  // jacobi (the diagonal alone) needs more.
  const SparseMatrix a =
      test::from_dense(4, {4, 0, 2, 0, 0, 3, 0, 1, 1, 0, 5, 0, 0, 1, 0, 6});  // row-major
  const std::vector<double> want = {1.0, -2.0, 3.0, 0.5};
  for (const char* name : {"gmres+block-jacobi", "gmres+jacobi"}) {
    SCOPED_TRACE(name);
    auto s = create_solver(name);
    s->analyze(a);
    s->factor(a);
    auto x = times(a, want);
    s->solve(std::span<double>(x), 1, false);
    if (std::string(name) == "gmres+block-jacobi")
      EXPECT_EQ(s->stats().iterations, 1);
    else
      EXPECT_GT(s->stats().iterations, 1);
    EXPECT_LT(relative_difference(x, want), 1e-12);
  }
}

// Eigen's solvers are the documented reference for the loops written here.
TEST(Iterative, LoopsAgreeWithEigen) {
  const SparseMatrix spd = grid_laplacian(15, 2);
  const SparseMatrix uns = convection_diffusion(15, 1.5);
  auto to_eigen = [](const SparseMatrix& a) {
    Eigen::SparseMatrix<double> m(a.nrows, a.ncols);
    std::vector<Eigen::Triplet<double>> t;
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
        t.emplace_back(a.rowind[p], j, a.values[p]);
    m.setFromTriplets(t.begin(), t.end());
    return m;
  };
  // Eigen's solvers keep a reference to the matrix given to compute().
  const Eigen::SparseMatrix<double> espd = to_eigen(spd), euns = to_eigen(uns);
  SolverOptions o;
  o.set("tol", 1e-10);
  {
    const auto b = times(spd, known_x(spd.nrows));
    Eigen::ConjugateGradient<Eigen::SparseMatrix<double>, Eigen::Lower | Eigen::Upper> cg;
    cg.setTolerance(1e-10);
    cg.compute(espd);
    Eigen::VectorXd ex = cg.solve(Eigen::Map<const Eigen::VectorXd>(b.data(), spd.nrows));
    auto s = create_solver("cg+jacobi", o);
    s->analyze(spd);
    s->factor(spd);
    auto x = b;
    s->solve(std::span<double>(x), 1, false);
    std::vector<double> ev(ex.data(), ex.data() + ex.size());
    EXPECT_LT(relative_difference(x, ev), 1e-8);
    EXPECT_NEAR(static_cast<double>(s->stats().iterations), static_cast<double>(cg.iterations()),
                2.0);
  }
  const auto b = times(uns, known_x(uns.nrows));
  const auto eb = Eigen::Map<const Eigen::VectorXd>(b.data(), uns.nrows);
  {
    Eigen::BiCGSTAB<Eigen::SparseMatrix<double>, Eigen::IncompleteLUT<double>> bi;
    bi.setTolerance(1e-10);
    bi.compute(euns);
    Eigen::VectorXd ex = bi.solve(eb);
    std::vector<double> ev(ex.data(), ex.data() + ex.size());
    auto x = solve_with("bicgstab+ilut", uns, b, o);
    EXPECT_LT(relative_difference(x, ev), 1e-8);
  }
  {
    Eigen::GMRES<Eigen::SparseMatrix<double>, Eigen::DiagonalPreconditioner<double>> gm;
    gm.set_restart(10);
    gm.setTolerance(1e-10);
    gm.compute(euns);
    Eigen::VectorXd ex = gm.solve(eb);
    std::vector<double> ev(ex.data(), ex.data() + ex.size());
    SolverOptions g = o;
    g.set("restart", 10);
    auto s = create_solver("gmres+jacobi", g);
    s->analyze(uns);
    s->factor(uns);
    auto x = b;
    s->solve(std::span<double>(x), 1, false);
    EXPECT_LT(relative_difference(x, ev), 1e-8);
    // Left (Eigen) and right (here) preconditioning count a little differently.
    EXPECT_NEAR(static_cast<double>(s->stats().iterations), static_cast<double>(gm.iterations()),
                0.25 * static_cast<double>(gm.iterations()) + 2.0);
  }
}

TEST(Iterative, SetupReuseGivesTheAnswersOfFreshSetups) {
  const SparseMatrix a = grid_laplacian(20, 2);
  std::vector<SparseMatrix> seq;
  for (int k = 0; k < 4; ++k) seq.push_back(perturbed_values(a, 7, k));
  for (const char* name : {"cg+amg", "gmres+ilut", "bicgstab+block-jacobi"}) {
    SequenceOptions so;
    so.solver = name;
    so.solver_options.set("tol", 1e-10);
    const SequenceResult r = run_sequence(seq, {}, so);
    ASSERT_EQ(r.solves.size(), seq.size());
    for (std::size_t k = 0; k < seq.size(); ++k) {
      const auto b = times(seq[k], std::vector<double>(static_cast<std::size_t>(a.nrows), 1.0));
      const auto fresh = solve_with(name, seq[k], b, so.solver_options);
      EXPECT_LT(relative_difference(r.x[k], fresh), 1e-7) << name << " matrix " << k;
      EXPECT_GT(r.solves[k].iterations, 0) << name;
      EXPECT_LE(r.solves[k].relative_residual, 1e-10) << name;
      EXPECT_LE(rel_residual(seq[k], r.x[k], b), 1e-10 * 1.0001) << name;
    }
    EXPECT_GT(r.solves[0].setup_seconds, 0.0);
    EXPECT_FALSE(r.solves[0].rebuilt);
  }
  // A bound of one iteration cannot hold: every later matrix rebuilds its setup.
  SequenceOptions so;
  so.solver = "cg+amg";
  so.solver_options.set("rebuild_iters", 1);
  const SequenceResult r = run_sequence(seq, {}, so);
  for (std::size_t k = 1; k < seq.size(); ++k) EXPECT_TRUE(r.solves[k].rebuilt) << k;
}

TEST(Iterative, NotConvergingIsNumericalWithTheResidual) {
  const SparseMatrix a = grid_laplacian(30, 2);
  SolverOptions o;
  o.set("max_iter", 2);
  try {
    solve_with("cg+none", a, times(a, known_x(a.nrows)), o);
    FAIL() << "converged in 2 iterations";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical);
    EXPECT_NE(e.message().find("relative residual"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("max_iter"), std::string::npos) << e.message();
  }
  // CG without a preconditioner on an indefinite matrix breaks down.
  const SparseMatrix ind = test::from_dense(2, {1, 0, 0, -1});
  try {
    solve_with("cg+none", ind, {1, 1});
    FAIL() << "CG accepted an indefinite matrix";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical);
    EXPECT_NE(e.message().find("positive definite"), std::string::npos) << e.message();
  }
}

TEST(Iterative, BadOptionsAreUsageErrors) {
  auto usage = [](const std::string& name, const std::string& knobs) {
    try {
      SolverOptions o;
      o.options = parse_option_list(knobs);
      create_solver(name, o);
    } catch (const Error& e) {
      return e.kind() == ErrorKind::usage;
    }
    return false;
  };
  EXPECT_TRUE(usage("cg+amg", "strong_threshold"));
  EXPECT_TRUE(usage("cg+amg", "strong_threshold=abc"));
  EXPECT_TRUE(usage("cg+amg", "strong_threshold=2"));
  EXPECT_TRUE(usage("cg+amg", "coarsen=nope"));
  EXPECT_TRUE(usage("gmres+ilut", "droptol=1e-3,droptol=1e-4"));
  EXPECT_TRUE(usage("gmres+ilut", "block=4"));
  EXPECT_TRUE(usage("gmres+nope", ""));
  EXPECT_TRUE(usage("amg+ilut", ""));
  EXPECT_FALSE(usage("cg+amg", "strong_threshold=0.5,coarsen=pmis,relax=hybrid-gs,agg_levels=1"));
  EXPECT_FALSE(usage("gmres+ilut", "droptol=1e-3,fillfactor=20"));
}

TEST(Iterative, ResidualHistory) {
  const SparseMatrix a = convection_diffusion(10, 1.0);
  SolverOptions o;
  auto s = create_solver("gmres+jacobi", o);
  s->analyze(a);
  s->factor(a);
  const auto b = times(a, known_x(100));
  auto x = b;
  s->solve(std::span<double>(x), 1, false);
  const auto& h = s->stats().residual_history;
  ASSERT_EQ(h.size(), 1u);
  ASSERT_EQ(static_cast<index_t>(h[0].size()), s->stats().iterations + 1);
  EXPECT_DOUBLE_EQ(h[0].front(), 1.0);  // x = 0
  EXPECT_DOUBLE_EQ(h[0].back(), s->stats().relative_residual);
  EXPECT_NEAR(h[0].back(), rel_residual(a, x, b), 1e-14);
  for (std::size_t k = 1; k + 1 < h[0].size(); ++k) EXPECT_LE(h[0][k], h[0][k - 1] * (1 + 1e-12));
}

}  // namespace
}  // namespace spax
