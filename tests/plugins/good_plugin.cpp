// A plugin for the tests: registers the backend "plugin-lu" (the tests' dense reference LU) and,
// when SPAX_TEST_PLUGIN_MARKER names a file, creates it, so a test can tell whether a command
// loaded plugins at all.
#include <cstdlib>
#include <fstream>

#include "reference_backend.hpp"
#include "spax/plugin.hpp"

namespace {
void register_plugin_lu() {
  if (const char* marker = std::getenv("SPAX_TEST_PLUGIN_MARKER"))
    std::ofstream(marker) << "loaded";
  spax::BackendInfo b = spax::test::reference_backend_info("plugin-lu");
  b.summary = "the tests' dense reference LU, from a plugin";
  spax::register_backend(std::move(b));
}
}  // namespace

SPAX_PLUGIN_ENTRY(register_plugin_lu)
