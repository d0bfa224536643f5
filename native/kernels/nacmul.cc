// NAC• as a unit: m = exp(log(|x| + ε)·W), the multiplicative path of NALU on its own. Option
// `weight` picks W (Madsen & Johansen 2020, appendix, and stable-nalu):
//   'nac'   (Trask et al. 2018)            W = tanh(Ŵ) ⊙ σ(M̂), Ŵ, M̂ glorotUniform;
//   'sigma' (NAC•,σ, PosNACLayer)          W = σ(Ŵ), Ŵ glorotNormal (xavier_normal_);
//   'nmu'   (NAC•,NMU, ReRegualizedLinearPosNACLayer)  W itself, clamped to [0, 1] after every
//           step, init U[0.25, 0.75], with the NMU's sparsity regularizer λ·mean(min(W, 1 − W)).
// Options: epsilon (ε), clipExp (ω: m = exp(min(·, ω)), bounds the overflow to +inf past 88.7).
#include <algorithm>

#include "clones.h"
#include "error.h"
#include "layer.h"
#include "log_path.h"
#include "mathfn.h"
#include "nac.h"
#include "parallel.h"
#include "sparsity.h"
#include "vmath.h"

namespace nalu {

namespace {
enum class Weight { Nac, Sigma, Nmu };
const char* const kSparsityKeys[] = {"sparsityLambda", "sparsityStart", "sparsityEnd"};

NALU_CLONES_WIDE void sigmoidForward(const float* wHat, float* s, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) s[i] = vm::sigmoid(wHat[i]);
}

// dŴ = dW ⊙ σ(Ŵ)(1 − σ(Ŵ))
NALU_CLONES_WIDE void sigmoidBackward(const float* dW, const float* s, float* dWHat, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) dWHat[i] = dW[i] * s[i] * (1 - s[i]);
}

// y = exp(min(l, ω)).
// scalar: libm's expf (vm::exp would change the results).
void expClipped(const float* l, float* y, float omega, int64_t b, int64_t e) {
  for (int64_t i = b; i < e; ++i) y[i] = std::exp(std::min(l[i], omega));
}

// dl = dy ⊙ y below the clip, which has zero slope.
NALU_CLONES void expClippedBackward(const float* l, const float* y, const float* dy, float* dl, float omega, int64_t b,
                                    int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) dl[i] = l[i] < omega ? dy[i] * y[i] : 0.f;
}

class NACMul : public Layer {
 public:
  NACMul(int in, const Options& o) : Layer(in, unitsOption(o)) {
    const std::string w = o.choice("weight", "nac", {"nac", "sigma", "nmu"});
    kind_ = w == "sigma" ? Weight::Sigma : w == "nmu" ? Weight::Nmu : Weight::Nac;
    omega_ = float(o.number("clipExp", INFINITY, 0.0, INFINITY));
    eps_ = float(o.number("epsilon", 1e-7, 1e-30, 1.0));
    if (kind_ != Weight::Nmu)
      for (const char* k : kSparsityKeys)
        if (o.has(k)) rangeError(o.where(k) + ": only weight 'nmu' has a sparsity regularizer, received weight '" + w + "'");
    if (kind_ == Weight::Nac) {
      Options init = initializerOption(o, "kernelInitializer", "glorotUniform");
      addParam("W_hat", {in_, out_}, init);
      addParam("M_hat", {in_, out_}, init);
    } else if (kind_ == Weight::Sigma) {
      addParam("W_hat", {in_, out_}, initializerOption(o, "kernelInitializer", "glorotNormal"));
    } else {
      size_t k = addParam("W", {in_, out_}, uniformOption(o, "kernelInitializer", 0.25, 0.75));
      params_[k].lo = 0;
      params_[k].hi = 1;
      reg_.parse(o, SparsityRegularizer::Unsigned, 10);
    }
  }
  bool supportsFeatureMajor() const override { return true; }
  bool sumsRowMajor() const override { return true; }
  void reserve(int rows) override {
    grow(lx_, size_t(rows) * in_);
    grow(l_, size_t(rows) * out_);
    grow(dl_, size_t(rows) * out_);
    grow(dW_, size_t(in_) * out_);
    if (kind_ == Weight::Sigma) grow(s_, size_t(in_) * out_);
  }
  void forward(const float* x, float* y, int rows) override {
    const int64_t ni = int64_t(rows) * in_, no = int64_t(rows) * out_;
    const float* W = weight();
    float *lx = lx_.data(), *l = l_.data();
    const float omega = omega_;
    logAbs(LogPath::Libm, x, lx, eps_, ni);
    xW(lx, W, 0, l, rows);
    parallelChunks(no, [&](int64_t b, int64_t e) { expClipped(l, y, omega, b, e); });
  }
  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int64_t ni = int64_t(rows) * in_, no = int64_t(rows) * out_, nw = int64_t(in_) * out_;
    const float *l = l_.data();
    float* dl = dl_.data();
    const float omega = omega_;
    parallelChunks(no, [&](int64_t b, int64_t e) { expClippedBackward(l, y, dy, dl, omega, b, e); });
    // 'nmu' uses its param as W: its gradient is dW itself.
    float* dW = kind_ == Weight::Nmu ? params_[0].grad.data() : dW_.data();
    xtDy(lx_.data(), dl, 0, dW, rows);
    if (kind_ == Weight::Nac) {
      w_.backward(dW, params_[0].grad.data(), params_[1].grad.data(), nw);
    } else if (kind_ == Weight::Sigma) {
      const float* s = s_.data();
      float* dWHat = params_[0].grad.data();
      parallelChunks(nw, [&](int64_t b, int64_t e) { sigmoidBackward(dW, s, dWHat, b, e); });
    }
    if (!dx) return;
    dyWt(dl, usedW_, 0, dx, rows);
    logAbsBackward(LogPath::Libm, x, dx, dx, eps_, ni);
  }
  bool hasRegularizer() const override { return kind_ == Weight::Nmu && reg_.active(); }
  bool setSparsitySchedule(double start, double end) override { return kind_ == Weight::Nmu && (reg_.schedule(start, end), true); }
  double regularize(int64_t step, bool addGrad) override {
    return kind_ == Weight::Nmu ? reg_.apply(params_[0], step, addGrad) : 0.0;
  }
  void sparsityWeights(const std::function<void(float)>& visit) const override {
    if (kind_ == Weight::Nac) return visitNacWeight(params_[0], params_[1], visit);
    const Param& p = params_[0];
    for (size_t i = 0; i < p.size(); ++i) visit(kind_ == Weight::Sigma ? sigmoid(p.value[i]) : p.value[i]);
  }

 private:
  // W from the params (kept for backward in usedW_).
  const float* weight() {
    const int64_t nw = int64_t(in_) * out_;
    if (kind_ == Weight::Nac) {
      w_.compute(params_[0].value.data(), params_[1].value.data(), nw);
      usedW_ = w_.W.data();
    } else if (kind_ == Weight::Sigma) {
      const float* wHat = params_[0].value.data();
      float* s = s_.data();
      parallelChunks(nw, [&](int64_t b, int64_t e) { sigmoidForward(wHat, s, b, e); });
      usedW_ = s;
    } else {
      usedW_ = params_[0].value.data();
    }
    return usedW_;
  }
  Weight kind_;
  float omega_, eps_;
  NacWeight w_;
  SparsityRegularizer reg_;
  const float* usedW_ = nullptr;
  Buffer lx_, l_, dl_, dW_, s_;  // s_: σ(Ŵ) of 'sigma'
};

int nacMulMatrices(const Options& o) {  // 'nac': Ŵ and M̂; 'sigma', 'nmu': one
  auto it = o.str.find("weight");
  return it != o.str.end() && (it->second == "sigma" || it->second == "nmu") ? 1 : 2;
}

const bool registered = registerLayer({"nacmul", makeUnit<NACMul>, nacMulMatrices});

}  // namespace
}  // namespace nalu
