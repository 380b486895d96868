// The CUDA plugin's backend descriptions (registered by plugin.cpp).
#pragma once

#include "spax/backend.hpp"

namespace spax::cuda_plugin {

BackendInfo cuda_rf_backend();     // cuda_rf.cpp
BackendInfo cuda_dense_backend();  // cuda_dense.cpp

}  // namespace spax::cuda_plugin
