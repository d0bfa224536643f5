// NMRU (Mistry, Li & Hare 2021, "A Primer for Neural Arithmetic Logic Modules"): an NMU over the
// inputs and their reciprocals, x' = [x, 1/x], so y_j = Π_i (W_ij·x'_i + 1 − W_ij) can select
// a/b with W = [1, 0, 0, 1]. W ∈ [0, 1] (clamped), init U[0.25, 0.75], the NMU sparsity regularizer.
// 1/x uses x with |x| floored at ε (keeping its sign), so x' is finite for every finite x.
// signRetrieval (the paper's variant): y = NMU(|x'|) ⊙ cos(π·[x' < 0]·W), the magnitude from the
// absolute values and the sign as in RealNPU; without it the sign comes from the product itself.
#include <algorithm>

#include "gemm.h"
#include "layer.h"
#include "mathfn.h"
#include "nmu_kernel.h"
#include "sparsity.h"

namespace nalu {

namespace {
constexpr float kPi = 3.14159265358979323846f;

class NMRU : public Layer {
 public:
  NMRU(int in, const Options& o) : Layer(in, unitsOption(o)) {
    eps_ = float(o.number("epsilon", 1.1920929e-7, 1e-30, 1.0));
    retrieval_ = o.flag("signRetrieval", false);
    Options init;
    if (o.has("kernelInitializer")) {
      init = initializerOption(o, "kernelInitializer", "randomUniform");
    } else {
      init.context = o.where("kernelInitializer");
      init.str["type"] = "randomUniform";
      init.num["minval"] = 0.25;
      init.num["maxval"] = 0.75;
    }
    size_t k = addParam("W", {2 * int64_t(in_), out_}, init);
    params_[k].lo = 0;
    params_[k].hi = 1;
    reg_.parse(o, SparsityRegularizer::Unsigned, 10);
  }
  void reserve(int rows) override {
    const size_t r2 = size_t(rows) * 2 * in_, ro = size_t(rows) * out_;
    for (Buffer* b : {&xc_, &kc_, &dxc_}) grow(*b, r2);
    for (Buffer* b : {&mag_, &cos_, &sin_, &dm_, &dp_}) grow(*b, ro);
    grow(dW2_, size_t(2) * in_ * out_);
    nmu_.reserve(rows, 2 * in_, out_);
  }
  void forward(const float* x, float* y, int rows) override {
    const int in2 = 2 * in_;
    float *xc = xc_.data(), *kc = kc_.data();
    for (int r = 0; r < rows; ++r)
      for (int i = 0; i < in_; ++i) {
        const float v = x[int64_t(r) * in_ + i];
        float* row = xc + int64_t(r) * in2;
        row[i] = v;
        row[in_ + i] = 1.f / floored(v);
        if (retrieval_) {
          kc[int64_t(r) * in2 + i] = v < 0 ? kPi : 0.f;
          kc[int64_t(r) * in2 + in_ + i] = v < 0 ? kPi : 0.f;  // 1/x has the sign of x
          row[i] = std::fabs(row[i]);
          row[in_ + i] = std::fabs(row[in_ + i]);
        }
      }
    const float* W = params_[0].value.data();
    if (!retrieval_) {
      nmu_.forward(xc, W, y, rows, in2, out_);
      return;
    }
    nmu_.forward(xc, W, mag_.data(), rows, in2, out_);
    gemm(false, false, rows, out_, in2, 1, kc, W, 0, y);  // y holds k·W until the product below
    const int64_t no = int64_t(rows) * out_;
    for (int64_t e = 0; e < no; ++e) {
      const float phase = y[e];
      cos_[e] = std::cos(phase);
      sin_[e] = std::sin(phase);
      y[e] = mag_[e] * cos_[e];
    }
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int in2 = 2 * in_;
    const float* W = params_[0].value.data();
    float* dW = params_[0].grad.data();
    float* dxc = dx ? dxc_.data() : nullptr;
    if (!retrieval_) {
      nmu_.backward(xc_.data(), W, dy, dW, dxc, rows, in2, out_);
    } else {
      const int64_t no = int64_t(rows) * out_;
      float *dm = dm_.data(), *dp = dp_.data();
      for (int64_t e = 0; e < no; ++e) {
        dm[e] = dy[e] * cos_[e];
        dp[e] = -dy[e] * mag_[e] * sin_[e];
      }
      nmu_.backward(xc_.data(), W, dm, dW, dxc, rows, in2, out_);
      gemm(true, false, in2, out_, rows, 1, kc_.data(), dp, 0, dW2_.data());
      for (int64_t k = 0; k < int64_t(in2) * out_; ++k) dW[k] += dW2_[k];
    }
    if (!dx) return;
    for (int r = 0; r < rows; ++r)
      for (int i = 0; i < in_; ++i) {
        const int64_t e = int64_t(r) * in_ + i;
        const float v = x[e], f = floored(v);
        float d0 = dxc[int64_t(r) * in2 + i], d1 = dxc[int64_t(r) * in2 + in_ + i];
        if (retrieval_) {  // x' entries were |x|, |1/x|
          const float s = sign(v);
          d0 *= s;
          d1 *= s;
        }
        // d(1/x)/dx = −1/x² where |x| ≥ ε; the floor is flat below.
        dx[e] = d0 + (std::fabs(v) >= eps_ ? -d1 / (f * f) : 0.f);
      }
  }
  bool hasRegularizer() const override { return reg_.active(); }
  bool setSparsitySchedule(double start, double end) override { return reg_.schedule(start, end), true; }
  double regularize(int64_t step, bool addGrad) override { return reg_.apply(params_[0], step, addGrad); }

 private:
  float floored(float v) const { return std::fabs(v) >= eps_ ? v : (v < 0 ? -eps_ : eps_); }
  float eps_;
  bool retrieval_;
  NmuKernel nmu_;
  SparsityRegularizer reg_;
  Buffer xc_, kc_, dxc_, mag_, cos_, sin_, dm_, dp_, dW2_;
};

const bool registered = registerLayer({"nmru", makeUnit<NMRU>, fixedMatrices<2>});  // W is [2·in, out]

}  // namespace
}  // namespace nalu
