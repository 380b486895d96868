// A plugin built for another ABI version: the host must refuse it (and it registers nothing).
#include "spax/config.hpp"

extern "C" __attribute__((visibility("default"))) int spax_plugin_init(int) {
  return SPAX_PLUGIN_ABI_VERSION + 1;
}
