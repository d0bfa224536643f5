#include "Tasks.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "BackgroundJob.h"
#include "NativeNetwork.h"
#include "args.h"
#include "kernels/arithmetic_task.h"
#include "kernels/task.h"
#include "kernels/clones.h"
#include "kernels/task_group.h"
#include "kernels/task_run.h"
#include "kernels/threads.h"

namespace {

// Native threads of a task run or group: parallel runs are the benchmark's parallelism.
constexpr int kJobThreads = 1;

double number(const Napi::Value& v, const std::string& name, double lo, double hi) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), name + ": expected a number, received " + args::describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi))
    throw Napi::RangeError::New(v.Env(), name + ": expected a number in [" + std::to_string(lo) + ", " +
                                             std::to_string(hi) + "], received " + args::describe(v));
  return d;
}

// [[lo, hi]] or [[lo, hi], [lo, hi]]
nalu::SampleRange range(const Napi::Value& v, const std::string& name) {
  const std::string expected = name + ": expected [[lo, hi]] or [[lo, hi], [lo, hi]] with finite lo < hi, received ";
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), expected + args::describe(v));
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() < 1 || a.Length() > 2) throw Napi::RangeError::New(v.Env(), expected + std::to_string(a.Length()) + " intervals");
  nalu::SampleRange r;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value p = a.Get(i);
    std::string at = name + "[" + std::to_string(i) + "]";
    if (!p.IsArray() || p.As<Napi::Array>().Length() != 2) throw Napi::TypeError::New(v.Env(), expected + args::describe(p) + " at " + at);
    double lo = number(p.As<Napi::Array>().Get(0u), at + "[0]", -1e30, 1e30);
    double hi = number(p.As<Napi::Array>().Get(1u), at + "[1]", -1e30, 1e30);
    if (!(lo < hi)) throw Napi::RangeError::New(v.Env(), at + ": expected lo < hi, received [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    r.parts.push_back({lo, hi});
  }
  return r;
}

// {name, ...parameters}: a registered task (nalu::makeTask) and its parameters, each a number, a
// string or a range; the task checks them.
std::unique_ptr<nalu::Task> task(const Napi::Value& v, const std::string& name) {
  Napi::Object o = args::object(v, name);
  const Napi::Value type = o.Get("name");
  if (!type.IsString()) throw Napi::TypeError::New(v.Env(), name + ".name: expected a task name, received " + args::describe(type));
  nalu::TaskParams params;
  params.where = name;
  Napi::Array keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    const std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
    if (k == "name") continue;
    const Napi::Value p = o.Get(k);
    if (p.IsNumber())
      params.numbers[k] = p.As<Napi::Number>().DoubleValue();
    else if (p.IsString())
      params.strings[k] = p.As<Napi::String>().Utf8Value();
    else if (p.IsArray())
      params.ranges[k] = range(p, name + "." + k);
    else
      throw Napi::TypeError::New(v.Env(), name + "." + k + ": expected a number, a string or a range, received " + args::describe(p));
  }
  return args::guard(v.Env(), [&] { return nalu::makeTask(type.As<Napi::String>().Utf8Value(), params); });
}

Napi::Object evalToJs(Napi::Env env, const nalu::TaskEval& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("iteration", double(e.iteration));
  o.Set("trainLoss", e.trainLoss);
  o.Set("interpolation", e.interpolation);
  o.Set("extrapolation", e.extrapolation);
  o.Set("sparsity", e.sparsity);
  return o;
}

// run: {iterations, batchSize, evalEvery, validationSize, testSize, epsilon, thresholdSamples,
// bestWindow, seed} (profile is the caller's)
nalu::TaskRunOptions runOptions(const Napi::Value& v, const std::string& name) {
  Napi::Object run = args::object(v, name);
  nalu::TaskRunOptions o;
  const int64_t maxSafe = 9007199254740991LL;
  o.iterations = args::integer(run.Get("iterations"), name + ".iterations", 0, maxSafe);
  o.batchSize = int(args::integer(run.Get("batchSize"), name + ".batchSize", 1, 1 << 20));
  o.evalEvery = args::integer(run.Get("evalEvery"), name + ".evalEvery", 1, maxSafe);
  o.validationSize = args::integer(run.Get("validationSize"), name + ".validationSize", 1, 1 << 24);
  o.testSize = args::integer(run.Get("testSize"), name + ".testSize", 1, 1 << 24);
  o.epsilon = number(run.Get("epsilon"), name + ".epsilon", 0, 0.5);
  o.thresholdSamples = args::integer(run.Get("thresholdSamples"), name + ".thresholdSamples", 1, 1LL << 32);
  o.bestWindow = int(args::integer(run.Get("bestWindow"), name + ".bestWindow", 1, 1 << 20));
  o.seed = uint64_t(args::integer(run.Get("seed"), name + ".seed", 0, maxSafe));
  return o;
}

void checkEvalSize(Napi::Env env, const nalu::Task& t, const nalu::TaskRunOptions& o, const std::string& name) {
  const int64_t v = t.rowSize(nalu::TaskSplit::Interpolation), x = t.rowSize(nalu::TaskSplit::Extrapolation);
  if (std::max(v * o.validationSize, x * o.testSize) > nalu::kMaxElements)
    throw Napi::RangeError::New(env, name + ".validationSize/testSize: too many values for rows of " + std::to_string(v) +
                                         " and " + std::to_string(x) + " inputs");
}

// A network for the task: inputSize inputs, 1 output.
std::unique_ptr<nalu::Network> taskNetwork(const nalu::NetworkSpec& ns, const nalu::Task& t, const std::string& name) {
  auto net = std::make_unique<nalu::Network>(ns);
  if (net->inputDim() != t.inputSize() || net->outputDim() != 1)
    nalu::rangeError(name + ": expected inputDim " + std::to_string(t.inputSize()) + " and 1 output for this task, received " +
                     std::to_string(net->inputDim()) + " and " + std::to_string(net->outputDim()));
  return net;
}

// The weights at the best evaluation, as args::weights gives the network's own (those when the
// run had no finite best).
Napi::Array bestWeightsToJs(Napi::Env env, const nalu::TaskRunResult& r, nalu::Network& net) {
  const std::vector<nalu::Param*> ps = net.params();
  Napi::Array out = args::weights(env, ps);
  if (r.bestWeights.empty()) return out;
  const float* from = r.bestWeights.data();
  for (uint32_t k = 0; k < ps.size(); ++k) {
    auto data = out.Get(k).As<Napi::Object>().Get("data").As<Napi::Float32Array>();
    std::copy(from, from + ps[k]->size(), data.Data());
    from += ps[k]->size();
  }
  return out;
}

Napi::Object resultToJs(Napi::Env env, const nalu::TaskRunResult& r, nalu::Network& net) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("threshold", r.threshold);
  out.Set("iterations", double(r.iterations));
  out.Set("solvedAt", r.solvedAt < 0 ? env.Null() : Napi::Number::New(env, double(r.solvedAt)));
  out.Set("success", r.success);
  out.Set("stopReason", r.stopReason);
  out.Set("last", evalToJs(env, r.last));
  out.Set("best", evalToJs(env, r.best));
  out.Set("weights", args::weights(env, net.params()));
  out.Set("bestWeights", bestWeightsToJs(env, r, net));
  out.Set("threads", kJobThreads);
  out.Set("isa", nalu::cloneIsa());
  return out;
}

// One training run (nalu::runTask) with one native thread: parallel runs are the benchmark's
// parallelism. Evaluations reach onEval as they happen.
class RunJob : public BackgroundJob {
 public:
  // Shared with the handle's stop(), which can outlive the job.
  std::shared_ptr<std::atomic<bool>> stop;
  std::unique_ptr<nalu::Network> net;
  std::unique_ptr<nalu::Task> task;
  nalu::TaskRunOptions options;
  nalu::StepProfile profile;  // with run.profile (options.profile points here)

  RunJob(Napi::Env env, std::shared_ptr<std::atomic<bool>> s) : BackgroundJob(env, s.get(), "runTask"), stop(std::move(s)) {}

 private:
  nalu::TaskRunResult result_;

  void Run() override {
    nalu::setThreadsForThisThread(kJobThreads);
    nalu::TaskRunHooks hooks;
    hooks.stop = stop.get();
    if (HasCallback())
      hooks.onEval = [this](const nalu::TaskEval& e) {
        Emit([e](Napi::Env env, Napi::Function cb) { Call(env, cb, {evalToJs(env, e)}); });
      };
    result_ = nalu::runTask(*net, *task, options, hooks);
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = resultToJs(env, result_, *net);
    if (options.profile) out.Set("profile", profileToJs(env, profile));
    return out;
  }
};

// One fused group (nalu::runTaskGroup) with one native thread, as RunJob. Evaluations reach
// onEval(run, eval) as they happen.
class GroupJob : public BackgroundJob {
 public:
  std::shared_ptr<std::atomic<bool>> stop;
  std::vector<std::unique_ptr<nalu::Task>> tasks;
  std::vector<std::unique_ptr<nalu::Network>> nets;
  std::vector<nalu::TaskGroupRun> runs;
  bool profiled = false;
  nalu::StepProfile profile;

  GroupJob(Napi::Env env, std::shared_ptr<std::atomic<bool>> s) : BackgroundJob(env, s.get(), "runTaskGroup"), stop(std::move(s)) {}

 private:
  std::vector<nalu::TaskRunResult> results_;

  void Run() override {
    nalu::setThreadsForThisThread(kJobThreads);
    if (HasCallback())
      for (size_t i = 0; i < runs.size(); ++i)
        runs[i].onEval = [this, i](const nalu::TaskEval& e) {
          Emit([e, i](Napi::Env env, Napi::Function cb) { Call(env, cb, {Napi::Number::New(env, double(i)), evalToJs(env, e)}); });
        };
    results_ = nalu::runTaskGroup(runs, profiled ? &profile : nullptr, stop.get());
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    Napi::Array results = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) results.Set(uint32_t(i), resultToJs(env, results_[i], *nets[i]));
    out.Set("results", results);
    if (profiled) out.Set("profile", profileToJs(env, profile));
    return out;
  }
};

// runTask({network, task, run}, onEval?) → {promise, stop()}
Napi::Value RunTask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object spec = args::object(info[0], "spec");
  auto job = std::make_unique<RunJob>(env, std::make_shared<std::atomic<bool>>(false));
  nalu::NetworkSpec ns = parseNetworkSpec(spec.Get("network"), "network");
  job->task = task(spec.Get("task"), "task");
  job->options = runOptions(spec.Get("run"), "run");
  nalu::TaskRunOptions& o = job->options;
  Napi::Object run = spec.Get("run").As<Napi::Object>();
  const Napi::Value profile = run.Get("profile");
  if (!profile.IsUndefined() && args::boolean(profile, "run.profile")) o.profile = &job->profile;
  checkEvalSize(env, *job->task, o, "run");
  Napi::Function cb;
  if (info.Length() > 1 && !info[1].IsUndefined()) cb = args::function(info[1], "onEval");
  args::guard(env, [&] { job->net = taskNetwork(ns, *job->task, "network"); });

  Napi::Object handle = Napi::Object::New(env);
  auto stop = job->stop;
  handle.Set("promise", BackgroundJob::Start(env, std::move(job), cb, "nalu.runTask"));
  handle.Set("stop", Napi::Function::New(env, [stop](const Napi::CallbackInfo&) { stop->store(true); }, "stop"));
  return handle;
}

// runTaskGroup({runs: [{network, task, run}], profile?}, onEval?(run, eval))
//   → {promise: {results: [...], profile?}, stop()}; the runs' tasks draw the same inputs.
Napi::Value RunTaskGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object spec = args::object(info[0], "spec");
  auto job = std::make_unique<GroupJob>(env, std::make_shared<std::atomic<bool>>(false));
  Napi::Value runsValue = spec.Get("runs");
  if (!runsValue.IsArray()) throw Napi::TypeError::New(env, "runs: expected an array of {network, task, run}, received " + args::describe(runsValue));
  Napi::Array runs = runsValue.As<Napi::Array>();
  if (runs.Length() < 1 || runs.Length() > 4096)
    throw Napi::RangeError::New(env, "runs: expected 1 to 4096 runs, received " + std::to_string(runs.Length()));
  std::vector<nalu::NetworkSpec> specs;
  for (uint32_t i = 0; i < runs.Length(); ++i) {
    const std::string at = "runs[" + std::to_string(i) + "]";
    Napi::Object r = args::object(runs.Get(i), at);
    specs.push_back(parseNetworkSpec(r.Get("network"), at + ".network"));
    nalu::TaskGroupRun run;
    job->tasks.push_back(task(r.Get("task"), at + ".task"));
    run.task = job->tasks.back().get();
    run.options = runOptions(r.Get("run"), at + ".run");
    checkEvalSize(env, *run.task, run.options, at + ".run");
    job->runs.push_back(run);
  }
  const Napi::Value profile = spec.Get("profile");
  job->profiled = !profile.IsUndefined() && args::boolean(profile, "profile");
  Napi::Function cb;
  if (info.Length() > 1 && !info[1].IsUndefined()) cb = args::function(info[1], "onEval");
  args::guard(env, [&] {
    for (size_t i = 0; i < specs.size(); ++i) {
      const std::string at = "runs[" + std::to_string(i) + "]";
      if (job->tasks[i]->inputKey() != job->tasks[0]->inputKey())
        nalu::rangeError(at + ".task: expected a task that draws the inputs of runs[0]'s (a group's runs share their batches), received " +
                         job->tasks[i]->inputKey() + " against " + job->tasks[0]->inputKey());
      job->nets.push_back(taskNetwork(specs[i], *job->tasks[i], at + ".network"));
      job->runs[i].net = job->nets.back().get();
    }
    for (size_t i = 1; i < job->runs.size(); ++i) {
      // runTaskGroup checks these too; here they fail at the call, not in the promise.
      const nalu::TaskRunOptions &o = job->runs[i].options, &g = job->runs[0].options;
      if (o.batchSize != g.batchSize || o.evalEvery != g.evalEvery || o.validationSize != g.validationSize ||
          o.testSize != g.testSize || o.seed != g.seed)
        nalu::rangeError("runs[" + std::to_string(i) + "].run: batchSize, evalEvery, validationSize, testSize and seed " +
                         "must equal runs[0]'s (a group's runs share their batches and evaluations)");
    }
  });

  Napi::Object handle = Napi::Object::New(env);
  auto stop = job->stop;
  handle.Set("promise", BackgroundJob::Start(env, std::move(job), cb, "nalu.runTaskGroup"));
  handle.Set("stop", Napi::Function::New(env, [stop](const Napi::CallbackInfo&) { stop->store(true); }, "stop"));
  return handle;
}

// taskThreshold(task, epsilon, samples, seed) → MSE of the ε-perturbed perfect solution
Napi::Value TaskThreshold(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::unique_ptr<nalu::Task> t = task(info[0], "task");
  double eps = number(info[1], "epsilon", 0, 0.5);
  int64_t samples = args::integer(info[2], "samples", 1, 1LL << 32);
  uint64_t seed = uint64_t(args::integer(info[3], "seed", 0, 9007199254740991LL));
  return Napi::Number::New(env, args::guard(env, [&] { return t->successThreshold(eps, samples, seed); }));
}

// sampleTask(task, which: 'interpolation' | 'extrapolation', rows, seed)
//   → {x: Float32Array(rows × inputSize · steps), t: Float32Array(rows), structure: [{name, start, end}]}
Napi::Value SampleTask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::unique_ptr<nalu::Task> t = task(info[0], "task");
  if (!info[1].IsString()) throw Napi::TypeError::New(env, "which: expected 'interpolation' or 'extrapolation', received " + args::describe(info[1]));
  std::string which = info[1].As<Napi::String>().Utf8Value();
  if (which != "interpolation" && which != "extrapolation")
    throw Napi::RangeError::New(env, "which: expected 'interpolation' or 'extrapolation', received '" + which + "'");
  const nalu::TaskSplit split = which == "interpolation" ? nalu::TaskSplit::Interpolation : nalu::TaskSplit::Extrapolation;
  const int n = t->rowSize(split);
  int64_t rows = args::integer(info[2], "rows", 1, nalu::kMaxElements / n);
  uint64_t seed = uint64_t(args::integer(info[3], "seed", 0, 9007199254740991LL));
  Napi::Object out = Napi::Object::New(env);
  args::guard(env, [&] {
    auto x = Napi::Float32Array::New(env, size_t(rows * n));
    auto y = Napi::Float32Array::New(env, size_t(rows));
    nalu::RngLanes rng(seed);
    t->sample(rng, split, x.Data(), y.Data(), rows);
    const std::vector<nalu::TaskSlice> slices = t->structure();
    Napi::Array structure = Napi::Array::New(env, slices.size());
    for (size_t i = 0; i < slices.size(); ++i) {
      Napi::Object s = Napi::Object::New(env);
      s.Set("name", slices[i].name);
      s.Set("start", slices[i].start);
      s.Set("end", slices[i].end);
      structure.Set(uint32_t(i), s);
    }
    out.Set("x", x);
    out.Set("t", y);
    out.Set("structure", structure);
  });
  return out;
}

}  // namespace

void Tasks::Register(Napi::Env env, Napi::Object exports) {
  exports.Set("runTask", Napi::Function::New<RunTask>(env, "runTask"));
  exports.Set("runTaskGroup", Napi::Function::New<RunTaskGroup>(env, "runTaskGroup"));
  exports.Set("isa", nalu::cloneIsa());
  exports.Set("taskThreshold", Napi::Function::New<TaskThreshold>(env, "taskThreshold"));
  exports.Set("sampleTask", Napi::Function::New<SampleTask>(env, "sampleTask"));
  Napi::Array names = Napi::Array::New(env, nalu::taskNames().size());
  for (size_t i = 0; i < nalu::taskNames().size(); ++i) names.Set(uint32_t(i), nalu::taskNames()[i]);
  exports.Set("taskTypes", names);
  Napi::Array ops = Napi::Array::New(env, nalu::arithOpNames().size());
  for (size_t i = 0; i < nalu::arithOpNames().size(); ++i) ops.Set(uint32_t(i), nalu::arithOpNames()[i]);
  exports.Set("arithmeticOps", ops);
}
