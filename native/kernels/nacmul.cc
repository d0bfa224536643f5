// NAC• (Trask et al. 2018): m = exp(log(|x| + ε)·W), W = tanh(Ŵ) ⊙ σ(M̂), the multiplicative path of
// NALU on its own. Options: epsilon (ε), clipExp (ω: m = exp(min(·, ω)), bounds the overflow).
#include <algorithm>

#include "nac.h"
#include "units.h"

namespace nalu {

namespace {
class NACMul : public Layer {
 public:
  NACMul(int in, const Options& o) : Layer(in, unitsOption(o)) {
    omega_ = float(o.number("clipExp", INFINITY, 0.0, INFINITY));
    eps_ = float(o.number("epsilon", 1e-7, 1e-30, 1.0));
    Options init = initializerOption(o, "kernelInitializer", "glorotUniform");
    addParam("W_hat", {in_, out_}, init);
    addParam("M_hat", {in_, out_}, init);
  }
  void reserve(int rows) override {
    grow(lx_, size_t(rows) * in_);
    grow(l_, size_t(rows) * out_);
    grow(dl_, size_t(rows) * out_);
    grow(dW_, size_t(in_) * out_);
  }
  void forward(const float* x, float* y, int rows) override {
    const int64_t ni = int64_t(rows) * in_, no = int64_t(rows) * out_;
    w_.compute(params_[0].value.data(), params_[1].value.data(), int64_t(in_) * out_);
    float *lx = lx_.data(), *l = l_.data();
    const float eps = eps_, omega = omega_;
#pragma omp parallel for simd if (ni >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < ni; ++i) lx[i] = std::log(std::fabs(x[i]) + eps);
    gemm(false, false, rows, out_, in_, 1, lx, w_.W.data(), 0, l);
#pragma omp parallel for simd if (no >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < no; ++i) y[i] = std::exp(std::min(l[i], omega));
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int64_t ni = int64_t(rows) * in_, no = int64_t(rows) * out_;
    const float *l = l_.data();
    float* dl = dl_.data();
    const float omega = omega_, eps = eps_;
#pragma omp parallel for simd if (no >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < no; ++i) dl[i] = l[i] < omega ? dy[i] * y[i] : 0.f;  // the clip has zero slope
    gemm(true, false, in_, out_, rows, 1, lx_.data(), dl, 0, dW_.data());
    w_.backward(dW_.data(), params_[0].grad.data(), params_[1].grad.data(), int64_t(in_) * out_);
    if (!dx) return;
    gemm(false, true, rows, in_, out_, 1, dl, w_.W.data(), 0, dx);
#pragma omp parallel for simd if (ni >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < ni; ++i) {
      float s = x[i] > 0 ? 1.f : x[i] < 0 ? -1.f : 0.f;
      dx[i] *= s / (std::fabs(x[i]) + eps);
    }
  }

 private:
  float omega_, eps_;
  NacWeight w_;
  Buffer lx_, l_, dl_, dW_;
};
}  // namespace

std::unique_ptr<Layer> makeNACMul(int in, const Options& o) { return std::make_unique<NACMul>(in, o); }

}  // namespace nalu
