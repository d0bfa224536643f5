// The arithmetic tasks of Madsen & Johansen (ICLR 2020, "static arithmetic task", Algorithm 1)
// and of Mistry et al. 2021 (single-module benchmark): x ~ U[range]^n, a and b are sums of
// two (possibly overlapping) slices of x, t = a ∘ b. Pure C++ (no N-API).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "profile.h"
#include "rng.h"

namespace nalu {

enum class ArithOp { Add, Sub, Mul, Div, Square, Sqrt };
const std::vector<std::string>& arithOpNames();  // "add", "sub", "mul", "div", "square", "sqrt"
ArithOp parseArithOp(const std::string& name, const std::string& where);
double applyOp(ArithOp op, double a, double b);

// A union of one or two intervals; a sample picks one of them with equal probability
// (nalm-benchmark's mixed-sign range U[[-6,-2],[2,6]]).
struct SampleRange {
  std::vector<std::pair<double, double>> parts;  // [lo, hi) each, 1 or 2 parts
  double sample(Rng& rng) const;
  // "U[1,2]" or "U[-6,-2] ∪ U[2,6]"
  std::string str() const;
};

struct TaskSpec {
  ArithOp op = ArithOp::Add;
  int inputSize = 100;
  double subsetRatio = 0.25, overlapRatio = 0.5;
  SampleRange interpolation{{{1, 2}}}, extrapolation{{{2, 6}}};
  uint64_t seed = 0;  // picks the slice offset
};

// The generator of one task instance: the slices are fixed by the seed, samples are drawn
// from a caller-owned Rng so that training, validation and test streams are independent.
class ArithmeticTask {
 public:
  explicit ArithmeticTask(const TaskSpec& spec);
  const TaskSpec& spec() const { return spec_; }
  // a = Σ x[aStart, aEnd), b = Σ x[bStart, bEnd)
  int aStart() const { return aStart_; }
  int aEnd() const { return aEnd_; }
  int bStart() const { return bStart_; }
  int bEnd() const { return bEnd_; }
  // Fills x [rows, inputSize] and t [rows, 1]; a and b are summed in double. featureMajor:
  // x as [inputSize, rows] instead (the same numbers, transposed).
  void sample(RngLanes& rng, const SampleRange& range, float* x, float* t, int64_t rows,
              bool featureMajor = false, PhaseClock* clock = nullptr) const;
  // One batch for every operation and both layouts (a fused group, task_group.h): x [rows,
  // inputSize] as sample() draws it, transposed into xFeatureMajor when given, and the slice sums
  // a, b [rows] from which targets() makes each operation's t as sample() does.
  void sampleSums(RngLanes& rng, const SampleRange& range, float* x, float* xFeatureMajor, double* a, double* b,
                  int64_t rows, PhaseClock* clock = nullptr) const;
  // t [rows] = float(a ∘ b), the targets of op.
  static void targets(ArithOp op, const double* a, const double* b, float* t, int64_t rows);

 private:
  // x[0, count) from the range, in the generator's order.
  void draw(RngLanes& rng, const SampleRange& range, float* x, int64_t count) const;
  TaskSpec spec_;
  int aStart_ = 0, aEnd_ = 0, bStart_ = 0, bEnd_ = 0;
  mutable std::vector<float> scratch_;  // two-part ranges' uniforms (grown once)
  mutable std::vector<float> rowMajor_;  // a feature-major sample's rows before the transpose
  mutable std::vector<double> sums_;     // a feature-major sample's slice sums, a then b
  mutable std::vector<float*> cols_;
};

// The success threshold of Madsen & Johansen: the extrapolation MSE of a perfect solution whose
// first-layer weights are perturbed by ε (1 − ε on the selected inputs, ε elsewhere), with the
// second layer exact, estimated by Monte-Carlo over `samples` draws (the paper: ε = 1e-5, 10^6).
double successThreshold(const TaskSpec& spec, double epsilon, int64_t samples, uint64_t seed);

}  // namespace nalu
