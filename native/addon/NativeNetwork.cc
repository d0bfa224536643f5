#include "NativeNetwork.h"

#include <cstring>

#include "NetworkFitWorker.h"
#include "args.h"
#include "kernels/threads.h"

using args::guard;

Napi::Function NativeNetwork::Init(Napi::Env env) {
  return DefineClass(env, "NativeNetwork",
                     {
                         InstanceMethod<&NativeNetwork::GetWeights>("getWeights"),
                         InstanceMethod<&NativeNetwork::SetWeights>("setWeights"),
                         InstanceMethod<&NativeNetwork::TrainOnBatch>("trainOnBatch"),
                         InstanceMethod<&NativeNetwork::ComputeGradients>("computeGradients"),
                         InstanceMethod<&NativeNetwork::Predict>("predict"),
                         InstanceMethod<&NativeNetwork::Evaluate>("evaluate"),
                         InstanceMethod<&NativeNetwork::Fit>("fit"),
                         InstanceMethod<&NativeNetwork::Stop>("stop"),
                         InstanceMethod<&NativeNetwork::Dispose>("dispose"),
                         InstanceAccessor<&NativeNetwork::IsBusy>("busy"),
                         InstanceAccessor<&NativeNetwork::IsDisposed>("disposed"),
                         InstanceAccessor<&NativeNetwork::Iterations>("iterations"),
                         InstanceAccessor<&NativeNetwork::InputDim>("inputDim"),
                         InstanceAccessor<&NativeNetwork::OutputDim>("outputDim"),
                     });
}

// spec: {inputDim, layers: [{type, seed, ...options}], loss: {type, ...}, optimizer: {type, ...}}
NativeNetwork::NativeNetwork(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeNetwork>(info) {
  Napi::Env env = info.Env();
  if (!info.IsConstructCall()) throw Napi::TypeError::New(env, "NativeNetwork: use new");
  Napi::Object spec = args::object(info[0], "spec");
  nalu::NetworkSpec s;
  s.inputDim = int(args::integer(spec.Get("inputDim"), "spec.inputDim", 1, 1 << 24));
  Napi::Value layers = spec.Get("layers");
  if (!layers.IsArray()) throw Napi::TypeError::New(env, "spec.layers: expected an array, received " + args::describe(layers));
  Napi::Array arr = layers.As<Napi::Array>();
  if (arr.Length() > 4096) throw Napi::RangeError::New(env, "spec.layers: expected at most 4096 layers");
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    std::string where = "layers[" + std::to_string(i) + "]";
    nalu::LayerSpec ls;
    ls.options = args::options(arr.Get(i), where);
    ls.type = ls.options.string("type", "");
    ls.options.context = where + " (" + ls.type + ")";
    Napi::Value seed = args::object(arr.Get(i), where).Get("seed");
    ls.seed = seed.IsUndefined() ? 0 : uint64_t(args::integer(seed, where + ".seed", 0, 9007199254740991LL));
    s.layers.push_back(std::move(ls));
  }
  s.loss = args::options(spec.Get("loss"), "loss");
  s.optimizer = args::options(spec.Get("optimizer"), "optimizer");
  guard(env, [&] {
    nalu::applyNumThreads();
    net_ = std::make_unique<nalu::Network>(s);
  });
}

nalu::Network& NativeNetwork::network(Napi::Env env, const char* method) {
  if (!net_ || disposeRequested)
    args::rethrow(env, nalu::Error(nalu::Error::Nalu, std::string(method) + ": the model has been disposed", "DISPOSED"));
  if (busy.load())
    args::rethrow(env, nalu::Error(nalu::Error::Nalu, std::string(method) + ": the model is busy in fit()", "BUSY"));
  nalu::applyNumThreads();
  return *net_;
}

// → [{name, shape, data}] in layer order, copies.
Napi::Value NativeNetwork::GetWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ps = network(env, "getWeights").params();
  Napi::Array out = Napi::Array::New(env, ps.size());
  for (size_t k = 0; k < ps.size(); ++k) {
    Napi::Object w = Napi::Object::New(env);
    auto data = Napi::Float32Array::New(env, ps[k]->size());
    std::memcpy(data.Data(), ps[k]->value.data(), sizeof(float) * ps[k]->size());
    Napi::Array shape = Napi::Array::New(env, ps[k]->shape.size());
    for (size_t d = 0; d < ps[k]->shape.size(); ++d) shape.Set(uint32_t(d), double(ps[k]->shape[d]));
    w.Set("name", ps[k]->name);
    w.Set("shape", shape);
    w.Set("data", data);
    out.Set(uint32_t(k), w);
  }
  return out;
}

// (arrays: Float32Array[]) in getWeights order; all are checked before any is copied.
void NativeNetwork::SetWeights(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ps = network(env, "setWeights").params();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "weights: expected an array of Float32Array, received " + args::describe(info[0]));
  Napi::Array arr = info[0].As<Napi::Array>();
  if (arr.Length() != ps.size())
    throw Napi::RangeError::New(env, "weights: expected " + std::to_string(ps.size()) + " arrays, received " +
                                         std::to_string(arr.Length()));
  std::vector<const float*> src;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    std::string name = "weights[" + std::to_string(k) + "] (" + ps[k]->name + ")";
    src.push_back(args::matrix(arr.Get(k), name, 1, int(ps[k]->size())));
  }
  for (size_t k = 0; k < ps.size(); ++k) std::memcpy(ps[k]->value.data(), src[k], sizeof(float) * ps[k]->size());
}

// (x, y, rows) → loss
Napi::Value NativeNetwork::TrainOnBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nalu::Network& net = network(env, "trainOnBatch");
  int rows = int(args::integer(info[2], "rows", 1, 1 << 24));
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  return Napi::Number::New(env, guard(env, [&] { return net.trainOnBatch(x, y, rows); }));
}

// (x, y, rows) → {loss, regularization, grads: Float32Array[]} without updating the weights.
Napi::Value NativeNetwork::ComputeGradients(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nalu::Network& net = network(env, "computeGradients");
  int rows = int(args::integer(info[2], "rows", 1, 1 << 24));
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  double reg = 0;
  double loss = guard(env, [&] { return net.computeGradients(x, y, rows, reg); });
  auto ps = net.params();
  Napi::Array grads = Napi::Array::New(env, ps.size());
  for (size_t k = 0; k < ps.size(); ++k) {
    auto g = Napi::Float32Array::New(env, ps[k]->size());
    std::memcpy(g.Data(), ps[k]->grad.data(), sizeof(float) * ps[k]->size());
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
  if (rows * net.outputDim() > nalu::kMaxElements || rows * net.inputDim() > nalu::kMaxElements)
    throw Napi::RangeError::New(env, "rows: too many rows for one call");
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  return Napi::Number::New(env, guard(env, [&] { return net.evaluate(x, y, rows, batch); }));
}

Napi::Value NativeNetwork::Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  network(env, "fit");
  return NetworkFitWorker::Start(info, this);
}

void NativeNetwork::Stop(const Napi::CallbackInfo&) { stop.store(true); }

// Frees the native memory now; during fit, once the running epoch has stopped.
void NativeNetwork::Dispose(const Napi::CallbackInfo&) {
  if (busy.load()) {
    stop.store(true);
    disposeRequested = true;
  } else {
    net_.reset();
  }
}

Napi::Value NativeNetwork::IsBusy(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), busy.load()); }
Napi::Value NativeNetwork::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !net_ || disposeRequested);
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
