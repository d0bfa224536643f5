#include "NativeNetwork.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>

#include "BackgroundJob.h"
#include "addon_data.h"
#include "args.h"
#include "kernels/threads.h"

using args::guard;

namespace {

// Marks objects made by our constructor (napi_type_tag_object): unwrap only checks that an
// object is wrapped, not by which class.
const napi_type_tag kTag = {0x8c1f3a5e2b7d4c91ULL, 0x5a0e6f2d9b3c7e18ULL};

// Every method and accessor goes through this: `this` is checked before the member runs.
template <Napi::Value (NativeNetwork::*M)(const Napi::CallbackInfo&)>
Napi::Value call(const Napi::CallbackInfo& info) {
  return (NativeNetwork::fromThis(info)->*M)(info);
}

template <Napi::Value (NativeNetwork::*M)(const Napi::CallbackInfo&)>
Napi::PropertyDescriptor method(Napi::Env env, const char* name) {
  return Napi::PropertyDescriptor::Value(name, Napi::Function::New<call<M>>(env, name),
                                         napi_property_attributes(napi_writable | napi_configurable));
}

// Weight matrices a layer has, as its unit counts them (nalu::layerMatrices; 5 for unknown types).
int matricesOf(const nalu::LayerSpec& ls) { return nalu::layerMatrices(ls.type, ls.options); }

// Concurrent fits share the cores instead of each starting a full OpenMP team.
std::atomic<int> gActiveFits{0};

Napi::Array intsToJs(Napi::Env env, const std::vector<int>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a.Set(uint32_t(i), v[i]);
  return a;
}

// The metrics' figures (when asked for) and constantLayers (when there are any) of an epoch.
void setExtras(Napi::Env env, Napi::Object e, const nalu::EpochLog& log, bool errors) {
  if (errors) {
    e.Set("mae", log.mae);
    e.Set("mse", log.mse);
    e.Set("valMae", log.valMae);
    e.Set("valMse", log.valMse);
  }
  if (!log.constantLayers.empty()) e.Set("constantLayers", intsToJs(env, log.constantLayers));
}

// An epoch's figures beyond loss, valLoss and regularization (setExtras', and batchLosses when
// asked for), or undefined when there are none.
Napi::Value extrasToJs(Napi::Env env, const nalu::EpochLog& log, bool errors) {
  if (!errors && log.constantLayers.empty() && log.batchLosses.empty()) return env.Undefined();
  Napi::Object e = Napi::Object::New(env);
  setExtras(env, e, log, errors);
  if (!log.batchLosses.empty()) {
    auto b = Napi::Float32Array::New(env, log.batchLosses.size());
    std::copy(log.batchLosses.begin(), log.batchLosses.end(), b.Data());
    e.Set("batchLosses", b);
  }
  return e;
}

Napi::Float64Array doublesToJs(Napi::Env env, const std::vector<double>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

// With columns: each figure one Float64Array over the epochs (a fit of many short epochs
// spent more on building one object an epoch than on training); else one object an epoch.
Napi::Value toJs(Napi::Env env, const nalu::FitResult& r, bool errors, bool columns) {
  Napi::Object out = Napi::Object::New(env);
  const size_t n = r.epochs();
  if (columns) {
    out.Set("epochs", double(n));
    out.Set("loss", doublesToJs(env, r.loss));
    out.Set("valLoss", doublesToJs(env, r.valLoss));
    out.Set("regularization", doublesToJs(env, r.regularization));
    if (errors) {
      out.Set("mae", doublesToJs(env, r.mae));
      out.Set("mse", doublesToJs(env, r.mse));
      out.Set("valMae", doublesToJs(env, r.valMae));
      out.Set("valMse", doublesToJs(env, r.valMse));
    }
    Napi::Array constant = Napi::Array::New(env, r.constantLayers.size());
    for (size_t i = 0; i < r.constantLayers.size(); ++i) {
      Napi::Object c = Napi::Object::New(env);
      c.Set("epoch", r.constantLayers[i].first);
      c.Set("layers", intsToJs(env, r.constantLayers[i].second));
      constant.Set(uint32_t(i), c);
    }
    out.Set("constantLayers", constant);
  } else {
    Napi::Array epochs = Napi::Array::New(env, n);
    size_t next = 0;  // the next epoch with constant layers
    for (size_t i = 0; i < n; ++i) {
      Napi::Object e = Napi::Object::New(env);
      e.Set("epoch", double(i));
      e.Set("loss", r.loss[i]);
      e.Set("valLoss", r.valLoss[i]);
      e.Set("regularization", r.regularization[i]);
      if (errors) {
        e.Set("mae", r.mae[i]);
        e.Set("mse", r.mse[i]);
        e.Set("valMae", r.valMae[i]);
        e.Set("valMse", r.valMse[i]);
      }
      if (next < r.constantLayers.size() && size_t(r.constantLayers[next].first) == i)
        e.Set("constantLayers", intsToJs(env, r.constantLayers[next++].second));
      epochs.Set(uint32_t(i), e);
    }
    out.Set("epochs", epochs);
  }
  out.Set("stopReason", r.stopReason);
  Napi::Array reinitialized = Napi::Array::New(env, r.reinitializedAt.size());
  for (size_t i = 0; i < r.reinitializedAt.size(); ++i) reinitialized.Set(uint32_t(i), r.reinitializedAt[i]);
  out.Set("reinitializedAt", reinitialized);
  return out;
}

}  // namespace

Napi::Object profileToJs(Napi::Env env, const nalu::StepProfile& p) {
  Napi::Object out = Napi::Object::New(env), phases = Napi::Object::New(env);
  for (int i = 0; i < nalu::StepProfile::kPhases; ++i) phases.Set(nalu::StepProfile::kNames[i], p.seconds[i]);
  out.Set("steps", double(p.steps));
  out.Set("total", p.total);
  out.Set("phases", phases);
  return out;
}

Napi::Function NativeNetwork::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "NativeNetwork", {});
  Napi::Object proto = ctor.Get("prototype").As<Napi::Object>();
  proto.DefineProperties({
      method<&NativeNetwork::GetWeights>(env, "getWeights"),
      method<&NativeNetwork::SetWeights>(env, "setWeights"),
      method<&NativeNetwork::TrainOnBatch>(env, "trainOnBatch"),
      method<&NativeNetwork::ComputeGradients>(env, "computeGradients"),
      method<&NativeNetwork::Predict>(env, "predict"),
      method<&NativeNetwork::Evaluate>(env, "evaluate"),
      method<&NativeNetwork::Fit>(env, "fit"),
      method<&NativeNetwork::Stop>(env, "stop"),
      method<&NativeNetwork::Resume>(env, "resume"),
      method<&NativeNetwork::SetLearningRate>(env, "setLearningRate"),
      method<&NativeNetwork::SetSparsitySchedule>(env, "setSparsitySchedule"),
      method<&NativeNetwork::SetSteps>(env, "setSteps"),
      method<&NativeNetwork::Dispose>(env, "dispose"),
      Napi::PropertyDescriptor::Accessor<call<&NativeNetwork::IsBusy>>("busy", napi_configurable),
      Napi::PropertyDescriptor::Accessor<call<&NativeNetwork::IsDisposed>>("disposed", napi_configurable),
      Napi::PropertyDescriptor::Accessor<call<&NativeNetwork::IsPaused>>("paused", napi_configurable),
      Napi::PropertyDescriptor::Accessor<call<&NativeNetwork::Iterations>>("iterations", napi_configurable),
      Napi::PropertyDescriptor::Accessor<call<&NativeNetwork::InputDim>>("inputDim", napi_configurable),
      Napi::PropertyDescriptor::Accessor<call<&NativeNetwork::OutputDim>>("outputDim", napi_configurable),
      Napi::PropertyDescriptor::Accessor<call<&NativeNetwork::Layout>>("layout", napi_configurable),
  });
  return ctor;
}

NativeNetwork* NativeNetwork::fromThis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_value self = info.This();
  // The tag check and the unwrap are two private-symbol lookups in V8's slow path, paid by every
  // small trainOnBatch, and a model calls with the same `this` every time: the last
  // verified one is remembered, weakly. An object strictly equal to this live `this` is that
  // object, and its wrapped pointer neither changes nor is freed while the object lives.
  AddonData* d = env.GetInstanceData<AddonData>();
  if (d && d->lastNet) {
    napi_value last = d->lastThis.Value();  // null once collected
    bool same = false;
    if (last && napi_strict_equals(env, last, self, &same) == napi_ok && same) return d->lastNet;
  }
  bool tagged = false;
  void* p = nullptr;
  if (info.This().IsObject() && napi_check_object_type_tag(env, self, &kTag, &tagged) == napi_ok && tagged &&
      napi_unwrap(env, self, &p) == napi_ok && p) {
    if (d) {
      d->lastThis = Napi::Weak(info.This().As<Napi::Object>());
      d->lastNet = static_cast<NativeNetwork*>(p);
    }
    return static_cast<NativeNetwork*>(p);
  }
  throw Napi::TypeError::New(env, "this: expected a NativeNetwork, received " + args::describe(info.This()));
}

void NativeNetwork::checkRows(Napi::Env env, double rows, double extraBytes, const std::string& name) const {
  args::affordable(env, paramBytes_ + rows * rowBytes_ + extraBytes, name);
}

nalu::NetworkSpec parseNetworkSpec(const Napi::Value& v, const std::string& name) {
  Napi::Env env = v.Env();
  Napi::Object spec = args::object(v, name);
  nalu::NetworkSpec s;
  s.inputDim = int(args::integer(spec.Get("inputDim"), name + ".inputDim", 1, 1 << 24));
  Napi::Value layers = spec.Get("layers");
  if (!layers.IsArray())
    throw Napi::TypeError::New(env, name + ".layers: expected an array, received " + args::describe(layers));
  Napi::Array arr = layers.As<Napi::Array>();
  if (arr.Length() < 1 || arr.Length() > 4096)
    throw Napi::RangeError::New(env, name + ".layers: expected 1 to 4096 layers, received " + std::to_string(arr.Length()));
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    std::string where = "layers[" + std::to_string(i) + "]";
    nalu::LayerSpec ls;
    ls.options = args::options(arr.Get(i), where);
    ls.type = args::guard(env, [&] { return ls.options.requiredString("type"); });
    ls.options.context = where + " (" + ls.type + ")";
    Napi::Value seed = args::object(arr.Get(i), where).Get("seed");
    ls.seed = seed.IsUndefined() ? 0 : uint64_t(args::integer(seed, where + ".seed", 0, 9007199254740991LL));
    s.layers.push_back(std::move(ls));
  }
  // Both required, each with its type (checked by makeLoss / makeOptimizer).
  Napi::Value loss = spec.Get("loss"), optimizer = spec.Get("optimizer");
  args::object(loss, name + ".loss");
  args::object(optimizer, name + ".optimizer");
  s.loss = args::options(loss, name + ".loss");
  s.optimizer = args::options(optimizer, name + ".optimizer");
  Napi::Value layout = spec.Get("layout");
  if (!layout.IsUndefined()) {
    if (!layout.IsString())
      throw Napi::TypeError::New(env, name + ".layout: expected a string, received " + args::describe(layout));
    s.layout = layout.As<Napi::String>().Utf8Value();
  }
  return s;
}

// spec: see parseNetworkSpec
NativeNetwork::NativeNetwork(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeNetwork>(info) {
  Napi::Env env = info.Env();
  if (!info.IsConstructCall()) throw Napi::TypeError::New(env, "NativeNetwork: use new");
  nalu::NetworkSpec s = parseNetworkSpec(info[0], "spec");
  // Sizes the kernels will allocate, estimated from the spec before they do. Invalid units
  // count as 1 here; the kernels reject them with their own message.
  double in = s.inputDim, weightFloats = 0, rowFloats = 0, largest = -1;
  size_t largestAt = 0;
  for (size_t i = 0; i < s.layers.size(); ++i) {
    auto it = s.layers[i].options.num.find("units");
    double units = it != s.layers[i].options.num.end() && it->second >= 1 ? std::floor(it->second) : 1;
    double w = matricesOf(s.layers[i]) * (in * units + units);
    if (w > largest) largest = w, largestAt = i;
    weightFloats += w;
    rowFloats += 12 * units + 4 * in;  // activations, gradients and the units' caches
    in = units;
  }
  // Per weight: value, gradient, up to three optimizer slots, fit's snapshot, derived caches.
  paramBytes_ = weightFloats * 8 * sizeof(float);
  rowBytes_ = rowFloats * sizeof(float);
  stepRowBytes_ = rowBytes_;
  if (!s.layers.empty()) args::affordable(env, paramBytes_, "layers[" + std::to_string(largestAt) + "].units");
  napi_type_tag_object(env, info.This(), &kTag);
  guard(env, [&] {
    nalu::applyNumThreads();
    net_ = std::make_unique<nalu::Network>(s);
  });
}

nalu::Network& NativeNetwork::network(Napi::Env env, const char* method, bool betweenEpochs) {
  if (!net_ || disposeRequested_)
    args::rethrow(env, nalu::Error(nalu::Error::Nalu, std::string(method) + ": the model has been disposed", "DISPOSED"));
  bool paused;
  {
    std::lock_guard<std::mutex> lock(pauseMu_);
    paused = paused_;
  }
  if (busy_.load() && !(betweenEpochs && paused))
    args::rethrow(env, nalu::Error(nalu::Error::Nalu, std::string(method) + ": the model is busy in fit()", "BUSY"));
  nalu::applyNumThreads();
  return *net_;
}

// → [{name, shape, data}] in layer order, copies.
Napi::Value NativeNetwork::GetWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return args::weights(env, network(env, "getWeights", true).params());
}

// (arrays: Float32Array[]) in getWeights order; all are checked before any is copied.
Napi::Value NativeNetwork::SetWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "weights: expected an array of Float32Array, received " + args::describe(info[0]));
  Napi::Array arr = info[0].As<Napi::Array>();
  // Elements are read first: an index getter or proxy trap runs JS, which could dispose the
  // model or detach an array already checked.
  uint32_t n = arr.Length();
  if (n > 1u << 20) throw Napi::RangeError::New(env, "weights: expected one array per weight, received " + std::to_string(n));
  std::vector<Napi::Value> items;
  for (uint32_t k = 0; k < n; ++k) items.push_back(arr.Get(k));
  auto ps = network(env, "setWeights", true).params();
  if (n != ps.size())
    throw Napi::RangeError::New(env, "weights: expected " + std::to_string(ps.size()) + " arrays, received " + std::to_string(n));
  std::vector<const float*> src;
  for (uint32_t k = 0; k < n; ++k) {
    std::string name = "weights[" + std::to_string(k) + "] (" + ps[k]->name + ")";
    src.push_back(args::matrix(items[k], name, 1, int(ps[k]->size())));
  }
  for (size_t k = 0; k < ps.size(); ++k) std::memcpy(ps[k]->value.data(), src[k], sizeof(float) * ps[k]->size());
  // The units' constraints hold for any weights they compute with (NAU's [−1, 1], NMU's [0, 1]).
  network(env, "setWeights", true).applyConstraints();
  return env.Undefined();
}

// (x, y, rows) → loss
Napi::Value NativeNetwork::TrainOnBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nalu::Network& net = network(env, "trainOnBatch");
  int rows = int(args::integer(info[2], "rows", 1, 1 << 24));
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  checkRows(env, rows, 0, "rows");
  return Napi::Number::New(env, guard(env, [&] { return net.trainOnBatch(x, y, rows); }));
}

// (x, y, rows) → {loss, regularization, grads: Float32Array[]} without updating the weights.
Napi::Value NativeNetwork::ComputeGradients(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nalu::Network& net = network(env, "computeGradients");
  int rows = int(args::integer(info[2], "rows", 1, 1 << 24));
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  checkRows(env, rows, 0, "rows");
  double reg = 0;
  double loss = guard(env, [&] { return net.computeGradients(x, y, rows, reg); });
  auto ps = net.params();
  Napi::Array grads = Napi::Array::New(env, ps.size());
  for (size_t k = 0; k < ps.size(); ++k) {
    auto g = Napi::Float32Array::New(env, ps[k]->size());
    // At a non-finite loss the backward pass did not run: NaN, not the previous call's grads.
    if (std::isfinite(loss)) std::memcpy(g.Data(), ps[k]->grad.data(), sizeof(float) * ps[k]->size());
    else std::fill(g.Data(), g.Data() + ps[k]->size(), NAN);
    grads.Set(uint32_t(k), g);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", loss);
  out.Set("regularization", reg);
  out.Set("grads", grads);
  return out;
}

// (x, rows) → Float32Array(rows × outputDim)
Napi::Value NativeNetwork::Predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nalu::Network& net = network(env, "predict");
  int64_t rows = args::integer(info[1], "rows", 1, nalu::kMaxElements);
  if (rows * net.outputDim() > nalu::kMaxElements || rows * net.inputDim() > nalu::kMaxElements)
    throw Napi::RangeError::New(env, "rows: too many rows for one call");
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  // predict works in chunks of at most max(1024, the largest batch seen) rows.
  checkRows(env, double(std::min<int64_t>(rows, 1024)), double(rows) * net.outputDim() * sizeof(float), "rows");
  auto y = Napi::Float32Array::New(env, size_t(rows * net.outputDim()));
  guard(env, [&] { net.predict(x, y.Data(), rows); });
  return y;
}

// (x, y, rows, batchSize) → mean loss
Napi::Value NativeNetwork::Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nalu::Network& net = network(env, "evaluate");
  int64_t rows = args::integer(info[2], "rows", 1, nalu::kMaxElements);
  int batch = int(args::integer(info[3], "batchSize", 1, 1 << 24));
  const bool errors = info.Length() > 4 && !info[4].IsUndefined() && args::boolean(info[4], "errors");
  if (rows * net.outputDim() > nalu::kMaxElements || rows * net.inputDim() > nalu::kMaxElements)
    throw Napi::RangeError::New(env, "rows: too many rows for one call");
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  checkRows(env, double(std::min<int64_t>(rows, batch)), 0, "batchSize");
  nalu::ErrorSums sums;
  const double loss = guard(env, [&] { return net.evaluate(x, y, rows, batch, errors ? &sums : nullptr); });
  if (!errors) return Napi::Number::New(env, loss);
  Napi::Object r = Napi::Object::New(env);
  r.Set("loss", loss);
  r.Set("mae", sums.mae());
  r.Set("mse", sums.mse());
  return r;
}

// Network::fit on a background job. The model is kept alive (not collectable) and busy until
// the promise settles, so every epoch callback has run before fit() resolves.
class NativeNetwork::FitJob : public BackgroundJob {
 public:
  NativeNetwork* self;
  Napi::ObjectReference selfRef;
  nalu::Buffer x, y, xVal, yVal;  // copies: the caller may detach or reuse its buffers
  int64_t rows = 0;
  nalu::FitOptions options;
  bool awaitEpochs = false;  // pause after each end event until resume()
  bool columns = false;      // the result's figures as one array each (toJs)
  nalu::StepProfile profile;  // with the profile option (options.profile points here)

  FitJob(Napi::Env env, NativeNetwork* s) : BackgroundJob(env, &s->stop_, "fit"), self(s) {}

 private:
  nalu::FitResult result_;

  // onEvent(kind, epoch, loss, valLoss, regularization)
  // Not delivered once the model was disposed (by an earlier event's callback, say): the fit
  // runs ahead of its events, and a disposed model reports no more epochs.
  Event event(const char* kind, const nalu::EpochLog& log) {
    NativeNetwork* net = self;  // alive until the job is finalized, after every event
    const bool errors = options.errors;
    return [kind, log, net, errors](Napi::Env env, Napi::Function cb) {
      if (net->disposeRequested_) return;
      Call(env, cb, {Napi::String::New(env, kind), Napi::Number::New(env, log.epoch), Napi::Number::New(env, log.loss),
                     Napi::Number::New(env, log.valLoss), Napi::Number::New(env, log.regularization),
                     extrasToJs(env, log, errors && std::string(kind) == "end")});
    };
  }

  void Run() override {
    struct Active {  // this fit's share of the cores while it runs
      Active() { nalu::setThreadsForThisThread(std::max(1, nalu::getNumThreads() / ++gActiveFits)); }
      ~Active() { --gActiveFits; }
    } active;
    nalu::FitHooks hooks;
    hooks.stop = &self->stop_;
    if (HasCallback() && !awaitEpochs)
      hooks.epochBegin = [this](int epoch) {
        nalu::EpochLog log;
        log.epoch = epoch;
        Emit(event("begin", log));
      };
    if (HasCallback())
      hooks.epochEnd = [this](const nalu::EpochLog& log) {
        if (!awaitEpochs) return Emit(event("end", log));
        {
          std::lock_guard<std::mutex> lock(self->pauseMu_);
          self->paused_ = true;
        }
        Emit(event("end", log));
        self->pauseAtEpochEnd(ShuttingDown());
      };
    result_ = self->net_->fit(x.data(), y.data(), rows, options, hooks);
  }

  // A raw onEvent threw: the fit is stopped (BackgroundJob); one waiting at an epoch's end goes on.
  void CallbackThrew() override {
    {
      std::lock_guard<std::mutex> lock(self->pauseMu_);
      self->paused_ = false;
    }
    self->pauseCv_.notify_all();
  }

  // dispose() during the fit: the fit stopped at the batch after it (or had already ended) and
  // resolves with stopReason 'aborted'; the network is freed here, when its job has ended.
  void Finished(Napi::Env) override {
    self->busy_.store(false);
    if (self->disposeRequested_) {
      self->net_.reset();
      result_.stopReason = "aborted";
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Value r = toJs(env, result_, options.errors, columns);
    if (options.profile) r.As<Napi::Object>().Set("profile", profileToJs(env, profile));
    return r;
  }
};

// fit(x, y, rows, options, onEvent?) → Promise<{epochs, stopReason, reinitializedAt}> (toJs: epochs as objects or columns)
Napi::Value NativeNetwork::Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // Options first: their getters run JS, which could dispose this model, start another fit
  // or detach x. The model and the arrays are checked only after the last JS has run.
  Napi::Object o = args::object(info[3], "options");
  args::knownKeys(o, "options", {"epochs", "batchSize", "shuffle", "seed", "throwOnNonFinite", "reinitialize", "xVal", "yVal", "valRows", "awaitEpochs", "errors", "batchLosses", "columns", "profile"});
  auto job = std::make_unique<FitJob>(env, this);
  nalu::FitOptions& fo = job->options;
  fo.epochs = int(args::integer(o.Get("epochs"), "epochs", 0, 1 << 30));
  fo.batchSize = int(args::integer(o.Get("batchSize"), "batchSize", 1, 1 << 24));
  fo.shuffle = args::boolean(o.Get("shuffle"), "shuffle");
  fo.seed = uint64_t(args::integer(o.Get("seed"), "seed", 0, 9007199254740991LL));
  fo.throwOnNonFinite = args::boolean(o.Get("throwOnNonFinite"), "throwOnNonFinite");
  auto flag = [&](const char* k) {
    Napi::Value v = o.Get(k);
    return !v.IsUndefined() && args::boolean(v, k);
  };
  fo.errors = flag("errors");
  fo.batchLosses = flag("batchLosses");
  job->awaitEpochs = flag("awaitEpochs");
  job->columns = flag("columns");
  if (flag("profile")) fo.profile = &job->profile;
  Napi::Value reinit = o.Get("reinitialize");
  if (!reinit.IsUndefined()) {
    nalu::Options ro = args::options(reinit, "reinitialize");
    args::guard(env, [&] {
      fo.reinitialize.everyEpochs = int(ro.integer("everyEpochs", 10, 1, 1 << 30));
      fo.reinitialize.minSteps = ro.integer("minSteps", 10000, 0, int64_t(1) << 53);
      fo.reinitialize.threshold = ro.number("threshold", 1.0, 0.0, INFINITY);
      ro.rejectUnread();
    });
  }
  Napi::Value valRows = o.Get("valRows"), xVal = o.Get("xVal"), yVal = o.Get("yVal");
  // All three or none: validation data without its row count would be skipped without a word.
  if (valRows.IsUndefined() && !(xVal.IsUndefined() && yVal.IsUndefined())) {
    const char* given = !xVal.IsUndefined() && !yVal.IsUndefined() ? "xVal and yVal" : !xVal.IsUndefined() ? "xVal" : "yVal";
    throw Napi::TypeError::New(env, std::string("valRows: expected an integer with ") + given +
                                        ", received undefined (xVal, yVal and valRows are given together)");
  }
  Napi::Function cb;
  if (info.Length() > 4 && !info[4].IsUndefined()) cb = args::function(info[4], "onEvent");
  if (job->awaitEpochs && cb.IsEmpty())
    throw Napi::TypeError::New(env, "onEvent: expected a function with awaitEpochs (nothing would resume the fit), received undefined");

  nalu::Network& net = network(env, "fit");
  int64_t rows = args::integer(info[2], "rows", 1, nalu::kMaxElements);
  const int64_t widest = std::max(net.inputDim(), net.outputDim());
  if (rows * widest > nalu::kMaxElements) throw Napi::RangeError::New(env, "rows: too many rows for one call");
  job->rows = rows;
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  if (!valRows.IsUndefined()) {
    int64_t vr = args::integer(valRows, "valRows", 1, nalu::kMaxElements / widest);
    const float* xv = args::matrix(xVal, "xVal", vr, net.inputDim());
    const float* yv = args::matrix(yVal, "yVal", vr, net.outputDim());
    fo.valRows = vr;
    checkRows(env, double(std::min<int64_t>(fo.batchSize, rows)),
              double(rows + vr) * double(net.inputDim() + net.outputDim()) * sizeof(float), "batchSize");
    args::guard(env, [&] {
      job->xVal.assign(xv, xv + vr * net.inputDim());
      job->yVal.assign(yv, yv + vr * net.outputDim());
    });
  } else {
    // The copies of x and y and the batch workspaces.
    checkRows(env, double(std::min<int64_t>(fo.batchSize, rows)),
              double(rows) * double(net.inputDim() + net.outputDim()) * sizeof(float), "batchSize");
  }
  args::guard(env, [&] {
    job->x.assign(x, x + rows * net.inputDim());
    job->y.assign(y, y + rows * net.outputDim());
  });
  fo.xVal = job->xVal.data();
  fo.yVal = job->yVal.data();
  job->selfRef = Napi::Persistent(Value());
  busy_.store(true);
  stop_.store(false);
  {
    std::lock_guard<std::mutex> lock(pauseMu_);
    paused_ = false;
  }
  return BackgroundJob::Start(env, std::move(job), cb, "nalu.fit");
}

Napi::Value NativeNetwork::Stop(const Napi::CallbackInfo& info) {
  stop_.store(true);
  return info.Env().Undefined();
}

void NativeNetwork::pauseAtEpochEnd(const std::atomic<bool>& shuttingDown) {
  std::unique_lock<std::mutex> lock(pauseMu_);
  // Polled too: the exit handler and a worker's teardown do not notify.
  while (paused_ && !shuttingDown.load()) pauseCv_.wait_for(lock, std::chrono::milliseconds(20));
  paused_ = false;
}

// Lets a fit waiting at an epoch's end go on (a no-op otherwise).
Napi::Value NativeNetwork::Resume(const Napi::CallbackInfo& info) {
  {
    std::lock_guard<std::mutex> lock(pauseMu_);
    paused_ = false;
  }
  pauseCv_.notify_all();
  return info.Env().Undefined();
}

// (learningRate) for the following steps; also between a fit's epochs.
Napi::Value NativeNetwork::SetLearningRate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "learningRate: expected a number, received " + args::describe(info[0]));
  const double lr = info[0].As<Napi::Number>().DoubleValue();
  if (!(lr >= 0 && lr <= 1e30))
    throw Napi::RangeError::New(env, "learningRate: expected a number in [0, 1e30], received " + args::describe(info[0]));
  network(env, "setLearningRate", true).optimizer().learningRate = float(lr);
  return env.Undefined();
}

// (layer, start, end): that layer's sparsity warm-up, in optimizer steps.
Napi::Value NativeNetwork::SetSparsitySchedule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t layer = args::integer(info[0], "layer", 0, 1 << 30);
  const double start = double(args::integer(info[1], "start", 0, int64_t(1e18)));
  const double end = double(args::integer(info[2], "end", 0, int64_t(1e18)));
  if (end < start)
    throw Napi::RangeError::New(env, "end: expected an integer >= start (" + args::describe(info[1]) + "), received " + args::describe(info[2]));
  nalu::Network& net = network(env, "setSparsitySchedule");
  if (layer >= int64_t(net.layers().size()))
    throw Napi::RangeError::New(env, "layer: expected an index below " + std::to_string(net.layers().size()) + ", received " + std::to_string(layer));
  if (!net.layers()[size_t(layer)]->setSparsitySchedule(start, end))
    throw Napi::RangeError::New(env, "layer: layer " + std::to_string(layer) + " has no sparsity regularizer");
  return env.Undefined();
}

// (steps): the time steps of each row from the next call on (a recurrent first layer only).
Napi::Value NativeNetwork::SetSteps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t steps = args::integer(info[0], "steps", 1, nalu::kMaxElements);
  nalu::Network& net = network(env, "setSteps");
  guard(env, [&] { net.setSteps(int(steps)); });
  rowBytes_ = stepRowBytes_ * double(steps);
  return env.Undefined();
}

Napi::Value NativeNetwork::IsPaused(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(pauseMu_);
  return Napi::Boolean::New(info.Env(), paused_);
}

// Frees the native memory now. During fit: the fit stops at its next batch, its later epoch
// events are dropped, every other call throws DISPOSED at once, and the memory is freed when the
// fit's job ends (FitJob::Finished), just before its promise resolves with stopReason 'aborted'.
Napi::Value NativeNetwork::Dispose(const Napi::CallbackInfo& info) {
  if (busy_.load()) {
    stop_.store(true);
    disposeRequested_ = true;
    {
      std::lock_guard<std::mutex> lock(pauseMu_);
      paused_ = false;  // a fit waiting at an epoch's end goes on to its stop
    }
    pauseCv_.notify_all();
  } else {
    net_.reset();
  }
  return info.Env().Undefined();
}

Napi::Value NativeNetwork::IsBusy(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), busy_.load()); }
Napi::Value NativeNetwork::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !net_ || disposeRequested_);
}
Napi::Value NativeNetwork::Iterations(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), net_ ? double(net_->optimizer().iterations) : 0);
}
Napi::Value NativeNetwork::InputDim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), net_ ? net_->inputDim() : 0);
}
Napi::Value NativeNetwork::OutputDim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), net_ ? net_->outputDim() : 0);
}

Napi::Value NativeNetwork::Layout(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), net_ && net_->featureMajor() ? "featureMajor" : "rowMajor");
}
