// NAU (Madsen & Johansen 2020, "Neural Arithmetic Units"): y = x·W, W clamped to [−1, 1] after every
// optimizer step, init U[−r, r] with r = min(0.5, √3·√(2/(in+out))) so that E[y²] matches x's,
// and the sparsity regularizer λ·mean(min(|W|, 1 − |W|)) (see sparsity.h).
#include <algorithm>

#include "sparsity.h"
#include "layer.h"

namespace nalu {

namespace {
class NAU : public Layer {
 public:
  NAU(int in, const Options& o) : Layer(in, unitsOption(o)) {
    Options init;
    if (o.has("kernelInitializer")) {
      init = initializerOption(o, "kernelInitializer", "randomUniform");
    } else {
      const double r = std::min(0.5, std::sqrt(3.0) * std::sqrt(2.0 / double(in_ + out_)));
      init.context = o.where("kernelInitializer");
      init.str["type"] = "randomUniform";
      init.num["minval"] = -r;
      init.num["maxval"] = r;
    }
    size_t k = addParam("W", {in_, out_}, init);
    params_[k].lo = -1;
    params_[k].hi = 1;
    reg_.parse(o, SparsityRegularizer::Signed, 0.01);
  }
  bool supportsFeatureMajor() const override { return true; }
  bool backwardReadsWorkspace() const override { return false; }
  void reserve(int) override {}
  void forward(const float* x, float* y, int rows) override {
    xW(x, params_[0].value.data(), 0, y, rows);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, int rows) override {
    xtDy(x, dy, 0, params_[0].grad.data(), rows);
    if (dx) dyWt(dy, params_[0].value.data(), 0, dx, rows);
  }
  bool hasRegularizer() const override { return reg_.active(); }
  bool setSparsitySchedule(double start, double end) override { return reg_.schedule(start, end), true; }
  double regularize(int64_t step, bool addGrad) override { return reg_.apply(params_[0], step, addGrad); }

 private:
  SparsityRegularizer reg_;
};

const bool registered = registerLayer({"nau", makeUnit<NAU>, fixedMatrices<1>});

}  // namespace
}  // namespace nalu
