// NALU (Trask et al. 2018): y = g ⊙ a + (1 − g) ⊙ m, a = x·W, m = exp(log(|x| + ε)·W), g = σ(x·G).
// Options: separateWeights (own Ŵ, M̂ for m), gate 'input' | 'independent' (g = σ(G) per unit,
// as iNALU), clipExp ω (m = exp(min(·, ω)), iNALU uses 20), epsilon.
//
// Numerics: (1 − g) ⊙ m is computed as exp(log m − softplus(z)) with z the gate logit, so it
// is finite or +inf but never 0·∞ = NaN for finite inputs. It overflows to +inf (and y with it)
// once log m − max(z, 0) > 88.7; clipExp bounds that.
#include <algorithm>
#include <cmath>

#include "clones.h"
#include "layer.h"
#include "log_path.h"
#include "nac.h"
#include "parallel.h"
#include "vmath.h"

namespace nalu {

namespace {

// The element-wise passes besides the log (log_path.cc), one fused loop each, on [b, e) of a
// chunk (see parallelChunks).
//
// Overwrites the gate logit z with the gate g = σ(z), all backward needs of it. With
// e = exp(−|z|) and r = 1/(1 + e): g = r (z ≥ 0) or e·r, and (1 − g)·m = exp(min(l, ω) − max(z, 0))·r,
// the log-space form exp(l − softplus(z)) in two exps instead of three and a log.
NALU_CLONES_WIDE void forwardGate(float* z, const float* a, const float* l, float* mt, float* y, float omega, int64_t b,
                                  int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    const float zi = z[i], ex = vm::exp(-std::fabs(zi)), r = 1.f / (1.f + ex);
    const float g = zi >= 0 ? r : ex * r;
    mt[i] = vm::exp((l[i] < omega ? l[i] : omega) - (zi > 0 ? zi : 0.f)) * r;  // (1 − g)·m
    y[i] = g * a[i] + mt[i];
    z[i] = g;
  }
}

// g·(1 − g)·m = g·mt. Where mt overflowed to +inf, y and the loss are +inf too and the step is
// refused before any gradient is used, so no log-space fallback is needed here.
NALU_CLONES_WIDE void backwardGate(const float* gate, const float* a, const float* l, const float* mt, const float* dy,
                                   float* da, float* dl, float* dz, float omega, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    // Every input read before any output is written: da, dl, dz may be a, l, gate themselves.
    const float g = gate[i], ai = a[i], li = l[i], m = mt[i], d = dy[i];
    da[i] = d * g;
    dl[i] = li < omega ? d * m : 0.f;
    dz[i] = d * (g * (1 - g) * ai - g * m);
  }
}

class NALU : public Layer {
 public:
  NALU(int in, const Options& o) : Layer(in, unitsOption(o)) {
    separate_ = o.flag("separateWeights", false);
    inputGate_ = o.choice("gate", "input", {"input", "independent"}) == "input";
    omega_ = float(o.number("clipExp", INFINITY, 0.0, INFINITY));
    eps_ = float(o.number("epsilon", 1e-7, 1e-30, 1.0));
    Options init = initializerOption(o, "kernelInitializer", "glorotUniform");
    Options gateInit = initializerOption(o, "gateInitializer", inputGate_ ? "glorotUniform" : "zeros");
    addParam("W_hat", {in_, out_}, init);
    addParam("M_hat", {in_, out_}, init);
    if (inputGate_) addParam("G", {in_, out_}, gateInit);
    else addParam("G", {out_}, gateInit);
    if (separate_) {
      addParam("W_hat_mul", {in_, out_}, init);
      addParam("M_hat_mul", {in_, out_}, init);
    }
  }

  void reserve(int rows) override {
    size_t ro = size_t(rows) * out_, ri = size_t(rows) * in_;
    // da, dl, dz overwrite a, l, z in place (each element read before it is written): three
    // [rows, units] buffers less, 48 MiB at (4096, 1024, 1024).
    for (Buffer* b : {&a_, &l_, &z_, &mt_}) grow(*b, ro);
    grow(lx_, ri);
    grow(dlx_, ri);
    grow(dW_, size_t(in_) * out_);
    if (separate_) grow(dWm_, size_t(in_) * out_);
  }

  bool supportsFeatureMajor() const override { return true; }
  int rowFeatureWidth() const override { return in_; }
  void computeRowFeatures(const float* x, float* f, int64_t rows) override {
    logAbs(LogPath::Fast, x, f, eps_, rows * in_);
  }
  void useRowFeatures(const float* f) override { cachedLx_ = f; }

  void forward(const float* x, float* y, int rows) override {
    const int64_t nw = int64_t(in_) * out_, ni = int64_t(rows) * in_, no = int64_t(rows) * out_;
    add_.compute(params_[0].value.data(), params_[1].value.data(), nw);
    if (separate_) mul_.compute(params_[3].value.data(), params_[4].value.data(), nw);
    const float* Wm = separate_ ? mul_.W.data() : add_.W.data();
    const float* lx = cachedLx_;
    if (!lx) {
      float* out = lx_.data();
      logAbs(LogPath::Fast, x, out, eps_, ni);
      lx = out;
    }
    lxUsed_ = lx;
    xW(x, add_.W.data(), 0, a_.data(), rows);
    xW(lx, Wm, 0, l_.data(), rows);
    const float* G = params_[2].value.data();
    float *z = z_.data(), *a = a_.data(), *l = l_.data(), *mt = mt_.data();
    if (inputGate_) xW(x, G, 0, z, rows);
    else if (fm_)
      for (int j = 0; j < out_; ++j) std::fill(z + int64_t(j) * rows, z + int64_t(j + 1) * rows, G[j]);
    else
      for (int r = 0; r < rows; ++r) std::copy(G, G + out_, z + int64_t(r) * out_);
    const float omega = omega_;
    parallelChunks(no, [&](int64_t b, int64_t e) { forwardGate(z, a, l, mt, y, omega, b, e); });
  }

  void backward(const float* x, const float*, const float* dy, float* dx, int rows) override {
    const int64_t nw = int64_t(in_) * out_, ni = int64_t(rows) * in_, no = int64_t(rows) * out_;
    const float *g = z_.data(), *a = a_.data(), *l = l_.data(), *mt = mt_.data();
    float *da = a_.data(), *dl = l_.data(), *dz = z_.data();
    const float omega = omega_;
    parallelChunks(no, [&](int64_t b, int64_t e) { backwardGate(g, a, l, mt, dy, da, dl, dz, omega, b, e); });
    // dW = xᵀ·da (+ log(|x|+ε)ᵀ·dl when the multiplicative path shares W)
    xtDy(x, da, 0, dW_.data(), rows);
    if (separate_) {
      xtDy(lxUsed_, dl, 0, dWm(), rows);
      mul_.backward(dWm(), params_[3].grad.data(), params_[4].grad.data(), nw);
    } else {
      xtDy(lxUsed_, dl, 1, dW_.data(), rows);
    }
    add_.backward(dW_.data(), params_[0].grad.data(), params_[1].grad.data(), nw);
    float* dG = params_[2].grad.data();
    if (inputGate_) {
      xtDy(x, dz, 0, dG, rows);
    } else if (fm_) {
      for (int j = 0; j < out_; ++j) {
        const float* d = dz + int64_t(j) * rows;
        float s = 0;
        for (int r = 0; r < rows; ++r) s += d[r];
        dG[j] = s;
      }
    } else {
      std::fill(dG, dG + out_, 0.f);
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < out_; ++j) dG[j] += dz[int64_t(r) * out_ + j];
    }
    if (!dx) return;
    const float* Wm = separate_ ? mul_.W.data() : add_.W.data();
    dyWt(da, add_.W.data(), 0, dx, rows);
    if (inputGate_) dyWt(dz, params_[2].value.data(), 1, dx, rows);
    float* dlx = dlx_.data();
    dyWt(dl, Wm, 0, dlx, rows);
    logAbsBackward(LogPath::Fast, x, dlx, dx, eps_, ni);
  }
  void sparsityWeights(const std::function<void(float)>& visit) const override {
    visitNacWeight(params_[0], params_[1], visit);  // the gate G is no weight of the paper's error
    if (separate_) visitNacWeight(params_[3], params_[4], visit);
  }

 private:
  float* dWm() { return dWm_.data(); }
  bool separate_, inputGate_;
  float omega_, eps_;
  NacWeight add_, mul_;
  const float* cachedLx_ = nullptr;  // fit's precomputed log(|x|+ε) rows for this batch
  const float* lxUsed_ = nullptr;   // the log(|x|+ε) of the last forward
  Buffer lx_, a_, l_, z_, mt_, dlx_, dW_, dWm_;  // z_: the gate logit, then (forward) the gate
};

int naluMatrices(const Options& o) {  // Ŵ, M̂, G and, with separateWeights, two more
  auto it = o.num.find("separateWeights");
  return it != o.num.end() && it->second ? 5 : 3;
}

const bool registered = registerLayer({"nalu", makeUnit<NALU>, naluMatrices});

}  // namespace
}  // namespace nalu
