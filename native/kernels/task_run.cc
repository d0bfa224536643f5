#include "task_run.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "error.h"

namespace nalu {

double sparsityError(Network& net) {
  double worst = 0;
  const std::function<void(float)> visit = [&](float w) {
    double a = std::fabs(double(w));
    worst = std::max(worst, std::min(a, std::fabs(1 - a)));
  };
  for (auto& layer : net.layers()) layer->sparsityWeights(visit);  // the weights as each unit uses them
  return worst;
}

void checkTaskRunOptions(const TaskRunOptions& o) {
  if (o.iterations < 0) rangeError("iterations: expected an integer ≥ 0, received " + std::to_string(o.iterations));
  if (o.batchSize < 1) rangeError("batchSize: expected a positive integer, received " + std::to_string(o.batchSize));
  if (o.evalEvery < 1) rangeError("evalEvery: expected a positive integer, received " + std::to_string(o.evalEvery));
  if (o.validationSize < 1 || o.testSize < 1) rangeError("validationSize/testSize: expected positive integers");
  if (o.bestWindow < 1) rangeError("bestWindow: expected a positive integer, received " + std::to_string(o.bestWindow));
}

TaskRunState::TaskRunState(Network& net, const TaskRunOptions& o, double threshold,
                           std::function<void(const TaskEval&)> onEval)
    : net_(net), o_(o), onEval_(std::move(onEval)) {
  checkTaskRunOptions(o);
  res_.threshold = threshold;
  // The window is the last bestWindow evaluations of the run's whole grid, known before it starts:
  // after a non-finite stop the reference's later evaluations are NaN and still take their places.
  gridSize_ = o.iterations / o.evalEvery + 1 + (o.iterations % o.evalEvery != 0);
  windowFirst_ = std::max<int64_t>(0, gridSize_ - o.bestWindow);
  params_ = net_.params();
  size_t n = 0;
  for (const Param* p : params_) n += p->size();
  snapshot_.resize(n);
}

void TaskRunState::evaluate(int64_t it, bool candidate, const TaskEvalSets& s) {
  net_.clock().skip();
  TaskEval e;
  e.iteration = it;
  e.trainLoss = lossCount_ ? lossSum_ / double(lossCount_) : NAN;
  // The targets, one output, are the same in either layout.
  if (s.vSteps) net_.setSteps(s.vSteps);
  e.interpolation = net_.evaluate(s.xv, s.tv, s.validationSize, s.vChunk, nullptr, true);
  if (s.tSteps) net_.setSteps(s.tSteps);
  e.extrapolation = net_.evaluate(s.xt, s.tt, s.testSize, s.tChunk, nullptr, true);
  if (s.trainSteps) net_.setSteps(s.trainSteps);
  e.sparsity = sparsityError(net_);
  net_.clock().mark(StepProfile::Evaluation);
  lossSum_ = 0;
  lossCount_ = 0;
  res_.last = e;
  if (candidate) {
    if (res_.solvedAt < 0 && e.extrapolation < res_.threshold) res_.solvedAt = it;
    // The model is the one with the lowest interpolation error in the window: the first such one,
    // with NaN errors skipped, as R's which.min in the paper's analysis.
    const int64_t index = it % o_.evalEvery == 0 ? it / o_.evalEvery : gridSize_ - 1;
    if (index >= windowFirst_ && !std::isnan(e.interpolation) && (!hasBest_ || e.interpolation < res_.best.interpolation)) {
      res_.best = e;
      hasBest_ = true;
      float* to = snapshot_.data();
      for (const Param* p : params_) to = std::copy(p->value.data(), p->value.data() + p->size(), to);
    }
  }
  if (onEval_) onEval_(e);
}

bool TaskRunState::train(int64_t it, const float* x, const float* t, int rows, const TaskEvalSets& sets) {
  try {
    lossSum_ += net_.trainOnBatch(x, t, rows, true);
    ++lossCount_;
  } catch (const Error& e) {
    if (e.code != "NON_FINITE") throw;
    // In the reference the weights turn NaN here and every later evaluation is NaN, which the
    // analysis's which.min skips: the run is still judged by its best earlier evaluation. The
    // weights before the failed step are evaluated once more for `last` only (they were a
    // candidate already if `it` is on the evaluation grid; otherwise the reference never sees them).
    res_.stopReason = "nonFinite";
    res_.iterations = it;
    evaluate(it, false, sets);
    return false;
  }
  res_.iterations = it + 1;
  return true;
}

TaskRunResult TaskRunState::finish() {
  if (hasBest_) res_.bestWeights = std::move(snapshot_);
  else res_.best = res_.last;
  // As the reference's replace_na(extrapolation[best] < threshold, FALSE): no finite candidate
  // (or NaN at the best) is no success.
  res_.success = res_.stopReason != "aborted" && hasBest_ && res_.best.extrapolation < res_.threshold;
  return res_;
}

TaskRunResult runTask(Network& net, const Task& task, const TaskRunOptions& o, const TaskRunHooks& hooks) {
  const int n = task.rowSize(TaskSplit::Interpolation), nt = task.rowSize(TaskSplit::Extrapolation);
  const int trainSteps = task.steps(TaskSplit::Interpolation), testSteps = task.steps(TaskSplit::Extrapolation);
  if (trainSteps) net.setSteps(trainSteps);
  if (net.inputDim() != n || net.outputDim() != 1)
    rangeError("model: expected " + std::to_string(n) + " inputs and 1 output for this task, received " +
               std::to_string(net.inputDim()) + " inputs and " + std::to_string(net.outputDim()) + " outputs");
  checkTaskRunOptions(o);
  ProfileScope<Network> profiling(net, o.profile);
  TaskRunState run(net, o, task.successThreshold(o.epsilon, o.thresholdSamples, 1), hooks.onEval);

  // Fixed validation/test sets: their seeds do not depend on the run's seed (as stable-nalu),
  // only the task instance does.
  std::vector<float> xv(size_t(o.validationSize * n)), tv(size_t(o.validationSize));
  std::vector<float> xt(size_t(o.testSize * nt)), tt(size_t(o.testSize));
  TaskEvalSets sets{xv.data(), tv.data(), xt.data(), tt.data(), o.validationSize, o.testSize,
                    int(std::min<int64_t>(o.validationSize, 1 << 14)), int(std::min<int64_t>(o.testSize, 1 << 14)),
                    trainSteps, trainSteps, testSteps};
  {
    RngLanes rv(kValidationSeed), rt(kTestSeed);
    task.sample(rv, TaskSplit::Interpolation, xv.data(), tv.data(), o.validationSize);
    task.sample(rt, TaskSplit::Extrapolation, xt.data(), tt.data(), o.testSize);
    // In the network's layout once, not at every evaluation (a transpose of each set each time).
    std::vector<float> blocks(std::max(xv.size(), xt.size()));
    net.toBlocks(xv.data(), o.validationSize, n, sets.vChunk, blocks.data());
    std::copy(blocks.begin(), blocks.begin() + ptrdiff_t(xv.size()), xv.begin());
    net.toBlocks(xt.data(), o.testSize, nt, sets.tChunk, blocks.data());
    std::copy(blocks.begin(), blocks.begin() + ptrdiff_t(xt.size()), xt.begin());
  }
  std::vector<float> xb(size_t(o.batchSize) * n), tb(size_t(o.batchSize));
  RngLanes rng(o.seed, kBatchStream);

  for (int64_t it = 0;; ++it) {
    if (it % o.evalEvery == 0 || it == o.iterations) run.evaluate(it, true, sets);
    if (it == o.iterations) break;
    if (hooks.stop && hooks.stop->load()) {
      run.abort();
      break;
    }
    // Drawn straight into the network's layout: trainOnBatch then skips its transpose.
    net.clock().skip();
    task.sample(rng, TaskSplit::Interpolation, xb.data(), tb.data(), o.batchSize, net.featureMajor(), &net.clock());
    if (o.profile) ++o.profile->steps;
    if (!run.train(it, xb.data(), tb.data(), o.batchSize, sets)) break;
  }
  return run.finish();
}

}  // namespace nalu
