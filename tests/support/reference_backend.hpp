// A backend for the tests, registered from a test with one line: dense Gaussian elimination with
// partial pivoting on a copy of the matrix (reference_solve), real and complex, transposed too.
// It shows what adding a backend takes (a Solver, a BackendInfo, register_backend) and lets the
// generic backend suite check itself on a backend that is obviously correct.
#pragma once

#include "spax/backend.hpp"

namespace spax::test {

BackendInfo reference_backend_info(const std::string& name = "reference-lu");

}  // namespace spax::test
