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

#include "spax/solve.hpp"

namespace spax::solve_detail {

// A square real matrix by rows; values[k] = the CSC value at from_csc[k].
struct Csr {
  index_t n = 0;
  std::vector<index_t> rowptr, colind, from_csc;
  std::vector<double> values;
  void multiply(const double* x, double* y) const;  // y = A x
};
Csr make_csr(const SparseMatrix& a);
// New values of the same pattern.
void update_csr_values(Csr& c, const SparseMatrix& a);

// "key=value,key=value" into a map; a malformed item, a repeated or unknown key (not in
// `known`) is a usage error naming the preconditioner.
std::map<std::string, std::string> parse_knobs(const std::string& text, const std::string& owner,
                                               const std::vector<std::string>& known);
// A knob's value as a number; anything else is a usage error.
double knob_number(const std::map<std::string, std::string>& knobs, const std::string& key,
                   double fallback, double lo, double hi);

// z = M^{-1} r for an approximation M of A, built by setup from the matrix's values.
class Preconditioner {
 public:
  virtual ~Preconditioner() = default;
  // One-time preparation outside the timed setup (amg: MPI's start-up).
  virtual void prepare() {}
  virtual void setup(const SparseMatrix& a, const Csr& csr) = 0;
  virtual void apply(const double* r, double* z) = 0;
};

// The preconditioner names, and the knobs each accepts.
const std::vector<std::string>& preconditioner_names();
std::vector<std::string> preconditioner_knobs(const std::string& kind);
// Validates the knobs (usage errors) and creates the preconditioner.
std::unique_ptr<Preconditioner> make_preconditioner(const std::string& kind,
                                                    const std::string& options);
// hypre's BoomerAMG, one cycle per apply (lib/plugins/hypre_amg.cpp, loaded by amg_plugin.cpp).
std::unique_ptr<Preconditioner> make_amg_preconditioner(
    const std::map<std::string, std::string>& knobs);
std::vector<std::string> amg_knobs();

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
