#include "BackgroundJob.h"

#include <cstdlib>
#include <mutex>
#include <system_error>
#include <vector>
#ifdef __linux__
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "args.h"
#include "kernels/threads.h"

namespace {

// The jobs whose threads have not been joined yet, in every env of the process. Allocated once
// and never destroyed: the exit handler uses it after static destructors could have run.
struct Registry {
  std::mutex mutex;
  std::vector<BackgroundJob*> jobs;
  bool exiting = false;  // the exit handler owns every thread left
};
Registry& registry() {
  static Registry* r = new Registry();
  return *r;
}

}  // namespace

struct BackgroundJob::Access {
  static void CallJs(Napi::Env env, Napi::Function cb, BackgroundJob* job, Event* ev) {
    std::unique_ptr<Event> owned(ev);
    if (!env || cb.IsEmpty()) return;
    // Nothing may escape into N-API's C frames: an exception there terminates the process. The
    // TS wrappers catch their callbacks' errors and stop the job; a raw caller's error stops it
    // too (else a fit waiting for resume() would never settle) and the promise rejects with it.
    try {
      (*ev)(env, cb);
      bool pending = false;
      napi_value thrown;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
          napi_get_and_clear_last_exception(env, &thrown) == napi_ok) {
        job->stop_->store(true);
        job->CallbackThrew();
        if (job->thrown_.IsEmpty()) {
          Napi::Object box = Napi::Array::New(env, 1);
          box.Set(0u, Napi::Value(env, thrown));
          job->thrown_ = Napi::Persistent(box);
        }
      }
    } catch (...) {
    }
  }
  using Tsfn = Napi::TypedThreadSafeFunction<BackgroundJob, Event, CallJs>;

  static void Body(BackgroundJob* job) {
#ifdef __linux__
    // Training is background work: the event loop's thread must win every wakeup against it
    // (SCHED_BATCH + a lower priority; both are per thread on Linux, and best effort).
    sched_param sp{};
    sched_setscheduler(0, SCHED_BATCH, &sp);
    const pid_t tid = pid_t(syscall(SYS_gettid));
    setpriority(PRIO_PROCESS, tid, getpriority(PRIO_PROCESS, tid) + 5);
#endif
    try {
      job->Run();
    } catch (const nalu::Error& e) {
      job->error_ = e;
    } catch (const std::bad_alloc&) {
      job->error_ = nalu::Error(nalu::Error::Nalu, job->what_ + ": out of memory", "OUT_OF_MEMORY");
    } catch (const std::exception& e) {
      job->error_ = nalu::Error(nalu::Error::Nalu, job->what_ + ": internal error: " + e.what(), "INTERNAL");
    }
    // The finalizer settles the promise on the JS thread. When the process exits, nothing will
    // run there again: the exit handler joins this thread, and it touches N-API no more.
    if (!job->abandoned_.load()) napi_release_threadsafe_function(job->tsfn_, napi_tsfn_release);
  }

  // Takes the job out of the registry and joins its thread. False when the process is exiting:
  // the exit handler joins it then, and the job must stay allocated until the process ends.
  static bool Join(BackgroundJob* job) {
    std::thread t;
    {
      Registry& r = registry();
      std::lock_guard<std::mutex> lock(r.mutex);
      if (r.exiting) return false;
      for (size_t i = 0; i < r.jobs.size(); ++i)
        if (r.jobs[i] == job) {
          r.jobs[i] = r.jobs.back();
          r.jobs.pop_back();
          break;
        }
      t = std::move(job->thread_);
    }
    if (t.joinable()) t.join();
    return true;
  }

  // The env is being torn down (a worker_thread terminated or exiting): stop the job and wait
  // for its thread (one batch at most) before the thread-safe function is finalized and the
  // env's objects are freed. Registered after the function, so it runs before the function's
  // own teardown hook (cleanup hooks run in reverse order).
  static void OnEnvCleanup(void* arg) {
    BackgroundJob* job = static_cast<BackgroundJob*>(arg);
    job->cleanupHook_ = false;
    job->shuttingDown_.store(true);
    job->stop_->store(true);
    Join(job);
  }

  // On the JS thread after the thread released the function and every queued event was
  // delivered (or when a terminating worker_thread tears the function down).
  static void Finalize(Napi::Env env, void*, BackgroundJob* job) {
    std::unique_ptr<BackgroundJob> owned(job);
    if (!Join(job)) {
      owned.release();  // the exit handler is joining its thread
      return;
    }
    if (job->cleanupHook_) napi_remove_env_cleanup_hook(env, OnEnvCleanup, job);
    // As in CallJs: no exception may leave a finalizer. Every path settles the promise: makeError
    // falls back to a plain Error when the registered class throws; should building the result
    // or the error still fail, the promise is rejected with a plain Error (this only fails in a
    // dying env, where nothing would see the promise anyway).
    bool settled = false;
    try {
      job->Finished(env);
    } catch (...) {
    }
    try {
      if (!job->thrown_.IsEmpty()) job->deferred_.Reject(job->thrown_.Value().Get(0u));
      else if (job->error_) job->deferred_.Reject(args::makeError(env, *job->error_).Value());
      else job->deferred_.Resolve(job->Result(env));
      settled = true;
    } catch (...) {
    }
    if (!settled) {
      try {
        Napi::Error err = Napi::Error::New(env, job->what_ + ": internal error: could not build the result");
        err.Set("code", Napi::String::New(env, "INTERNAL"));
        job->deferred_.Reject(err.Value());
      } catch (...) {
      }
    }
  }

  // exit() (process.exit, an uncaught exception, the main thread's end): by now Node has stopped
  // every worker_thread, whose cleanup hooks joined their jobs; what is left are the main env's.
  // Its cleanup hooks will not run before _dl_fini tears OpenBLAS and libgomp down, so each job
  // is stopped and joined here (at most one batch each).
  static void OnExit() {
    std::vector<std::thread> threads;
    {
      Registry& r = registry();
      std::lock_guard<std::mutex> lock(r.mutex);
      r.exiting = true;
      for (BackgroundJob* job : r.jobs) {
        job->abandoned_.store(true);
        job->shuttingDown_.store(true);
        job->stop_->store(true);
        threads.push_back(std::move(job->thread_));
      }
      r.jobs.clear();
    }
    for (std::thread& t : threads)
      if (t.joinable()) t.join();
  }
};

BackgroundJob::BackgroundJob(Napi::Env env, std::atomic<bool>* stop, std::string what)
    : deferred_(Napi::Promise::Deferred::New(env)), stop_(stop), what_(std::move(what)) {}

void BackgroundJob::Emit(Event event) {
  if (!hasCallback_ || abandoned_.load()) return;
  auto* ev = new Event(std::move(event));
  if (napi_call_threadsafe_function(tsfn_, ev, napi_tsfn_nonblocking) != napi_ok) delete ev;  // closing
}

Napi::Promise BackgroundJob::Start(Napi::Env env, std::unique_ptr<BackgroundJob> owned, Napi::Function onEvent, const char* name) {
  BackgroundJob* job = owned.get();
  job->hasCallback_ = !onEvent.IsEmpty();
  Napi::Promise promise = job->deferred_.Promise();
  // From here the function's finalizer owns the job.
  Access::Tsfn tsfn = Access::Tsfn::New(env, onEvent, name, 0, 1, job, Access::Finalize);
  owned.release();
  job->tsfn_ = tsfn;
  job->cleanupHook_ = napi_add_env_cleanup_hook(env, Access::OnEnvCleanup, job) == napi_ok;
  // The JS thread's idle OpenMP team would slow the job's team (see threads.cc).
  nalu::releaseIdleTeam();
  bool started = false;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    if (!r.exiting) {
      try {
        r.jobs.push_back(job);
        try {
          job->thread_ = std::thread(Access::Body, job);
          started = true;
        } catch (const std::system_error&) {
          r.jobs.pop_back();
        }
      } catch (const std::bad_alloc&) {
      }
    }
  }
  if (!started) {
    job->error_ = nalu::Error(nalu::Error::Nalu, job->what_ + ": could not start a thread", "OUT_OF_MEMORY");
    tsfn.Release();
  }
  return promise;
}

void BackgroundJob::InstallExitHandler() {
  // exit() runs its handlers in reverse order of registration, and _dl_fini (which runs the
  // destructors of OpenBLAS and libgomp: gotoblas_quit, blas_shutdown) was registered by the
  // dynamic loader before main(), so this handler runs before them whenever it is installed.
  static std::once_flag once;
  std::call_once(once, [] {
    registry();  // allocated before the handler can run
    std::atexit(Access::OnExit);
  });
}

void BackgroundJob::Call(Napi::Env env, Napi::Function cb, std::initializer_list<napi_value> args) {
  napi_value result;
  napi_call_function(env, env.Undefined(), cb, args.size(), args.begin(), &result);
}
