#include "reinit.h"

#include <cmath>

namespace nalu {

bool ReinitRule::endEpoch(int epoch) {
  if (o_.everyEpochs <= 0) return false;
  epochs_.push_back(cur_);
  cur_ = Sums();
  if ((epoch + 1) % o_.everyEpochs != 0 || epochs_.size() < 2) return false;
  Sums first, second;
  const size_t half = epochs_.size() / 2;
  for (size_t e = 0; e < epochs_.size(); ++e) {
    Sums& s = e < half ? first : second;
    s.n += epochs_[e].n;
    s.sum += epochs_[e].sum;
    s.sq += epochs_[e].sq;
  }
  if (first.n + second.n <= o_.minSteps || first.n == 0 || second.n == 0) return false;
  const double m1 = first.sum / double(first.n), m2 = second.sum / double(second.n);
  const double sd2 = std::sqrt(std::fmax(0.0, second.sq / double(second.n) - m2 * m2));  // population σ
  if (!(m1 <= m2 + sd2 && m2 > o_.threshold)) return false;
  epochs_.clear();
  return true;
}

}  // namespace nalu
