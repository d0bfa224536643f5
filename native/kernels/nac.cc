// NAC (Trask et al. 2018): a = x·W with W = tanh(Ŵ) ⊙ σ(M̂), biased towards {−1, 0, 1}.
#include "nac.h"

#include "clones.h"
#include "layer.h"
#include "mathfn.h"
#include "parallel.h"
#include "vmath.h"

namespace nalu {

namespace {
NALU_CLONES_WIDE void nacForward(const float* wHat, const float* mHat, float* w, float* tt, float* ss, int64_t b,
                                 int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    tt[i] = vm::tanh(wHat[i]);
    ss[i] = vm::sigmoid(mHat[i]);
    w[i] = tt[i] * ss[i];
  }
}

NALU_CLONES_WIDE void nacBackward(const float* dW, const float* tt, const float* ss, float* dWHat, float* dMHat,
                                  int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    dWHat[i] = dW[i] * (1 - tt[i] * tt[i]) * ss[i];
    dMHat[i] = dW[i] * tt[i] * ss[i] * (1 - ss[i]);
  }
}
}  // namespace

void NacWeight::compute(const float* wHat, const float* mHat, int64_t n) {
  grow(W, n);
  grow(t, n);
  grow(s, n);
  float *w = W.data(), *tt = t.data(), *ss = s.data();
  parallelChunks(n, [&](int64_t b, int64_t e) { nacForward(wHat, mHat, w, tt, ss, b, e); });
}

void NacWeight::backward(const float* dW, float* dWHat, float* dMHat, int64_t n) const {
  const float *tt = t.data(), *ss = s.data();
  parallelChunks(n, [&](int64_t b, int64_t e) { nacBackward(dW, tt, ss, dWHat, dMHat, b, e); });
}

void visitNacWeight(const Param& wHat, const Param& mHat, const std::function<void(float)>& visit) {
  for (size_t i = 0; i < wHat.size(); ++i) visit(std::tanh(wHat.value[i]) * sigmoid(mHat.value[i]));
}

namespace {
class NAC : public Layer {
 public:
  NAC(int in, const Options& o) : Layer(in, unitsOption(o)) {
    Options init = initializerOption(o, "kernelInitializer", "glorotUniform");
    addParam("W_hat", {in_, out_}, init);
    addParam("M_hat", {in_, out_}, init);
  }
  bool supportsFeatureMajor() const override { return true; }
  void reserve(int) override { grow(dW_, size_t(in_) * out_); }
  void forward(const float* x, float* y, int rows) override {
    w_.compute(params_[0].value.data(), params_[1].value.data(), int64_t(in_) * out_);
    xW(x, w_.W.data(), 0, y, rows);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, int rows) override {
    xtDy(x, dy, 0, dW_.data(), rows);
    w_.backward(dW_.data(), params_[0].grad.data(), params_[1].grad.data(), int64_t(in_) * out_);
    if (dx) dyWt(dy, w_.W.data(), 0, dx, rows);
  }
  void sparsityWeights(const std::function<void(float)>& visit) const override {
    visitNacWeight(params_[0], params_[1], visit);
  }

 private:
  NacWeight w_;
  Buffer dW_;
};

const bool registered = registerLayer({"nac", makeUnit<NAC>, fixedMatrices<2>});

}  // namespace
}  // namespace nalu
