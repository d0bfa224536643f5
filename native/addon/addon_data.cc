#include "addon_data.h"

Napi::FunctionReference* errorClass(Napi::Env env) {
  AddonData* d = env.GetInstanceData<AddonData>();
  return d ? &d->errorClass : nullptr;
}
