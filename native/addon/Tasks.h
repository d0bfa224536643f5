// The arithmetic tasks' exports: runArithmeticTask (one training run of a task on a background
// job, see BackgroundJob.h) and the synchronous helpers the task's TS code and tests use
// (arithmeticThreshold, sampleArithmeticTask, arithmeticOps).
#pragma once
#include <napi.h>

namespace Tasks {
// Adds runArithmeticTask, arithmeticThreshold, sampleArithmeticTask and arithmeticOps to exports.
void Register(Napi::Env env, Napi::Object exports);
}
