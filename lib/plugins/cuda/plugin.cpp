// The CUDA plugin (libspax-cuda.so): cuda-rf and cuda-dense. Built only where the CUDA toolkit
// was found (SPAX_WITH_CUDA); each backend says it is unavailable where no GPU is visible.
#include "spax/plugin.hpp"
#include "backends.hpp"

namespace {
void register_cuda_backends() {
  spax::register_backend(spax::cuda_plugin::cuda_rf_backend());
  spax::register_backend(spax::cuda_plugin::cuda_dense_backend());
}
}  // namespace

SPAX_PLUGIN_ENTRY(register_cuda_backends)
