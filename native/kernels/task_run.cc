#include "task_run.h"

#include <algorithm>
#include <cmath>
#include <deque>
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

TaskRunResult runTask(Network& net, const ArithmeticTask& task, const TaskRunOptions& o, const TaskRunHooks& hooks) {
  const TaskSpec& spec = task.spec();
  if (net.inputDim() != spec.inputSize || net.outputDim() != 1)
    rangeError("model: expected " + std::to_string(spec.inputSize) + " inputs and 1 output for this task, received " +
               std::to_string(net.inputDim()) + " inputs and " + std::to_string(net.outputDim()) + " outputs");
  if (o.iterations < 0) rangeError("iterations: expected an integer ≥ 0, received " + std::to_string(o.iterations));
  if (o.batchSize < 1) rangeError("batchSize: expected a positive integer, received " + std::to_string(o.batchSize));
  if (o.evalEvery < 1) rangeError("evalEvery: expected a positive integer, received " + std::to_string(o.evalEvery));
  if (o.validationSize < 1 || o.testSize < 1) rangeError("validationSize/testSize: expected positive integers");
  if (o.bestWindow < 1) rangeError("bestWindow: expected a positive integer, received " + std::to_string(o.bestWindow));
  const int n = spec.inputSize;
  ProfileScope<Network> profiling(net, o.profile);

  TaskRunResult res;
  res.threshold = successThreshold(spec, o.epsilon, o.thresholdSamples, 1);

  // Fixed validation/test sets: their seeds do not depend on the run's seed (as stable-nalu),
  // only the slices do.
  std::vector<float> xv(size_t(o.validationSize * n)), tv(size_t(o.validationSize));
  std::vector<float> xt(size_t(o.testSize * n)), tt(size_t(o.testSize));
  const int vChunk = int(std::min<int64_t>(o.validationSize, 1 << 14)), tChunk = int(std::min<int64_t>(o.testSize, 1 << 14));
  {
    RngLanes rv(43953907), rt(8689336);
    task.sample(rv, spec.interpolation, xv.data(), tv.data(), o.validationSize);
    task.sample(rt, spec.extrapolation, xt.data(), tt.data(), o.testSize);
    // In the network's layout once, not at every evaluation (a transpose of each set each time).
    std::vector<float> blocks(std::max(xv.size(), xt.size()));
    net.toBlocks(xv.data(), o.validationSize, n, vChunk, blocks.data());
    std::copy(blocks.begin(), blocks.begin() + ptrdiff_t(xv.size()), xv.begin());
    net.toBlocks(xt.data(), o.testSize, n, tChunk, blocks.data());
    std::copy(blocks.begin(), blocks.begin() + ptrdiff_t(xt.size()), xt.begin());
  }
  std::vector<float> xb(size_t(o.batchSize) * n), tb(size_t(o.batchSize));
  RngLanes rng(o.seed, 0xBA7C4);

  std::deque<TaskEval> window;
  double lossSum = 0;
  int64_t lossCount = 0;
  // candidate = false: reported as `last` only, neither a best-model candidate nor a "solved at".
  auto evaluate = [&](int64_t it, bool candidate) {
    net.clock().skip();
    TaskEval e;
    e.iteration = it;
    e.trainLoss = lossCount ? lossSum / double(lossCount) : NAN;
    // The targets, one output, are the same in either layout.
    e.interpolation = net.evaluate(xv.data(), tv.data(), o.validationSize, vChunk, nullptr, true);
    e.extrapolation = net.evaluate(xt.data(), tt.data(), o.testSize, tChunk, nullptr, true);
    e.sparsity = sparsityError(net);
    net.clock().mark(StepProfile::Evaluation);
    lossSum = 0;
    lossCount = 0;
    res.last = e;
    if (candidate) {
      if (res.solvedAt < 0 && e.extrapolation < res.threshold) res.solvedAt = it;
      window.push_back(e);
      if (int(window.size()) > o.bestWindow) window.pop_front();
    }
    if (hooks.onEval) hooks.onEval(e);
  };

  for (int64_t it = 0;; ++it) {
    if (it % o.evalEvery == 0 || it == o.iterations) evaluate(it, true);
    if (it == o.iterations) break;
    if (hooks.stop && hooks.stop->load()) {
      res.stopReason = "aborted";
      break;
    }
    // Drawn straight into the network's layout: trainOnBatch then skips its transpose.
    net.clock().skip();
    task.sample(rng, spec.interpolation, xb.data(), tb.data(), o.batchSize, net.featureMajor(), &net.clock());
    if (o.profile) ++o.profile->steps;
    try {
      lossSum += net.trainOnBatch(xb.data(), tb.data(), o.batchSize, true);
      ++lossCount;
    } catch (const Error& e) {
      if (e.code != "NON_FINITE") throw;
      // In the reference the weights turn NaN here and every later evaluation is NaN, which the
      // analysis's which.min skips: the run is still judged by its best earlier evaluation. The
      // weights before the failed step are evaluated once more for `last` only (they were a
      // candidate already if `it` is on the evaluation grid; otherwise the reference never sees them).
      res.stopReason = "nonFinite";
      res.iterations = it;
      evaluate(it, false);
      break;
    }
    res.iterations = it + 1;
  }

  // After a non-finite stop the reference's window is still the last bestWindow evaluations of the
  // whole run's grid (the later ones NaN): drop what would have fallen out of it.
  if (res.stopReason == "nonFinite") {
    const int64_t grid = o.iterations / o.evalEvery + 1 + (o.iterations % o.evalEvery != 0);
    const int64_t first = std::max<int64_t>(0, grid - o.bestWindow) * o.evalEvery;
    while (!window.empty() && window.front().iteration < first) window.pop_front();
  }
  // The model is the one with the lowest interpolation error among the last evaluations: the
  // first such one, with NaN errors skipped, as R's which.min in the paper's analysis.
  const TaskEval* best = nullptr;
  for (const TaskEval& e : window)
    if (!std::isnan(e.interpolation) && (!best || e.interpolation < best->interpolation)) best = &e;
  res.best = best ? *best : res.last;
  // As the reference's replace_na(extrapolation[best] < threshold, FALSE): no finite candidate
  // (or NaN at the best) is no success.
  res.success = res.stopReason != "aborted" && best && res.best.extrapolation < res.threshold;
  return res;
}

}  // namespace nalu
