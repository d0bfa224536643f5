// The arithmetic tasks of Madsen & Johansen (ICLR 2020, "static arithmetic task", Algorithm 1)
// and of Mistry et al. 2021 (single-module benchmark): x ~ U[range]^n, a and b are sums of
// two (possibly overlapping) slices of x, t = a ∘ b. Also the training run that generates a
// fresh batch every step and records when the extrapolation error falls below the success
// threshold. Pure C++ (no N-API).
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "network.h"
#include "rng.h"

namespace nalu {

enum class ArithOp { Add, Sub, Mul, Div, Square, Sqrt };
const std::vector<std::string>& arithOpNames();  // "add", "sub", "mul", "div", "square", "sqrt"
ArithOp parseArithOp(const std::string& name, const std::string& where);
double applyOp(ArithOp op, double a, double b);

// A union of one or two intervals; a sample picks one of them with equal probability
// (nalm-benchmark's mixed-sign range U[[-6,-2],[2,6]]).
struct SampleRange {
  std::vector<std::pair<double, double>> parts;  // [lo, hi) each, 1 or 2 parts
  double sample(Rng& rng) const;
  // "U[1,2]" or "U[-6,-2] ∪ U[2,6]"
  std::string str() const;
};

struct TaskSpec {
  ArithOp op = ArithOp::Add;
  int inputSize = 100;
  double subsetRatio = 0.25, overlapRatio = 0.5;
  SampleRange interpolation{{{1, 2}}}, extrapolation{{{2, 6}}};
  uint64_t seed = 0;  // picks the slice offset
};

// The generator of one task instance: the slices are fixed by the seed, samples are drawn
// from a caller-owned Rng so that training, validation and test streams are independent.
class ArithmeticTask {
 public:
  explicit ArithmeticTask(const TaskSpec& spec);
  const TaskSpec& spec() const { return spec_; }
  // a = Σ x[aStart, aEnd), b = Σ x[bStart, bEnd)
  int aStart() const { return aStart_; }
  int aEnd() const { return aEnd_; }
  int bStart() const { return bStart_; }
  int bEnd() const { return bEnd_; }
  // Fills x [rows, inputSize] and t [rows, 1]; a and b are summed in double.
  void sample(RngLanes& rng, const SampleRange& range, float* x, float* t, int64_t rows) const;

 private:
  TaskSpec spec_;
  int aStart_ = 0, aEnd_ = 0, bStart_ = 0, bEnd_ = 0;
  mutable std::vector<float> scratch_;  // two-part ranges' uniforms (grown once)
};

// The success threshold of Madsen & Johansen: the extrapolation MSE of a perfect solution whose
// first-layer weights are perturbed by ε (1 − ε on the selected inputs, ε elsewhere), with the
// second layer exact, estimated by Monte-Carlo over `samples` draws (the paper: ε = 1e-5, 10^6).
double successThreshold(const TaskSpec& spec, double epsilon, int64_t samples, uint64_t seed);

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
