// NPU and RealNPU (Heim, Pevný & Šmídl 2020, "Neural Power Units"). With the relevance gate
// ĝ = clamp(g, 0, 1) per input, r = ĝ ⊙ (|x| + ε) + (1 − ĝ) and k = ĝ ⊙ π·[x < 0]:
//   NPU:     z = exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im)   (x^W for complex W)
//   RealNPU: z = exp(log r·W) ⊙ cos(k·W)                                (W_im = 0)
// The cosine recovers the sign of negative inputs raised to integer powers. ĝ = 0 turns an input
// into the neutral factor 1. Init: W_re glorotUniform, W_im zeros, g = 0.5 (the paper's).
#include <algorithm>

#include "units.h"

namespace nalu {

namespace {
constexpr float kPi = 3.14159265358979323846f;

class NPU : public Layer {
 public:
  NPU(int in, const Options& o, bool real) : Layer(in, unitsOption(o)), real_(real) {
    eps_ = float(o.number("epsilon", 1.1920929e-7, 1e-30, 1.0));  // float32 machine ε, as the paper's code
    addParam(real ? "W" : "W_re", {in_, out_}, initializerOption(o, "kernelInitializer", "glorotUniform"));
    if (!real) addParam("W_im", {in_, out_}, initializerOption(o, "imaginaryInitializer", "zeros"));
    Options gateInit = initializerOption(o, "gateInitializer", "constant");
    if (!o.has("gateInitializer")) gateInit.num["value"] = 0.5;
    gate_ = addParam("g", {in_}, gateInit);
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
#pragma omp parallel for simd if (no >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < no; ++i) y[i] = std::exp(za[i]) * std::cos(zb[i]);
    (void)ni;
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int64_t no = int64_t(rows) * out_;
    const float *za = za_.data(), *zb = zb_.data(), *L = L_.data(), *k = k_.data();
    float *dza = dza_.data(), *dzb = dzb_.data(), *dL = dL_.data(), *dk = dk_.data();
#pragma omp parallel for simd if (no >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < no; ++i) {
      dza[i] = dy[i] * y[i];
      dzb[i] = -dy[i] * std::exp(za[i]) * std::sin(zb[i]);
    }
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
        if (dx) dx[e] = dr * gh * (x[e] > 0 ? 1.f : x[e] < 0 ? -1.f : 0.f);  // k is piecewise constant in x
      }
  }

 private:
  bool real_;
  float eps_;
  size_t gate_;
  Buffer L_, k_, za_, zb_, dza_, dzb_, dL_, dk_;
};
}  // namespace

std::unique_ptr<Layer> makeNPU(int in, const Options& o) { return std::make_unique<NPU>(in, o, false); }
std::unique_ptr<Layer> makeRealNPU(int in, const Options& o) { return std::make_unique<NPU>(in, o, true); }

}  // namespace nalu
