// BoomerAMG lives in the plugin libspax-hypre.so (lib/plugins/hypre_amg.cpp), loaded here on the
// first AMG setup from the directory libspax itself was loaded from, so that hypre and Open MPI
// are mapped only into processes that use them.
#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "solve/iterative.hpp"

namespace spax::solve_detail {
namespace {

using MakeAmg = Preconditioner* (*)(const std::map<std::string, std::string>*);

MakeAmg load_plugin() {
  static std::once_flag once;
  static MakeAmg make = nullptr;
  static std::string error;
  std::call_once(once, [] {
    Dl_info self{};
    std::filesystem::path dir;
    if (::dladdr(reinterpret_cast<void*>(&load_plugin), &self) && self.dli_fname)
      dir = std::filesystem::path(self.dli_fname).parent_path();
    const std::filesystem::path path = dir / "libspax-hypre.so";
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = ::dlerror();
      error = "amg needs the hypre plugin " + path.string() + ": " + (e ? e : "cannot load it");
      return;
    }
    make = reinterpret_cast<MakeAmg>(::dlsym(h, "spax_hypre_make_amg"));
    if (!make) error = "amg: " + path.string() + " has no entry point spax_hypre_make_amg";
  });
  if (!make) throw_internal(error);
  return make;
}

}  // namespace

std::vector<std::string> amg_knobs() {
  return {"strong_threshold", "coarsen", "interp", "relax", "agg_levels",
          "max_levels",       "pmax",    "sweeps", "cycle"};
}

std::unique_ptr<Preconditioner> make_amg_preconditioner(
    const std::map<std::string, std::string>& knobs) {
  return std::unique_ptr<Preconditioner>(load_plugin()(&knobs));
}

}  // namespace spax::solve_detail
