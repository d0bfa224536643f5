#include "losses.h"

#include "clones.h"
#include "mathfn.h"
#include "parallel.h"

namespace nalu {

namespace {
// Each loss is its element term f(e) and derivative f'(e) of the error e = pred − target.
struct Squared {
  float value(float e) const { return e * e; }
  float grad(float e) const { return 2 * e; }
};
struct Absolute {
  float value(float e) const { return std::fabs(e); }
  float grad(float e) const { return sign(e); }
};
struct Huber {
  float delta;
  float value(float e) const {
    float a = std::fabs(e);
    return a <= delta ? 0.5f * e * e : delta * (a - 0.5f * delta);
  }
  float grad(float e) const { return std::fabs(e) <= delta ? e : (e > 0 ? delta : -delta); }
};
enum class Kind { Squared, Absolute, Huber };

// Σ f(e) over [b, e) of a chunk and, when dp is given, dp = f'(e)/n. Inlined into each clone
// of lossChunk.
template <class Term>
__attribute__((always_inline)) inline double termChunk(Term t, const float* p, const float* y, float* dp, float inv,
                                                       int64_t b, int64_t e) {
  double s = 0;
  if (dp) {
#pragma omp simd reduction(+ : s)
    for (int64_t i = b; i < e; ++i) {
      float d = p[i] - y[i];
      s += t.value(d);
      dp[i] = t.grad(d) * inv;
    }
  } else {
#pragma omp simd reduction(+ : s)
    for (int64_t i = b; i < e; ++i) s += t.value(p[i] - y[i]);
  }
  return s;
}

// One cloned function for the three terms (a template cannot be given target_clones); the
// switch sits outside the loops; the clones keep the loss loop vectorized on AVX2 and AVX-512.
NALU_CLONES_WIDE double lossChunk(Kind kind, float delta, const float* p, const float* y, float* dp, float inv, int64_t b,
                                  int64_t e) {
  switch (kind) {
    case Kind::Squared: return termChunk(Squared{}, p, y, dp, inv, b, e);
    case Kind::Absolute: return termChunk(Absolute{}, p, y, dp, inv, b, e);
    default: return termChunk(Huber{delta}, p, y, dp, inv, b, e);
  }
}

class ElementLoss : public Loss {
 public:
  ElementLoss(Kind kind, float delta) : kind_(kind), delta_(delta) {}
  double compute(const float* p, const float* y, float* dp, int64_t n) const override {
    const float inv = 1.f / float(n);
    const Kind kind = kind_;
    const float delta = delta_;
    return parallelSum(n, [&](int64_t b, int64_t e) { return lossChunk(kind, delta, p, y, dp, inv, b, e); }) / double(n);
  }

 private:
  Kind kind_;
  float delta_;
};
}  // namespace

std::vector<std::string> lossTypes() { return {"mse", "mae", "huber"}; }

std::unique_ptr<Loss> makeLoss(const Options& o) {
  o.requiredString("type");
  std::string type = o.choice("type", "mse", lossTypes());
  const float delta = type == "huber" ? float(o.number("delta", 1.0, 1e-30, 1e30)) : 0.f;
  o.rejectUnread();
  if (type == "mse") return std::make_unique<ElementLoss>(Kind::Squared, 0.f);
  if (type == "mae") return std::make_unique<ElementLoss>(Kind::Absolute, 0.f);
  return std::make_unique<ElementLoss>(Kind::Huber, delta);
}

namespace {
NALU_CLONES void errorSums(const float* p, const float* y, int64_t b, int64_t e, double& abs, double& sq) {
  double a = 0, s = 0;
#pragma omp simd reduction(+ : a, s)
  for (int64_t i = b; i < e; ++i) {
    const double d = double(p[i]) - double(y[i]);
    a += std::fabs(d);
    s += d * d;
  }
  abs += a;
  sq += s;
}
}  // namespace

void ErrorSums::add(const float* pred, const float* target, int64_t count) {
  errorSums(pred, target, 0, count, abs, sq);
  n += count;
}

}  // namespace nalu
