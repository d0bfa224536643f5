// The addon's per-environment state: its own file, so the modules that read it (args,
// NativeNetwork) do not include the registrar (addon.cc) that includes them.
#pragma once
#include <napi.h>

class NativeNetwork;

// Per-environment state (one per main thread or worker_thread that loads the addon).
struct AddonData {
  Napi::FunctionReference errorClass;  // the TS NaluError, set by init()
  // The `this` NativeNetwork::fromThis verified last (a weak reference) and what it wraps.
  Napi::ObjectReference lastThis;
  NativeNetwork* lastNet = nullptr;
};

// The NaluError constructor registered by the TS loader, or nullptr.
Napi::FunctionReference* errorClass(Napi::Env env);
