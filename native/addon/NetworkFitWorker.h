// NetworkFitWorker: runs Network::fit on a thread of its own (not libuv's pool, see run()). Epoch
// events reach JS through a thread-safe function; the promise settles in that function's
// finalizer, so every epoch callback has run before fit() resolves.
#pragma once
#include <napi.h>

class NativeNetwork;

namespace NetworkFitWorker {
// fit(x, y, rows, options, onEvent?) → Promise<{epochs: [...], stopReason}>
Napi::Value Start(const Napi::CallbackInfo& info, NativeNetwork* self);
}
