// The activations of activation.h: one loop per activation, picked at compile time.
#include "activation.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "clones.h"
#include "mathfn.h"
#include "parallel.h"

namespace nalu {

namespace {
const std::vector<std::string> kActNames = {"linear", "relu", "relu6", "tanh", "sigmoid", "softsign", "elu", "selu"};
constexpr float kSeluAlpha = 1.6732632423543772f, kSeluScale = 1.0507009873554805f;

inline float activate(Act a, float z) {
  switch (a) {
    case Act::Linear: return z;
    case Act::Relu: return z > 0 ? z : 0;
    case Act::Relu6: return std::min(6.f, std::max(0.f, z));
    case Act::Tanh: return std::tanh(z);
    case Act::Sigmoid: return sigmoid(z);
    case Act::Softsign: return z / (1 + std::fabs(z));
    case Act::Elu: return z > 0 ? z : std::expm1(z);
    case Act::Selu: return kSeluScale * (z > 0 ? z : kSeluAlpha * std::expm1(z));
  }
  return z;
}

// d act / dz expressed through the output y (so no pre-activation is stored).
inline float derivative(Act a, float y) {
  switch (a) {
    case Act::Linear: return 1;
    case Act::Relu: return y > 0 ? 1.f : 0.f;
    case Act::Relu6: return y > 0 && y < 6 ? 1.f : 0.f;
    case Act::Tanh: return 1 - y * y;
    case Act::Sigmoid: return y * (1 - y);
    case Act::Softsign: { float r = 1 - std::fabs(y); return r * r; }
    case Act::Elu: return y > 0 ? 1.f : y + 1;
    case Act::Selu: return y > 0 ? kSeluScale : y + kSeluScale * kSeluAlpha;
  }
  return 1;
}

// f(std::integral_constant<Act, a>()): the activation as a compile-time constant, so each gets
// a loop of its own.
template <class F>
void withAct(Act a, F&& f) {
  switch (a) {
    case Act::Linear: return f(std::integral_constant<Act, Act::Linear>());
    case Act::Relu: return f(std::integral_constant<Act, Act::Relu>());
    case Act::Relu6: return f(std::integral_constant<Act, Act::Relu6>());
    case Act::Tanh: return f(std::integral_constant<Act, Act::Tanh>());
    case Act::Sigmoid: return f(std::integral_constant<Act, Act::Sigmoid>());
    case Act::Softsign: return f(std::integral_constant<Act, Act::Softsign>());
    case Act::Elu: return f(std::integral_constant<Act, Act::Elu>());
    case Act::Selu: return f(std::integral_constant<Act, Act::Selu>());
  }
}

// The activations that call libm (tanhf, expf, expm1f).
constexpr bool usesLibm(Act a) { return a == Act::Tanh || a == Act::Sigmoid || a == Act::Elu || a == Act::Selu; }

// y[b, e) = act(y[b, e)) for an activation without a libm call.
template <Act A>
NALU_CLONES void activateRange(float* y, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) y[i] = activate(A, y[i]);
}

// y[b, e) = act(y[b, e)) for tanh, sigmoid, elu and selu.
// scalar: libm's tanhf, expf and expm1f (vmath.h's forms would change the results).
void activateLibm(Act a, float* y, int64_t b, int64_t e) {
  for (int64_t i = b; i < e; ++i) y[i] = activate(a, y[i]);
}

// d[b, e) = dy · act'(y) (no libm call in any derivative). Not contracted to FMAs in the clones
// that have them: tanh's 1 − y² would round otherwise than it always has.
template <Act A>
NALU_CLONES __attribute__((optimize("fp-contract=off"))) void derivativeRange(const float* dy, const float* y, float* d,
                                                                               int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) d[i] = dy[i] * derivative(A, y[i]);
}

}  // namespace

Act activationOption(const Options& o) {
  const std::string name = o.choice("activation", "linear", kActNames);
  return Act(std::find(kActNames.begin(), kActNames.end(), name) - kActNames.begin());
}

void activateInPlace(Act a, float* y, int64_t n) {
  if (a == Act::Linear) return;
  withAct(a, [&](auto act) {
    constexpr Act A = decltype(act)::value;
    if constexpr (usesLibm(A)) parallelChunks(n, [&](int64_t b, int64_t e) { activateLibm(A, y, b, e); });
    else parallelChunks(n, [&](int64_t b, int64_t e) { activateRange<A>(y, b, e); });
  });
}

void activationGrad(Act a, const float* dy, const float* y, float* d, int64_t n) {
  withAct(a, [&](auto act) {
    parallelChunks(n, [&](int64_t b, int64_t e) { derivativeRange<decltype(act)::value>(dy, y, d, b, e); });
  });
}

}  // namespace nalu
