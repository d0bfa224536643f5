// The activations of Dense and Conv2D (Keras' names), applied in place and differentiated
// through their output, threaded over the elements.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "options.h"

namespace nalu {

enum class Act { Linear, Relu, Relu6, Tanh, Sigmoid, Softsign, Elu, Selu };

// Reads the `activation` option (default 'linear').
Act activationOption(const Options& o);
// y[0, n) = act(y[0, n)).
void activateInPlace(Act a, float* y, int64_t n);
// d[0, n) = dy · act'(z), act' expressed through the output y (so no pre-activation is stored).
void activationGrad(Act a, const float* dy, const float* y, float* d, int64_t n);

}  // namespace nalu
