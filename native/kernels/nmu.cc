// NMU (Madsen & Johansen 2020): y_j = Π_i (W_ij·x_i + 1 − W_ij). W ∈ [0, 1] (clamped after every
// step) gates each input between "multiply by x_i" (1) and "multiply by 1" (0). Init U[0.25, 0.75]
// (the paper's E[W] = 1/2, Var[W] = 1/48); sparsity regularizer λ·mean(min(W, 1 − W)).
#include "nmu_kernel.h"
#include "sparsity.h"
#include "layer.h"

namespace nalu {

namespace {
class NMU : public Layer {
 public:
  NMU(int in, const Options& o) : Layer(in, unitsOption(o)) {
    Options init;
    if (o.has("kernelInitializer")) {
      init = initializerOption(o, "kernelInitializer", "randomUniform");
    } else {
      init.context = o.where("kernelInitializer");
      init.str["type"] = "randomUniform";
      init.num["minval"] = 0.25;
      init.num["maxval"] = 0.75;
    }
    size_t k = addParam("W", {in_, out_}, init);
    params_[k].lo = 0;
    params_[k].hi = 1;
    reg_.parse(o, SparsityRegularizer::Unsigned, 10);
  }
  bool supportsFeatureMajor() const override { return true; }
  void reserve(int rows) override { kernel_.reserve(rows, in_, out_, fm_); }
  void forward(const float* x, float* y, int rows) override {
    if (fm_) kernel_.forwardFM(x, params_[0].value.data(), y, rows, in_, out_);
    else kernel_.forward(x, params_[0].value.data(), y, rows, in_, out_);
  }
  void backward(const float* x, const float*, const float* dy, float* dx, int rows) override {
    if (fm_) kernel_.backwardFM(x, params_[0].value.data(), dy, params_[0].grad.data(), dx, rows, in_, out_);
    else kernel_.backward(x, params_[0].value.data(), dy, params_[0].grad.data(), dx, rows, in_, out_);
  }
  bool hasRegularizer() const override { return reg_.active(); }
  bool setSparsitySchedule(double start, double end) override { return reg_.schedule(start, end), true; }
  double regularize(int64_t step, bool addGrad) override { return reg_.apply(params_[0], step, addGrad); }

 private:
  NmuKernel kernel_;
  SparsityRegularizer reg_;
};

const bool registered = registerLayer({"nmu", makeUnit<NMU>, fixedMatrices<1>});

}  // namespace
}  // namespace nalu
