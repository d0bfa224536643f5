#include "task_group.h"

#include <algorithm>
#include <chrono>

#include "error.h"

namespace nalu {

namespace {
// Points every network's phase clock at the group's profile while the group runs, and adds the
// group's whole time to its total once.
class GroupProfileScope {
 public:
  GroupProfileScope(const std::vector<TaskGroupRun>& runs, StepProfile* p)
      : runs_(runs), p_(p), t0_(PhaseClock::Clock::now()) {
    for (const TaskGroupRun& r : runs_) r.net->setProfile(p);
  }
  ~GroupProfileScope() {
    if (p_) p_->total += std::chrono::duration<double>(PhaseClock::Clock::now() - t0_).count();
    for (const TaskGroupRun& r : runs_) r.net->setProfile(nullptr);
  }
  GroupProfileScope(const GroupProfileScope&) = delete;
  GroupProfileScope& operator=(const GroupProfileScope&) = delete;

 private:
  const std::vector<TaskGroupRun>& runs_;
  StepProfile* p_;
  PhaseClock::Clock::time_point t0_;
};

void checkGroup(const std::vector<TaskGroupRun>& runs) {
  if (runs.empty()) rangeError("runs: expected at least one run, received none");
  const TaskRunOptions& g = runs[0].options;
  for (size_t i = 0; i < runs.size(); ++i) {
    const TaskGroupRun& r = runs[i];
    const std::string at = "runs[" + std::to_string(i) + "]";
    if (!r.net) rangeError(at + ".network: missing");
    if (!r.task) rangeError(at + ".task: missing");
    if (r.task->inputKey() != runs[0].task->inputKey())
      rangeError(at + ".task: expected the inputs of runs[0]'s task (" + runs[0].task->inputKey() + "), received " +
                 r.task->inputKey());
    const int n = r.task->rowSize(TaskSplit::Interpolation);
    if (const int steps = r.task->steps(TaskSplit::Interpolation)) r.net->setSteps(steps);
    if (r.net->inputDim() != n || r.net->outputDim() != 1)
      rangeError(at + ".network: expected " + std::to_string(n) + " inputs and 1 output for this task, received " +
                 std::to_string(r.net->inputDim()) + " inputs and " + std::to_string(r.net->outputDim()) + " outputs");
    for (size_t j = 0; j < i; ++j)
      if (runs[j].net == r.net) rangeError(at + ".network: the same network as runs[" + std::to_string(j) + "]");
    checkTaskRunOptions(r.options);
    const std::pair<const char*, std::pair<int64_t, int64_t>> shared[] = {
        {"batchSize", {r.options.batchSize, g.batchSize}},
        {"evalEvery", {r.options.evalEvery, g.evalEvery}},
        {"validationSize", {r.options.validationSize, g.validationSize}},
        {"testSize", {r.options.testSize, g.testSize}},
        {"seed", {int64_t(r.options.seed), int64_t(g.seed)}},
    };
    for (const auto& [name, v] : shared)
      if (v.first != v.second)
        rangeError(at + "." + name + ": expected " + std::to_string(v.second) + ", the group's (runs[0]'s: its runs share " +
                   "their batches and evaluations), received " + std::to_string(v.first));
  }
}
}  // namespace

std::vector<TaskRunResult> runTaskGroup(const std::vector<TaskGroupRun>& runs, StepProfile* profile,
                                        const std::atomic<bool>* stop) {
  checkGroup(runs);
  const TaskRunOptions& g = runs[0].options;
  const Task& any = *runs[0].task;
  const int n = any.rowSize(TaskSplit::Interpolation), nt = any.rowSize(TaskSplit::Extrapolation);
  const int B = g.batchSize, L = any.latentSize();
  // The distinct targets: each run's index into them (tasks of one key make the same).
  std::vector<const Task*> targetTasks;
  std::vector<size_t> target(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    size_t j = 0;
    while (j < targetTasks.size() && targetTasks[j]->key() != runs[i].task->key()) ++j;
    if (j == targetTasks.size()) targetTasks.push_back(runs[i].task);
    target[i] = j;
  }
  const size_t kTargets = targetTasks.size();
  GroupProfileScope profiling(runs, profile);

  // Each threshold once per target and simulation settings.
  std::vector<double> thresholds(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    const TaskRunOptions& o = runs[i].options;
    size_t j = 0;
    while (j < i && !(target[j] == target[i] && runs[j].options.epsilon == o.epsilon &&
                      runs[j].options.thresholdSamples == o.thresholdSamples))
      ++j;
    thresholds[i] = j < i ? thresholds[j] : runs[i].task->successThreshold(o.epsilon, o.thresholdSamples, 1);
  }

  // The evaluation sets as runTask makes them: the inputs drawn once (in each layout a network of
  // the group has), the targets once per distinct task.
  const int64_t V = g.validationSize, T = g.testSize;
  const int vChunk = int(std::min<int64_t>(V, 1 << 14)), tChunk = int(std::min<int64_t>(T, 1 << 14));
  std::vector<float> xv(size_t(V * n)), xt(size_t(T * nt));
  std::vector<std::vector<float>> tv(kTargets, std::vector<float>(size_t(V))), tt(kTargets, std::vector<float>(size_t(T)));
  {
    std::vector<double> latent(size_t(L * std::max(V, T)));
    RngLanes rv(kValidationSeed), rt(kTestSeed);
    any.sampleInputs(rv, TaskSplit::Interpolation, xv.data(), nullptr, latent.data(), V, nullptr);
    for (size_t k = 0; k < kTargets; ++k) targetTasks[k]->targets(latent.data(), tv[k].data(), V);
    any.sampleInputs(rt, TaskSplit::Extrapolation, xt.data(), nullptr, latent.data(), T, nullptr);
    for (size_t k = 0; k < kTargets; ++k) targetTasks[k]->targets(latent.data(), tt[k].data(), T);
  }
  std::vector<float> xvLayout[2], xtLayout[2];  // [featureMajor]
  for (const TaskGroupRun& r : runs) {
    const bool fm = r.net->featureMajor();
    if (!xvLayout[fm].empty()) continue;
    xvLayout[fm].resize(xv.size());
    xtLayout[fm].resize(xt.size());
    r.net->toBlocks(xv.data(), V, n, vChunk, xvLayout[fm].data());
    r.net->toBlocks(xt.data(), T, nt, tChunk, xtLayout[fm].data());
  }
  std::vector<TaskEvalSets> sets(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    const bool fm = runs[i].net->featureMajor();
    const size_t k = target[i];
    const int steps = any.steps(TaskSplit::Interpolation);
    sets[i] = {xvLayout[fm].data(), tv[k].data(), xtLayout[fm].data(), tt[k].data(), V, T, vChunk, tChunk,
               steps, steps, any.steps(TaskSplit::Extrapolation)};
  }

  std::vector<TaskRunState> states;
  states.reserve(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) states.emplace_back(*runs[i].net, runs[i].options, thresholds[i], runs[i].onEval);
  std::vector<char> live(runs.size(), 1);

  // A step's batch: x row-major (and feature-major when a network wants it), the latent values,
  // the targets of each distinct task.
  const bool anyFm = !xvLayout[1].empty();
  std::vector<float> xr(size_t(B) * n), xf(anyFm ? size_t(B) * n : 0);
  std::vector<double> latent(size_t(L) * size_t(B));
  std::vector<std::vector<float>> tb(kTargets, std::vector<float>(size_t(B)));
  std::vector<char> targetLive(kTargets);
  RngLanes rng(g.seed, kBatchStream);
  PhaseClock clock(profile);

  for (int64_t it = 0;; ++it) {
    int64_t running = 0;
    std::fill(targetLive.begin(), targetLive.end(), 0);
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!live[i]) continue;
      const int64_t iterations = runs[i].options.iterations;
      if (it % g.evalEvery == 0 || it == iterations) states[i].evaluate(it, true, sets[i]);
      if (it == iterations) {
        live[i] = 0;
        continue;
      }
      ++running;
      targetLive[target[i]] = 1;
    }
    if (!running) break;
    if (stop && stop->load()) {
      for (size_t i = 0; i < runs.size(); ++i)
        if (live[i]) states[i].abort();
      break;
    }
    clock.skip();
    any.sampleInputs(rng, TaskSplit::Interpolation, xr.data(), anyFm ? xf.data() : nullptr, latent.data(), B, &clock);
    for (size_t k = 0; k < kTargets; ++k)
      if (targetLive[k]) targetTasks[k]->targets(latent.data(), tb[k].data(), B);
    clock.mark(StepProfile::Targets);
    if (profile) profile->steps += running;
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!live[i]) continue;
      Network& net = *runs[i].net;
      net.clock().skip();
      if (!states[i].train(it, net.featureMajor() ? xf.data() : xr.data(), tb[target[i]].data(), B, sets[i]))
        live[i] = 0;
    }
  }
  std::vector<TaskRunResult> results;
  results.reserve(runs.size());
  for (TaskRunState& s : states) results.push_back(s.finish());
  return results;
}

}  // namespace nalu
