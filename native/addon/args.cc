#include "args.h"

#include <sys/sysinfo.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "addon_data.h"
#include "kernels/buffer.h"
#include "kernels/clones.h"

namespace args {

Napi::Array weights(Napi::Env env, const std::vector<nalu::Param*>& ps) {
  Napi::Array out = Napi::Array::New(env, ps.size());
  for (size_t k = 0; k < ps.size(); ++k) {
    Napi::Object w = Napi::Object::New(env);
    auto data = Napi::Float32Array::New(env, ps[k]->size());
    std::memcpy(data.Data(), ps[k]->value.data(), sizeof(float) * ps[k]->size());
    Napi::Array shape = Napi::Array::New(env, ps[k]->shape.size());
    for (size_t d = 0; d < ps[k]->shape.size(); ++d) shape.Set(uint32_t(d), double(ps[k]->shape[d]));
    w.Set("name", ps[k]->name);
    w.Set("shape", shape);
    w.Set("data", data);
    out.Set(uint32_t(k), w);
  }
  return out;
}

std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsNumber()) {
    std::ostringstream s;
    s << v.As<Napi::Number>().DoubleValue();
    return s.str();
  }
  if (v.IsString()) return "a string";
  if (v.IsFunction()) return "a function";
  if (v.IsTypedArray()) {
    auto t = v.As<Napi::TypedArray>();
    static const char* names[] = {"Int8Array",    "Uint8Array",   "Uint8ClampedArray", "Int16Array",
                                  "Uint16Array",  "Int32Array",   "Uint32Array",       "Float32Array",
                                  "Float64Array", "BigInt64Array", "BigUint64Array"};
    int k = int(t.TypedArrayType());
    return std::string(k >= 0 && k < 11 ? names[k] : "TypedArray") + "(" + std::to_string(t.ElementLength()) + ")";
  }
  if (v.IsArray()) return "an array";
  if (v.IsArrayBuffer()) return "an ArrayBuffer";
  if (v.IsObject()) return "an object";
  return "a " + std::string(v.IsSymbol() ? "symbol" : "bigint");
}

static void fail(const Napi::Value& v, const std::string& msg, bool range) {
  if (range) throw Napi::RangeError::New(v.Env(), msg);
  throw Napi::TypeError::New(v.Env(), msg);
}

// One napi_get_typedarray_info call answers "is it a typed array", its type, length, data and
// buffer (node-addon-api's Float32Array wrapper asks for the same info three or four times, and
// each ask tests the array against every typed-array class in turn).
const float* float32(const Napi::Value& v, const std::string& name, size_t& length) {
  napi_typedarray_type type;
  void* data = nullptr;
  napi_value buf = nullptr;
  if (napi_get_typedarray_info(v.Env(), v, &type, &length, &data, &buf, nullptr) != napi_ok ||
      type != napi_float32_array)
    fail(v, name + ": expected a Float32Array, received " + describe(v), false);
  bool detached = false;
  if (napi_is_detached_arraybuffer(v.Env(), buf, &detached) == napi_ok && detached)
    fail(v, name + ": expected a Float32Array, received one whose ArrayBuffer is detached", false);
  return static_cast<const float*>(data);
}

// The largest |p[i]| as raw bits: at least 0x7f800000 exactly when some value is ±Infinity or NaN.
// One AND and one unsigned MAX per 8 floats in the AVX2 clone, a third of the instructions of an
// OR-of-compares loop: small trainOnBatch calls scan every input.
NALU_CLONES_WIDE static uint32_t maxAbsBits(const float* p, int64_t n) {
  uint32_t m = 0;
#pragma omp simd reduction(max : m)
  for (int64_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, p + i, 4);
    u &= 0x7fffffffu;
    m = u > m ? u : m;
  }
  return m;
}

const float* matrix(const Napi::Value& v, const std::string& name, int64_t rows, int dim) {
  size_t length = 0;
  const float* p = float32(v, name, length);
  int64_t want = rows * dim;
  if (int64_t(length) != want)
    fail(v, name + ": expected " + std::to_string(want) + " values (" + std::to_string(rows) + " rows × " +
                std::to_string(dim) + " features), received " + std::to_string(length),
         true);
  // The slow scan for the position only on failure.
  if (maxAbsBits(p, want) >= 0x7f800000u)
    for (int64_t i = 0; i < want; ++i)
      if (!std::isfinite(p[i]))
        fail(v, name + ": expected finite values, received " + (std::isnan(p[i]) ? "NaN" : "Infinity") + " at row " +
                    std::to_string(i / dim) + ", column " + std::to_string(i % dim),
             true);
  return p;
}

int64_t integer(const Napi::Value& v, const std::string& name, int64_t lo, int64_t hi) {
  if (!v.IsNumber()) fail(v, name + ": expected an integer, received " + describe(v), false);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= double(lo) && d <= double(hi)) || d != std::floor(d))
    fail(v, name + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], received " +
                describe(v),
         true);
  return int64_t(d);
}

bool boolean(const Napi::Value& v, const std::string& name) {
  if (!v.IsBoolean()) fail(v, name + ": expected a boolean, received " + describe(v), false);
  return v.As<Napi::Boolean>().Value();
}

Napi::Object object(const Napi::Value& v, const std::string& name) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction())
    fail(v, name + ": expected an object, received " + describe(v), false);
  return v.As<Napi::Object>();
}

Napi::Function function(const Napi::Value& v, const std::string& name) {
  if (!v.IsFunction()) fail(v, name + ": expected a function, received " + describe(v), false);
  return v.As<Napi::Function>();
}

Napi::Function constructor(const Napi::Value& v, const std::string& name) {
  if (!v.IsFunction()) fail(v, name + ": expected a constructor, received " + describe(v), false);
  // Reflect.construct(Object, [], v) throws a TypeError exactly when v is not a constructor; it
  // calls Object, not v (only v.prototype is read).
  Napi::Env env = v.Env();
  Napi::Object reflect = env.Global().Get("Reflect").As<Napi::Object>();
  Napi::Function construct = reflect.Get("construct").As<Napi::Function>();
  napi_value argv[] = {env.Global().Get("Object"), Napi::Array::New(env), v};
  napi_value out;
  if (napi_call_function(env, reflect, construct, 3, argv, &out) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    fail(v, name + ": expected a constructor, received a function that is not one", false);
  }
  return v.As<Napi::Function>();
}

void knownKeys(const Napi::Object& o, const std::string& name, const std::vector<std::string>& known) {
  Napi::Array keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    std::string k = keys.Get(i).ToString().Utf8Value();
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      std::vector<std::string> sorted = known;
      std::sort(sorted.begin(), sorted.end());
      fail(o, name + "." + k + ": unknown option, expected one of " + nalu::joinNames(sorted), true);
    }
  }
}

static void fill(nalu::Options& o, const Napi::Object& obj, const std::string& where, int depth) {
  if (depth > 4) fail(obj, where + ": nested too deeply", true);
  Napi::Array keys = obj.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    std::string k = keys.Get(i).ToString().Utf8Value();
    Napi::Value v = obj.Get(k);
    std::string at = where + "." + k;
    if (v.IsUndefined() || v.IsNull()) continue;
    if (v.IsNumber()) o.num[k] = v.As<Napi::Number>().DoubleValue();
    else if (v.IsBoolean()) {
      o.num[k] = v.As<Napi::Boolean>().Value() ? 1 : 0;
      o.bools.insert(k);
    }
    else if (v.IsString()) o.str[k] = v.As<Napi::String>().Utf8Value();
    else if (v.IsObject() && !v.IsArray() && !v.IsFunction() && !v.IsTypedArray()) {
      nalu::Options sub;
      sub.context = at;
      fill(sub, v.As<Napi::Object>(), at, depth + 1);
      o.obj[k] = sub;
    } else
      fail(v, at + ": expected a number, string, boolean or plain object, received " + describe(v), false);
  }
}

nalu::Options options(const Napi::Value& v, const std::string& name) {
  nalu::Options o;
  o.context = name;
  if (v.IsUndefined()) return o;
  fill(o, object(v, name), name, 0);
  return o;
}

double memoryLimit() {
  // RAM + swap do not change while we run: asked once (a syscall per trainOnBatch showed up).
  static const double limit = [] {
    struct sysinfo si {};
    if (sysinfo(&si) != 0) return 1e15;  // unknown: no practical limit beyond kMaxElements
    return (double(si.totalram) + double(si.totalswap)) * double(si.mem_unit);
  }();
  return limit;
}

void affordable(Napi::Env env, double bytes, const std::string& name) {
  double limit = memoryLimit();
  if (bytes > limit) {
    std::ostringstream s;
    s.precision(3);
    s << name << ": needs about " << bytes / 1e9 << " GB, more than this machine's " << limit / 1e9
      << " GB of memory; refused before allocating";
    throw Napi::RangeError::New(env, s.str());
  }
}

Napi::Error makeError(Napi::Env env, const nalu::Error& e) {
  switch (e.kind) {
    case nalu::Error::Type: return Napi::TypeError::New(env, e.what());
    case nalu::Error::Range: return Napi::RangeError::New(env, e.what());
    default: break;
  }
  // The registered class, or, when there is none or it throws (a class that refuses our
  // arguments; a worker's env going away), a plain Error named NaluError: every caller, a
  // promise's settling included, must get an error back.
  Napi::FunctionReference* ctor = errorClass(env);
  if (ctor && !ctor->IsEmpty()) {
    try {
      Napi::Value made = ctor->New({Napi::String::New(env, e.what()), Napi::String::New(env, e.code)});
      if (made.IsObject()) {
        Napi::Error err(env, made);
        err.Set("code", Napi::String::New(env, e.code));
        return err;
      }
    } catch (const Napi::Error&) {
      // its exception was taken off the env by Napi::Error: fall through
    }
  }
  Napi::Error err = Napi::Error::New(env, e.what());
  err.Set("name", Napi::String::New(env, "NaluError"));
  err.Set("code", Napi::String::New(env, e.code));
  return err;
}

void rethrow(Napi::Env env, const nalu::Error& e) { throw makeError(env, e); }

}  // namespace args
