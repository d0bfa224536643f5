#include "task_group.h"

#include <algorithm>
#include <chrono>
#include <optional>

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

void checkGroup(const TaskSpec& spec, const std::vector<TaskGroupRun>& runs) {
  if (runs.empty()) rangeError("runs: expected at least one run, received none");
  const TaskRunOptions& g = runs[0].options;
  for (size_t i = 0; i < runs.size(); ++i) {
    const TaskGroupRun& r = runs[i];
    const std::string at = "runs[" + std::to_string(i) + "]";
    if (!r.net) rangeError(at + ".network: missing");
    if (r.net->inputDim() != spec.inputSize || r.net->outputDim() != 1)
      rangeError(at + ".network: expected " + std::to_string(spec.inputSize) + " inputs and 1 output for this task, received " +
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

std::vector<TaskRunResult> runTaskGroup(const TaskSpec& spec, const std::vector<TaskGroupRun>& runs, StepProfile* profile,
                                        const std::atomic<bool>* stop) {
  checkGroup(spec, runs);
  const TaskRunOptions& g = runs[0].options;
  const int n = spec.inputSize, B = g.batchSize;
  const size_t kOps = arithOpNames().size();
  // One generator per operation in the group: the same slices (they depend on the seed alone),
  // each its own targets.
  std::vector<std::optional<ArithmeticTask>> tasks(kOps);
  for (const TaskGroupRun& r : runs)
    if (!tasks[size_t(r.op)]) {
      TaskSpec s = spec;
      s.op = r.op;
      tasks[size_t(r.op)].emplace(s);
    }
  const ArithmeticTask& any = *tasks[size_t(runs[0].op)];
  GroupProfileScope profiling(runs, profile);

  // Each threshold once per operation and simulation settings.
  std::vector<double> thresholds(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    const TaskRunOptions& o = runs[i].options;
    size_t j = 0;
    while (j < i && !(runs[j].op == runs[i].op && runs[j].options.epsilon == o.epsilon &&
                      runs[j].options.thresholdSamples == o.thresholdSamples))
      ++j;
    thresholds[i] = j < i ? thresholds[j] : successThreshold(tasks[size_t(runs[i].op)]->spec(), o.epsilon, o.thresholdSamples, 1);
  }

  // The evaluation sets as runTask makes them: the inputs drawn once (in each layout a network of
  // the group has), the targets once per operation.
  const int64_t V = g.validationSize, T = g.testSize;
  const int vChunk = int(std::min<int64_t>(V, 1 << 14)), tChunk = int(std::min<int64_t>(T, 1 << 14));
  std::vector<float> xv(size_t(V * n)), xt(size_t(T * n));
  std::vector<std::vector<float>> tv(kOps), tt(kOps);
  for (size_t op = 0; op < kOps; ++op)
    if (tasks[op]) {
      tv[op].resize(size_t(V));
      tt[op].resize(size_t(T));
      RngLanes rv(kValidationSeed), rt(kTestSeed);
      tasks[op]->sample(rv, spec.interpolation, xv.data(), tv[op].data(), V);
      tasks[op]->sample(rt, spec.extrapolation, xt.data(), tt[op].data(), T);
    }
  std::vector<float> xvLayout[2], xtLayout[2];  // [featureMajor]
  for (const TaskGroupRun& r : runs) {
    const bool fm = r.net->featureMajor();
    if (!xvLayout[fm].empty()) continue;
    xvLayout[fm].resize(xv.size());
    xtLayout[fm].resize(xt.size());
    r.net->toBlocks(xv.data(), V, n, vChunk, xvLayout[fm].data());
    r.net->toBlocks(xt.data(), T, n, tChunk, xtLayout[fm].data());
  }
  std::vector<TaskEvalSets> sets(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    const bool fm = runs[i].net->featureMajor();
    const size_t op = size_t(runs[i].op);
    sets[i] = {xvLayout[fm].data(), tv[op].data(), xtLayout[fm].data(), tt[op].data(), V, T, vChunk, tChunk};
  }

  std::vector<TaskRunState> states;
  states.reserve(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) states.emplace_back(*runs[i].net, runs[i].options, thresholds[i], runs[i].onEval);
  std::vector<char> live(runs.size(), 1);

  // A step's batch: x row-major (and feature-major when a network wants it), the slice sums, the
  // targets of each operation.
  const bool anyFm = !xvLayout[1].empty();
  std::vector<float> xr(size_t(B) * n), xf(anyFm ? size_t(B) * n : 0);
  std::vector<double> a(static_cast<size_t>(B)), b(static_cast<size_t>(B));
  std::vector<std::vector<float>> tb(kOps);
  for (size_t op = 0; op < kOps; ++op)
    if (tasks[op]) tb[op].resize(size_t(B));
  std::vector<char> opLive(kOps);
  RngLanes rng(g.seed, kBatchStream);
  PhaseClock clock(profile);

  for (int64_t it = 0;; ++it) {
    int64_t running = 0;
    std::fill(opLive.begin(), opLive.end(), 0);
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!live[i]) continue;
      const int64_t iterations = runs[i].options.iterations;
      if (it % g.evalEvery == 0 || it == iterations) states[i].evaluate(it, true, sets[i]);
      if (it == iterations) {
        live[i] = 0;
        continue;
      }
      ++running;
      opLive[size_t(runs[i].op)] = 1;
    }
    if (!running) break;
    if (stop && stop->load()) {
      for (size_t i = 0; i < runs.size(); ++i)
        if (live[i]) states[i].abort();
      break;
    }
    clock.skip();
    any.sampleSums(rng, spec.interpolation, xr.data(), anyFm ? xf.data() : nullptr, a.data(), b.data(), B, &clock);
    for (size_t op = 0; op < kOps; ++op)
      if (opLive[op]) ArithmeticTask::targets(ArithOp(op), a.data(), b.data(), tb[op].data(), B);
    clock.mark(StepProfile::Targets);
    if (profile) profile->steps += running;
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!live[i]) continue;
      Network& net = *runs[i].net;
      net.clock().skip();
      if (!states[i].train(it, net.featureMajor() ? xf.data() : xr.data(), tb[size_t(runs[i].op)].data(), B, sets[i]))
        live[i] = 0;
    }
  }
  std::vector<TaskRunResult> results;
  results.reserve(runs.size());
  for (TaskRunState& s : states) results.push_back(s.finish());
  return results;
}

}  // namespace nalu
