// MaxPool2D on flattened NHWC images: each output the largest input of its window and channel
// ('same' padding leaves the padded cells out), its gradient routed back to that input alone.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "error.h"
#include "layer.h"
#include "parallel.h"
#include "spatial.h"

namespace nalu {

namespace {

class MaxPool2D : public Layer {
 public:
  MaxPool2D(int in, const Options& o) : MaxPool2D(in, o, readWindow(o, in, "pool", true)) {}

  void reserve(int rows) override {
    if (argmax_.size() < size_t(rows) * out_) argmax_.resize(size_t(rows) * out_);
  }

  void forward(const float* x, float* y, int rows) override {
    const Window& w = w_;
    int32_t* arg = argmax_.data();
    parallelChunks(rows, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const float* xr = x + r * in_;
        float* yr = y + r * out_;
        int32_t* ar = arg + r * out_;
        for (int oh = 0; oh < w.Ho; ++oh) {
          const int h0 = std::max(oh * w.SH - w.padTop, 0), h1 = std::min(oh * w.SH - w.padTop + w.KH, w.H);
          for (int ow = 0; ow < w.Wo; ++ow) {
            const int v0 = std::max(ow * w.SW - w.padLeft, 0), v1 = std::min(ow * w.SW - w.padLeft + w.KW, w.W);
            float* yo = yr + (int64_t(oh) * w.Wo + ow) * w.C;
            int32_t* ao = ar + (int64_t(oh) * w.Wo + ow) * w.C;
            const int32_t first = (h0 * w.W + v0) * w.C;
            for (int c = 0; c < w.C; ++c) yo[c] = xr[first + c], ao[c] = first + c;
            for (int h = h0; h < h1; ++h)
              for (int v = v0; v < v1; ++v) {
                const int32_t at = (h * w.W + v) * w.C;
                for (int c = 0; c < w.C; ++c)
                  if (xr[at + c] > yo[c]) yo[c] = xr[at + c], ao[c] = at + c;
              }
          }
        }
      }
    }, int64_t(out_) * w.KH * w.KW);
  }

  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    if (!dx) return;
    const int32_t* arg = argmax_.data();
    parallelChunks(rows, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        float* dxr = dx + r * in_;
        std::fill(dxr, dxr + in_, 0.f);
        const float* dyr = dy + r * out_;
        const int32_t* ar = arg + r * out_;
        for (int k = 0; k < out_; ++k) dxr[ar[k]] += dyr[k];
      }
    }, int64_t(in_) + out_);
  }

 private:
  MaxPool2D(int in, const Options& o, const Window& w) : Layer(in, spatialUnits(o, w.pixels(), w.C)), w_(w) {
    for (const char* k : {"kernelRegularizer", "kernelConstraint"})
      if (o.has(k)) rangeError(o.where(k) + ": maxpool2d has no weights");
  }

  Window w_;
  std::vector<int32_t> argmax_;  // per output, the index in its row of x it took
};

const bool registered = registerLayer({"maxpool2d", makeUnit<MaxPool2D>, fixedMatrices<0>, LayerInput::image});

}  // namespace
}  // namespace nalu
