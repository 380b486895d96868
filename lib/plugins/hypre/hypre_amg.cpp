// The hypre plugin (libspax-hypre.so): BoomerAMG as the amg preconditioner, one cycle per apply,
// set up from the matrix through the IJ interface (ParCSR) on MPI_COMM_SELF; the built-in amg
// solver uses it on its own. Debian's hypre is built with MPI, so MPI is initialised once, lazily,
// as a singleton (no mpirun), and finalised at exit; MPI stays inside this plugin. Loaded on the
// first lookup of amg: hypre and Open MPI cost every other spax command about 5 ms of start-up
// when linked in.
#include <mpi.h>

#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_parcsr_ls.h>
#include <_hypre_parcsr_mv.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPAX_HAVE_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SPAX_HAVE_LSAN 1
#endif
#ifdef SPAX_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "spax/plugin.hpp"

namespace spax::hypre_plugin {
namespace {

bool g_mpi_owned = false;

void finalize_mpi() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!g_mpi_owned || finalized) return;
  HYPRE_Finalize();
  MPI_Finalize();
}

void ensure_mpi() {
  static std::once_flag once;
  std::call_once(once, [] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) return;  // the host program runs MPI itself
    if (!std::getenv("OMPI_COMM_WORLD_SIZE")) {
      // Not launched by mpirun: a singleton that starts no runtime daemon and uses only the
      // in-process transport (fast to start, silent, fine in forked children). A user's own
      // OMPI_MCA_* settings win.
      ::setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
      ::setenv("OMPI_MCA_btl", "self", 0);
      ::setenv("OMPI_MCA_pml", "ob1", 0);
      ::setenv("OMPI_MCA_osc", "^ucx", 0);
    }
    int provided = 0;
#ifdef SPAX_HAVE_LSAN
    // Open MPI keeps what MPI_Init allocates past MPI_Finalize (its own leaks, not spax's):
    // LeakSanitizer ignores allocations made while it is disabled.
    __lsan_disable();
#endif
    const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
#ifdef SPAX_HAVE_LSAN
    __lsan_enable();
#endif
    if (rc != MPI_SUCCESS) throw_internal("amg: MPI_Init failed (hypre needs MPI)");
    HYPRE_Init();
    g_mpi_owned = true;
    std::atexit(finalize_mpi);
  });
}

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

class AmgPreconditioner final : public Preconditioner {
 public:
  explicit AmgPreconditioner(const std::map<std::string, std::string>& knobs) {
    // Validate every knob now (usage errors before any work).
    coarsen_ = pick(knobs, "coarsen", {{"hmis", 10}, {"pmis", 8}, {"falgout", 6}});
    interp_ = pick(knobs, "interp", {{"ext+i", 6}, {"classical", 0}, {"direct", 3}});
    relax_ =
        pick(knobs, "relax", {{"l1-gs", 8}, {"hybrid-gs", 6}, {"jacobi", 0}, {"l1-jacobi", 18}});
    cycle_ = pick(knobs, "cycle", {{"v", 1}, {"w", 2}});
    // auto: chosen in setup from the entries per row.
    strong_ =
        knobs.at("strong_threshold") == "auto" ? -1.0 : number(knobs, "strong_threshold", 0.0, 1.0);
    agg_levels_ = static_cast<int>(number(knobs, "agg_levels", 0, 10));
    max_levels_ = static_cast<int>(number(knobs, "max_levels", 1, 100));
    pmax_ = static_cast<int>(number(knobs, "pmax", 0, 100));
    sweeps_ = static_cast<int>(number(knobs, "sweeps", 1, 20));
  }
  ~AmgPreconditioner() override { release(); }

  void prepare() override { ensure_mpi(); }

  void setup(const SparseMatrix&, const Csr& c) override {
    ensure_mpi();
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
    // Strong threshold: 0.25 suits 2D problems, 0.5 3D ones (more than 6 entries per row).
    double strong = strong_;
    if (strong < 0)
      strong = c.n > 0 && static_cast<double>(c.colind.size()) / static_cast<double>(c.n) > 6.0
                   ? 0.5
                   : 0.25;
    HYPRE_BoomerAMGCreate(&amg_);
    HYPRE_BoomerAMGSetPrintLevel(amg_, 0);
    HYPRE_BoomerAMGSetCoarsenType(amg_, coarsen_);
    HYPRE_BoomerAMGSetInterpType(amg_, interp_);
    HYPRE_BoomerAMGSetPMaxElmts(amg_, pmax_);
    HYPRE_BoomerAMGSetStrongThreshold(amg_, strong);
    HYPRE_BoomerAMGSetRelaxType(amg_, relax_);
    HYPRE_BoomerAMGSetNumSweeps(amg_, sweeps_);
    HYPRE_BoomerAMGSetCycleType(amg_, cycle_);
    HYPRE_BoomerAMGSetAggNumLevels(amg_, agg_levels_);
    HYPRE_BoomerAMGSetMaxLevels(amg_, max_levels_);
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

  int coarsen_, interp_, relax_, cycle_, agg_levels_, max_levels_, pmax_, sweeps_;
  double strong_;
  int n_ = 0;
  HYPRE_IJMatrix ij_ = nullptr;
  HYPRE_ParCSRMatrix par_ = nullptr;
  HYPRE_IJVector bv_ = nullptr, xv_ = nullptr;
  HYPRE_ParVector pb_ = nullptr, px_ = nullptr;
  HYPRE_Solver amg_ = nullptr;
};

void register_amg() {
  PreconditionerInfo p;
  p.name = "amg";
  p.summary = "one BoomerAMG cycle (hypre)";
  p.options = {
      {"strong_threshold", "auto",
       "strength threshold; auto: 0.25, or 0.5 with more than 6 entries per row (3D stencils)"},
      {"coarsen", "hmis", "coarsening: hmis, pmis, falgout"},
      {"interp", "ext+i", "interpolation: ext+i, classical, direct"},
      {"relax", "l1-gs", "smoother: l1-gs, hybrid-gs, jacobi, l1-jacobi"},
      {"agg_levels", "0", "levels of aggressive coarsening"},
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

SPAX_PLUGIN_ENTRY(spax::hypre_plugin::register_amg)
