// NPU and RealNPU (Heim, Pevný & Šmídl 2020, "Neural Power Units"). With the relevance gate
// ĝ = clamp(g, 0, 1) per input, r = ĝ ⊙ (|x| + ε) + (1 − ĝ) and k = ĝ ⊙ π·[x < 0]:
//   NPU:     z = exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im)   (x^W for complex W)
//   RealNPU: z = exp(log r·W) ⊙ cos(k·W)                                (W_im = 0)
// The cosine recovers the sign of negative inputs raised to integer powers. ĝ = 0 turns an input
// into the neutral factor 1. Init: W_re glorotUniform, W_im zeros, g = 0.5 (the paper's).
//
// Optional L1 penalty β·Σ|p| on every parameter of the unit (W_re, W_im, g), with the step schedule
// of Mistry et al. 2021 (nalm-benchmark experiments/single_layer_benchmark.py: --regualizer-l1,
// --regualizer-beta-start/-end/-step/-growth): β = l1Start at step 0; at every step t > 0 with
// t % l1Step == 0, β ×= l1Growth while β < l1End (÷ l1Growth while β > l1End when l1Start > l1End);
// t = optimizer steps taken before this one. l1End must be l1Start·l1Growth^±k (k integer): the
// reference, past an l1End off that grid, flips between the two levels around it every l1Step.
#include <algorithm>
#include <sstream>

#include "error.h"
#include "gemm.h"
#include "layer.h"
#include "mathfn.h"
#include "parallel.h"

namespace nalu {

namespace {
constexpr float kPi = 3.14159265358979323846f;

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// o.number with a TypeError that also says what was received.
double numberArg(const Options& o, const std::string& k, double def, double lo, double hi, bool integer = false) {
  if (o.str.count(k)) typeError(o.where(k) + ": expected a number, received the string '" + o.str.at(k) + "'");
  if (o.obj.count(k)) typeError(o.where(k) + ": expected a number, received an object");
  return integer ? double(o.integer(k, int64_t(def), int64_t(lo), int64_t(hi))) : o.number(k, def, lo, hi);
}

// β of the L1 schedule (see the top of this file); levels_ growth events take β from start to end.
class L1Schedule {
 public:
  void parse(const Options& o) {
    start_ = numberArg(o, "l1Start", 0, 0, 1e30);
    end_ = numberArg(o, "l1End", start_, 0, 1e30);
    every_ = int64_t(numberArg(o, "l1Step", 10000, 1, 1e18, true));
    growth_ = numberArg(o, "l1Growth", 10, 1, 1e30);
    up_ = end_ >= start_;
    if (end_ == start_) return;
    const auto refuse = [&](const std::string& why) {
      rangeError(o.where("l1End") + ": expected " + why + ", received " + fmt(end_) + " (l1Start " + fmt(start_) +
                 ", l1Growth " + fmt(growth_) + ")");
    };
    if (start_ == 0) refuse("0 when l1Start is 0 (β = 0 never grows)");
    if (end_ == 0) refuse("a number > 0 (β never reaches 0 by division)");
    if (growth_ == 1) refuse("l1Start when l1Growth is 1 (β stays at l1Start)");
    const double k = std::round(std::fabs(std::log(end_ / start_)) / std::log(growth_));
    const double f = std::pow(growth_, k), reached = up_ ? start_ * f : start_ / f;
    if (!(k >= 1 && k <= 1e18 && std::fabs(reached - end_) <= 1e-9 * end_))
      refuse("l1Start·l1Growth^k or l1Start/l1Growth^k for an integer k >= 1, so that the schedule stops at it");
    levels_ = int64_t(k);
  }
  bool active() const { return start_ > 0; }
  double beta(int64_t step) const {
    const int64_t k = std::min(step / every_, levels_);  // growth events at t = every, 2·every, …
    if (k == levels_) return end_;                        // exactly l1End once reached
    const double f = std::pow(growth_, double(k));
    return up_ ? start_ * f : start_ / f;
  }

 private:
  double start_ = 0, end_ = 0, growth_ = 10;
  int64_t every_ = 10000, levels_ = 0;
  bool up_ = true;
};

// z = exp(za) ⊙ cos(zb).
// scalar: libm's expf and cosf (vmath.h has no cosine).
void powerForward(const float* za, const float* zb, float* y, int64_t b, int64_t e) {
  for (int64_t i = b; i < e; ++i) y[i] = std::exp(za[i]) * std::cos(zb[i]);
}

// dza = dy ⊙ y, dzb = −dy ⊙ exp(za) ⊙ sin(zb), in one pass.
// scalar: libm's expf and sinf (vmath.h has no sine).
void powerBackward(const float* za, const float* zb, const float* y, const float* dy, float* dza, float* dzb, int64_t b,
                   int64_t e) {
  for (int64_t i = b; i < e; ++i) {
    dza[i] = dy[i] * y[i];
    dzb[i] = -dy[i] * std::exp(za[i]) * std::sin(zb[i]);
  }
}

class NPU : public Layer {
 public:
  NPU(int in, const Options& o, bool real) : Layer(in, unitsOption(o)), real_(real) {
    eps_ = float(o.number("epsilon", 1.1920929e-7, 1e-30, 1.0));  // float32 machine ε, as the paper's code
    addParam(real ? "W" : "W_re", {in_, out_}, initializerOption(o, "kernelInitializer", "glorotUniform"));
    if (!real) addParam("W_im", {in_, out_}, initializerOption(o, "imaginaryInitializer", "zeros"));
    Options gateInit = initializerOption(o, "gateInitializer", "constant");
    if (!o.has("gateInitializer")) gateInit.num["value"] = 0.5;
    gate_ = addParam("g", {in_}, gateInit);
    l1Schedule_.parse(o);
  }
  bool hasRegularizer() const override { return l1Schedule_.active(); }
  // β·Σ|p| over W_re (W), W_im and the raw g (the forward clamps g, the penalty does not: the
  // reference's torch.norm(g, 1)); adds β·sign(p), sign(0) = 0 as autograd's.
  double regularize(int64_t step, bool addGrad) override {
    const double beta = l1Schedule_.beta(step);
    const float b = float(beta);
    double sum = 0;
    for (Param& p : params_) {
      const float* w = p.value.data();
      float* dw = p.grad.data();
      const int64_t n = int64_t(p.size());
      for (int64_t i = 0; i < n; ++i) sum += std::fabs(w[i]);
      if (addGrad)
        for (int64_t i = 0; i < n; ++i) dw[i] += w[i] > 0 ? b : w[i] < 0 ? -b : 0.f;
    }
    return beta * sum;
  }
  void reserve(int rows) override {
    const size_t ri = size_t(rows) * in_, ro = size_t(rows) * out_;
    for (Buffer* b : {&L_, &k_, &dL_, &dk_}) grow(*b, ri);
    for (Buffer* b : {&za_, &zb_, &dza_, &dzb_}) grow(*b, ro);
  }
  void forward(const float* x, float* y, int rows) override {
    const int64_t ni = int64_t(rows) * in_, no = int64_t(rows) * out_;
    const float* g = params_[gate_].value.data();
    float *L = L_.data(), *k = k_.data(), *za = za_.data(), *zb = zb_.data();
    for (int r = 0; r < rows; ++r)
      for (int i = 0; i < in_; ++i) {
        const int64_t e = int64_t(r) * in_ + i;
        const float gh = std::min(1.f, std::max(0.f, g[i]));
        L[e] = std::log(gh * (std::fabs(x[e]) + eps_) + (1 - gh));
        k[e] = x[e] < 0 ? gh * kPi : 0.f;
      }
    const float* Wre = params_[0].value.data();
    gemm(false, false, rows, out_, in_, 1, L, Wre, 0, za);
    gemm(false, false, rows, out_, in_, 1, k, Wre, 0, zb);
    if (!real_) {
      const float* Wim = params_[1].value.data();
      gemm(false, false, rows, out_, in_, -1, k, Wim, 1, za);
      gemm(false, false, rows, out_, in_, 1, L, Wim, 1, zb);
    }
    parallelChunks(no, [&](int64_t b, int64_t e) { powerForward(za, zb, y, b, e); });
    (void)ni;
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int64_t no = int64_t(rows) * out_;
    const float *za = za_.data(), *zb = zb_.data(), *L = L_.data(), *k = k_.data();
    float *dza = dza_.data(), *dzb = dzb_.data(), *dL = dL_.data(), *dk = dk_.data();
    parallelChunks(no, [&](int64_t b, int64_t e) { powerBackward(za, zb, y, dy, dza, dzb, b, e); });
    const float* Wre = params_[0].value.data();
    // dW_re = Lᵀ·dza + kᵀ·dzb; dL = dza·W_reᵀ (+ dzb·W_imᵀ); dk = dzb·W_reᵀ (− dza·W_imᵀ)
    gemm(true, false, in_, out_, rows, 1, L, dza, 0, params_[0].grad.data());
    gemm(true, false, in_, out_, rows, 1, k, dzb, 1, params_[0].grad.data());
    gemm(false, true, rows, in_, out_, 1, dza, Wre, 0, dL);
    gemm(false, true, rows, in_, out_, 1, dzb, Wre, 0, dk);
    if (!real_) {
      const float* Wim = params_[1].value.data();
      float* dWim = params_[1].grad.data();
      gemm(true, false, in_, out_, rows, -1, k, dza, 0, dWim);
      gemm(true, false, in_, out_, rows, 1, L, dzb, 1, dWim);
      gemm(false, true, rows, in_, out_, 1, dzb, Wim, 1, dL);
      gemm(false, true, rows, in_, out_, -1, dza, Wim, 1, dk);
    }
    const float* g = params_[gate_].value.data();
    float* dg = params_[gate_].grad.data();
    std::fill(dg, dg + in_, 0.f);
    for (int r = 0; r < rows; ++r)
      for (int i = 0; i < in_; ++i) {
        const int64_t e = int64_t(r) * in_ + i;
        const float gh = std::min(1.f, std::max(0.f, g[i]));
        const float a = std::fabs(x[e]) + eps_;
        const float dr = dL[e] / (gh * a + (1 - gh));  // d log r / dr = 1/r
        // The clamp passes the gradient inside [0, 1] (ends included, so a gate at a bound can return).
        if (g[i] >= 0 && g[i] <= 1) dg[i] += dr * (a - 1) + (x[e] < 0 ? dk[e] * kPi : 0.f);
        if (dx) dx[e] = dr * gh * sign(x[e]);  // k is piecewise constant in x
      }
  }

 private:
  bool real_;
  float eps_;
  size_t gate_;
  L1Schedule l1Schedule_;
  Buffer L_, k_, za_, zb_, dza_, dzb_, dL_, dk_;
};

template <bool Real>
std::unique_ptr<Layer> makeNPU(int in, const Options& o) {
  return std::make_unique<NPU>(in, o, Real);
}

const bool registeredNPU = registerLayer({"npu", makeNPU<false>, fixedMatrices<2>});
const bool registeredRealNPU = registerLayer({"realnpu", makeNPU<true>, fixedMatrices<1>});

}  // namespace
}  // namespace nalu
