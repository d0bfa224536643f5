// The NAC weight transform W = tanh(Ŵ) ⊙ σ(M̂) (Trask et al. 2018), shared by NAC, NAC• and NALU.
#pragma once
#include <functional>

#include <cstdint>

#include "buffer.h"
#include "param.h"

namespace nalu {

struct NacWeight {
  Buffer W, t, s;  // W = t ⊙ s, t = tanh(Ŵ), s = σ(M̂)
  void compute(const float* wHat, const float* mHat, int64_t n);
  // dŴ = dW ⊙ (1 − t²) s, dM̂ = dW ⊙ t s (1 − s)
  void backward(const float* dW, float* dWHat, float* dMHat, int64_t n) const;
};

// Calls visit on tanh(Ŵ)⊙σ(M̂) of the params' values (Layer::sparsityWeights of the NAC units).
void visitNacWeight(const Param& wHat, const Param& mHat, const std::function<void(float)>& visit);

}  // namespace nalu
