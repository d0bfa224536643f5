// NativeNetwork: the JS handle of a nalu::Network (parameters, optimizer state, workspaces).
#pragma once
#include <napi.h>

#include <atomic>

#include "kernels/network.h"

class NativeNetwork : public Napi::ObjectWrap<NativeNetwork> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit NativeNetwork(const Napi::CallbackInfo& info);

  // The network, or a NaluError (DISPOSED / BUSY) when it cannot be used now.
  nalu::Network& network(Napi::Env env, const char* method);
  std::atomic<bool> busy{false}, stop{false};
  bool disposeRequested = false;
  void release() { net_.reset(); }
  // For the fit worker, which checked availability and owns the busy flag.
  nalu::Network* netForWorker() { return net_.get(); }

 private:
  Napi::Value GetWeights(const Napi::CallbackInfo& info);
  void SetWeights(const Napi::CallbackInfo& info);
  Napi::Value TrainOnBatch(const Napi::CallbackInfo& info);
  Napi::Value ComputeGradients(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value Fit(const Napi::CallbackInfo& info);
  void Stop(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsBusy(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Iterations(const Napi::CallbackInfo& info);
  Napi::Value InputDim(const Napi::CallbackInfo& info);
  Napi::Value OutputDim(const Napi::CallbackInfo& info);

  std::unique_ptr<nalu::Network> net_;
};
