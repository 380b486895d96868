// The plugin loader: every libspax-*.so in the plugin directories (SPAX_PLUGIN_PATH, then the
// directory libspax itself was loaded from), loaded once, on the first registry lookup that needs
// it. Each plugin exports spax_plugin_init (spax/plugin.hpp); one built for another ABI version is
// refused and unloaded.
#include "solve/plugins.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>

#include "core/lsan.hpp"
#include "spax/backend.hpp"
#include "spax/config.hpp"

namespace spax {
namespace solve_detail {
namespace {

namespace fs = std::filesystem;

struct Loader {
  std::recursive_mutex mutex;
  bool done = false;
  bool loading = false;
  std::vector<PluginRecord> records;
};

Loader& loader() {
  static Loader l;
  return l;
}

thread_local std::string t_provider;

// The file libspax's code lives in (libspax.so, or the executable when linked statically).
std::string self_path() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&self_path), &info) && info.dli_fname) return info.dli_fname;
  return {};
}

using InitFn = int (*)(int);

void load_one(const fs::path& path, std::vector<PluginRecord>& records) {
  PluginRecord rec;
  rec.path = path.string();
  void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = ::dlerror();
    rec.status = "failed";
    rec.message = e ? e : "dlopen failed";
    records.push_back(std::move(rec));
    return;
  }
  auto init = reinterpret_cast<InitFn>(::dlsym(h, "spax_plugin_init"));
  if (!init) {
    rec.status = "refused";
    rec.message = "no entry point spax_plugin_init";
    ::dlclose(h);
    records.push_back(std::move(rec));
    return;
  }
  t_provider = path.filename().string();
  int abi = -1;
  try {
    abi = init(SPAX_PLUGIN_ABI_VERSION);
  } catch (const std::exception& e) {
    rec.status = "failed";
    rec.message = std::string("its entry point failed: ") + e.what();
  }
  t_provider.clear();
  if (rec.status.empty() && abi != SPAX_PLUGIN_ABI_VERSION) {
    rec.status = "refused";
    rec.message = "built for plugin ABI version " + std::to_string(abi) +
                  ", this spax has version " + std::to_string(SPAX_PLUGIN_ABI_VERSION) +
                  ": rebuild it against this spax";
    ::dlclose(h);
  } else if (rec.status.empty()) {
    rec.status = "loaded";
    rec.message = "ok";
    for (const auto& b : registered_backends(false))
      if (b.provider == path.filename().string()) rec.registered.push_back(b.name);
    for (const auto& p : registered_preconditioners(false))
      if (p.provider == path.filename().string())
        rec.registered.push_back("preconditioner " + p.name);
  }
  records.push_back(std::move(rec));
}

}  // namespace

void load_all_plugins() {
  Loader& l = loader();
  std::lock_guard<std::recursive_mutex> lock(l.mutex);
  if (l.done || l.loading) return;
  l.loading = true;
  // Plugins resolve spax's symbols from the process: make libspax's global (it may have been
  // loaded RTLD_LOCAL, as a Python extension's dependency is).
  if (std::string self = self_path(); !self.empty()) {
    // glibc keeps a dependency list for this dlopen of a loaded object that LeakSanitizer
    // cannot reach (a leak report in every sanitized run that loads plugins).
    detail::LeakCheckPause pause;
    ::dlopen(self.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  }
  std::set<std::string> seen;  // the first file of a name wins (SPAX_PLUGIN_PATH first)
  for (const auto& dir : plugin_directories()) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("libspax-", 0) == 0 && e.path().extension() == ".so" && e.is_regular_file(ec))
        files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      if (seen.insert(f.filename().string()).second) load_one(f, l.records);
  }
  l.loading = false;
  l.done = true;
}

std::string current_plugin_provider() {
  return t_provider;
}

std::string preconditioner_missing_reason(const std::string& name) {
  if (name == "amg")
    return plugin_missing_reason("libspax-hypre.so", SPAX_HAS_HYPRE != 0,
                                 "configure with -DSPAX_WITH_HYPRE=ON (Debian package "
                                 "libhypre-dev)");
  return "";
}

}  // namespace solve_detail

std::vector<std::string> plugin_directories() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("SPAX_PLUGIN_PATH")) {
    std::string s = env;
    std::size_t start = 0;
    while (start <= s.size()) {
      const auto end = s.find(':', start);
      std::string d = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!d.empty()) dirs.push_back(d);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  if (std::string self = solve_detail::self_path(); !self.empty())
    dirs.push_back(std::filesystem::path(self).parent_path().lexically_normal().string());
  return dirs;
}

std::vector<PluginRecord> plugin_records() {
  solve_detail::load_all_plugins();
  solve_detail::Loader& l = solve_detail::loader();
  std::lock_guard<std::recursive_mutex> lock(l.mutex);
  return l.records;
}

}  // namespace spax
