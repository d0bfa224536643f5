#include "NetworkFitWorker.h"

#include <algorithm>
#include <optional>
#ifdef __linux__
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <thread>

#include "NativeNetwork.h"
#include "args.h"
#include "kernels/threads.h"

namespace {

// Concurrent fits share the cores instead of each starting a full OpenMP team.
std::atomic<int> gActiveFits{0};

struct EpochEvent {
  bool end;
  nalu::EpochLog log;
};

// Everything one fit needs, owned by the thread-safe function until it finalizes.
struct FitJob {
  NativeNetwork* self;
  Napi::ObjectReference selfRef;  // keeps the model alive (not collectable) during fit
  Napi::Promise::Deferred deferred;
  nalu::Buffer x, y, xVal, yVal;  // copies: the caller may detach or reuse its buffers
  int64_t rows = 0;
  nalu::FitOptions options;
  bool hasCallback = false;
  nalu::FitResult result;
  std::optional<nalu::Error> error;
  std::thread thread;
  bool cleanupHook = false;  // registered with napi_add_env_cleanup_hook
  explicit FitJob(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

void callJs(Napi::Env env, Napi::Function cb, FitJob*, EpochEvent* ev) {
  std::unique_ptr<EpochEvent> owned(ev);
  if (!env || cb.IsEmpty()) return;
  // Nothing may escape into N-API's C frames: an exception there terminates the process.
  // The TS wrapper catches its callbacks' errors and stops the fit; a raw caller's error is
  // dropped, and while a worker_thread is terminating every call fails.
  try {
    cb.Call({Napi::String::New(env, ev->end ? "end" : "begin"), Napi::Number::New(env, ev->log.epoch),
             Napi::Number::New(env, ev->log.loss), Napi::Number::New(env, ev->log.valLoss),
             Napi::Number::New(env, ev->log.regularization)});
  } catch (...) {
  }
}

using Tsfn = Napi::TypedThreadSafeFunction<FitJob, EpochEvent, callJs>;

Napi::Value toJs(Napi::Env env, const nalu::FitResult& r) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Array epochs = Napi::Array::New(env, r.epochs.size());
  for (size_t i = 0; i < r.epochs.size(); ++i) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("epoch", r.epochs[i].epoch);
    e.Set("loss", r.epochs[i].loss);
    e.Set("valLoss", r.epochs[i].valLoss);
    e.Set("regularization", r.epochs[i].regularization);
    epochs.Set(uint32_t(i), e);
  }
  out.Set("epochs", epochs);
  out.Set("stopReason", r.stopReason);
  Napi::Array reinitialized = Napi::Array::New(env, r.reinitializedAt.size());
  for (size_t i = 0; i < r.reinitializedAt.size(); ++i) reinitialized.Set(uint32_t(i), r.reinitializedAt[i]);
  out.Set("reinitializedAt", reinitialized);
  return out;
}

// The fit runs on a thread of its own rather than libuv's pool: a worker_thread's teardown
// waits for every pool task of its env before any cleanup hook runs, so terminate() would hang
// until the fit ended; and long fits would hold the pool's 4 threads that fs and dns need.
void run(FitJob* job, Tsfn tsfn) {
#ifdef __linux__
  // Training is background work: the event loop's thread must win every wakeup against it
  // (SCHED_BATCH + a lower priority; both are per thread on Linux, and best effort).
  sched_param sp{};
  sched_setscheduler(0, SCHED_BATCH, &sp);
  setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), getpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid))) + 5);
#endif
  int active = ++gActiveFits;
  nalu::setThreadsForThisThread(std::max(1, nalu::getNumThreads() / active));
  nalu::FitHooks hooks;
  hooks.stop = &job->self->stop;
  auto send = [tsfn](EpochEvent* ev) {
    if (tsfn.NonBlockingCall(ev) != napi_ok) delete ev;  // closing: the env is going away
  };
  if (job->hasCallback) {
    hooks.epochBegin = [send](int epoch) {
      nalu::EpochLog log;
      log.epoch = epoch;
      send(new EpochEvent{false, log});
    };
    hooks.epochEnd = [send](const nalu::EpochLog& log) { send(new EpochEvent{true, log}); };
  }
  try {
    nalu::Network& net = *job->self->netForWorker();
    job->result = net.fit(job->x.data(), job->y.data(), job->rows, job->options, hooks);
  } catch (const nalu::Error& e) {
    job->error = e;
  } catch (const std::bad_alloc&) {
    job->error = nalu::Error(nalu::Error::Nalu, "fit: out of memory", "OUT_OF_MEMORY");
  } catch (const std::exception& e) {
    job->error = nalu::Error(nalu::Error::Nalu, std::string("fit: internal error: ") + e.what(), "INTERNAL");
  }
  --gActiveFits;
  tsfn.Release();  // the finalizer settles the promise on the JS thread
}

// The env is being torn down (worker_thread terminated or exiting): stop the fit and wait for
// its thread (one batch at most) before the thread-safe function and the model are freed.
void onEnvCleanup(void* arg) {
  FitJob* job = static_cast<FitJob*>(arg);
  job->cleanupHook = false;
  job->self->stop.store(true);
  if (job->thread.joinable()) job->thread.join();
}

}  // namespace

Napi::Value NetworkFitWorker::Start(const Napi::CallbackInfo& info, NativeNetwork* self) {
  Napi::Env env = info.Env();
  // Options first: their getters run JS, which could dispose this model, start another fit
  // or detach x. The model and the arrays are checked only after the last JS has run.
  Napi::Object o = args::object(info[3], "options");
  auto job = std::make_unique<FitJob>(env);
  job->self = self;
  nalu::FitOptions& fo = job->options;
  fo.epochs = int(args::integer(o.Get("epochs"), "epochs", 0, 1 << 30));
  fo.batchSize = int(args::integer(o.Get("batchSize"), "batchSize", 1, 1 << 24));
  fo.shuffle = args::boolean(o.Get("shuffle"), "shuffle");
  fo.seed = uint64_t(args::integer(o.Get("seed"), "seed", 0, 9007199254740991LL));
  fo.throwOnNonFinite = args::boolean(o.Get("throwOnNonFinite"), "throwOnNonFinite");
  Napi::Value reinit = o.Get("reinitialize");
  if (!reinit.IsUndefined()) {
    nalu::Options ro = args::options(reinit, "reinitialize");
    args::guard(env, [&] {
      fo.reinitialize.everyEpochs = int(ro.integer("everyEpochs", 10, 1, 1 << 30));
      fo.reinitialize.minSteps = ro.integer("minSteps", 10000, 0, int64_t(1) << 53);
      fo.reinitialize.threshold = ro.number("threshold", 1.0, 0.0, INFINITY);
    });
  }
  Napi::Value valRows = o.Get("valRows"), xVal = o.Get("xVal"), yVal = o.Get("yVal");
  Napi::Function cb;
  if (info.Length() > 4 && !info[4].IsUndefined()) cb = args::function(info[4], "onEvent");
  job->hasCallback = !cb.IsEmpty();

  nalu::Network& net = self->network(env, "fit");
  int64_t rows = args::integer(info[2], "rows", 1, nalu::kMaxElements);
  const int64_t widest = std::max(net.inputDim(), net.outputDim());
  if (rows * widest > nalu::kMaxElements) throw Napi::RangeError::New(env, "rows: too many rows for one call");
  job->rows = rows;
  const float* x = args::matrix(info[0], "x", rows, net.inputDim());
  const float* y = args::matrix(info[1], "y", rows, net.outputDim());
  if (!valRows.IsUndefined()) {
    int64_t vr = args::integer(valRows, "valRows", 1, nalu::kMaxElements / widest);
    const float* xv = args::matrix(xVal, "validationData x", vr, net.inputDim());
    const float* yv = args::matrix(yVal, "validationData y", vr, net.outputDim());
    fo.valRows = vr;
    self->checkRows(env, double(std::min<int64_t>(fo.batchSize, rows)),
                    double(rows + vr) * double(net.inputDim() + net.outputDim()) * sizeof(float), "batchSize");
    args::guard(env, [&] {
      job->xVal.assign(xv, xv + vr * net.inputDim());
      job->yVal.assign(yv, yv + vr * net.outputDim());
    });
  } else {
    // The copies of x and y and the batch workspaces.
    self->checkRows(env, double(std::min<int64_t>(fo.batchSize, rows)),
                    double(rows) * double(net.inputDim() + net.outputDim()) * sizeof(float), "batchSize");
  }
  args::guard(env, [&] {
    job->x.assign(x, x + rows * net.inputDim());
    job->y.assign(y, y + rows * net.outputDim());
  });
  fo.xVal = job->xVal.data();
  fo.yVal = job->yVal.data();
  job->selfRef = Napi::Persistent(self->Value());
  Napi::Promise promise = job->deferred.Promise();

  self->busy.store(true);
  self->stop.store(false);
  FitJob* raw = job.release();
  // The finalizer runs on the JS thread after the worker released the function and every
  // queued epoch event has been delivered (or when a terminating worker_thread tears it down).
  Tsfn tsfn = Tsfn::New(env, cb, "nalu.fit", 0, 1, raw, [](Napi::Env env, void*, FitJob* job) {
    std::unique_ptr<FitJob> owned(job);
    if (job->thread.joinable()) job->thread.join();  // it has released the function: ending
    if (job->cleanupHook) napi_remove_env_cleanup_hook(env, onEnvCleanup, job);
    NativeNetwork* self = job->self;
    self->busy.store(false);
    if (self->disposeRequested) self->release();
    // As in callJs: no exception may leave a finalizer (settling fails in a dying env).
    try {
      if (job->error) job->deferred.Reject(args::makeError(env, *job->error).Value());
      else job->deferred.Resolve(toJs(env, job->result));
    } catch (...) {
    }
  });
  // Registered after the function, so it runs before the function's own teardown hook.
  raw->cleanupHook = napi_add_env_cleanup_hook(env, onEnvCleanup, raw) == napi_ok;
  nalu::releaseIdleTeam();
  try {
    raw->thread = std::thread(run, raw, tsfn);
  } catch (const std::system_error&) {
    raw->error = nalu::Error(nalu::Error::Nalu, "fit: could not start a thread", "OUT_OF_MEMORY");
    tsfn.Release();
  }
  return promise;
}
