// iNALU's reinitialization rule (Schlör, Ring & Hotho 2020; daschloer/inalu): training that has
// stalled far from a solution starts over from fresh weights. Checked every `everyEpochs` epochs:
// when more than minSteps steps were taken since the last (re)start, the mean batch loss of the
// first half of them is not below the second half's mean + standard deviation (no progress), and
// that second mean is above `threshold`, every layer redraws its weights.
// The halves split at an epoch boundary (per-epoch sums, so nothing grows per step).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nalu {

struct ReinitOptions {
  int everyEpochs = 0;  // 0: off
  int64_t minSteps = 10000;
  double threshold = 1;
};

class ReinitRule {
 public:
  explicit ReinitRule(const ReinitOptions& o) : o_(o) {
    if (o.everyEpochs > 0) epochs_.reserve(size_t(o.everyEpochs) * 4);
  }
  void add(double loss) {
    cur_.n += 1;
    cur_.sum += loss;
    cur_.sq += loss * loss;
  }
  // Closes epoch `epoch` (0-based); true when the weights are to be redrawn (the history restarts).
  bool endEpoch(int epoch);

 private:
  struct Sums {
    int64_t n = 0;
    double sum = 0, sq = 0;
  };
  ReinitOptions o_;
  std::vector<Sums> epochs_;
  Sums cur_;
};

}  // namespace nalu
