// The training run of an arithmetic task (arithmetic_task.h): a fresh batch every step, and the
// step at which the extrapolation error falls below the success threshold. Pure C++ (no N-API).
#pragma once
#include <atomic>
#include <functional>
#include <string>

#include "arithmetic_task.h"
#include "network.h"

namespace nalu {

// max over the layers' weight matrices of min(|w|, |1 − |w||): 0 for a weight that is exactly
// −1, 0 or 1 (the paper's sparsity error), of the weights as each unit uses them
// (Layer::sparsityWeights: NAC/NALU W = tanh(Ŵ)⊙σ(M̂), NAC•,σ W = σ(Ŵ); biases and gates left out).
double sparsityError(Network& net);

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
  bool success = false;            // best.extrapolation < threshold (also after a non-finite stop)
  std::string stopReason = "completed";  // 'completed' | 'aborted' | 'nonFinite'
};

struct TaskRunHooks {
  std::function<void(const TaskEval&)> onEval;
  const std::atomic<bool>* stop = nullptr;
};

// Trains `net` on fresh batches of `task` and evaluates it every evalEvery steps on fixed
// validation (interpolation) and test (extrapolation) sets. Runs on the calling thread.
TaskRunResult runTask(Network& net, const ArithmeticTask& task, const TaskRunOptions& o, const TaskRunHooks& hooks);

}  // namespace nalu
