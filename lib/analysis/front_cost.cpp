// Task costs of the supernodal tree: CHOLMOD's left-looking supernodal Cholesky and a
// multifrontal LU front, from the machine model; and the task tree the schedules run on.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>

#include "analysis/etree_cholmod.hpp"
#include "analysis/front_cost.hpp"
#include "analysis/graph.hpp"
#include "spax/predict.hpp"

namespace spax {

SupernodalStructure supernodal_structure(const SparseMatrix& a, std::span<const index_t> p) {
  detail::require_square(a);
  detail::require_permutation(p, a.ncols);
  return detail::cholmod_supernodal_structure(detail::upper_pattern(a, p));
}

namespace {

double d(index_t v) {
  return static_cast<double>(v);
}

// Entries of the lower part of an r1-column, r2-row update (the columns start at its diagonal).
double lower_entries(double r1, double r2) {
  return r1 * r2 - 0.5 * r1 * (r1 - 1.0);
}

}  // namespace

namespace detail {

// Times of one update (syrk + gemm on the BLAS, relative map and assembly scalar) on each width,
// with the scalar loops on one thread (seq) and split over the width (par); memoized by shape.
class UpdateCosts {
 public:
  UpdateCosts(const MachineModel& model, std::span<const int> widths)
      : model_(model), widths_(widths.begin(), widths.end()) {}
  // Adds the update's times to seq[j] and par[j].
  void add(const SupernodeUpdate& up, double* seq, double* par) {
    const std::size_t nw = widths_.size();
    const bool small = up.ndcol < (1 << 20) && up.ndrow1 < (1 << 20) && up.ndrow2 < (1 << 23);
    const std::uint64_t key = (static_cast<std::uint64_t>(up.ndcol) << 43) |
                              (static_cast<std::uint64_t>(up.ndrow1) << 23) |
                              static_cast<std::uint64_t>(up.ndrow2);
    const double* v = nullptr;
    if (small) {
      auto it = memo_.find(key);
      if (it != memo_.end()) v = values_.data() + it->second;
    }
    if (!v) {
      const std::size_t at = values_.size();
      values_.resize(at + 2 * nw);
      compute(up, values_.data() + at, values_.data() + at + nw);
      if (small) memo_.emplace(key, at);
      v = values_.data() + at;
      if (!small) {  // not kept: add and drop
        for (std::size_t j = 0; j < nw; ++j) {
          seq[j] += v[j];
          par[j] += v[nw + j];
        }
        values_.resize(at);
        return;
      }
    }
    for (std::size_t j = 0; j < nw; ++j) {
      seq[j] += v[j];
      par[j] += v[nw + j];
    }
  }

 private:
  void compute(const SupernodeUpdate& up, double* seq, double* par) const {
    const double c = d(up.ndcol), r1 = d(up.ndrow1), r2 = d(up.ndrow2), r3 = r2 - r1;
    const KernelCall relmap{Kernel::stream, r2, 0, 0};
    const KernelCall assemble{Kernel::assemble, r1, lower_entries(r1, r2), r2};
    const double scalar1 = model_.seconds(relmap, 1) + model_.seconds(assemble, 1);
    for (std::size_t j = 0; j < widths_.size(); ++j) {
      const int q = widths_[j];
      double blas = model_.seconds({Kernel::syrk, r1, r1, c}, q);
      if (r3 > 0.0) blas += model_.seconds({Kernel::gemm, r3, r1, c}, q);
      seq[j] = blas + scalar1;
      par[j] = q == 1 ? seq[j] : blas + model_.seconds(relmap, q) + model_.seconds(assemble, q);
    }
  }

  const MachineModel& model_;
  std::vector<int> widths_;
  std::unordered_map<std::uint64_t, std::size_t> memo_;
  std::vector<double> values_;
};

void supernode_costs(const SupernodalStructure& st, index_t s, const MachineModel& model,
                     std::span<const int> widths, UpdateCosts& updates, double* seq, double* par) {
  const double k = d(st.ncols(s)), m = d(st.nrows[s]), r = m - k;
  const std::size_t nw = widths.size();
  const index_t nup = st.update_ptr[s + 1] - st.update_ptr[s];
  const double fixed = model.backend.per_supernode + model.backend.per_update * d(nup);
  // Zero the m x k block (the factor's first touch) and build the row map; copy A's entries in
  // through the map: scalar loops.
  const KernelCall touch{Kernel::touch, m * k, 0, 0}, map{Kernel::stream, m, 0, 0},
      copy{Kernel::assemble, k, d(st.a_entries[s]), m};
  auto scalar = [&](int q) {
    double t = model.seconds(touch, q) + model.seconds(map, q);
    if (st.a_entries[s] > 0) t += model.seconds(copy, q);
    return t;
  };
  const double scalar1 = scalar(1);
  for (std::size_t j = 0; j < nw; ++j) {
    const int q = widths[j];
    double blas = model.seconds({Kernel::potrf, k, k, 0}, q);
    if (r > 0.0) blas += model.seconds({Kernel::trsm, r, k, 0}, q);
    seq[j] = fixed + blas + scalar1;
    par[j] = fixed + blas + (q == 1 ? scalar1 : scalar(q));
  }
  for (index_t u = st.update_ptr[s]; u < st.update_ptr[s + 1]; ++u)
    updates.add(st.updates[static_cast<std::size_t>(u)], seq, par);
}

void supernodal_task_trees(const SupernodalStructure& st, const MachineModel& model,
                           int max_workers, TaskTree& seq_tree, TaskTree& par_tree) {
  const index_t ns = st.count();
  TaskTree t;
  t.parent = st.parent;
  for (int w = 1; w <= std::max(max_workers, 1); w *= 2) t.widths.push_back(w);
  const std::size_t nw = t.widths.size();
  t.seconds.assign(static_cast<std::size_t>(ns) * nw, 0.0);
  t.factor_bytes.resize(static_cast<std::size_t>(ns));
  t.front_bytes.resize(static_cast<std::size_t>(ns));
  t.update_bytes.resize(static_cast<std::size_t>(ns));
  for (index_t s = 0; s < ns; ++s) {
    const double k = d(st.ncols(s)), m = d(st.nrows[s]), r = m - k;
    t.factor_bytes[s] = 8.0 * (m * k + m);
    t.front_bytes[s] = 8.0 * m * (m + 1.0) / 2.0;
    t.update_bytes[s] = 8.0 * r * (r + 1.0) / 2.0;
  }
  par_tree = t;
  UpdateCosts updates(model, t.widths);
  for (index_t s = 0; s < ns; ++s)
    supernode_costs(st, s, model, t.widths, updates,
                    t.seconds.data() + static_cast<std::size_t>(s) * nw,
                    par_tree.seconds.data() + static_cast<std::size_t>(s) * nw);
  seq_tree = std::move(t);
}

}  // namespace detail

double supernode_seconds(const SupernodalStructure& st, index_t s, const MachineModel& model, int q,
                         bool scalar_parallel) {
  const int w[1] = {std::max(q, 1)};
  detail::UpdateCosts updates(model, w);
  double seq = 0.0, par = 0.0;
  detail::supernode_costs(st, s, model, w, updates, &seq, &par);
  return scalar_parallel ? par : seq;
}

double front_seconds_lu(const SupernodalStructure& st, index_t s, const MachineModel& model,
                        int q) {
  const double k = d(st.ncols(s)), m = d(st.nrows[s]), r = m - k;
  double t = model.seconds({Kernel::stream, m * m, 0, 0}, q);
  if (st.a_entries[s] > 0)
    t += model.seconds({Kernel::assemble, k, 2.0 * d(st.a_entries[s]), m}, q);
  t += model.seconds({Kernel::getrf, k, k, 0}, q);
  if (r > 0.0) {
    t += 2.0 * model.seconds({Kernel::trsm, r, k, 0}, q);
    t += model.seconds({Kernel::gemm, r, r, k}, q);
  }
  return t;
}

double supernode_flops(const SupernodalStructure& st, index_t s) {
  const double k = d(st.ncols(s)), m = d(st.nrows[s]), r = m - k;
  return kernel_flops({Kernel::potrf, k, k, 0}) + kernel_flops({Kernel::trsm, r, k, 0}) +
         kernel_flops({Kernel::syrk, r, r, k});
}

TaskTree supernodal_task_tree(const SupernodalStructure& st, const MachineModel& model,
                              int max_workers, bool scalar_parallel) {
  TaskTree seq, par;
  detail::supernodal_task_trees(st, model, max_workers, seq, par);
  return scalar_parallel ? par : seq;
}

}  // namespace spax
