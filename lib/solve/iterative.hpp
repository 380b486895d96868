// Internal: the pieces of the iterative backends. A row-wise copy of the matrix for the
// products, preconditioners behind one interface (none, jacobi, block-jacobi, ilut, amg), and
// small preconditioned Krylov loops (CG, BiCGSTAB, GMRES(m), AMG cycles) that record the residual
// of every iteration, which Eigen's solvers do not expose. Eigen's ConjugateGradient, BiCGSTAB
// and GMRES are the reference the tests compare these loops with.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "spax/backend.hpp"
#include "spax/plugin.hpp"
#include "spax/solve.hpp"

namespace spax::solve_detail {

using spax::Csr;
using spax::Preconditioner;

Csr make_csr(const SparseMatrix& a);
// New values of the same pattern.
void update_csr_values(Csr& c, const SparseMatrix& a);

// The built-in preconditioners (none, jacobi, block-jacobi, ilut); amg comes from the hypre
// plugin.
std::vector<PreconditionerInfo> builtin_preconditioners();

// One Krylov run from the current x: appends ||r|| / ||b|| per iteration to `history` and returns
// the iterations done. It stops at tol (by its own residual estimate), at max_iter, or at a
// breakdown (then `breakdown` says why).
struct KrylovControl {
  double tol = 1e-8;
  int max_iter = 1000;
  int restart = 30;
  double bnorm = 1.0;
  std::vector<double>* history = nullptr;
  std::string breakdown;
};
int run_cg(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c);
int run_bicgstab(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c);
int run_gmres(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c);
// Stationary iteration x += M^{-1} (b - A x): AMG used as a solver on its own.
int run_richardson(const Csr& a, Preconditioner& m, const double* b, double* x, KrylovControl& c);

double norm2(const double* x, index_t n);
// r = b - A x.
void residual_into(const Csr& a, const double* b, const double* x, double* r);
// ||b - A x||_2.
double residual_norm(const Csr& a, const double* b, const double* x);

}  // namespace spax::solve_detail
