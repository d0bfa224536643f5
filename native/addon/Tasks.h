// StaticTaskWorker: one training run of an arithmetic task (nalu::runTask) on a libuv worker
// thread with one native thread; evaluations reach JS through a thread-safe function. Also the
// synchronous helpers the task's TS code and tests use (threshold, samples, slices).
#pragma once
#include <napi.h>

namespace StaticTaskWorker {
// Adds runArithmeticTask, arithmeticThreshold, sampleArithmeticTask and arithmeticOps to exports.
void Register(Napi::Env env, Napi::Object exports);
}
