// Argument checks for the N-API glue: each throws a JS TypeError/RangeError that names the
// argument, what was expected and what was received. The TS layer checks first; these make
// the raw binding safe on its own.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "kernels/error.h"
#include "kernels/options.h"
#include "kernels/param.h"

namespace args {

std::string describe(const Napi::Value& v);  // "a string", "Float64Array(3)", "NaN"…

// [{name, shape, data}] of the parameters, copies (getWeights and a task run's result).
Napi::Array weights(Napi::Env env, const std::vector<nalu::Param*>& ps);

// The data of a live (not detached) Float32Array; its element count in `length`.
const float* float32(const Napi::Value& v, const std::string& name, size_t& length);
// A Float32Array of exactly rows × dim finite values.
const float* matrix(const Napi::Value& v, const std::string& name, int64_t rows, int dim);
int64_t integer(const Napi::Value& v, const std::string& name, int64_t lo, int64_t hi);
bool boolean(const Napi::Value& v, const std::string& name);
Napi::Object object(const Napi::Value& v, const std::string& name);
Napi::Function function(const Napi::Value& v, const std::string& name);
// A function that `new` accepts (a class, a function declaration; not an arrow function, a
// method or a bound builtin such as Math.max), checked without calling it.
Napi::Function constructor(const Napi::Value& v, const std::string& name);
// A RangeError "<name>.<key>: unknown option, expected one of …" for an own enumerable key of o
// that is not in `known` (undefined values count: the TS layer leaves absent options out).
void knownKeys(const Napi::Object& o, const std::string& name, const std::vector<std::string>& known);
// A plain object of numbers, strings, booleans and nested objects → Options (null/undefined skipped).
nalu::Options options(const Napi::Value& v, const std::string& name);

// Linux overcommits memory: an allocation larger than RAM "succeeds" and the process is
// OOM-killed when it is filled. So large buffers are checked against this estimate first.
// Physical memory + swap, in bytes.
double memoryLimit();
// Throws a RangeError naming `name` when an allocation of about `bytes` could not fit in memory.
void affordable(Napi::Env env, double bytes, const std::string& name);

// Runs body; maps nalu::Error / std::bad_alloc / other std::exception to JS exceptions.
template <class F>
auto guard(Napi::Env env, F&& body) -> decltype(body());
// Throws the JS error matching e (TypeError, RangeError, or NaluError with code).
[[noreturn]] void rethrow(Napi::Env env, const nalu::Error& e);
Napi::Error makeError(Napi::Env env, const nalu::Error& e);

template <class F>
auto guard(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const nalu::Error& e) {
    rethrow(env, e);
  } catch (const std::bad_alloc&) {
    rethrow(env, nalu::Error(nalu::Error::Nalu, "out of memory", "OUT_OF_MEMORY"));
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    rethrow(env, nalu::Error(nalu::Error::Nalu, std::string("internal error: ") + e.what(), "INTERNAL"));
  }
}

}  // namespace args
