// Writing a plugin: a MODULE library named libspax-NAME.so, placed in spax's plugin directory
// (beside libspax, or in a directory of SPAX_PLUGIN_PATH), exporting one C entry point that
// registers its backends (and preconditioners) when its ABI version is the host's:
//
//   #include "spax/plugin.hpp"
//   static void register_mine() { spax::register_backend({.name = "mine", ...}); }
//   SPAX_PLUGIN_ENTRY(register_mine)
//
// spax loads plugins on the first registry lookup that needs them (a plain `spax info` maps none).
// A plugin resolves spax's symbols from the process that loads it, so it does not link libspax
// itself (one registry per process, whichever way spax was linked into it). A plugin built for
// another ABI version is refused with a message naming both versions, and not used.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "spax/backend.hpp"
#include "spax/config.hpp"
#include "spax/solve.hpp"

// The entry point: called with the host's SPAX_PLUGIN_ABI_VERSION; registers only when it equals
// the plugin's own, and returns the plugin's own (the host refuses the plugin when they differ).
#define SPAX_PLUGIN_ENTRY(register_function)                                                     \
  extern "C" __attribute__((visibility("default"))) int spax_plugin_init(int host_abi_version) { \
    if (host_abi_version == SPAX_PLUGIN_ABI_VERSION) register_function();                        \
    return SPAX_PLUGIN_ABI_VERSION;                                                              \
  }

namespace spax {

// A square real matrix by rows, as the iterative backends hold it; values[k] is the CSC value at
// from_csc[k].
struct SPAX_API Csr {
  index_t n = 0;
  std::vector<index_t> rowptr, colind, from_csc;
  std::vector<double> values;
  void multiply(const double* x, double* y) const;  // y = A x
};

// z = M^{-1} r for an approximation M of A, built by setup from the matrix's values; what a
// PreconditionerInfo's factory returns.
class SPAX_API Preconditioner {
 public:
  virtual ~Preconditioner();
  // One-time preparation outside the timed setup (amg: MPI's start-up).
  virtual void prepare() {}
  virtual void setup(const SparseMatrix& a, const Csr& csr) = 0;
  virtual void apply(const double* r, double* z) = 0;
};

}  // namespace spax
