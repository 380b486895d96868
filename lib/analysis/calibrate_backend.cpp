// The backend-overhead part of the calibration: CHOLMOD's supernodal factorization of a few
// generated matrices, timed in a child process, against the kernels' part of the prediction.
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "analysis/calibrate_backend.hpp"
#include "analysis/cholmod_timing.hpp"
#include "core/child.hpp"
#include "spax/analysis.hpp"
#include "spax/generate.hpp"
#include "spax/predict.hpp"

namespace spax::detail {
namespace {

struct Case {
  std::string name;
  SparseMatrix a;
  std::vector<index_t> perm;
};

// Non-negative least squares over three unknowns: the best non-negative solution among the
// unconstrained least-squares solutions on every subset of the columns.
std::array<double, 3> nnls3(const std::vector<std::array<double, 3>>& rows,
                            const std::vector<double>& rhs) {
  std::array<double, 3> best{};
  double best_res = std::numeric_limits<double>::infinity();
  for (unsigned mask = 0; mask < 8u; ++mask) {
    int idx[3], k = 0;
    for (int i = 0; i < 3; ++i)
      if (mask & (1u << i)) idx[k++] = i;
    double a[3][4] = {};
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (int i = 0; i < k; ++i) {
        for (int j = 0; j < k; ++j) a[i][j] += rows[r][idx[i]] * rows[r][idx[j]];
        a[i][k] += rows[r][idx[i]] * rhs[r];
      }
    bool singular = false;
    for (int c = 0; c < k && !singular; ++c) {
      int piv = c;
      for (int r = c + 1; r < k; ++r)
        if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
      if (std::fabs(a[piv][c]) < 1e-300) {
        singular = true;
        break;
      }
      for (int j = 0; j <= k; ++j) std::swap(a[c][j], a[piv][j]);
      for (int r = 0; r < k; ++r) {
        if (r == c) continue;
        const double f = a[r][c] / a[c][c];
        for (int j = c; j <= k; ++j) a[r][j] -= f * a[c][j];
      }
    }
    if (singular) continue;
    std::array<double, 3> x{};
    bool ok = true;
    for (int i = 0; i < k; ++i) {
      x[static_cast<std::size_t>(idx[i])] = a[i][k] / a[i][i];
      ok = ok && x[static_cast<std::size_t>(idx[i])] >= 0.0 &&
           std::isfinite(x[static_cast<std::size_t>(idx[i])]);
    }
    if (!ok) continue;
    double res = 0.0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      double p = 0.0;
      for (int i = 0; i < 3; ++i) p += rows[r][i] * x[static_cast<std::size_t>(i)];
      res += (p - rhs[r]) * (p - rhs[r]);
    }
    if (res < best_res) {
      best_res = res;
      best = x;
    }
  }
  return best;
}

// The 27-point stencil of a k x k x k grid (pattern): denser columns than a Laplacian, as
// structural matrices have.
SparseMatrix stencil27(index_t k) {
  const index_t n = k * k * k;
  SparseMatrix a;
  a.nrows = a.ncols = n;
  a.field = Field::pattern;
  a.colptr.assign(static_cast<std::size_t>(n) + 1, 0);
  for (index_t z = 0; z < k; ++z)
    for (index_t y = 0; y < k; ++y)
      for (index_t x = 0; x < k; ++x) {
        const index_t j = (z * k + y) * k + x;
        for (index_t dz = -1; dz <= 1; ++dz)
          for (index_t dy = -1; dy <= 1; ++dy)
            for (index_t dx = -1; dx <= 1; ++dx) {
              const index_t X = x + dx, Y = y + dy, Z = z + dz;
              if (X < 0 || Y < 0 || Z < 0 || X >= k || Y >= k || Z >= k) continue;
              a.rowind.push_back((Z * k + Y) * k + X);
            }
        a.colptr[j + 1] = static_cast<index_t>(a.rowind.size());
      }
  return a;
}

}  // namespace

void calibrate_backend(MachineModel& model) {
  std::vector<Case> cases;
  {
    CircuitOptions co;
    co.nodes = 8000;
    co.seed = 1;
    SparseMatrix c = circuit_jacobian(generate_circuit(co), 0);
    cases.push_back({"circuit of 8000 nodes, amd", c, compute_ordering(c, "amd").perm});
    cases.push_back({"circuit of 8000 nodes, metis", c, compute_ordering(c, "metis").perm});
    SparseMatrix g = grid_laplacian(80, 2);
    cases.push_back({"2D Laplacian 80 x 80, amd", g, compute_ordering(g, "amd").perm});
    SparseMatrix g2 = grid_laplacian(120, 2);
    cases.push_back({"2D Laplacian 120 x 120, metis", g2, compute_ordering(g2, "metis").perm});
    SparseMatrix g3 = grid_laplacian(14, 3);
    cases.push_back({"3D Laplacian 14^3, metis", g3, compute_ordering(g3, "metis").perm});
    SparseMatrix s1 = stencil27(10);
    cases.push_back({"27-point stencil 10^3, amd", s1, compute_ordering(s1, "amd").perm});
    SparseMatrix s2 = stencil27(13);
    cases.push_back({"27-point stencil 13^3, metis", s2, compute_ordering(s2, "metis").perm});
  }
  ChildOutcome child = run_in_child(
      [&] {
        std::ostringstream out;
        out.precision(17);
        for (const Case& c : cases) {
          // One BLAS thread: the CPU time of the calling thread is the factorization's, without
          // the time a busy machine gives to other processes.
          CholmodTimes t = time_cholmod_supernodal(spd_upper(c.a), c.perm, {1}, 3, 0.5);
          out << t.cpu_seconds[0] << ' ';
        }
        return out.str();
      },
      120.0);
  std::istringstream in(child.payload);
  std::vector<double> measured(cases.size(), -1.0);
  for (auto& m : measured) in >> m;
  if (child.timed_out || child.crashed || in.fail())
    throw_internal(
        "the CHOLMOD part of the calibration failed" +
        (child.payload.rfind("ERR ", 0) == 0 ? ": " + child.payload.substr(4) : std::string()));
  MachineModel kernels_only = model;
  kernels_only.backend = BackendOverhead{};
  std::vector<std::array<double, 3>> rows;
  std::vector<double> rhs;
  BackendOverhead b;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SupernodalStructure st = supernodal_structure(c.a, c.perm);
    double kernels = 0.0;
    for (index_t s = 0; s < st.count(); ++s)
      kernels += supernode_seconds(st, s, kernels_only, 1, false);
    BackendOverheadSample sample;
    sample.matrix = c.name;
    sample.supernodes = st.count();
    sample.updates = static_cast<index_t>(st.updates.size());
    sample.entries = c.a.nnz();
    sample.measured_seconds = measured[i];
    sample.kernel_seconds = kernels;
    b.fit.push_back(sample);
    const double w = 1.0 / measured[i];
    rows.push_back({static_cast<double>(sample.supernodes) * w,
                    static_cast<double>(sample.updates) * w,
                    static_cast<double>(sample.entries) * w});
    rhs.push_back((measured[i] - kernels) * w);
  }
  std::array<double, 3> x = nnls3(rows, rhs);
  b.per_supernode = x[0];
  b.per_update = x[1];
  b.per_entry = x[2];
  model.backend = std::move(b);
}

}  // namespace spax::detail
