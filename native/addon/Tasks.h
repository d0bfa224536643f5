// The tasks' exports: runTask and runTaskGroup (training runs of a registered task, kernels/task.h,
// on a background job, see BackgroundJob.h) and the synchronous helpers the tasks' TS code and
// tests use (taskThreshold, sampleTask, taskTypes, arithmeticOps).
#pragma once
#include <napi.h>

namespace Tasks {
// Adds runTask, runTaskGroup, taskThreshold, sampleTask, taskTypes and arithmeticOps to exports.
void Register(Napi::Env env, Napi::Object exports);
}
