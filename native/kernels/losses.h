// Losses: mean over every element of the batch, as Keras' mean over the last axis then the batch.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "options.h"

namespace nalu {

class Loss {
 public:
  virtual ~Loss() = default;
  // Mean loss of pred against target over n elements; writes dL/dpred to dpred when non-null.
  virtual double compute(const float* pred, const float* target, float* dpred, int64_t n) const = 0;
};

std::unique_ptr<Loss> makeLoss(const Options& spec);
std::vector<std::string> lossTypes();

}  // namespace nalu
