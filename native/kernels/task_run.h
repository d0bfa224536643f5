// The training run of a task (task.h): a fresh batch every step, and the step at which the
// extrapolation error falls below the success threshold. Pure C++ (no N-API).
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "task.h"
#include "network.h"

namespace nalu {

// max over the layers' weight matrices of min(|w|, |1 − |w||): 0 for a weight that is exactly
// −1, 0 or 1 (the paper's sparsity error), of the weights as each unit uses them
// (Layer::sparsityWeights: NAC/NALU W = tanh(Ŵ)⊙σ(M̂), NAC•,σ W = σ(Ŵ); biases and gates left out).
double sparsityError(Network& net);

// The seeds of the fixed validation and test sets (independent of the run, as stable-nalu's) and
// the stream of the training batches (RngLanes(seed, kBatchStream)).
constexpr uint64_t kValidationSeed = 43953907, kTestSeed = 8689336, kBatchStream = 0xBA7C4;

struct TaskRunOptions {
  int64_t iterations = 5000000;
  int batchSize = 128;
  int64_t evalEvery = 1000;
  int64_t validationSize = 10000, testSize = 10000;
  double epsilon = 1e-5;            // perturbation of the threshold simulation
  int64_t thresholdSamples = 1000000;
  // Evaluations the best model is picked from (lowest interpolation MSE). stable-nalu's analysis
  // (export/function_task_static.r, best.range = 5000) takes the last 5000 evaluations, which for
  // 5e6 steps evaluated every 1000 is every evaluation but the one at step 0.
  int bestWindow = 5000;
  uint64_t seed = 0;                // training batches
  StepProfile* profile = nullptr;   // where the iterations' time goes (profile.h), when given
};

struct TaskEval {
  int64_t iteration = 0;
  double trainLoss = NAN, interpolation = NAN, extrapolation = NAN, sparsity = NAN;
};

struct TaskRunResult {
  double threshold = NAN;
  int64_t iterations = 0;          // optimizer steps taken
  int64_t solvedAt = -1;           // first evaluated iteration with extrapolation MSE < threshold
  TaskEval last, best;             // last evaluation; best by interpolation in the last window
  // The network's parameters at `best`, concatenated in params() order; empty when no evaluation
  // of the window was finite (then `best` is `last`, and so are its weights).
  std::vector<float> bestWeights;
  bool success = false;            // best.extrapolation < threshold (also after a non-finite stop)
  std::string stopReason = "completed";  // 'completed' | 'aborted' | 'nonFinite'
};

struct TaskRunHooks {
  std::function<void(const TaskEval&)> onEval;
  const std::atomic<bool>* stop = nullptr;
};

// The fixed validation (interpolation) and test (extrapolation) sets of a run in its network's
// layout: toBlocks' blocks of vChunk and tChunk rows.
struct TaskEvalSets {
  const float *xv = nullptr, *tv = nullptr, *xt = nullptr, *tt = nullptr;
  int64_t validationSize = 0, testSize = 0;
  int vChunk = 0, tChunk = 0;
  // Time steps of the training batches, the validation and the test rows (Task::steps; 0: none).
  int trainSteps = 0, vSteps = 0, tSteps = 0;
};

// Checks the options a run needs (RangeError naming the first bad one).
void checkTaskRunOptions(const TaskRunOptions& o);

// One run's bookkeeping, whoever feeds it batches (runTask alone, runTaskGroup fused): its
// evaluations, best model (and a copy of its weights), solved-at and stop reason.
class TaskRunState {
 public:
  TaskRunState(Network& net, const TaskRunOptions& o, double threshold, std::function<void(const TaskEval&)> onEval);
  // The evaluation at iteration `it`; candidate = false: reported as `last` only, neither a
  // best-model candidate nor a "solved at".
  void evaluate(int64_t it, bool candidate, const TaskEvalSets& sets);
  // Step `it` on a batch in the network's layout. False when it went non-finite: the run ended
  // (the weights before the step evaluated once more for `last`).
  bool train(int64_t it, const float* x, const float* t, int rows, const TaskEvalSets& sets);
  void abort() { res_.stopReason = "aborted"; }
  // The result, its best model picked (once, after the last step).
  TaskRunResult finish();

 private:
  Network& net_;
  TaskRunOptions o_;
  std::function<void(const TaskEval&)> onEval_;
  TaskRunResult res_;
  int64_t gridSize_, windowFirst_;  // evaluations on the run's grid; index of the window's first
  bool hasBest_ = false;
  std::vector<Param*> params_;
  std::vector<float> snapshot_;     // the weights at res_.best (sized once)
  double lossSum_ = 0;
  int64_t lossCount_ = 0;
};

// Trains `net` on fresh batches of `task` and evaluates it every evalEvery steps on fixed
// validation (interpolation) and test (extrapolation) sets. Runs on the calling thread.
TaskRunResult runTask(Network& net, const Task& task, const TaskRunOptions& o, const TaskRunHooks& hooks);

}  // namespace nalu
