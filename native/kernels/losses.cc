#include "losses.h"

namespace nalu {

namespace {
// Each loss is its element term f(e) and derivative f'(e) of the error e = pred − target.
template <class Term>
class ElementLoss : public Loss {
 public:
  explicit ElementLoss(Term t) : t_(t) {}
  double compute(const float* p, const float* y, float* dp, int64_t n) const override {
    const float inv = 1.f / float(n);
    const Term t = t_;
    double sum = parallelSum(n, [&](int64_t b, int64_t e) {
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
    });
    return sum / double(n);
  }

 private:
  Term t_;
};

struct Squared {
  float value(float e) const { return e * e; }
  float grad(float e) const { return 2 * e; }
};
struct Absolute {
  float value(float e) const { return std::fabs(e); }
  float grad(float e) const { return e > 0 ? 1.f : e < 0 ? -1.f : 0.f; }
};
struct Huber {
  float delta;
  float value(float e) const {
    float a = std::fabs(e);
    return a <= delta ? 0.5f * e * e : delta * (a - 0.5f * delta);
  }
  float grad(float e) const { return std::fabs(e) <= delta ? e : (e > 0 ? delta : -delta); }
};
}  // namespace

std::vector<std::string> lossTypes() { return {"mse", "mae", "huber"}; }

std::unique_ptr<Loss> makeLoss(const Options& o) {
  std::string type = o.choice("type", "mse", lossTypes());
  if (type == "mse") return std::make_unique<ElementLoss<Squared>>(Squared{});
  if (type == "mae") return std::make_unique<ElementLoss<Absolute>>(Absolute{});
  float delta = float(o.number("delta", 1.0, 1e-30, 1e30));
  return std::make_unique<ElementLoss<Huber>>(Huber{delta});
}

}  // namespace nalu
