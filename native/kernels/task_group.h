// Fused runs: every run of tasks that draw the same inputs (Task::inputKey: one seed and task
// instance, its operations apart) trained on one stream of batches and evaluated on one set of
// evaluation inputs, each run's record bit-identical to
// the same run trained alone (runTask). Pure C++ (no N-API).
#pragma once
#include <atomic>
#include <functional>
#include <vector>

#include "task_run.h"

namespace nalu {

struct TaskGroupRun {
  Network* net = nullptr;
  const Task* task = nullptr;  // the run's own targets; its inputs every other run's
  // Per run: iterations, epsilon, thresholdSamples, bestWindow. batchSize, evalEvery,
  // validationSize, testSize and seed must equal every other run's (the shared stream's).
  TaskRunOptions options;
  std::function<void(const TaskEval&)> onEval;
};

// Trains every run on batches drawn once a step, with the targets of each task (of equal Task::key,
// made once) from the same inputs and the inputs served in each network's layout. A run that goes non-finite stops alone; `stop` ends them all ('aborted').
// profile: the whole group's phases, steps counted per run-iteration. Runs on the calling thread.
std::vector<TaskRunResult> runTaskGroup(const std::vector<TaskGroupRun>& runs,
                                        StepProfile* profile = nullptr, const std::atomic<bool>* stop = nullptr);

}  // namespace nalu
