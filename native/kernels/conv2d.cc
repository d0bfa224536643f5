// Conv2D on flattened NHWC images: y = act(im2col(x)·K + b), the kernel K [kh, kw, in, filters]
// read as a [kh·kw·in, filters] matrix, so one sgemm covers a chunk of the batch; dx by col2im.
#include <algorithm>
#include <cstring>

#include "activation.h"
#include "error.h"
#include "gemm.h"
#include "layer.h"
#include "parallel.h"
#include "spatial.h"

namespace nalu {

namespace {

// Floats of im2col workspace per chunk of images: larger batches run chunk by chunk.
constexpr int64_t kMaxCols = int64_t(1) << 22;

class Conv2D : public Layer {
 public:
  Conv2D(int in, const Options& o) : Conv2D(in, o, readWindow(o, in, "kernel", false)) {}

  void reserve(int rows) override {
    const size_t n = size_t(chunk(rows)) * w_.pixels() * patch_;
    grow(cols_, n);
    grow(dcols_, n);
    if (act_ != Act::Linear) grow(dz_, size_t(rows) * out_);
  }

  void forward(const float* x, float* y, int rows) override {
    const int64_t P = w_.pixels();
    const int per = chunk(rows);
    for (int b = 0; b < rows; b += per) {
      const int n = std::min(per, rows - b);
      im2col(x + int64_t(b) * in_, n);
      float* yb = y + int64_t(b) * out_;
      float beta = 0;
      if (useBias_) {
        const float* bias = params_[1].value.data();
        for (int64_t p = 0; p < n * P; ++p) std::memcpy(yb + p * filters_, bias, sizeof(float) * filters_);
        beta = 1;
      }
      gemm(false, false, int(n * P), filters_, patch_, 1, cols_.data(), params_[0].value.data(), beta, yb);
    }
    colsWhole_ = rows <= per;
    activateInPlace(act_, y, int64_t(rows) * out_);
  }

  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int64_t P = w_.pixels();
    const float* dz = dy;
    if (act_ != Act::Linear) {
      activationGrad(act_, dy, y, dz_.data(), int64_t(rows) * out_);
      dz = dz_.data();
    }
    const int per = chunk(rows);
    for (int b = 0; b < rows; b += per) {
      const int n = std::min(per, rows - b);
      // The forward's columns are still there when its batch was one chunk.
      if (!colsWhole_) im2col(x + int64_t(b) * in_, n);
      const float* dzb = dz + int64_t(b) * out_;
      gemm(true, false, patch_, filters_, int(n * P), 1, cols_.data(), dzb, b ? 1.f : 0.f, params_[0].grad.data());
      if (dx) {
        gemm(false, true, int(n * P), patch_, filters_, 1, dzb, params_[0].value.data(), 0, dcols_.data());
        col2im(dx + int64_t(b) * in_, n);
      }
    }
    if (useBias_) {
      float* db = params_[1].grad.data();
      std::fill(db, db + filters_, 0.f);
      for (int64_t p = 0; p < rows * P; ++p) {
        const float* d = dz + p * filters_;
        for (int f = 0; f < filters_; ++f) db[f] += d[f];
      }
    }
  }

 private:
  Conv2D(int in, const Options& o, const Window& w)
      : Layer(in, spatialUnits(o, w.pixels(), filtersOption(o))), w_(w), filters_(filtersOption(o)), patch_(w.KH * w.KW * w.C) {
    act_ = activationOption(o);
    useBias_ = o.flag("useBias", true);
    addParam("kernel", {w_.KH, w_.KW, w_.C, filters_}, initializerOption(o, "kernelInitializer", "glorotUniform"));
    const Options biasInit = initializerOption(o, "biasInitializer", "zeros");
    if (useBias_) addParam("bias", {filters_}, biasInit);
    else checkInitializer(biasInit);
    // setKernelOptions acts on [in, out] matrices only; a 4-D kernel would silently escape it.
    for (const char* k : {"kernelRegularizer", "kernelConstraint"})
      if (o.has(k)) rangeError(o.where(k) + ": not supported by conv2d");
  }

  static int filtersOption(const Options& o) {
    if (!o.has("filters")) rangeError(o.where("filters") + ": required (a positive integer)");
    return int(o.integer("filters", 1, 1, 1 << 24));
  }

  // Images per im2col chunk for a batch of `rows`.
  int chunk(int rows) const {
    const int64_t per = std::max<int64_t>(1, kMaxCols / (w_.pixels() * patch_));
    return int(std::min<int64_t>(std::max(rows, 1), per));
  }

  // cols_[image·P + pixel, (i·KW + j)·C + c] = x[image, oh·SH − padTop + i, ow·SW − padLeft + j, c], 0 in the padding.
  void im2col(const float* x, int n) {
    const Window& w = w_;
    const int64_t P = w.pixels();
    float* cols = cols_.data();
    parallelChunks(n, [&](int64_t b, int64_t e) {
      for (int64_t img = b; img < e; ++img) {
        const float* xi = x + img * in_;
        float* c = cols + img * P * patch_;
        for (int oh = 0; oh < w.Ho; ++oh)
          for (int ow = 0; ow < w.Wo; ++ow)
            for (int i = 0; i < w.KH; ++i) {
              const int h = oh * w.SH - w.padTop + i;
              for (int j = 0; j < w.KW; ++j, c += w.C) {
                const int v = ow * w.SW - w.padLeft + j;
                if (h < 0 || h >= w.H || v < 0 || v >= w.W) std::fill(c, c + w.C, 0.f);
                else std::memcpy(c, xi + (int64_t(h) * w.W + v) * w.C, sizeof(float) * w.C);
              }
            }
      }
    }, P * patch_);
  }

  // dx = the sum of dcols_ back onto the input pixels each column came from (im2col's adjoint).
  void col2im(float* dx, int n) {
    const Window& w = w_;
    const int64_t P = w.pixels();
    const float* dcols = dcols_.data();
    parallelChunks(n, [&](int64_t b, int64_t e) {
      for (int64_t img = b; img < e; ++img) {
        float* dxi = dx + img * in_;
        std::fill(dxi, dxi + in_, 0.f);
        const float* c = dcols + img * P * patch_;
        for (int oh = 0; oh < w.Ho; ++oh)
          for (int ow = 0; ow < w.Wo; ++ow)
            for (int i = 0; i < w.KH; ++i) {
              const int h = oh * w.SH - w.padTop + i;
              for (int j = 0; j < w.KW; ++j, c += w.C) {
                const int v = ow * w.SW - w.padLeft + j;
                if (h < 0 || h >= w.H || v < 0 || v >= w.W) continue;
                float* d = dxi + (int64_t(h) * w.W + v) * w.C;
                for (int k = 0; k < w.C; ++k) d[k] += c[k];
              }
            }
      }
    }, P * patch_);
  }

  Window w_;
  int filters_, patch_;
  Act act_;
  bool useBias_;
  Buffer cols_, dcols_, dz_;
  bool colsWhole_ = false;  // cols_ holds the last forward's whole batch
};

const bool registered = registerLayer({"conv2d", makeUnit<Conv2D>, fixedMatrices<0>, LayerInput::image});

}  // namespace
}  // namespace nalu
