// Registers the native exports (typed in binding.d.ts).
#include "BackgroundJob.h"
#include "NativeNetwork.h"
#include "Tasks.h"
#include "addon_data.h"
#include "args.h"
#include "bench.h"
#include "kernels/layer.h"
#include "kernels/losses.h"
#include "kernels/optimizers.h"
#include "kernels/threads.h"

namespace {

Napi::Array names(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a.Set(uint32_t(i), v[i]);
  return a;
}

// init({NaluError}): lets native errors be instances of the TS NaluError class.
// Checked before anything changes: a refused call keeps the class registered before it.
void Init(const Napi::CallbackInfo& info) {
  Napi::Object o = args::object(info[0], "options");
  args::knownKeys(o, "options", {"NaluError"});
  Napi::Function ctor = args::constructor(o.Get("NaluError"), "options.NaluError");
  errorClass(info.Env())->Reset(ctor, 1);
}

void SetNumThreads(const Napi::CallbackInfo& info) {
  nalu::setNumThreads(int(args::integer(info[0], "n", 1, 1024)));
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), nalu::getNumThreads());
}

// optionDefaults(kind, type) → {option: default} of a layer (built with units 1 on 2 inputs), loss or
// optimizer: every default its code fell back to for an option left out.
Napi::Value OptionDefaults(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "kind: expected 'layer', 'loss' or 'optimizer', received " + args::describe(info[0]));
  if (!info[1].IsString()) throw Napi::TypeError::New(env, "type: expected a string, received " + args::describe(info[1]));
  const std::string kind = info[0].As<Napi::String>(), type = info[1].As<Napi::String>();
  nalu::Options o;
  o.context = type;
  o.defaults = std::make_shared<nalu::Options::Defaults>();
  args::guard(env, [&] {
    if (kind == "layer") {
      o.num["units"] = 1;
      nalu::makeLayer(type, 2, o);
    } else if (kind == "loss" || kind == "optimizer") {
      o.str["type"] = type;
      if (kind == "loss") nalu::makeLoss(o);
      else nalu::makeOptimizer(o);
    } else {
      nalu::rangeError("kind: expected 'layer', 'loss' or 'optimizer', received '" + kind + "'");
    }
  });
  Napi::Object out = Napi::Object::New(env);
  for (auto& [k, v] : o.defaults->num)
    out.Set(k, o.defaults->bools.count(k) ? Napi::Value(Napi::Boolean::New(env, v != 0)) : Napi::Value(Napi::Number::New(env, v)));
  for (auto& [k, v] : o.defaults->str) out.Set(k, v);
  return out;
}

Napi::Object Register(Napi::Env env, Napi::Object exports) {
  // Before any job can start: running jobs are stopped and joined when the process exits.
  BackgroundJob::InstallExitHandler();
  env.SetInstanceData(new AddonData());
  exports.Set("NativeNetwork", NativeNetwork::Init(env));
  Tasks::Register(env, exports);
  exports.Set("init", Napi::Function::New<Init>(env, "init"));
  exports.Set("setNumThreads", Napi::Function::New<SetNumThreads>(env, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New<GetNumThreads>(env, "getNumThreads"));
  exports.Set("layerTypes", names(env, nalu::layerTypes()));
  Napi::Object inputs = Napi::Object::New(env);
  for (const auto& [kind, name] : {std::pair{nalu::LayerInput::row, "row"}, std::pair{nalu::LayerInput::sequence, "sequence"},
                                   std::pair{nalu::LayerInput::image, "image"}})
    for (const std::string& type : nalu::layerTypes({kind})) inputs.Set(type, name);
  exports.Set("layerInputs", inputs);
  exports.Set("lossTypes", names(env, nalu::lossTypes()));
  exports.Set("optimizerTypes", names(env, nalu::optimizerTypes()));
  exports.Set("optionDefaults", Napi::Function::New<OptionDefaults>(env, "optionDefaults"));
  RegisterBench(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(nalu, Register)
