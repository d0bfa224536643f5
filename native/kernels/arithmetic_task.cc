#include "arithmetic_task.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "clones.h"
#include "error.h"
#include "gather.h"

namespace nalu {

const std::vector<std::string>& arithOpNames() {
  static const std::vector<std::string> names = {"add", "sub", "mul", "div", "square", "sqrt"};
  return names;
}

ArithOp parseArithOp(const std::string& name, const std::string& where) {
  const auto& names = arithOpNames();
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) rangeError(where + ": unknown operation '" + name + "', expected one of " + joinNames(names));
  return ArithOp(it - names.begin());
}

double applyOp(ArithOp op, double a, double b) {
  switch (op) {
    case ArithOp::Add: return a + b;
    case ArithOp::Sub: return a - b;
    case ArithOp::Mul: return a * b;
    case ArithOp::Div: return a / b;
    case ArithOp::Square: return a * a;
    case ArithOp::Sqrt: return std::sqrt(a);
  }
  return NAN;
}

double SampleRange::sample(Rng& rng) const {
  // Draw the part first (only when there are two) so a one-part range uses one number a value.
  const auto& p = parts.size() > 1 && rng.uniform() >= 0.5 ? parts[1] : parts[0];
  return rng.uniform(p.first, p.second);
}

static std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string SampleRange::str() const {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    s += (i ? " ∪ U[" : "U[") + num(parts[i].first) + "," + num(parts[i].second) + "]";
  return s;
}

ArithmeticTask::ArithmeticTask(const TaskSpec& spec) : spec_(spec) {
  const int n = spec.inputSize;
  if (n < 1 || n > (1 << 20)) rangeError("inputSize: expected an integer in [1, 1048576], received " + std::to_string(n));
  if (!(spec.subsetRatio > 0 && spec.subsetRatio <= 1))
    rangeError("subsetRatio: expected a number in (0, 1], received " + num(spec.subsetRatio));
  if (!(spec.overlapRatio >= 0 && spec.overlapRatio <= 1))
    rangeError("overlapRatio: expected a number in [0, 1], received " + num(spec.overlapRatio));
  for (const SampleRange* r : {&spec.interpolation, &spec.extrapolation}) {
    const char* which = r == &spec.interpolation ? "interpolation" : "extrapolation";
    if (r->parts.empty() || r->parts.size() > 2)
      rangeError(std::string(which) + ": expected one or two intervals, received " + std::to_string(r->parts.size()));
    for (auto& p : r->parts)
      if (!(std::isfinite(p.first) && std::isfinite(p.second) && p.first < p.second))
        rangeError(std::string(which) + ": expected finite intervals [lo, hi] with lo < hi, received " + r->str());
  }
  // Algorithm 1 of Madsen & Johansen: two slices of floor(ratio·n) inputs that share
  // floor(overlap·size) of them, placed at a random offset.
  const int size = int(std::floor(spec.subsetRatio * n));
  const int overlap = int(std::floor(spec.overlapRatio * size));
  const int used = 2 * size - overlap;
  if (size < 1)
    rangeError("subsetRatio: " + num(spec.subsetRatio) + " × inputSize " + std::to_string(n) + " selects no input");
  if (used > n)
    rangeError("subsetRatio/overlapRatio: the two subsets need " + std::to_string(used) + " inputs, inputSize is " +
               std::to_string(n));
  Rng rng(spec.seed, 0x5EED);
  const int offset = int(rng.below(uint64_t(n - used + 1)));
  aStart_ = offset;
  aEnd_ = offset + size;
  bStart_ = aEnd_ - overlap;
  bEnd_ = bStart_ + size;
}

namespace {
// x[0, n) ~ U[lo, lo + width) on a 2^-24 grid of the interval, compiled for AVX2 and AVX-512
// (one register for the eight doubles, one instruction a rotate).
NALU_CLONES_WIDE void drawUniform(RngLanes& rng, float* x, int64_t n, double lo, double width) {
  rng.uniform(x, n, lo, width);
}

// a + b of one row's slices, exact in double for the task's ranges (float inputs of bounded
// exponent), so the vectorized (reordered) sum equals the serial one.
NALU_CLONES double sliceSum(const float* x, int begin, int end) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int i = begin; i < end; ++i) s += double(x[i]);
  return s;
}
// s[r] = Σ columns [begin, end) of row r of a feature-major x [·, rows], in double, the same
// exact sums as sliceSum.
template <int kRows>
__attribute__((always_inline)) inline void columnBlock(const float* x, int64_t rows, int64_t r, int begin, int end,
                                                       double* s) {
  double acc[kRows] = {};
  for (int c = begin; c < end; ++c)
    for (int k = 0; k < kRows; ++k) acc[k] += double(x[int64_t(c) * rows + r + k]);
  for (int k = 0; k < kRows; ++k) s[r + k] = acc[k];
}
// Blocks of 32 rows summed in registers down all the slice's columns, then the rest.
NALU_CLONES_WIDE void columnSums(const float* x, int64_t rows, int begin, int end, double* s) {
  int64_t r = 0;
  for (; r + 32 <= rows; r += 32) columnBlock<32>(x, rows, r, begin, end, s);
  for (; r < rows; ++r) columnBlock<1>(x, rows, r, begin, end, s);
}
// t[r] = float(a[r] ∘ b[r]): applyOp's double arithmetic, one loop an operation.
NALU_CLONES_WIDE void applyOps(ArithOp op, const double* a, const double* b, float* t, int64_t rows) {
  switch (op) {
#define NALU_OP(name, expr)                                            \
  case ArithOp::name:                                                  \
    _Pragma("omp simd") for (int64_t r = 0; r < rows; ++r) t[r] = float(expr); \
    return;
    NALU_OP(Add, a[r] + b[r])
    NALU_OP(Sub, a[r] - b[r])
    NALU_OP(Mul, a[r] * b[r])
    NALU_OP(Div, a[r] / b[r])
    NALU_OP(Square, a[r] * a[r])
    NALU_OP(Sqrt, std::sqrt(a[r]))
#undef NALU_OP
  }
}
}  // namespace

void ArithmeticTask::draw(RngLanes& rng, const SampleRange& range, float* x, int64_t count) const {
  if (range.parts.size() == 1) {
    drawUniform(rng, x, count, range.parts[0].first, range.parts[0].second - range.parts[0].first);
    return;
  }
  // Two parts: one uniform picks the part, another places the value in it.
  if (scratch_.size() < size_t(2 * count)) scratch_.resize(size_t(2 * count));
  float* u = scratch_.data();
  drawUniform(rng, u, 2 * count, 0.0, 1.0);
  for (int64_t i = 0; i < count; ++i) {
    const auto& p = u[2 * i] >= 0.5f ? range.parts[1] : range.parts[0];
    x[i] = float(p.first + (p.second - p.first) * double(u[2 * i + 1]));
  }
}

void ArithmeticTask::sampleSums(RngLanes& rng, const SampleRange& range, float* x, float* xFeatureMajor, double* a,
                                double* b, int64_t rows, PhaseClock* clock) const {
  const int n = spec_.inputSize;
  PhaseClock none(nullptr);
  PhaseClock& c = clock ? *clock : none;
  draw(rng, range, x, rows * n);
  c.mark(StepProfile::Draw);
  if (xFeatureMajor) {
    // Transposed in one pass (blocks of rows drawn and transposed while in L1 were slower);
    // then each slice summed down its columns, cheaper than a row at a time.
    cols_.resize(size_t(n));
    columnTargets(xFeatureMajor, n, int(rows), cols_.data());
    gatherColumns(x, n, nullptr, int(rows), cols_.data());
    c.mark(StepProfile::Layout);
    columnSums(xFeatureMajor, rows, aStart_, aEnd_, a);
    columnSums(xFeatureMajor, rows, bStart_, bEnd_, b);
  } else {
    for (int64_t r = 0; r < rows; ++r) {
      a[r] = sliceSum(x + r * n, aStart_, aEnd_);
      b[r] = sliceSum(x + r * n, bStart_, bEnd_);
    }
  }
  c.mark(StepProfile::Targets);
}

void ArithmeticTask::targets(ArithOp op, const double* a, const double* b, float* t, int64_t rows) {
  applyOps(op, a, b, t, rows);
}

void ArithmeticTask::sample(RngLanes& rng, const SampleRange& range, float* x, float* t, int64_t rows,
                            bool featureMajor, PhaseClock* clock) const {
  const int n = spec_.inputSize;
  PhaseClock none(nullptr);
  PhaseClock& c = clock ? *clock : none;
  if (featureMajor) {
    if (rowMajor_.size() < size_t(rows * n)) rowMajor_.resize(size_t(rows * n));
    if (sums_.size() < size_t(2 * rows)) sums_.resize(size_t(2 * rows));
    double *a = sums_.data(), *b = a + rows;
    sampleSums(rng, range, rowMajor_.data(), x, a, b, rows, &c);
    applyOps(spec_.op, a, b, t, rows);
    c.mark(StepProfile::Targets);
    return;
  }
  // The whole block at once: the generator dominated a step of the static task's network.
  draw(rng, range, x, rows * n);
  c.mark(StepProfile::Draw);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    // Summed in double from the float32 inputs the model sees, so the target is exact for them.
    t[r] = float(applyOp(spec_.op, sliceSum(xr, aStart_, aEnd_), sliceSum(xr, bStart_, bEnd_)));
  }
  c.mark(StepProfile::Targets);
}

double successThreshold(const TaskSpec& spec, double epsilon, int64_t samples, uint64_t seed) {
  if (!(epsilon >= 0 && epsilon < 1)) rangeError("epsilon: expected a number in [0, 1), received " + num(epsilon));
  if (samples < 1) rangeError("thresholdSamples: expected a positive integer, received " + std::to_string(samples));
  ArithmeticTask task(spec);
  const int n = spec.inputSize;
  Rng rng(seed, 0x7E57);
  std::vector<double> x(size_t(n), 0.0);
  double sum = 0;
  for (int64_t s = 0; s < samples; ++s) {
    double all = 0, a = 0, b = 0;
    for (int i = 0; i < n; ++i) all += x[size_t(i)] = spec.extrapolation.sample(rng);
    for (int i = task.aStart(); i < task.aEnd(); ++i) a += x[size_t(i)];
    for (int i = task.bStart(); i < task.bEnd(); ++i) b += x[size_t(i)];
    // W_ε: 1 − ε on the slice, ε on every other input.
    const double ae = (1 - epsilon) * a + epsilon * (all - a), be = (1 - epsilon) * b + epsilon * (all - b);
    const double d = applyOp(spec.op, ae, be) - applyOp(spec.op, a, b);
    sum += d * d;
  }
  return sum / double(samples);
}

}  // namespace nalu
