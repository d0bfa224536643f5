#pragma once
#include <napi.h>

// Per-environment state (one per main thread or worker_thread that loads the addon).
struct AddonData {
  Napi::FunctionReference errorClass;  // the TS NaluError, set by init()
};

// The NaluError constructor registered by the TS loader, or nullptr.
Napi::FunctionReference* errorClass(Napi::Env env);
