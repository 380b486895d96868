// Shared by the CUDA plugin's backends: status checks that throw spax errors, device arrays
// (plain cudaMalloc, never managed memory), the device's name and whether one is usable.
#pragma once

#include <cuda_runtime.h>
#include <cusolverDn.h>
#include <cusolverRf.h>

#include <cstddef>
#include <string>
#include <vector>

#include "spax/common.hpp"

namespace spax::cuda_plugin {

inline void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw_internal(std::string("CUDA: ") + what + " failed: " + cudaGetErrorString(e));
}
inline void check(cusolverStatus_t e, const char* what) {
  if (e != CUSOLVER_STATUS_SUCCESS)
    throw_internal(std::string("cuSOLVER: ") + what + " failed (status " +
                   std::to_string(static_cast<int>(e)) + ")");
}
#define SPAX_CUDA_CHECK(call) ::spax::cuda_plugin::check((call), #call)

// A device array of T, grown on demand (contents are lost when it grows).
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  ~DeviceArray() { release(); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    release();
    if (n == 0) return;
    SPAX_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)));
    capacity_ = n;
  }
  void upload(const T* src, std::size_t n, cudaStream_t s) {
    reserve(n);
    if (n) SPAX_CUDA_CHECK(cudaMemcpyAsync(p_, src, n * sizeof(T), cudaMemcpyHostToDevice, s));
  }
  void upload(const std::vector<T>& v, cudaStream_t s) { upload(v.data(), v.size(), s); }
  void download(T* dst, std::size_t n, cudaStream_t s) const {
    if (n) SPAX_CUDA_CHECK(cudaMemcpyAsync(dst, p_, n * sizeof(T), cudaMemcpyDeviceToHost, s));
  }
  T* get() const { return p_; }
  std::size_t capacity() const { return capacity_; }
  void release() {
    if (p_) cudaFree(p_);
    p_ = nullptr;
    capacity_ = 0;
  }

 private:
  T* p_ = nullptr;
  std::size_t capacity_ = 0;
};

// "" when a CUDA device can be used, else why not (asked once).
std::string gpu_unavailable_reason();
// The current device's name, e.g. "NVIDIA H200".
std::string gpu_name();

}  // namespace spax::cuda_plugin
