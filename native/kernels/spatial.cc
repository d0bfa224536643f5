#include "spatial.h"

#include <algorithm>
#include <string>

#include "error.h"

namespace nalu {

namespace {
constexpr int64_t kMaxWidth = 1 << 24;

// One axis: output length and leading padding (TF: 'same' pads (out−1)·s + k − n, less on top).
void axis(const Options& o, const std::string& sizeKey, int n, int k, int s, bool same, int& out, int& pad) {
  if (same) {
    out = (n + s - 1) / s;
    pad = std::max((out - 1) * s + k - n, 0) / 2;
    return;
  }
  if (k > n)
    rangeError(o.where(sizeKey) + ": expected at most the input's " + std::to_string(n) + " with 'valid' padding, received " +
               std::to_string(k));
  out = (n - k) / s + 1;
  pad = 0;
}
}  // namespace

Window readWindow(const Options& o, int in, const char* size, bool stridesAreWindow) {
  Window w;
  auto required = [&](const std::string& k) {
    if (!o.has(k)) rangeError(o.where(k) + ": required (a positive integer)");
    return int(o.integer(k, 1, 1, kMaxWidth));
  };
  w.H = required("inputHeight");
  w.W = required("inputWidth");
  w.C = required("inputChannels");
  if (int64_t(w.H) * w.W * w.C != in)
    rangeError(o.where("inputHeight") + ": expected inputHeight·inputWidth·inputChannels = " + std::to_string(in) +
               " (the incoming width), received " + std::to_string(w.H) + "·" + std::to_string(w.W) + "·" + std::to_string(w.C));
  const std::string h = std::string(size) + "Height", wd = std::string(size) + "Width";
  w.KH = required(h);
  w.KW = required(wd);
  w.SH = int(o.integer("strideHeight", stridesAreWindow ? w.KH : 1, 1, kMaxWidth));
  w.SW = int(o.integer("strideWidth", stridesAreWindow ? w.KW : 1, 1, kMaxWidth));
  const bool same = o.choice("padding", "valid", {"valid", "same"}) == "same";
  axis(o, h, w.H, w.KH, w.SH, same, w.Ho, w.padTop);
  axis(o, wd, w.W, w.KW, w.SW, same, w.Wo, w.padLeft);
  return w;
}

int spatialUnits(const Options& o, int64_t pixels, int64_t depth) {
  const int64_t out = pixels * depth;
  if (out > kMaxWidth)
    rangeError(o.where("units") + ": the output " + std::to_string(pixels) + " pixels × " + std::to_string(depth) +
               " exceeds 2^24 values a row");
  if (o.has("units") && o.integer("units", 1, 1, kMaxWidth) != out)
    rangeError(o.where("units") + ": expected " + std::to_string(out) + " (output pixels × depth), received " +
               std::to_string(o.integer("units", 1, 1, kMaxWidth)));
  return int(out);
}

}  // namespace nalu
