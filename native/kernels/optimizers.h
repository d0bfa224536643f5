// Optimizers with Keras' update rules. One fused pass per parameter: gradient scaling
// (clipNorm), clipping (clipValue), the update and the parameter's clamp constraint.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "buffer.h"
#include "options.h"
#include "param.h"

namespace nalu {

class Optimizer {
 public:
  explicit Optimizer(const Options& o);
  virtual ~Optimizer() = default;
  // Allocates the per-parameter state (zeroed).
  void attach(const std::vector<Param*>& params);
  // Sum of squares of every gradient (NaN/inf when a gradient is not finite).
  double gradSquaredNorm() const;
  // One update of every attached parameter; sumSq is gradSquaredNorm() of this step.
  // Returns false when an updated parameter is not finite.
  bool step(double sumSq);
  int64_t iterations = 0;
  float learningRate;

 protected:
  // Updates n values of w from g·scale (then clipped to ±clip) using the slots' state.
  virtual bool update(float* w, const float* g, float scale, float clip, float lo, float hi, float** slots,
                      int64_t n) = 0;
  virtual int numSlots() const = 0;
  float clipNorm_, clipValue_;
  std::vector<Param*> params_;
  std::vector<std::vector<Buffer>> state_;
};

std::unique_ptr<Optimizer> makeOptimizer(const Options& spec);
std::vector<std::string> optimizerTypes();

}  // namespace nalu
