// The distributed iterative solvers of the hypre plugin: cg, gmres, bicgstab with the amg
// preconditioner, and amg on its own, across the processes of an MPI job (mpirun -np N), through
// hypre's own ParCSR PCG / GMRES / BiCGSTAB and BoomerAMG. Registered as the distributed
// variants of the built-in iterative backends: on one process those run as always (spax's own
// Krylov loops); under N processes these stand in for them.
//
// Rank 0 reads the matrix and holds it row-wise; it splits the rows into N contiguous blocks
// balanced by nonzeros (circuit matrices have dense supply and ground rows) and sends each rank
// its block, which the rank assembles (HYPRE_IJMatrix). The right-hand side follows the same
// partition, and rank 0 gathers the solution. The sequence semantics are those of the
// one-process backends (solve/iterative_backend.cpp): factor = the BoomerAMG setup, refactor =
// new values with the setup kept while the solves converge within the rebuild bound, the
// residual recomputed by rank 0 from the matrix after each run of the method (a run that thinks
// it converged when the recomputed residual disagrees continues from there), not converging a
// numerical error with the residual reached.
//
// This file: rank 0's Solver and the registration; every rank's side is in hypre_ranks.cpp.
#include <mpi.h>

#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_parcsr_ls.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "hypre_distributed.hpp"
#include "spax/kept_setup.hpp"
#include "spax/plugin.hpp"
#include "spax/timer.hpp"

namespace spax::hypre_plugin {
namespace detail {
namespace {

// Rank 0's matrix row by row (the partition is by rows), for the blocks and the residuals.
struct Rows {
  index_t n = 0;
  std::vector<index_t> rowptr, colind, from_csc;
  std::vector<double> values;
};

std::int64_t next_id() {
  static std::int64_t next = 1;
  return next++;
}

// Rank 0's solver.
class DistributedSolver final : public Solver {
 public:
  DistributedSolver(int method, const SolverOptions& o) : method_(method) {
    const auto& opt = o.options;
    name_ = method_ == kAmg ? std::string("amg") : std::string(method_name(method_)) + "+amg";
    tol_ = option_number(opt, name_, "tol", 1e-300, 1.0);
    if (!(tol_ > 0.0)) throw_usage(name_ + ": option tol must be positive");
    max_iter_ = static_cast<int>(option_number(opt, name_, "max_iter", 1, 1e9));
    rebuild_iters_ = static_cast<int>(option_number(opt, name_, "rebuild_iters", 0, 1e9));
    if (opt.count("restart"))
      restart_ = static_cast<int>(option_number(opt, name_, "restart", 1, 1e6));
    knobs_ = AmgKnobs::parse(opt);
    stats_.iterative = true;
    stats_.ordering = "natural";
    // MPI's start-up is not part of the timed phases.
    ensure_hypre();
    stats_.processes = mpi::size();
    id_ = next_id();
    mpi::run({kChannel, kCreate, {id_, method_}, knobs_.encode()});
  }
  ~DistributedSolver() override {
    try {
      if (mpi::active()) mpi::run({kChannel, kDestroy, {id_}, {}});
    } catch (...) {
    }
  }

  std::string name() const override { return name_; }

  void analyze(const SparseMatrix& a) override {
    Timer t;
    if (a.is_complex()) throw_usage(name_ + ": iterative solvers take real matrices only");
    if (!a.is_square()) throw_input("matrix is not square");
    to_int32(a.nrows, "hypre: matrix dimension");
    to_int32(a.nnz(), "hypre: number of nonzeros");
    colptr_ = a.colptr;
    rowind_ = a.rowind;
    make_rows(a);
    distribute();
    stats_.analyze_seconds = t.seconds();
  }

  void factor(const SparseMatrix& a) override {
    Timer t;
    load_values(a);
    setup();
    const double s = t.seconds();
    kept_.built(s);
    stats_.setup_seconds = s;
    stats_.factor_seconds = s;
  }

  void refactor(const SparseMatrix& a) override {
    Timer t;
    load_values(a);
    kept_.fresh = false;
    stats_.refactor_seconds = t.seconds();
  }

  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    if (transpose) throw_usage(name_ + ": iterative solvers do not solve with the transpose");
    Timer t;
    const index_t n = rows_.n;
    KeptSetupSolve how;
    how.name = name_;
    how.max_iter = max_iter_;
    how.rebuild_iters = rebuild_iters_;
    how.tol = tol_;
    how.iterate = [this](const std::vector<double>& rhs, std::vector<double>& x, int max_iter,
                         std::vector<double>& hist) { return iterate(rhs, x, max_iter, hist); };
    how.setup = [this] { setup(); };
    solve_keeping_setup(kept_, how, stats_, b, n, nrhs);
    stats_.solve_seconds = t.seconds();
    // Every rank's peak resident memory so far (a collective call, outside the timing).
    stats_.memory_per_process = peak_memory_per_process();
  }

  void solve(std::span<complex_t>, index_t, bool) override {
    throw_usage(name_ + ": iterative solvers take real matrices only");
  }

 private:
  // The CSC matrix by rows; from_csc[k] = the CSC position of row entry k.
  void make_rows(const SparseMatrix& a) {
    Rows& r = rows_;
    r.n = a.nrows;
    const auto nnz = static_cast<std::size_t>(a.nnz());
    r.rowptr.assign(static_cast<std::size_t>(a.nrows) + 1, 0);
    for (index_t i : a.rowind) ++r.rowptr[static_cast<std::size_t>(i) + 1];
    for (index_t i = 0; i < a.nrows; ++i) r.rowptr[i + 1] += r.rowptr[i];
    r.colind.assign(nnz, 0);
    r.from_csc.assign(nnz, 0);
    std::vector<index_t> next(r.rowptr.begin(), r.rowptr.end() - 1);
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t k = a.colptr[j]; k < a.colptr[j + 1]; ++k) {
        const index_t q = next[static_cast<std::size_t>(a.rowind[k])]++;
        r.colind[q] = j;
        r.from_csc[q] = k;
      }
    r.values.assign(nnz, 1.0);
    if (!a.values.empty())
      for (std::size_t q = 0; q < nnz; ++q)
        r.values[q] = a.values[static_cast<std::size_t>(r.from_csc[q])];
  }

  // Contiguous row blocks with about equal nonzeros, and each rank's block sent and assembled.
  void distribute() {
    const int size = mpi::size();
    const index_t n = rows_.n;
    const double nnz = static_cast<double>(rows_.rowptr.back());
    std::vector<int> first(static_cast<std::size_t>(size) + 1, 0);
    index_t row = 0;
    for (int q = 1; q < size; ++q) {
      const double target = nnz * q / size;
      while (row < n && static_cast<double>(rows_.rowptr[row]) < target) ++row;
      // At least one row per rank where there are rows enough.
      row = std::max<index_t>(row, std::min<index_t>(n, first[q - 1] + 1));
      first[static_cast<std::size_t>(q)] = static_cast<int>(row);
    }
    first[static_cast<std::size_t>(size)] = static_cast<int>(n);
    first_ = first;
    std::string blob(reinterpret_cast<const char*>(first.data()), first.size() * sizeof(int));
    // Rank 0's own block goes in before the call; the others' are sent inside it.
    Part& mine = part(id_);
    block(0, mine.ncols, mine.cols, mine.vals);
    mine.send_blocks = [this, size] {
      for (int q = 1; q < size; ++q) {
        std::vector<HYPRE_Int> ncols;
        std::vector<HYPRE_BigInt> cols;
        std::vector<double> vals;
        block(q, ncols, cols, vals);
        send_vector(ncols, q);
        send_vector(cols, q);
        send_vector(vals, q);
      }
    };
    mpi::run({kChannel, kPattern, {id_}, blob});
  }

  // The rows of rank q as hypre wants them.
  void block(int q, std::vector<HYPRE_Int>& ncols, std::vector<HYPRE_BigInt>& cols,
             std::vector<double>& vals) const {
    const index_t lo = first_[static_cast<std::size_t>(q)];
    const index_t hi = first_[static_cast<std::size_t>(q) + 1];
    ncols.resize(static_cast<std::size_t>(hi - lo));
    for (index_t i = lo; i < hi; ++i)
      ncols[static_cast<std::size_t>(i - lo)] =
          static_cast<HYPRE_Int>(rows_.rowptr[i + 1] - rows_.rowptr[i]);
    cols.assign(rows_.colind.begin() + rows_.rowptr[lo], rows_.colind.begin() + rows_.rowptr[hi]);
    vals.assign(rows_.values.begin() + rows_.rowptr[lo], rows_.values.begin() + rows_.rowptr[hi]);
  }

  void load_values(const SparseMatrix& a) {
    if (a.nrows != rows_.n || a.colptr != colptr_ || a.rowind != rowind_) {
      analyze(a);
      return;
    }
    const std::size_t nnz = rows_.values.size();
    for (std::size_t q = 0; q < nnz; ++q)
      rows_.values[q] =
          a.values.empty() ? 1.0 : a.values[static_cast<std::size_t>(rows_.from_csc[q])];
    Part& mine = part(id_);
    const index_t hi0 = first_[1];
    mine.vals.assign(rows_.values.begin(), rows_.values.begin() + rows_.rowptr[hi0]);
    const int size = mpi::size();
    mine.send_blocks = [this, size] {
      for (int q = 1; q < size; ++q) {
        const index_t lo = first_[static_cast<std::size_t>(q)];
        const index_t hi = first_[static_cast<std::size_t>(q) + 1];
        std::vector<double> vals(rows_.values.begin() + rows_.rowptr[lo],
                                 rows_.values.begin() + rows_.rowptr[hi]);
        send_vector(vals, q);
      }
    };
    mpi::run({kChannel, kValues, {id_}, {}});
  }

  void setup() {
    const double per_row =
        rows_.n > 0 ? static_cast<double>(rows_.rowptr.back()) / static_cast<double>(rows_.n) : 0.0;
    mpi::run({kChannel, kSetup, {id_, to_bits(per_row)}, {}});
    if (part(id_).setup_error)
      throw_numerical(name_ + ": BoomerAMG setup failed on at least one process");
  }

  double residual_norm(const std::vector<double>& b, const std::vector<double>& x) const {
    double s = 0;
    for (index_t i = 0; i < rows_.n; ++i) {
      double r = b[static_cast<std::size_t>(i)];
      for (index_t k = rows_.rowptr[i]; k < rows_.rowptr[i + 1]; ++k)
        r -= rows_.values[static_cast<std::size_t>(k)] *
             x[static_cast<std::size_t>(rows_.colind[static_cast<std::size_t>(k)])];
      s += r * r;
    }
    return std::sqrt(s);
  }

  // As the one-process backends: runs the method from x, restarting it from the current x while
  // its own test says converged but the recomputed residual does not.
  IterativeOutcome iterate(const std::vector<double>& b, std::vector<double>& x, int max_iter,
                           std::vector<double>& hist) {
    IterativeOutcome o;
    o.iterations = 0;
    double bnorm = 0;
    for (double v : b) bnorm += v * v;
    bnorm = std::sqrt(bnorm);
    if (bnorm == 0.0) {
      std::fill(x.begin(), x.end(), 0.0);
      hist.assign(1, 0.0);
      o.converged = true;
      return o;
    }
    hist.assign(1, residual_norm(b, x) / bnorm);
    Part& p = part(id_);
    for (;;) {
      p.b_all = b;
      p.x_all = x;
      const int left = max_iter - o.iterations;
      mpi::run({kChannel, kIterate, {id_, left, to_bits(tol_), restart_}, {}});
      x = p.x_all;
      const int done = p.iterations;
      for (double nrm : p.norms) hist.push_back(nrm / bnorm);
      o.iterations += done;
      o.residual = residual_norm(b, x) / bnorm;
      if (!std::isfinite(o.residual)) o.residual = INFINITY;
      if (hist.size() > 1) hist.back() = o.residual;  // the recomputed one, not the estimate
      o.converged = o.residual <= tol_;
      // Stopped before its iteration limit without converging by its own test: a breakdown.
      if (!o.converged && !p.converged && done < left)
        o.breakdown = std::string("hypre's ") + method_name(method_) + " stopped after " +
                      std::to_string(done) + " iterations without converging";
      if (o.converged || o.iterations >= max_iter || done == 0 || !o.breakdown.empty() ||
          !std::isfinite(o.residual))
        return o;
    }
  }

  int method_;
  std::string name_;
  double tol_ = kDefaultTolerance;
  int max_iter_ = kDefaultMaxIterations;
  int restart_ = kDefaultRestart;
  int rebuild_iters_ = 0;
  AmgKnobs knobs_;
  std::int64_t id_ = 0;
  Rows rows_;
  std::vector<index_t> colptr_, rowind_;
  std::vector<int> first_;
  KeptSetup kept_;
};

}  // namespace
}  // namespace detail

void register_distributed() {
  mpi::register_channel(detail::kChannel, detail::channel);
  mpi::at_finalize(detail::destroy_all_parts);
  for (int m : {detail::kCg, detail::kGmres, detail::kBicgstab, detail::kAmg}) {
    DistributedVariant v;
    v.backend = detail::method_name(m);
    v.preconditioners = {"amg"};
    v.summary = std::string("hypre's ParCSR ") + detail::method_name(m) +
                (m == detail::kAmg ? " (BoomerAMG)" : " with BoomerAMG") +
                " across the MPI processes";
    v.factory = [m](const SolverOptions& o) {
      return std::unique_ptr<Solver>(new detail::DistributedSolver(m, o));
    };
    register_distributed_variant(std::move(v));
  }
}

}  // namespace spax::hypre_plugin
