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

static std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

ArithmeticTask::ArithmeticTask(const ArithmeticSpec& spec) : spec_(spec) {
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

void ArithmeticTask::sampleInputs(RngLanes& rng, TaskSplit split, float* x, float* xFeatureMajor, double* latent,
                                  int64_t rows, PhaseClock* clock) const {
  const int n = spec_.inputSize;
  const SampleRange& range = split == TaskSplit::Interpolation ? spec_.interpolation : spec_.extrapolation;
  double *a = latent, *b = latent + rows;
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

void ArithmeticTask::targets(const double* latent, float* t, int64_t rows) const {
  applyOps(spec_.op, latent, latent + rows, t, rows);
}

std::string ArithmeticTask::inputKey() const {
  return "arithmetic " + std::to_string(spec_.inputSize) + " " + num(spec_.subsetRatio) + " " + num(spec_.overlapRatio) + " " +
         spec_.interpolation.str() + " " + spec_.extrapolation.str() + " " + std::to_string(spec_.seed);
}

std::string ArithmeticTask::key() const { return inputKey() + " " + arithOpNames()[size_t(spec_.op)]; }

std::vector<TaskSlice> ArithmeticTask::structure() const { return {{"a", aStart_, aEnd_}, {"b", bStart_, bEnd_}}; }

double ArithmeticTask::successThreshold(double epsilon, int64_t samples, uint64_t seed) const {
  if (!(epsilon >= 0 && epsilon < 1)) rangeError("epsilon: expected a number in [0, 1), received " + num(epsilon));
  if (samples < 1) rangeError("thresholdSamples: expected a positive integer, received " + std::to_string(samples));
  const int n = spec_.inputSize;
  Rng rng(seed, 0x7E57);
  std::vector<double> x(size_t(n), 0.0);
  double sum = 0;
  for (int64_t s = 0; s < samples; ++s) {
    double all = 0, a = 0, b = 0;
    for (int i = 0; i < n; ++i) all += x[size_t(i)] = spec_.extrapolation.sample(rng);
    for (int i = aStart_; i < aEnd_; ++i) a += x[size_t(i)];
    for (int i = bStart_; i < bEnd_; ++i) b += x[size_t(i)];
    // W_ε: 1 − ε on the slice, ε on every other input.
    const double ae = (1 - epsilon) * a + epsilon * (all - a), be = (1 - epsilon) * b + epsilon * (all - b);
    const double d = target(ae, be) - target(a, b);
    sum += d * d;
  }
  return sum / double(samples);
}

ArithmeticSpec arithmeticSpec(const TaskParams& p) {
  ArithmeticSpec s;
  s.op = parseArithOp(p.string("op"), p.where + ".op");
  s.inputSize = int(p.integer("inputSize", 1, 1 << 20));
  s.subsetRatio = p.number("subsetRatio", 0, 1);
  s.overlapRatio = p.number("overlapRatio", 0, 1);
  s.interpolation = p.range("interpolation");
  s.extrapolation = p.range("extrapolation");
  s.seed = uint64_t(p.integer("seed", 0, 9007199254740991LL));
  return s;
}

namespace {
std::unique_ptr<Task> makeArithmetic(const TaskParams& p) { return std::make_unique<ArithmeticTask>(arithmeticSpec(p)); }
const bool registered = registerTask("arithmetic", makeArithmetic);
}  // namespace

}  // namespace nalu
