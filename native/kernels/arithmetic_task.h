// The arithmetic tasks of Madsen & Johansen (ICLR 2020, "static arithmetic task", Algorithm 1)
// and of Mistry et al. 2021 (single-module benchmark): x ~ U[range]^n, a and b are sums of
// two (possibly overlapping) slices of x, t = a ∘ b. Pure C++ (no N-API).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "task.h"

namespace nalu {

enum class ArithOp { Add, Sub, Mul, Div, Square, Sqrt };
const std::vector<std::string>& arithOpNames();  // "add", "sub", "mul", "div", "square", "sqrt"
ArithOp parseArithOp(const std::string& name, const std::string& where);
double applyOp(ArithOp op, double a, double b);

struct ArithmeticSpec {
  ArithOp op = ArithOp::Add;
  int inputSize = 100;
  double subsetRatio = 0.25, overlapRatio = 0.5;
  SampleRange interpolation{{{1, 2}}}, extrapolation{{{2, 6}}};
  uint64_t seed = 0;  // picks the slice offset
};

// The generator of one task instance (the task "arithmetic"): the slices are fixed by the seed,
// samples are drawn from a caller-owned Rng so that training, validation and test streams are
// independent. Its latent values are the slice sums a, b.
class ArithmeticTask : public Task {
 public:
  explicit ArithmeticTask(const ArithmeticSpec& spec);
  const ArithmeticSpec& spec() const { return spec_; }
  // a = Σ x[aStart, aEnd), b = Σ x[bStart, bEnd)
  int aStart() const { return aStart_; }
  int aEnd() const { return aEnd_; }
  int bStart() const { return bStart_; }
  int bEnd() const { return bEnd_; }

  int inputSize() const override { return spec_.inputSize; }
  int latentSize() const override { return 2; }
  // x [rows, inputSize] as the generator draws it, and latent = the slice sums a [rows], b [rows],
  // summed in double from the float32 inputs the model sees, so the targets are exact for them.
  void sampleInputs(RngLanes& rng, TaskSplit split, float* x, float* xFeatureMajor, double* latent, int64_t rows,
                    PhaseClock* clock) const override;
  // t [rows] = float(target(a, b)).
  void targets(const double* latent, float* t, int64_t rows) const override;
  std::string inputKey() const override;
  std::string key() const override;
  // Madsen & Johansen's threshold: the perfect solution's first-layer weights perturbed by ε (1 − ε
  // on the selected inputs, ε elsewhere), the second layer exact (the paper: ε = 1e-5, 10^6 samples).
  double successThreshold(double epsilon, int64_t samples, uint64_t seed) const override;
  std::vector<TaskSlice> structure() const override;
  // The target of one row: a ∘ b.
  virtual double target(double a, double b) const { return applyOp(spec_.op, a, b); }

 private:
  // x[0, count) from the range, in the generator's order.
  void draw(RngLanes& rng, const SampleRange& range, float* x, int64_t count) const;
  ArithmeticSpec spec_;
  int aStart_ = 0, aEnd_ = 0, bStart_ = 0, bEnd_ = 0;
  mutable std::vector<float> scratch_;  // two-part ranges' uniforms (grown once)
  mutable std::vector<float*> cols_;
};

// The spec of params: op, inputSize, subsetRatio, overlapRatio, interpolation, extrapolation, seed.
ArithmeticSpec arithmeticSpec(const TaskParams& params);

}  // namespace nalu
