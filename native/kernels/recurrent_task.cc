// The recurrent arithmetic task of Madsen & Johansen (ICLR 2020, section 4.2), as hoedt/stable-nalu
// runs it: x_t ~ U[range]^n for t = 1 … T, a and b are the sums of two slices of x_t over all
// steps, t = a ∘ b. Training and validation rows have trainSteps steps, test rows testSteps.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "arithmetic_task.h"
#include "error.h"
#include "gather.h"

namespace nalu {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

class RecurrentTask : public Task {
 public:
  explicit RecurrentTask(const TaskParams& p) {
    spec_ = arithmeticSpec(p);
    trainSteps_ = int(p.integer("trainSteps", 1, 1 << 16));
    testSteps_ = int(p.integer("testSteps", 1, 1 << 16));
    // The slices as the static task places them (stable-nalu's SimpleFunctionDataset is shared).
    const ArithmeticTask slices(spec_);
    aStart_ = slices.aStart();
    aEnd_ = slices.aEnd();
    bStart_ = slices.bStart();
    bEnd_ = slices.bEnd();
    if (int64_t(spec_.inputSize) * std::max(trainSteps_, testSteps_) > (1 << 24))
      rangeError(p.where + ".inputSize × steps: expected at most 16777216 values a row, received " +
                 std::to_string(int64_t(spec_.inputSize) * std::max(trainSteps_, testSteps_)));
  }

  int inputSize() const override { return spec_.inputSize; }
  int steps(TaskSplit split) const override { return split == TaskSplit::Interpolation ? trainSteps_ : testSteps_; }
  int latentSize() const override { return 2; }

  void sampleInputs(RngLanes& rng, TaskSplit split, float* x, float* xFeatureMajor, double* latent, int64_t rows,
                    PhaseClock* clock) const override {
    const SampleRange& range = split == TaskSplit::Interpolation ? spec_.interpolation : spec_.extrapolation;
    const int n = spec_.inputSize, T = steps(split);
    const int64_t width = int64_t(n) * T, count = rows * width;
    if (range.parts.size() == 1) {
      rng.uniform(x, count, range.parts[0].first, range.parts[0].second - range.parts[0].first);
    } else {
      // One uniform picks the part, another places the value in it.
      scratch_.resize(size_t(2 * count));
      rng.uniform(scratch_.data(), 2 * count, 0.0, 1.0);
      for (int64_t i = 0; i < count; ++i) {
        const auto& q = scratch_[size_t(2 * i)] >= 0.5f ? range.parts[1] : range.parts[0];
        x[i] = float(q.first + (q.second - q.first) * double(scratch_[size_t(2 * i + 1)]));
      }
    }
    if (clock) clock->mark(StepProfile::Draw);
    double *a = latent, *b = latent + rows;
    for (int64_t r = 0; r < rows; ++r) {
      double sa = 0, sb = 0;
      for (int t = 0; t < T; ++t) {
        const float* s = x + r * width + int64_t(t) * n;
        for (int i = aStart_; i < aEnd_; ++i) sa += double(s[i]);
        for (int i = bStart_; i < bEnd_; ++i) sb += double(s[i]);
      }
      a[r] = sa;
      b[r] = sb;
    }
    if (clock) clock->mark(StepProfile::Targets);
    if (xFeatureMajor) {
      cols_.resize(size_t(width));
      columnTargets(xFeatureMajor, int(width), int(rows), cols_.data());
      gatherColumns(x, int(width), nullptr, int(rows), cols_.data());
      if (clock) clock->mark(StepProfile::Layout);
    }
  }

  void targets(const double* latent, float* t, int64_t rows) const override {
    for (int64_t r = 0; r < rows; ++r) t[r] = float(applyOp(spec_.op, latent[r], latent[rows + r]));
  }

  std::string inputKey() const override {
    return "recurrent " + std::to_string(spec_.inputSize) + " " + num(spec_.subsetRatio) + " " + num(spec_.overlapRatio) +
           " " + spec_.interpolation.str() + " " + spec_.extrapolation.str() + " " + std::to_string(trainSteps_) + " " +
           std::to_string(testSteps_) + " " + std::to_string(spec_.seed);
  }
  std::string key() const override { return inputKey() + " " + arithOpNames()[size_t(spec_.op)]; }

  // export/function_task_recurrent_mse_expectation.r: the perfect cell's input weights perturbed by
  // ε (1 − ε on the slice, ε elsewhere), its recurrent weights by (1 − ε)·I, over testSteps steps.
  double successThreshold(double epsilon, int64_t samples, uint64_t seed) const override {
    if (!(epsilon >= 0 && epsilon < 1)) rangeError("epsilon: expected a number in [0, 1), received " + num(epsilon));
    if (samples < 1) rangeError("thresholdSamples: expected a positive integer, received " + std::to_string(samples));
    const int n = spec_.inputSize;
    Rng rng(seed, 0x7E57);
    std::vector<double> x(static_cast<size_t>(n));
    double sum = 0;
    for (int64_t s = 0; s < samples; ++s) {
      double ae = 0, be = 0, a = 0, b = 0;
      for (int t = 0; t < testSteps_; ++t) {
        double all = 0, sa = 0, sb = 0;
        for (int i = 0; i < n; ++i) all += x[size_t(i)] = spec_.extrapolation.sample(rng);
        for (int i = aStart_; i < aEnd_; ++i) sa += x[size_t(i)];
        for (int i = bStart_; i < bEnd_; ++i) sb += x[size_t(i)];
        ae = (1 - epsilon) * sa + epsilon * (all - sa) + (1 - epsilon) * ae;
        be = (1 - epsilon) * sb + epsilon * (all - sb) + (1 - epsilon) * be;
        a += sa;
        b += sb;
      }
      const double d = applyOp(spec_.op, ae, be) - applyOp(spec_.op, a, b);
      sum += d * d;
    }
    return sum / double(samples);
  }

  std::vector<TaskSlice> structure() const override { return {{"a", aStart_, aEnd_}, {"b", bStart_, bEnd_}}; }

 private:
  ArithmeticSpec spec_;
  int trainSteps_ = 10, testSteps_ = 100;
  int aStart_ = 0, aEnd_ = 0, bStart_ = 0, bEnd_ = 0;
  mutable std::vector<float> scratch_;
  mutable std::vector<float*> cols_;
};

std::unique_ptr<Task> makeRecurrent(const TaskParams& p) { return std::make_unique<RecurrentTask>(p); }
const bool registered = registerTask("recurrent", makeRecurrent);

}  // namespace
}  // namespace nalu
