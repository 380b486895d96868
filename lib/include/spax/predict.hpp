// From the supernodal elimination tree to predicted times: what p workers gain on a sparse
// factorization, its triangular solves, a level-scheduled GPU refactorization, and the memory
// per process. Times come from a MachineModel (machine_model.hpp).
//
// The factorization modelled is CHOLMOD's supernodal Cholesky of A(p,p)+A(p,p)^T (left-looking:
// supernode s is zeroed, gets A's entries, receives one syrk + gemm update from every descendant
// supernode that has rows in s, each scattered in through a relative map, then potrf on its
// diagonal block and trsm on the rows below), on CHOLMOD's relaxed supernodes. Each supernode is
// one task of the supernodal tree; a task may start when its children are done (every
// descendant that updates it is then done too).
//
// Nothing here prints; everything is deterministic for given inputs.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "spax/common.hpp"
#include "spax/machine_model.hpp"
#include "spax/sparse.hpp"

namespace spax {

// ---------------------------------------------------------------------------------------------
// The supernodal structure (CHOLMOD's symbolic supernodal factorization)
// ---------------------------------------------------------------------------------------------

// The update that descendant supernode d sends to supernode s, as CHOLMOD computes it: C =
// L(rows of d from s on, cols of d) * L(rows of d inside s, cols of d)^T, i.e. a dsyrk of
// ndrow1 x ndcol and a dgemm of (ndrow2 - ndrow1) x ndrow1 x ndcol, then ndrow1 columns of C
// (ndrow2 rows, lower part) assembled into s.
struct SupernodeUpdate {
  index_t ndcol = 0;   // columns of d
  index_t ndrow1 = 0;  // rows of d inside s's columns
  index_t ndrow2 = 0;  // rows of d at or below s's first column
};

struct SupernodalStructure {
  index_t n = 0;
  std::vector<index_t> first;       // first column of each supernode, plus n (count + 1)
  std::vector<index_t> parent;      // supernodal tree, -1 for roots (parent[s] > s)
  std::vector<index_t> nrows;       // rows of each supernode, its own columns included
  std::vector<index_t> a_entries;   // entries of the lower part of A+A^T in its columns
  std::vector<index_t> update_ptr;  // updates received by s: updates[update_ptr[s] ..[s+1])
  std::vector<SupernodeUpdate> updates;
  index_t count() const { return static_cast<index_t>(first.size()) - 1; }
  index_t ncols(index_t s) const { return first[s + 1] - first[s]; }
};

// CHOLMOD's supernodal analysis of A(p,p)+A(p,p)^T (natural order on the permuted pattern, no
// postordering, default relaxed amalgamation, as relaxed_supernodes). Square A only; empty p =
// natural order.
SPAX_API SupernodalStructure supernodal_structure(const SparseMatrix& a,
                                                  std::span<const index_t> p);

// ---------------------------------------------------------------------------------------------
// Task costs
// ---------------------------------------------------------------------------------------------

// Seconds of supernode s as CHOLMOD's left-looking supernodal factorization runs it, with q BLAS
// threads; the scalar loops (zeroing, maps, assembly) run on one thread unless scalar_parallel,
// when q workers split them too.
SPAX_API double supernode_seconds(const SupernodalStructure& st, index_t s,
                                  const MachineModel& model, int q, bool scalar_parallel);
// Seconds of supernode s as one front of a multifrontal LU on the same tree (the pattern of
// A+A^T, pivots kept inside the front): zero the m x m front, assemble A and the children's
// update blocks (extend-add), getrf of the k pivot columns, two trsm (L and U panels) and the
// gemm of the (m - k) x (m - k) update block, on q threads.
SPAX_API double front_seconds_lu(const SupernodalStructure& st, index_t s,
                                 const MachineModel& model, int q);
// Floating-point operations of supernode s in the supernodal Cholesky (potrf, trsm, and the
// updates it sends to its ancestors: (m - k) (m - k + 1) k), zeros of the relaxed supernodes
// included.
SPAX_API double supernode_flops(const SupernodalStructure& st, index_t s);

// ---------------------------------------------------------------------------------------------
// List scheduling of a task tree
// ---------------------------------------------------------------------------------------------

// A forest of tasks with their time on 1, 2, 4, ... workers and, optionally, their memory.
struct SPAX_API TaskTree {
  std::vector<index_t> parent;  // -1 for roots; parent[k] > k
  std::vector<int> widths;      // worker counts with a time: 1, 2, 4, ... (increasing from 1)
  // seconds[k * widths.size() + j] = task k on widths[j] workers; the time on widths[j] workers
  // is taken as min(given, ...) of no wider count: a task never runs slower on more workers.
  std::vector<double> seconds;
  // Multifrontal memory (bytes), empty when not modelled: the factor the task leaves, its front
  // while it runs, and the update block it hands to its parent (held until the parent starts).
  std::vector<double> factor_bytes, front_bytes, update_bytes;
  index_t size() const { return static_cast<index_t>(parent.size()); }
  // Time of task k on w workers when a scheduler may leave some of them idle: the best entry of
  // the widths <= w, and never below time(k, 1) / w.
  double time(index_t k, int w) const;
  // Time of task k when all w workers take part (as a threaded BLAS does, even where fewer
  // threads would be faster): the entry of the largest width <= w, never below time(k, 1) / w.
  double time_all(index_t k, int w) const;
};

enum class ScheduleKind {
  tree,        // tree parallelism only: every task on one worker
  front,       // within-front parallelism only: tasks one after the other, each on all p workers
               // at time_all (what a threaded BLAS under a sequential supernodal code gives)
  tree_front,  // both: a task gets several workers when fewer tasks than idle workers are ready
};
SPAX_API const char* schedule_kind_name(ScheduleKind k);  // "tree", "front", "tree_front"

struct ScheduleResult {
  int workers = 1;
  double seconds = 0.0;  // makespan
  double speedup = 1.0;  // sequential_seconds(tree) / seconds
  // With memory: peak bytes of the most loaded worker (factor it holds + fronts and update
  // blocks at that moment), its factor part, the sum over workers of their factor, and the peak
  // over time of active (front + update) memory on the most loaded worker.
  double memory_peak_bytes = 0.0;
  double memory_factor_bytes = 0.0;
  double memory_active_bytes = 0.0;
};

// Total one-worker time of the tasks.
SPAX_API double sequential_seconds(const TaskTree& t);
// Longest root-ward path with every task at its fastest time on at most `p` workers
// (p = 1: the one-worker critical path).
SPAX_API double span_seconds(const TaskTree& t, int p);

// List schedule on p workers (event simulation). Priority: the longest one-worker path from the
// task to its root (critical path first; ties: lower index). `tree`: a ready task takes one idle
// worker. `front`: tasks run in priority order, one at a time, each on all p workers for
// time_all(k, p). `tree_front`:
// at each event the idle workers are shared among the ready tasks by priority: each gets one, and
// when fewer tasks than idle workers are ready, the first may take more (keeping one for every
// other ready task): among the widths that fit, it takes the widest one whose time is at least
// 10% below that of every narrower one taken; and so on down the list. A task keeps its workers
// until done.
// Memory (when given): a task's front is allocated on its workers (split evenly) when it starts,
// its children's update blocks are released then, its factor and update block are placed on its
// workers when it ends.
// track_memory = false skips the memory accounting (the memory_* fields stay 0).
SPAX_API ScheduleResult list_schedule(const TaskTree& t, int p, ScheduleKind kind,
                                      bool track_memory = true);

// ---------------------------------------------------------------------------------------------
// Triangular solves: level sets of L and U
// ---------------------------------------------------------------------------------------------

// The dependency structure of the forward solve with L and the backward solve with U of the LU
// factorization without pivoting of A(p,p) with its diagonal taken as nonzero (the structure a
// refactorization with kept pivots solves with).
struct SolveDag {
  index_t n = 0;
  // Row tasks: work[i] = 1 + the off-diagonal entries of row i of the factor (L for the forward
  // solve, U for the backward one).
  std::vector<double> work;
  // Level of each row (ASAP from the rows without dependencies; 0-based).
  std::vector<index_t> level;
  index_t levels = 0;
  // Edges with the same transitive closure as the solve's dependencies (enough for connected
  // components inside bands of consecutive levels): edge_ptr/edge_to as CSR over rows.
  std::vector<index_t> edge_ptr, edge_to;
};

struct SolveStructure {
  // "etree (structurally symmetric: L and U have the pattern of the Cholesky factor)",
  // "symbolic LU without pivoting", or "not computed: ..." (too large; levels_* then hold the
  // etree height of A+A^T, an upper bound).
  std::string method;
  bool exact = true;
  SolveDag lower, upper;
};
// parent/colcount: the etree and column counts of A(p,p)+A(p,p)^T (symbolic_cholesky). A
// structurally unsymmetric A gets the symbolic LU (Gilbert-Peierls with symmetric pruning,
// memory O(nnz(L + U))) unless 2 * sum(colcount) exceeds max_entries.
SPAX_API SolveStructure solve_structure(const SparseMatrix& a, std::span<const index_t> p,
                                        std::span<const index_t> parent,
                                        std::span<const index_t> colcount,
                                        double max_entries = 1e7);

struct SolveSchedule {
  index_t levels = 0;         // barriers of the level-scheduled solve (levels - 1 barriers)
  index_t coarse_levels = 0;  // bands of the coarsened schedule
  double sequential_seconds = 0.0;
  double level_seconds = 0.0;   // level-scheduled, p workers
  double coarse_seconds = 0.0;  // coarsened, p workers
};
// seconds_per_entry: time of one entry of the solve (the model's per-entry assembly time);
// barrier: seconds of one barrier among p workers. Level-scheduled: sum over levels of
// max(W_l / p, largest row of l) + a barrier between levels. Coarsened (as HDagg merges thin
// levels): consecutive levels are merged into a band while that lowers the predicted time; a
// band's rows split into connected components (of the dependencies inside the band), each run
// by one worker, so a band costs max(W_band / p, largest component) + one barrier.
SPAX_API SolveSchedule solve_schedule(const SolveDag& dag, int p, double seconds_per_entry,
                                      double barrier);
// The same for several worker counts at once (barrier(p): one barrier among p workers).
SPAX_API std::vector<SolveSchedule> solve_schedules(const SolveDag& dag, std::span<const int> ps,
                                                    double seconds_per_entry,
                                                    const std::function<double(int)>& barrier);

// ---------------------------------------------------------------------------------------------
// GPU batch plan and the whole per-ordering prediction
// ---------------------------------------------------------------------------------------------

struct GpuLevel {
  index_t fronts = 0;
  double flops = 0.0;
  double max_front_flops = 0.0;
  double fill = 1.0;           // flops / (fronts * max_front_flops): how full one padded batch is
  index_t size_classes = 0;    // distinct power-of-two classes of front rows in the level
  double fill_by_class = 1.0;  // the same with one batch per size class
};
struct GpuPlan {
  index_t levels = 0;
  int kernels_per_level = 4;      // assemble, potrf, trsm, syrk/gemm update
  index_t launches = 0;           // kernels_per_level * levels (one batch per kernel and level)
  index_t launches_by_class = 0;  // kernels_per_level * sum of size classes
  double fill = 1.0;              // flop-weighted mean of the levels' fill
  double fill_by_class = 1.0;
  std::vector<GpuLevel> per_level;  // ASAP levels of the supernodal tree, leaves first
};
SPAX_API GpuPlan gpu_batch_plan(const SupernodalStructure& st);

struct ScheduleRow {
  int p = 1;
  ScheduleResult tree, front, tree_front;
  SolveSchedule solve_lower, solve_upper;
};

struct SchedulePrediction {
  std::string model_source;  // the MachineModel's source
  index_t supernodes = 0;
  double flops = 0.0;                  // supernodal Cholesky flops (relaxed zeros included)
  double sequential_seconds = 0.0;     // CHOLMOD's supernodal factorization, one thread
  double sequential_seconds_lu = 0.0;  // multifrontal LU on the same tree, one thread
  double span_seconds = 0.0;           // one-worker critical path of the supernodal tree
  double work_span = 1.0;         // sequential / span: the tree's limit on any number of workers
  std::vector<ScheduleRow> rows;  // p = 1, 2, 4, ..., max_workers
  SolveStructure solve;           // (the DAGs are dropped after the schedules; levels kept)
  GpuPlan gpu;
  double seconds = 0.0;  // time this prediction took
};

struct PredictOptions {
  int max_workers = 64;
  double solve_max_entries = 1e7;
};

// The whole prediction for A under ordering p (parent/colcount: its etree and column counts).
// The structure st must be supernodal_structure(a, p).
SPAX_API SchedulePrediction predict_schedule(const SparseMatrix& a, std::span<const index_t> p,
                                             std::span<const index_t> parent,
                                             std::span<const index_t> colcount,
                                             const SupernodalStructure& st,
                                             const MachineModel& model,
                                             const PredictOptions& options = {});

// The task tree of a supernodal structure: CHOLMOD-like costs (supernode_seconds with
// scalar_parallel) on 1, 2, 4, ..., max_workers workers and multifrontal memory (Cholesky,
// doubles): factor 8 (m k + m), front 8 m (m + 1) / 2, update block 8 r (r + 1) / 2 with
// r = m - k.
SPAX_API TaskTree supernodal_task_tree(const SupernodalStructure& st, const MachineModel& model,
                                       int max_workers, bool scalar_parallel);

}  // namespace spax
