// Native helpers for `npm run bench` (not part of the training API).
#pragma once
#include <napi.h>

void RegisterBench(Napi::Env env, Napi::Object exports);
// benchCore: the clock, FMA and copy probes of one core (native/bench/probe.cc).
void RegisterCoreProbe(Napi::Env env, Napi::Object exports);
