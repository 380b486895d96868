// The hypre plugin (libspax-hypre.so): BoomerAMG as the amg preconditioner, one cycle per apply,
// set up from the matrix through the IJ interface (ParCSR) on MPI_COMM_SELF; the built-in amg
// solver uses it on its own. Debian's hypre is built with MPI: MPI is started through the runtime
// the MPI plugins share (libspax_mpi.so: lazily, as a singleton without mpirun) and ended by it;
// MPI stays inside the plugins. Loaded on the first lookup of amg: hypre and Open MPI cost every
// other spax command about 5 ms of start-up when linked in.
#include <mpi.h>

#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_parcsr_ls.h>
#include <_hypre_parcsr_mv.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include <sstream>

#include "amg_knobs.hpp"
#include "spax/plugin.hpp"
#include "spax_mpi.hpp"

namespace spax::hypre_plugin {

// MPI through the runtime the MPI plugins share; hypre itself initialised once, finalised before
// MPI ends.
void ensure_hypre() {
  mpi::ensure_started();
  static std::once_flag once;
  std::call_once(once, [] {
    HYPRE_Init();
    mpi::at_finalize([] { HYPRE_Finalize(); });
  });
}

namespace {

struct Choice {
  const char* name;
  int value;
};
int pick(const std::map<std::string, std::string>& knobs, const std::string& key,
         std::initializer_list<Choice> choices) {
  std::vector<std::string> names;
  for (const auto& c : choices) names.emplace_back(c.name);
  const std::string v = option_choice(knobs, "amg", key, names);
  for (const auto& c : choices)
    if (v == c.name) return c.value;
  return choices.begin()->value;
}
double number(const std::map<std::string, std::string>& knobs, const std::string& key, double lo,
              double hi) {
  return option_number(knobs, "amg", key, lo, hi);
}

}  // namespace

AmgKnobs AmgKnobs::parse(const std::map<std::string, std::string>& knobs) {
  AmgKnobs k;
  k.coarsen =
      pick(knobs, "coarsen",
           {{"hmis", 10}, {"pmis", 8}, {"falgout", 6}, {"pmis-fixed", 9}, {"cljp-fixed", 7}});
  k.interp = pick(knobs, "interp", {{"ext+i", 6}, {"classical", 0}, {"direct", 3}});
  k.relax =
      pick(knobs, "relax", {{"l1-gs", 8}, {"hybrid-gs", 6}, {"jacobi", 0}, {"l1-jacobi", 18}});
  k.cycle = pick(knobs, "cycle", {{"v", 1}, {"w", 2}});
  // auto: chosen at setup from the entries per row.
  k.strong =
      knobs.at("strong_threshold") == "auto" ? -1.0 : number(knobs, "strong_threshold", 0.0, 1.0);
  k.agg_levels =
      knobs.at("agg_levels") == "auto" ? -1 : static_cast<int>(number(knobs, "agg_levels", 0, 10));
  k.max_levels = static_cast<int>(number(knobs, "max_levels", 1, 100));
  k.pmax = static_cast<int>(number(knobs, "pmax", 0, 100));
  k.sweeps = static_cast<int>(number(knobs, "sweeps", 1, 20));
  return k;
}

std::string AmgKnobs::encode() const {
  std::ostringstream s;
  s.precision(17);
  s << coarsen << ' ' << interp << ' ' << relax << ' ' << cycle << ' ' << strong << ' '
    << agg_levels << ' ' << max_levels << ' ' << pmax << ' ' << sweeps;
  return s.str();
}

AmgKnobs AmgKnobs::decode(const std::string& text) {
  AmgKnobs k;
  std::istringstream s(text);
  s >> k.coarsen >> k.interp >> k.relax >> k.cycle >> k.strong >> k.agg_levels >> k.max_levels >>
      k.pmax >> k.sweeps;
  return k;
}

namespace {

class AmgPreconditioner final : public Preconditioner {
 public:
  explicit AmgPreconditioner(const std::map<std::string, std::string>& knobs)
      : knobs_(AmgKnobs::parse(knobs)) {}  // every knob validated now, before any work
  ~AmgPreconditioner() override { release(); }

  void prepare() override { ensure_hypre(); }

  void setup(const SparseMatrix&, const Csr& c) override {
    ensure_hypre();
    release();
    const int n = to_int32(c.n, "amg: matrix dimension");
    to_int32(static_cast<index_t>(c.colind.size()), "amg: number of nonzeros");
    n_ = n;
    HYPRE_IJMatrixCreate(MPI_COMM_SELF, 0, n - 1, 0, n - 1, &ij_);
    HYPRE_IJMatrixSetObjectType(ij_, HYPRE_PARCSR);
    std::vector<int> sizes(static_cast<std::size_t>(n)), rows(static_cast<std::size_t>(n)),
        cols(c.colind.size());
    for (int i = 0; i < n; ++i) {
      rows[i] = i;
      sizes[i] = static_cast<int>(c.rowptr[i + 1] - c.rowptr[i]);
    }
    for (std::size_t k = 0; k < cols.size(); ++k) cols[k] = static_cast<int>(c.colind[k]);
    HYPRE_IJMatrixSetRowSizes(ij_, sizes.data());
    HYPRE_IJMatrixInitialize(ij_);
    HYPRE_IJMatrixSetValues(ij_, n, sizes.data(), rows.data(), cols.data(), c.values.data());
    HYPRE_IJMatrixAssemble(ij_);
    HYPRE_IJMatrixGetObject(ij_, reinterpret_cast<void**>(&par_));
    for (HYPRE_IJVector* v : {&bv_, &xv_}) {
      HYPRE_IJVectorCreate(MPI_COMM_SELF, 0, n - 1, v);
      HYPRE_IJVectorSetObjectType(*v, HYPRE_PARCSR);
      HYPRE_IJVectorInitialize(*v);
      HYPRE_IJVectorAssemble(*v);
    }
    HYPRE_IJVectorGetObject(bv_, reinterpret_cast<void**>(&pb_));
    HYPRE_IJVectorGetObject(xv_, reinterpret_cast<void**>(&px_));
    // Strong threshold and aggressive coarsening: 3D problems (more than 6 entries per row)
    // want others than 2D ones.
    const double per_row =
        c.n > 0 ? static_cast<double>(c.colind.size()) / static_cast<double>(c.n) : 0.0;
    HYPRE_BoomerAMGCreate(&amg_);
    knobs_.apply(amg_, per_row);
    HYPRE_BoomerAMGSetMaxIter(amg_, 1);  // one cycle per apply
    HYPRE_BoomerAMGSetTol(amg_, 0.0);
    const int err = HYPRE_BoomerAMGSetup(amg_, par_, pb_, px_);
    if (err != 0 && HYPRE_CheckError(err, HYPRE_ERROR_GENERIC)) {
      HYPRE_ClearAllErrors();
      throw_numerical("amg: BoomerAMG setup failed (hypre error " + std::to_string(err) + ")");
    }
    HYPRE_ClearAllErrors();
  }

  void apply(const double* r, double* z) override {
    double* bd = hypre_VectorData(hypre_ParVectorLocalVector(pb_));
    double* xd = hypre_VectorData(hypre_ParVectorLocalVector(px_));
    std::copy(r, r + n_, bd);
    std::fill(xd, xd + n_, 0.0);
    HYPRE_BoomerAMGSolve(amg_, par_, pb_, px_);
    HYPRE_ClearAllErrors();  // "not converged" after one cycle is expected
    std::copy(xd, xd + n_, z);
  }

 private:
  void release() {
    if (amg_) HYPRE_BoomerAMGDestroy(amg_);
    if (ij_) HYPRE_IJMatrixDestroy(ij_);
    if (bv_) HYPRE_IJVectorDestroy(bv_);
    if (xv_) HYPRE_IJVectorDestroy(xv_);
    amg_ = nullptr;
    ij_ = nullptr;
    bv_ = xv_ = nullptr;
  }

  AmgKnobs knobs_;
  int n_ = 0;
  HYPRE_IJMatrix ij_ = nullptr;
  HYPRE_ParCSRMatrix par_ = nullptr;
  HYPRE_IJVector bv_ = nullptr, xv_ = nullptr;
  HYPRE_ParVector pb_ = nullptr, px_ = nullptr;
  HYPRE_Solver amg_ = nullptr;
};

void register_hypre() {
  mpi::install();
  register_distributed();
  PreconditionerInfo p;
  p.name = "amg";
  p.summary = "one BoomerAMG cycle (hypre)";
  p.options = {
      {"strong_threshold", "auto",
       "strength threshold; auto: 0.25, or 0.5 with more than 6 entries per row (3D stencils)"},
      {"coarsen", "hmis",
       "coarsening: hmis, pmis, falgout; pmis-fixed, cljp-fixed (random numbers fixed by the "
       "global row: the same hierarchy on any number of processes, with agg_levels=0)"},
      {"interp", "ext+i", "interpolation: ext+i, classical, direct"},
      {"relax", "l1-gs",
       "smoother: l1-gs, hybrid-gs (Gauss-Seidel inside a process, Jacobi across processes), "
       "jacobi, l1-jacobi"},
      {"agg_levels", "auto",
       "levels of aggressive coarsening; auto: 1 with more than 6 entries per row (3D "
       "stencils), else 0"},
      {"max_levels", "25", "levels at most"},
      {"pmax", "4", "interpolation entries per row at most"},
      {"sweeps", "1", "smoother sweeps"},
      {"cycle", "v", "cycle type: v, w"}};
  p.factory = [](const std::map<std::string, std::string>& knobs) {
    return std::unique_ptr<Preconditioner>(new AmgPreconditioner(knobs));
  };
  register_preconditioner(std::move(p));
}

}  // namespace

}  // namespace spax::hypre_plugin

SPAX_PLUGIN_ENTRY(spax::hypre_plugin::register_hypre)
