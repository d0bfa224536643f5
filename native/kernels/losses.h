// Losses: mean over every element of the batch, as Keras' mean over the last axis then the batch.
#pragma once
#include <cmath>
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

// The error sums of the mae and mse metrics: abs += Σ|pred − target|, sq += Σ(pred − target)².
struct ErrorSums {
  double abs = 0, sq = 0;
  int64_t n = 0;
  void add(const float* pred, const float* target, int64_t count);
  double mae() const { return n ? abs / double(n) : NAN; }
  double mse() const { return n ? sq / double(n) : NAN; }
};

std::unique_ptr<Loss> makeLoss(const Options& spec);
std::vector<std::string> lossTypes();

}  // namespace nalu
