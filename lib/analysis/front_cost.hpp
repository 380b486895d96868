// Internal: the task costs of the supernodal tree for every width at once.
#pragma once

#include "spax/predict.hpp"

namespace spax::detail {

// The task trees of predict_schedule on widths 1, 2, 4, ..., max_workers: seq_tree with
// CHOLMOD's scalar loops on one thread (the tree and front schedules), par_tree with them split
// over a task's workers (tree_front); both with the multifrontal memory of
// supernodal_task_tree. Updates of one shape are costed once.
void supernodal_task_trees(const SupernodalStructure& st, const MachineModel& model,
                           int max_workers, TaskTree& seq_tree, TaskTree& par_tree);

}  // namespace spax::detail
