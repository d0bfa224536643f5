// iNALU (Schlör, Ring & Hotho 2020, "iNALU: Improved Neural Arithmetic Logic Unit"):
//   a = x·W_a,  m = exp(min(log(max(|x|, ε))·W_m, ω)),  s = clip(Π_i (sign(x_i)·|W_m,ij| + 1 − |W_m,ij|), −1, 1),
//   g = σ(G) per output (independent of x),  y = g ⊙ a + (1 − g) ⊙ m ⊙ s,
// with W_a, W_m = tanh(Ŵ) ⊙ σ(M̂) independent NAC weights. s restores the sign the log path loses.
// Init as the authors' code: Ŵ ~ N(0.88, 0.2), M̂ ~ N(0.5, 0.2), G ~ N(0, 0.2). The reinitialization
// rule lives in Network::fit (FitOptions::reinitialize).
#include <algorithm>

#include "gemm.h"
#include "layer.h"
#include "mathfn.h"
#include "nac.h"
#include "nmu_kernel.h"

namespace nalu {

namespace {
Options normalInit(const Options& o, const std::string& key, double mean) {
  if (o.has(key)) return initializerOption(o, key, "randomNormal");
  Options s;
  s.context = o.where(key);
  s.str["type"] = "randomNormal";
  s.num["mean"] = mean;
  s.num["stddev"] = 0.2;
  return s;
}

class INALU : public Layer {
 public:
  INALU(int in, const Options& o) : Layer(in, unitsOption(o)) {
    omega_ = float(o.number("clipExp", 20.0, 0.0, INFINITY));
    eps_ = float(o.number("epsilon", 1e-7, 1e-30, 1.0));
    Options w = normalInit(o, "kernelInitializer", 0.88), m = normalInit(o, "maskInitializer", 0.5);
    addParam("W_hat_add", {in_, out_}, w);
    addParam("M_hat_add", {in_, out_}, m);
    addParam("W_hat_mul", {in_, out_}, w);
    addParam("M_hat_mul", {in_, out_}, m);
    addParam("G", {out_}, normalInit(o, "gateInitializer", 0.0));
  }
  void reserve(int rows) override {
    const size_t ri = size_t(rows) * in_, ro = size_t(rows) * out_;
    for (Buffer* b : {&lx_, &sx_, &dlx_}) grow(*b, ri);
    for (Buffer* b : {&a_, &l_, &mt_, &s_, &da_, &dl_, &ds_}) grow(*b, ro);
    for (Buffer* b : {&dW_, &absW_, &dAbs_}) grow(*b, size_t(in_) * out_);
    sign_.reserve(rows, in_, out_);
  }
  void forward(const float* x, float* y, int rows) override {
    const int64_t nw = int64_t(in_) * out_, ni = int64_t(rows) * in_;
    add_.compute(params_[0].value.data(), params_[1].value.data(), nw);
    mul_.compute(params_[2].value.data(), params_[3].value.data(), nw);
    float *lx = lx_.data(), *sx = sx_.data(), *aw = absW_.data();
    const float eps = eps_;
    for (int64_t i = 0; i < ni; ++i) {
      lx[i] = std::log(std::max(std::fabs(x[i]), eps));
      sx[i] = sign(x[i]);
    }
    for (int64_t i = 0; i < nw; ++i) aw[i] = std::fabs(mul_.W[i]);
    gemm(false, false, rows, out_, in_, 1, x, add_.W.data(), 0, a_.data());
    gemm(false, false, rows, out_, in_, 1, lx, mul_.W.data(), 0, l_.data());
    sign_.forward(sx, aw, s_.data(), rows, in_, out_);  // the NMU product over sign(x), |W_m|
    const float* G = params_[4].value.data();
    const float omega = omega_;
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < out_; ++j) {
        const int64_t e = int64_t(r) * out_ + j;
        const float z = G[j], g = sigmoid(z);
        s_[e] = std::min(1.f, std::max(-1.f, s_[e]));
        mt_[e] = std::exp(std::min(l_[e], omega) - softplus(z));  // (1 − g)·m in log space: never 0·∞
        y[e] = g * a_[e] + mt_[e] * s_[e];
      }
  }
  void backward(const float* x, const float*, const float* dy, float* dx, int rows) override {
    const int64_t nw = int64_t(in_) * out_, ni = int64_t(rows) * in_;
    const float* G = params_[4].value.data();
    float* dG = params_[4].grad.data();
    std::fill(dG, dG + out_, 0.f);
    const float omega = omega_;
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < out_; ++j) {
        const int64_t e = int64_t(r) * out_ + j;
        const float z = G[j], g = sigmoid(z);
        da_[e] = dy[e] * g;
        dl_[e] = l_[e] < omega ? dy[e] * mt_[e] * s_[e] : 0.f;
        ds_[e] = dy[e] * mt_[e];  // s is never outside [−1, 1] for |W_m| ≤ 1, so the clip passes it
        // d/dz of g·a + (1 − g)·m·s = g(1 − g)·a − g·(1 − g)·m·s, with g·mt in log space
        const float gm = std::exp(std::min(l_[e], omega) - softplus(z) - softplus(-z));
        dG[j] += dy[e] * (g * (1 - g) * a_[e] - gm * s_[e]);
      }
    // Additive path.
    gemm(true, false, in_, out_, rows, 1, x, da_.data(), 0, dW_.data());
    add_.backward(dW_.data(), params_[0].grad.data(), params_[1].grad.data(), nw);
    // Multiplicative path: through the log (dl) and through the sign product (ds, via |W_m|).
    gemm(true, false, in_, out_, rows, 1, lx_.data(), dl_.data(), 0, dW_.data());
    sign_.backward(sx_.data(), absW_.data(), ds_.data(), dAbs_.data(), nullptr, rows, in_, out_);
    for (int64_t i = 0; i < nw; ++i) {
      const float w = mul_.W[i];
      dW_[i] += dAbs_[i] * sign(w);
    }
    mul_.backward(dW_.data(), params_[2].grad.data(), params_[3].grad.data(), nw);
    if (!dx) return;
    gemm(false, true, rows, in_, out_, 1, da_.data(), add_.W.data(), 0, dx);
    gemm(false, true, rows, in_, out_, 1, dl_.data(), mul_.W.data(), 0, dlx_.data());
    const float eps = eps_;
    for (int64_t i = 0; i < ni; ++i) {
      const float ax = std::fabs(x[i]);
      if (ax > eps) dx[i] += dlx_[i] * (x[i] > 0 ? 1.f : -1.f) / ax;  // log(max(|x|, ε)) is flat below ε
    }
  }
  void sparsityWeights(const std::function<void(float)>& visit) const override {
    visitNacWeight(params_[0], params_[1], visit);
    visitNacWeight(params_[2], params_[3], visit);
  }

 private:
  float omega_, eps_;
  NacWeight add_, mul_;
  NmuKernel sign_;
  Buffer lx_, sx_, dlx_, a_, l_, mt_, s_, da_, dl_, ds_, dW_, absW_, dAbs_;
};

const bool registered = registerLayer({"inalu", makeUnit<INALU>, fixedMatrices<4>});

}  // namespace
}  // namespace nalu
