// BackgroundJob: one native training job (a fit, an arithmetic-task run) on a thread of its own
// at background priority, with progress events for a JS callback and a promise that settles on
// the JS thread once every queued event was delivered.
//
// Not libuv's pool: a worker_thread's teardown and process.exit (uv_library_shutdown) wait for
// every pool task, so a long run would hang terminate() and exit; and long runs would hold the
// pool's 4 threads that fs and dns need.
//
// Shutdown: every running job is in a process-wide registry. A worker_thread's teardown (its env
// cleanup hook) stops and joins that env's jobs; an exit handler installed at addon load stops
// and joins every job before exit() reaches _dl_fini, where OpenBLAS and libgomp unmap what a
// running sgemm uses (issue 17). A job's thread calls into N-API only before it is joined, and
// its env is freed only after: it never touches a dead env.
#pragma once
#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "kernels/error.h"

class BackgroundJob {
 public:
  // Delivers one event to the callback on the JS thread (the callback is never empty there).
  using Event = std::function<void(Napi::Env env, Napi::Function callback)>;

  // Starts job->Run() on a new thread; onEvent may be empty. Returns the job's promise. `name`
  // names the thread-safe function (async hooks); the job's `what` prefixes its error messages.
  static Napi::Promise Start(Napi::Env env, std::unique_ptr<BackgroundJob> job, Napi::Function onEvent, const char* name);
  // Installs the exit handler (once per process; called when the addon loads).
  static void InstallExitHandler();
  // cb(args…) from an Event. Not Napi::Function::Call: in a worker being terminated the call
  // fails, and building that failure's JS error aborts the process. A JS exception stays pending
  // (CallJs takes it: CallbackThrew).
  static void Call(Napi::Env env, Napi::Function cb, std::initializer_list<napi_value> args);

  virtual ~BackgroundJob() = default;
  BackgroundJob(const BackgroundJob&) = delete;
  BackgroundJob& operator=(const BackgroundJob&) = delete;

 protected:
  // `stop` is the flag the kernels poll (per batch); it must outlive the job. `what` prefixes
  // error messages ("fit: out of memory").
  BackgroundJob(Napi::Env env, std::atomic<bool>* stop, std::string what);

  // On the job's thread: the work (sets its own thread count). nalu::Error rejects with its kind
  // and code, std::bad_alloc with OUT_OF_MEMORY, any other std::exception with INTERNAL.
  virtual void Run() = 0;
  // On the JS thread once the thread ended and every event was delivered, before settling.
  virtual void Finished(Napi::Env env) {}
  // On the JS thread: the value the promise resolves with (when Run returned).
  virtual Napi::Value Result(Napi::Env env) = 0;
  // On the JS thread when the event callback threw (a raw caller's: the TS wrappers catch theirs).
  // The job is already asked to stop; a job that waits for the callback must go on to that stop.
  virtual void CallbackThrew() {}

  // On the job's thread: queues an event for the callback (dropped without one, or while the
  // env or the process is going away).
  void Emit(Event event);
  bool HasCallback() const { return hasCallback_; }
  // Set when the env or the process goes away (a worker's teardown, exit): the job must end.
  const std::atomic<bool>& ShuttingDown() const { return shuttingDown_; }

 private:
  struct Access;  // the .cc's thread body, finalizer, cleanup hook and exit handler
  friend struct Access;

  Napi::Promise::Deferred deferred_;
  std::atomic<bool>* stop_;
  std::string what_;
  bool hasCallback_ = false;
  std::optional<nalu::Error> error_;
  // [the callback's first exception] (boxed: a reference holds no primitive): the promise rejects with it.
  Napi::ObjectReference thrown_;
  napi_threadsafe_function tsfn_ = nullptr;
  std::thread thread_;
  bool cleanupHook_ = false;           // registered with napi_add_env_cleanup_hook
  std::atomic<bool> abandoned_{false};  // the process is exiting: no more N-API calls
  std::atomic<bool> shuttingDown_{false};
};
