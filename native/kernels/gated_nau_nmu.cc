// Gated NAU/NMU (Madsen & Johansen 2020, appendix; stable-nalu ReRegualizedLinearNALULayer with
// nalu_two_nac=True, nalu_mul='mnac'): y = g ⊙ (x·W_add) + (1 − g) ⊙ NMU(x; W_mul), g = σ(x·G), no
// bias. W_add is an NAU's (clamped to [−1, 1], init U[−r, r], r = min(0.5, √3·√(2/(in+out)))),
// W_mul an NMU's (clamped to [0, 1], init U[0.25, 0.75]), G glorotUniform (xavier_uniform, gain 1).
// Regularizer: the NAU's λ·mean(min(|W_add|, 1 − |W_add|)) plus the NMU's λ·mean(min(W_mul, 1 − W_mul)),
// one λ̂ and warm-up, as stable-nalu sums its sub-layers'. Numerics: y is finite unless the NMU product
// overflows (±inf, NaN where the gate is exactly 1, z > 16.6); the step is then refused as non-finite.
#include <algorithm>

#include "clones.h"
#include "layer.h"
#include "nmu_kernel.h"
#include "parallel.h"
#include "sparsity.h"
#include "vmath.h"

namespace nalu {

namespace {
// Overwrites the gate logit z with g = σ(z), all backward needs of it.
NALU_CLONES_WIDE void gatedForward(float* z, const float* a, const float* m, float* y, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    const float g = vm::sigmoid(z[i]);
    y[i] = g * a[i] + (1 - g) * m[i];
    z[i] = g;
  }
}

// da = dy·g, dm = dy·(1 − g), dz = dy·g(1 − g)·(a − m); each may be its input's buffer (read first).
NALU_CLONES_WIDE void gatedBackward(const float* gate, const float* a, const float* m, const float* dy, float* da,
                                    float* dm, float* dz, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    const float g = gate[i], ai = a[i], mi = m[i], d = dy[i];
    da[i] = d * g;
    dm[i] = d * (1 - g);
    dz[i] = d * g * (1 - g) * (ai - mi);
  }
}

class GatedNAUNMU : public Layer {
 public:
  GatedNAUNMU(int in, const Options& o) : Layer(in, unitsOption(o)) {
    const double r = std::min(0.5, std::sqrt(3.0) * std::sqrt(2.0 / double(in_ + out_)));
    size_t a = addParam("W_add", {in_, out_}, uniformOption(o, "addInitializer", -r, r));
    params_[a].lo = -1;
    params_[a].hi = 1;
    size_t m = addParam("W_mul", {in_, out_}, uniformOption(o, "mulInitializer", 0.25, 0.75));
    params_[m].lo = 0;
    params_[m].hi = 1;
    addParam("G", {in_, out_}, initializerOption(o, "gateInitializer", "glorotUniform"));
    regAdd_.parse(o, SparsityRegularizer::Signed, 10);  // one λ̂ for both, the NMU's
    regMul_.parse(o, SparsityRegularizer::Unsigned, 10);
  }
  // Its three paths are an NAU's, an NMU's and a linear gate: each has a feature-major form, and
  // the gate's element-wise passes are the same in either layout.
  bool supportsFeatureMajor() const override { return true; }
  void reserve(int rows) override {
    for (Buffer* b : {&a_, &m_, &z_}) grow(*b, size_t(rows) * out_);
    kernel_.reserve(rows, in_, out_, fm_);
  }
  void forward(const float* x, float* y, int rows) override {
    const int64_t no = int64_t(rows) * out_;
    float *a = a_.data(), *m = m_.data(), *z = z_.data();
    xW(x, params_[0].value.data(), 0, a, rows);
    if (fm_) kernel_.forwardFM(x, params_[1].value.data(), m, rows, in_, out_);
    else kernel_.forward(x, params_[1].value.data(), m, rows, in_, out_);
    xW(x, params_[2].value.data(), 0, z, rows);
    parallelChunks(no, [&](int64_t b, int64_t e) { gatedForward(z, a, m, y, b, e); });
  }
  void backward(const float* x, const float*, const float* dy, float* dx, int rows) override {
    const int64_t no = int64_t(rows) * out_;
    // da, dm, dz overwrite a, m, g: the NMU backward needs x and W_mul only.
    float *da = a_.data(), *dm = m_.data(), *dz = z_.data();
    parallelChunks(no, [&](int64_t b, int64_t e) { gatedBackward(dz, da, dm, dy, da, dm, dz, b, e); });
    xtDy(x, da, 0, params_[0].grad.data(), rows);
    xtDy(x, dz, 0, params_[2].grad.data(), rows);
    // Writes dx (when non-null) first; the two linear paths add to it.
    if (fm_) kernel_.backwardFM(x, params_[1].value.data(), dm, params_[1].grad.data(), dx, rows, in_, out_);
    else kernel_.backward(x, params_[1].value.data(), dm, params_[1].grad.data(), dx, rows, in_, out_);
    if (!dx) return;
    dyWt(da, params_[0].value.data(), 1, dx, rows);
    dyWt(dz, params_[2].value.data(), 1, dx, rows);
  }
  bool hasRegularizer() const override { return regAdd_.active(); }  // one λ̂ for both
  bool setSparsitySchedule(double start, double end) override {
    regAdd_.schedule(start, end);
    regMul_.schedule(start, end);
    return true;
  }
  double regularize(int64_t step, bool addGrad) override {
    return regAdd_.apply(params_[0], step, addGrad) + regMul_.apply(params_[1], step, addGrad);
  }
  void sparsityWeights(const std::function<void(float)>& visit) const override {
    for (const Param* p : {&params_[0], &params_[1]})  // W_add, W_mul; the gate G is left out
      for (size_t i = 0; i < p->size(); ++i) visit(p->value[i]);
  }

 private:
  NmuKernel kernel_;
  SparsityRegularizer regAdd_, regMul_;
  Buffer a_, m_, z_;  // x·W_add, NMU(x), the gate logit then (forward) the gate
};

const bool registered = registerLayer({"gatednaunmu", makeUnit<GatedNAUNMU>, fixedMatrices<3>});

}  // namespace
}  // namespace nalu
