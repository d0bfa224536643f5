#include "optimizers.h"

#include <algorithm>

#include "clones.h"
#include "error.h"
#include "parallel.h"

namespace nalu {

Optimizer::Optimizer(const Options& o) {
  learningRate = float(o.number("learningRate", 1e-3, 0.0, 1e30));
  clipNorm_ = float(o.number("clipNorm", INFINITY, 0.0, INFINITY));
  clipValue_ = float(o.number("clipValue", INFINITY, 0.0, INFINITY));
  if (clipNorm_ == 0) rangeError(o.where("clipNorm") + ": expected a positive number, received 0");
  if (clipValue_ == 0) rangeError(o.where("clipValue") + ": expected a positive number, received 0");
}

void Optimizer::attach(const std::vector<Param*>& params) {
  params_ = params;
  state_.assign(params.size(), {});
  for (size_t k = 0; k < params.size(); ++k)
    for (int s = 0; s < numSlots(); ++s) state_[k].emplace_back(params[k]->size(), 0.f);
}

namespace {
// Σ g² over [b, e) in double (AVX2 clone: four lanes at a time).
NALU_CLONES double sumSquares(const float* g, int64_t b, int64_t e) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = b; i < e; ++i) s += double(g[i]) * g[i];
  return s;
}
}  // namespace

double Optimizer::gradSquaredNorm() const {
  double sum = 0;
  for (Param* p : params_) {
    const float* g = p->grad.data();
    sum += parallelSum(int64_t(p->size()), [&](int64_t b, int64_t e) { return sumSquares(g, b, e); });
  }
  return sum;
}

bool Optimizer::step(double sumSq) {
  ++iterations;
  float scale = 1;
  if (std::isfinite(clipNorm_)) {
    double norm = std::sqrt(sumSq);
    if (norm > clipNorm_) scale = float(clipNorm_ / norm);
  }
  bool finite = true;
  float* slots[4];
  for (size_t k = 0; k < params_.size(); ++k) {
    Param& p = *params_[k];
    for (int s = 0; s < numSlots(); ++s) slots[s] = state_[k][s].data();
    finite &= update(p.value.data(), p.grad.data(), scale, clipValue_, p.lo, p.hi, slots, int64_t(p.size()));
  }
  return finite;
}

namespace {
inline float clip(float g, float c) { return std::min(c, std::max(-c, g)); }
// NaN passes through (so the finiteness check sees it) instead of snapping to a bound.
inline float clamp(float w, float lo, float hi) { return w < lo ? lo : w > hi ? hi : w; }

// The update rules on [b, e) of a chunk, compiled for AVX2 too (NALU_CLONES); each returns
// nonzero when it made a weight non-finite.
NALU_CLONES int sgdChunk(float* w, const float* g, float* v, float scale, float c, float lo, float hi, float lr,
                         float mu, bool nest, int64_t b, int64_t e) {
  int nb = 0;
#pragma omp simd reduction(| : nb)
  for (int64_t i = b; i < e; ++i) {
    float gi = clip(g[i] * scale, c);
    v[i] = mu * v[i] - lr * gi;
    float wi = clamp(w[i] + (nest ? mu * v[i] - lr * gi : v[i]), lo, hi);
    w[i] = wi;
    nb |= !std::isfinite(wi);
  }
  return nb;
}

__attribute__((always_inline)) inline int adamRule(float* w, const float* g, float* m, float* v, float scale, float c,
                                                   float lo, float hi, float b1, float b2, float eps, float lrT,
                                                   int64_t b, int64_t e) {
  int nb = 0;
#pragma omp simd reduction(| : nb)
  for (int64_t i = b; i < e; ++i) {
    float gi = clip(g[i] * scale, c);
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    float wi = clamp(w[i] - lrT * m[i] / (std::sqrt(v[i]) + eps), lo, hi);
    w[i] = wi;
    nb |= !std::isfinite(wi);
  }
  return nb;
}
// Adam has an AVX-512 clone for long chunks only: GCC gives that clone no 8-lane epilogue, so
// a 10-weight tensor (a NALU of 10 inputs and 1 unit) ran its sqrt and division in scalars.
NALU_CLONES int adamChunk(float* w, const float* g, float* m, float* v, float scale, float c, float lo, float hi,
                          float b1, float b2, float eps, float lrT, int64_t b, int64_t e) {
  return adamRule(w, g, m, v, scale, c, lo, hi, b1, b2, eps, lrT, b, e);
}
NALU_CLONES_WIDE int adamChunkWide(float* w, const float* g, float* m, float* v, float scale, float c, float lo,
                                   float hi, float b1, float b2, float eps, float lrT, int64_t b, int64_t e) {
  return adamRule(w, g, m, v, scale, c, lo, hi, b1, b2, eps, lrT, b, e);
}

NALU_CLONES int rmspropChunk(float* w, const float* g, float* v, float* bm, float scale, float c, float lo,
                             float hi, float lr, float rho, float mu, float eps, int64_t b, int64_t e) {
  int nb = 0;
#pragma omp simd reduction(| : nb)
  for (int64_t i = b; i < e; ++i) {
    float gi = clip(g[i] * scale, c);
    v[i] = rho * v[i] + (1 - rho) * gi * gi;
    bm[i] = mu * bm[i] + lr * gi / (std::sqrt(v[i]) + eps);
    float wi = clamp(w[i] - bm[i], lo, hi);
    w[i] = wi;
    nb |= !std::isfinite(wi);
  }
  return nb;
}

// SGD: v = μv − ηg; w += v (Nesterov: w += μv − ηg). μ = 0: w −= ηg.
class SGD : public Optimizer {
 public:
  explicit SGD(const Options& o) : Optimizer(o) {
    momentum_ = float(o.number("momentum", 0.0, 0.0, 1.0));
    nesterov_ = o.flag("nesterov", false);
    learningRate = float(o.number("learningRate", 0.01, 0.0, 1e30));
  }
  int numSlots() const override { return 1; }
  bool update(float* w, const float* g, float scale, float c, float lo, float hi, float** s, int64_t n) override {
    const float lr = learningRate, mu = momentum_;
    const bool nest = nesterov_;
    float* v = s[0];
    int bad = int(parallelSum(n, [&](int64_t b0, int64_t e0) {
      return double(sgdChunk(w, g, v, scale, c, lo, hi, lr, mu, nest, b0, e0));
    }));
    return !bad;
  }

 private:
  float momentum_;
  bool nesterov_;
};

// Adam: m = β1m + (1−β1)g, v = β2v + (1−β2)g², w −= η√(1−β2ᵗ)/(1−β1ᵗ) · m/(√v + ε).
class Adam : public Optimizer {
 public:
  explicit Adam(const Options& o) : Optimizer(o) {
    beta1_ = float(o.number("beta1", 0.9, 0.0, 0.999999999));
    beta2_ = float(o.number("beta2", 0.999, 0.0, 0.999999999));
    eps_ = float(o.number("epsilon", 1e-7, 0.0, 1e30));
  }
  int numSlots() const override { return 2; }
  bool update(float* w, const float* g, float scale, float c, float lo, float hi, float** s, int64_t n) override {
    const float b1 = beta1_, b2 = beta2_, eps = eps_;
    if (iterations != rateStep_ || learningRate != rateBase_) {  // once a step, not once per weight
      const double t = double(iterations);
      rateStep_ = iterations;
      rateBase_ = learningRate;
      rate_ = float(learningRate * std::sqrt(1 - std::pow(double(b2), t)) / (1 - std::pow(double(b1), t)));
    }
    const float lrT = rate_;
    float *m = s[0], *v = s[1];
    int bad = int(parallelSum(n, [&](int64_t b0, int64_t e0) {
      return double((e0 - b0 >= 64 ? adamChunkWide : adamChunk)(w, g, m, v, scale, c, lo, hi, b1, b2, eps, lrT, b0, e0));
    }));
    return !bad;
  }

 private:
  float beta1_, beta2_, eps_;
  // The bias-corrected step size, cached for the step (and learning rate) it was computed for.
  int64_t rateStep_ = -1;
  double rateBase_ = 0;
  float rate_ = 0;
};

// RMSprop: v = ρv + (1−ρ)g²; Δ = ηg/(√v + ε); with momentum μ: b = μb + Δ, w −= b; else w −= Δ.
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(const Options& o) : Optimizer(o) {
    rho_ = float(o.number("rho", 0.9, 0.0, 1.0));
    momentum_ = float(o.number("momentum", 0.0, 0.0, 1.0));
    eps_ = float(o.number("epsilon", 1e-7, 0.0, 1e30));
  }
  int numSlots() const override { return 2; }
  bool update(float* w, const float* g, float scale, float c, float lo, float hi, float** s, int64_t n) override {
    const float lr = learningRate, rho = rho_, mu = momentum_, eps = eps_;
    float *v = s[0], *b = s[1];
    int bad = int(parallelSum(n, [&](int64_t b0, int64_t e0) {
      return double(rmspropChunk(w, g, v, b, scale, c, lo, hi, lr, rho, mu, eps, b0, e0));
    }));
    return !bad;
  }

 private:
  float rho_, momentum_, eps_;
};
}  // namespace

std::vector<std::string> optimizerTypes() { return {"sgd", "adam", "rmsprop"}; }

std::unique_ptr<Optimizer> makeOptimizer(const Options& o) {
  o.requiredString("type");
  std::string type = o.choice("type", "adam", optimizerTypes());
  std::unique_ptr<Optimizer> opt;
  if (type == "sgd") opt = std::make_unique<SGD>(o);
  else if (type == "rmsprop") opt = std::make_unique<RMSprop>(o);
  else opt = std::make_unique<Adam>(o);
  o.rejectUnread();  // what the optimizer's constructor did not ask for (a beta1 given to sgd)
  return opt;
}

}  // namespace nalu
