// 5- and 7-point Laplacians of n x n and n x n x n grids (SPD), built directly in CSC form.
#include "spax/generate.hpp"

namespace spax {

SparseMatrix grid_laplacian(index_t n, int dims) {
  if (dims != 2 && dims != 3) throw_usage("grid_laplacian: dims must be 2 or 3");
  if (n < 1) throw_usage("the grid size must be at least 1");
  if ((dims == 2 && n > 46340) || (dims == 3 && n > 1290))
    throw_usage("grid too large (at most 2^31 unknowns)");
  const index_t nz = dims == 3 ? n : 1;
  const index_t N = n * n * nz;
  SparseMatrix a;
  a.nrows = a.ncols = N;
  a.field = Field::real;
  a.symmetry = Symmetry::symmetric;
  a.colptr.assign(static_cast<std::size_t>(N) + 1, 0);
  a.rowind.reserve(static_cast<std::size_t>(N) * static_cast<std::size_t>(2 * dims + 1));
  a.values.reserve(a.rowind.capacity());
  const double diag = 2.0 * dims;
  index_t j = 0;
  for (index_t z = 0; z < nz; ++z)
    for (index_t y = 0; y < n; ++y)
      for (index_t x = 0; x < n; ++x, ++j) {
        auto put = [&](index_t i, double v) {
          a.rowind.push_back(i);
          a.values.push_back(v);
        };
        // rows in increasing order
        if (z > 0) put(j - n * n, -1.0);
        if (y > 0) put(j - n, -1.0);
        if (x > 0) put(j - 1, -1.0);
        put(j, diag);
        if (x + 1 < n) put(j + 1, -1.0);
        if (y + 1 < n) put(j + n, -1.0);
        if (z + 1 < nz) put(j + n * n, -1.0);
        a.colptr[static_cast<std::size_t>(j) + 1] = a.nnz();
      }
  return a;
}

}  // namespace spax
