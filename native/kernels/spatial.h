// The geometry of a window sliding over flattened NHWC images (Conv2D's kernel, MaxPool2D's pool),
// by TensorFlow's rules for 'valid' and 'same' padding.
#pragma once
#include <cstdint>

#include "options.h"

namespace nalu {

struct Window {
  int H, W, C;    // the input image
  int KH, KW;     // the window
  int SH, SW;     // the strides
  int Ho, Wo;     // the output image
  int padTop, padLeft;
  int64_t pixels() const { return int64_t(Ho) * Wo; }
};

// Reads inputHeight/inputWidth/inputChannels (whose product must be `in`), `<size>Height` and
// `<size>Width`, strideHeight/strideWidth (default 1, or the window's when stridesAreWindow) and
// padding ('valid' or 'same'); refuses a window larger than a 'valid' input.
Window readWindow(const Options& o, int in, const char* size, bool stridesAreWindow);
// The layer's output width pixels·depth, which the `units` option, when given, must equal.
int spatialUnits(const Options& o, int64_t pixels, int64_t depth);

}  // namespace nalu
