// Internal: the shapes the calibration times (and the default model fills).
#pragma once

#include <vector>

#include "spax/machine_model.hpp"

namespace spax::detail {

// Every kernel's grid of shapes with no dimension above max_dim (the assemble and stream shapes
// do not depend on it). Each kernel's shapes form a full tensor grid of kernel_axes values.
std::vector<KernelCall> calibration_grid(int max_dim);

}  // namespace spax::detail
