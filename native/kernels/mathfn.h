// Scalar math of the units outside the vectorized loops (libm; vmath.h has the vectorizable forms).
#pragma once
#include <cmath>

namespace nalu {

// 1, −1, or 0 for ±0 and NaN (sign(0) = 0 as autograd's); used by subgradients of |v|.
inline float sign(float v) { return v > 0 ? 1.f : v < 0 ? -1.f : 0.f; }
inline float sigmoid(float z) { return 1.f / (1.f + std::exp(-z)); }
// log(1 + e^z) without overflow.
inline float softplus(float z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

}  // namespace nalu
