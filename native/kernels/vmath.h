// Branch-free float exp/log/sigmoid/tanh that GCC vectorizes inside `#pragma omp simd` loops
// (libm's scalar calls do not vectorize without -ffast-math). Accuracy: about 1–2 ulp on
// normal results; exp overflows to +inf and underflows through subnormals to 0, and NaN
// propagates, which the NALU log-space trick relies on; log's domain is below.
#pragma once
#include <cstdint>
#include <cstring>

namespace nalu {
namespace vm {

// Bit casts; __builtin_bit_cast keeps them in registers (a memcpy through a stack slot can
// stop GCC from vectorizing a loop that chains two of these functions).
inline float asFloat(int32_t i) {
#if defined(__GNUC__) && __GNUC__ >= 11 || defined(__clang__)
  return __builtin_bit_cast(float, i);
#else
  float f;
  std::memcpy(&f, &i, 4);
  return f;
#endif
}
inline int32_t asInt(float f) {
#if defined(__GNUC__) && __GNUC__ >= 11 || defined(__clang__)
  return __builtin_bit_cast(int32_t, f);
#else
  int32_t i;
  std::memcpy(&i, &f, 4);
  return i;
#endif
}

// e^x = 2^n · e^r, r = x − n·ln2 ∈ [−ln2/2, ln2/2], e^r by a degree-7 minimax polynomial.
inline float exp(float x) {
  // Clamp keeping NaN (comparisons with NaN are false): e^89 overflows, e^−104 rounds to 0.
  float xc = x > 89.f ? 89.f : x;
  xc = xc < -104.f ? -104.f : xc;
  const float shifter = 12582912.f;  // 1.5·2^23: adding it rounds to an integer in the low bits
  float t = xc * 1.44269504088896341f + shifter;
  int32_t n = asInt(t) - asInt(shifter);
  float nf = t - shifter;
  float r = xc - nf * 0.693359375f;  // ln2 split so n·ln2_hi is exact
  r = r + nf * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  // 2^n in two factors so n ∈ [−150, 129] never leaves the normal exponent range.
  int32_t n1 = n >> 1, n2 = n - n1;
  return p * asFloat((n1 + 127) << 23) * asFloat((n2 + 127) << 23);
}

// log x = e·ln2 + log m, m ∈ [√½, √2), log m = f − f²/2 + f³·P(f), f = m − 1, for x a positive
// normal float (NALU's log(|x| + ε) with ε ≥ 1e-30 is never anything else), +inf or NaN
// (returned as they are). Zero, subnormal and negative inputs are not handled: leaving them out
// shortens NALU's log pass. On AVX2, NALU takes its logs from a table instead
// (log_path.cc: logAbsTable); this is the path of other CPUs.
inline float log(float x) {
  // Classified on the bits: integer tests keep GCC from threading float range facts from
  // the producer of x (exp, |x|+ε) into 8-bit booleans it then cannot vectorize.
  const int32_t bits = asInt(x);
  int32_t e = ((bits >> 23) & 0xff) - 127;
  float m = asFloat((bits & 0x007fffff) | 0x3f800000);  // [1, 2)
  const bool big = m > 1.41421356f;
  m = big ? m * 0.5f : m;
  e = big ? e + 1 : e;
  float f = m - 1.f, f2 = f * f;
  // The degree-8 polynomial by Estrin's scheme: a dependency chain of 4 multiply-adds instead
  // of Horner's 8, so that a loop of logs is bound by throughput, not latency.
  const float f4 = f2 * f2;
  const float q0 = 3.3333331174e-1f - 2.4999993993e-1f * f, q1 = 2.0000714765e-1f - 1.6668057665e-1f * f;
  const float q2 = 1.4249322787e-1f - 1.2420140846e-1f * f, q3 = 1.1676998740e-1f - 1.1514610310e-1f * f;
  float p = (q0 + q1 * f2) + (q2 + q3 * f2) * f4 + 7.0376836292e-2f * (f4 * f4);
  float ef = float(e);
  float y = f2 * f * p + ef * -2.12194440e-4f;
  y = y - 0.5f * f2;
  y = f + y + ef * 0.693359375f;
  return bits >= 0x7f800000 ? x : y;  // +inf and NaN are their own log
}

inline float sigmoid(float z) { return 1.f / (1.f + exp(-z)); }

// tanh: odd polynomial for |x| < 0.625 (no cancellation near 0), else 1 − 2/(e^{2|x|} + 1).
inline float tanh(float x) {
  float a = x < 0.f ? -x : x;
  float x2 = x * x;
  float p = -5.70498872745e-3f;
  p = p * x2 + 2.06390887954e-2f;
  p = p * x2 - 5.37397155531e-2f;
  p = p * x2 + 1.33314422036e-1f;
  p = p * x2 - 3.33332819422e-1f;
  float small = x + x * x2 * p;
  float big = 1.f - 2.f / (exp(2.f * a) + 1.f);
  big = x < 0.f ? -big : big;
  return a < 0.625f ? small : big;
}

}  // namespace vm
}  // namespace nalu
