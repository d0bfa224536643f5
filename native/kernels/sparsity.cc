#include "sparsity.h"

#include <algorithm>

#include "error.h"
#include "mathfn.h"

namespace nalu {

void SparsityRegularizer::parse(const Options& o, Kind k, double defaultLambda) {
  kind = k;
  lambda = o.number("sparsityLambda", defaultLambda, 0.0, 1e30);
  start = o.number("sparsityStart", 1e6, 0.0, 1e18);
  end = o.number("sparsityEnd", 2e6, 0.0, 1e18);
  if (end < start)
    rangeError(o.where("sparsityEnd") + ": expected a number >= sparsityStart (" + std::to_string(start) +
               "), received " + std::to_string(end));
}

double SparsityRegularizer::scale(int64_t step) const {
  double t = double(step);
  if (t >= end) return 1;  // also covers start == end (a step, not a ramp)
  if (t <= start) return 0;
  return (t - start) / (end - start);
}

double SparsityRegularizer::apply(Param& p, int64_t step, bool addGrad) const {
  const double lam = lambda * scale(step);
  if (lam == 0) return 0;
  const int64_t n = int64_t(p.size());
  const float* w = p.value.data();
  float* g = p.grad.data();
  const float c = float(lam / double(n));
  double sum = 0;
  // NAU: min(|W|, |1 − |W||); NMU: min(|W|, |1 − W|) (stable-nalu's 'linear' shape). Each branch's
  // derivative is taken where it is the smaller one; sign(0) = 0 as in autograd.
  for (int64_t i = 0; i < n; ++i) {
    const float v = w[i], a = std::fabs(v);
    const float u = kind == Signed ? 1 - a : 1 - v;  // the second branch before |·|
    const float b = std::fabs(u);
    sum += std::min(a, b);
    if (!addGrad) continue;
    float d;
    if (a < b) d = sign(v);
    else if (b < a) d = -sign(u) * (kind == Signed ? sign(v) : 1.f);
    else d = 0;  // a tie (|W| = 0.5): no preferred direction
    g[i] += c * d;
  }
  return lam * sum / double(n);
}

}  // namespace nalu
