#include "cuda_common.hpp"

namespace spax::cuda_plugin {

std::string gpu_unavailable_reason() {
  static const std::string why = [] {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess)
      return std::string("no usable CUDA device (") + cudaGetErrorString(e) + ")";
    if (count == 0) return std::string("no CUDA device visible");
    return std::string();
  }();
  return why;
}

std::string gpu_name() {
  int device = 0;
  cudaDeviceProp prop{};
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaGetDeviceProperties(&prop, device) != cudaSuccess)
    return "unknown CUDA device";
  return prop.name;
}

}  // namespace spax::cuda_plugin
