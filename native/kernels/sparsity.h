// The sparsity regularizer of NAU and NMU (Madsen & Johansen 2020, eq. 5-6), with the paper's
// linear warm-up: λ = λ̂ · clamp((t − start) / (end − start), 0, 1), t = optimizer steps taken.
//   NAU: R = mean(min(|W|, 1 − |W|))  (pushes W to {−1, 0, 1})
//   NMU: R = mean(min(W, 1 − W))      (pushes W to {0, 1})
#pragma once
#include <cstdint>

#include "options.h"
#include "param.h"

namespace nalu {

struct SparsityRegularizer {
  enum Kind { Signed, Unsigned };  // NAU | NMU
  Kind kind = Signed;
  double lambda = 0, start = 0, end = 0;
  // Reads sparsityLambda (λ̂, default the unit's paper's: NAU 0.01, NMU 10), sparsityStart and
  // sparsityEnd (default the NMU's static-task warm-up over steps 1e6 → 2e6).
  void parse(const Options& o, Kind k, double defaultLambda);
  bool active() const { return lambda > 0; }
  void schedule(double s, double e) { start = s, end = e; }
  double scale(int64_t step) const;
  // λ·R of p.value; adds λ·dR/dW to p.grad when addGrad.
  double apply(Param& p, int64_t step, bool addGrad) const;
};

}  // namespace nalu
