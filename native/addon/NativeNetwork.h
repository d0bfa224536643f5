// NativeNetwork: the JS handle of a nalu::Network (parameters, optimizer state, workspaces).
#pragma once
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "kernels/network.h"

// The network spec NativeNetwork and runTask take: {inputDim, layers: [{type, seed,
// ...options}], loss: {type, ...}, optimizer: {type, ...}, layout?}; `name` prefixes messages.
nalu::NetworkSpec parseNetworkSpec(const Napi::Value& v, const std::string& name);
// {steps, total, phases: {batch, draw, …}}: a profiled fit's or task run's seconds (profile.h).
Napi::Object profileToJs(Napi::Env env, const nalu::StepProfile& p);

class NativeNetwork : public Napi::ObjectWrap<NativeNetwork> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit NativeNetwork(const Napi::CallbackInfo& info);
  // The NativeNetwork that `this` of a method call is, or a TypeError. Checks the type tag
  // set by the constructor, so an object of another class (or a plain object whose prototype
  // was set to ours) is refused instead of being reinterpreted.
  static NativeNetwork* fromThis(const Napi::CallbackInfo& info);

  Napi::Value GetWeights(const Napi::CallbackInfo& info);
  Napi::Value SetWeights(const Napi::CallbackInfo& info);
  Napi::Value TrainOnBatch(const Napi::CallbackInfo& info);
  Napi::Value ComputeGradients(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value Fit(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value SetLearningRate(const Napi::CallbackInfo& info);
  Napi::Value SetSparsitySchedule(const Napi::CallbackInfo& info);
  Napi::Value SetSteps(const Napi::CallbackInfo& info);
  Napi::Value IsPaused(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsBusy(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Iterations(const Napi::CallbackInfo& info);
  Napi::Value InputDim(const Napi::CallbackInfo& info);
  Napi::Value OutputDim(const Napi::CallbackInfo& info);
  Napi::Value Layout(const Napi::CallbackInfo& info);

 private:
  // fit(): a BackgroundJob (NativeNetwork.cc) that owns busy_ while it runs.
  class FitJob;

  // The network, or a NaluError (DISPOSED / BUSY) when it cannot be used now. Call it after
  // reading every argument that can run JS (getters, proxies): JS can dispose the model.
  // `betweenEpochs`: also while a fit waits at an epoch's end (getWeights, setWeights, the
  // learning rate: what the fit loop re-reads at every step).
  nalu::Network& network(Napi::Env env, const char* method, bool betweenEpochs = false);
  // On the fit's thread, after an epoch's end event: waits until resume(), dispose() or shutdown.
  // Not a stop: the epoch's hooks may still call getWeights or save after asking for one.
  void pauseAtEpochEnd(const std::atomic<bool>& shuttingDown);
  // Throws a RangeError naming `name` when a call on `rows` rows (plus `extraBytes` of output)
  // would need more memory than the machine has.
  void checkRows(Napi::Env env, double rows, double extraBytes, const std::string& name) const;

  std::atomic<bool> busy_{false}, stop_{false};
  bool disposeRequested_ = false;
  // A fit with awaitEpochs waits at each epoch's end until JS resumes it.
  std::mutex pauseMu_;
  std::condition_variable pauseCv_;
  bool paused_ = false;
  std::unique_ptr<nalu::Network> net_;
  // Estimates made before allocating: parameters + optimizer state, and workspace per batch row.
  double paramBytes_ = 0, rowBytes_ = 0;
  double stepRowBytes_ = 0;  // rowBytes_ of one time step: a row of `steps` steps costs that × steps
};
