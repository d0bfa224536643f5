// Dense: y = act(x·K + b), the baseline the NALU papers compare against.
#include <algorithm>

#include "activation.h"
#include "layer.h"

namespace nalu {

namespace {

class Dense : public Layer {
 public:
  Dense(int in, const Options& o) : Layer(in, unitsOption(o)) {
    act_ = activationOption(o);
    useBias_ = o.flag("useBias", true);
    kernel_ = addParam("kernel", {in_, out_}, initializerOption(o, "kernelInitializer", "glorotUniform"));
    // Checked without a bias too: the TS Dense always sends it.
    const Options biasInit = initializerOption(o, "biasInitializer", "zeros");
    if (useBias_) addParam("bias", {out_}, biasInit);
    else checkInitializer(biasInit);
  }

  bool supportsFeatureMajor() const override { return true; }
  bool sumsRowMajor() const override { return true; }
  bool backwardReadsWorkspace() const override { return false; }
  void reserve(int rows) override { grow(dz_, size_t(rows) * out_); }

  void forward(const float* x, float* y, int rows) override {
    const int64_t n = int64_t(rows) * out_;
    float beta = 0;
    if (useBias_) {
      const float* b = params_[1].value.data();
      if (fm_)
        for (int j = 0; j < out_; ++j) std::fill(y + int64_t(j) * rows, y + int64_t(j + 1) * rows, b[j]);
      else
        for (int r = 0; r < rows; ++r) std::copy(b, b + out_, y + int64_t(r) * out_);
      beta = 1;
    }
    xW(x, params_[kernel_].value.data(), beta, y, rows);
    activateInPlace(act_, y, n);
  }

  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int64_t n = int64_t(rows) * out_;
    const float* dz = dy;
    if (act_ != Act::Linear) {
      activationGrad(act_, dy, y, dz_.data(), n);
      dz = dz_.data();
    }
    xtDy(x, dz, 0, params_[kernel_].grad.data(), rows);
    if (useBias_) {  // each unit's sum over the rows in order, in either layout
      float* db = params_[1].grad.data();
      std::fill(db, db + out_, 0.f);
      if (fm_) {
        for (int j = 0; j < out_; ++j)
          for (int r = 0; r < rows; ++r) db[j] += dz[int64_t(j) * rows + r];
      } else {
        for (int r = 0; r < rows; ++r)
          for (int j = 0; j < out_; ++j) db[j] += dz[int64_t(r) * out_ + j];
      }
    }
    if (dx) dyWt(dz, params_[kernel_].value.data(), 0, dx, rows);
  }

 private:
  Act act_;
  bool useBias_;
  size_t kernel_;
  Buffer dz_;
};

const bool registered = registerLayer({"dense", makeUnit<Dense>, fixedMatrices<1>});

}  // namespace
}  // namespace nalu
