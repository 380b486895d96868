// Internal: the backend-overhead part of the calibration (machine_model.hpp, BackendOverhead).
#pragma once

#include "spax/machine_model.hpp"

namespace spax::detail {

// Fits model.backend from CHOLMOD factorizations of generated matrices (in a child process),
// with the kernel tables already in `model`. Throws Error (internal) when the child fails.
void calibrate_backend(MachineModel& model);

}  // namespace spax::detail
