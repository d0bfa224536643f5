// LSTM: the long short-term memory layer of tfjs-layers and torch.nn.LSTM, the recurrent task's
// baseline (Hoedt et al. 2021, Table 2). A row of x holds `steps` time steps of `features`
// ([batch, time, features] row-major). Step t, gates in the order i, f, c (candidate), o:
//   z = xₜ·K + hₜ₋₁·R + b,  i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o),
//   cₜ = f⊙cₜ₋₁ + i⊙g,  hₜ = o⊙tanh(cₜ),  h₋₁ = c₋₁ = 0.
// y is h of the last step [rows, units], or of every step (returnSequences: [rows, time, units]).
// Weights: kernel [features, 4·units], recurrentKernel [units, 4·units], bias [4·units], each
// U[−1/√units, 1/√units] by default (torch.nn.LSTM's reset_parameters; torch's two biases b_ih + b_hh
// are one here). kernelRegularizer and kernelConstraint act on kernel and recurrentKernel.
// x as [rows·time, features] is one matrix, so the input products of every step are one product
// forward (xₜ·K) and two backward (dK = xᵀ·dZ, dx = dZ·Kᵀ); only hₜ₋₁·R runs step by step.
// Forward keeps every step's gates and c (and h) for backpropagation through time. Row-major only.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "clones.h"
#include "error.h"
#include "gemm.h"
#include "layer.h"
#include "vmath.h"

namespace nalu {

namespace {

// Step t's element-wise forward, compiled per instruction set: every gate of every row from its
// pre-activations (z of row r at z + r·zStride, plus hₜ₋₁·R already in gt unless first), then cₜ, hₜ.
NALU_CLONES void forwardStep(float* gt, const float* z, int64_t zStride, const int* candidate, bool first,
                             const float* cp, float* ct, float* ht, int rows, int U) {
  const int G = 4 * U;
  for (int r = 0; r < rows; ++r) {
    const float* zr = z + r * zStride;
    float* g = gt + size_t(r) * G;
#pragma omp simd
    for (int j = 0; j < G; ++j) {
      const float a = first ? zr[j] : g[j] + zr[j];
      g[j] = candidate[j] ? vm::tanh(a) : vm::sigmoid(a);
    }
  }
  for (int r = 0; r < rows; ++r) {
    const float* g = gt + size_t(r) * G;
    for (int u = 0; u < U; ++u) ct[size_t(r) * U + u] = (cp ? g[U + u] * cp[size_t(r) * U + u] : 0.f) + g[u] * g[2 * U + u];
  }
  const int64_t cells = int64_t(rows) * U;
#pragma omp simd
  for (int64_t k = 0; k < cells; ++k) ht[k] = vm::tanh(ct[k]);
  for (int r = 0; r < rows; ++r)
    for (int u = 0; u < U; ++u) ht[size_t(r) * U + u] *= gt[size_t(r) * G + 3 * U + u];
}

// Step t's element-wise backward, compiled per instruction set: dL/dz of every gate into ds (and
// row r's into dZ + r·dZStride) from dL/dhₜ (dh, plus row r's dy at dy + r·dyStride when given)
// and dL/dcₜ (dc, which becomes dL/dcₜ₋₁); tc is scratch for tanh(cₜ).
NALU_CLONES void backwardStep(const float* gt, const float* ct, const float* cp, const float* dh, const float* dy,
                              int64_t dyStride, float* dc, float* ds, float* dZ, int64_t dZStride, float* tc, int rows,
                              int U) {
  const int G = 4 * U;
  const int64_t cells = int64_t(rows) * U;
#pragma omp simd
  for (int64_t k = 0; k < cells; ++k) tc[k] = vm::tanh(ct[k]);
  for (int r = 0; r < rows; ++r) {
    const float* g = gt + size_t(r) * G;
    float* d = ds + size_t(r) * G;
    const float* dyr = dy ? dy + r * dyStride : nullptr;
    for (int u = 0; u < U; ++u) {
      const size_t k = size_t(r) * U + u;
      const float dhu = dh[k] + (dyr ? dyr[u] : 0.f);
      const float i = g[u], f = g[U + u], c = g[2 * U + u], o = g[3 * U + u];
      const float dct = dc[k] + dhu * o * (1 - tc[k] * tc[k]);
      d[u] = dct * c * i * (1 - i);
      d[U + u] = cp ? dct * cp[k] * f * (1 - f) : 0.f;
      d[2 * U + u] = dct * i * (1 - c * c);
      d[3 * U + u] = dhu * tc[k] * o * (1 - o);
      dc[k] = dct * f;
    }
    std::memcpy(dZ + r * dZStride, d, sizeof(float) * G);
  }
}

class LSTM : public Layer {
 public:
  LSTM(int in, const Options& o) : Layer(in, unitsOption(o)), features_(in), units_(out_) {
    returnSequences_ = o.flag("returnSequences", false);
    const double r = 1.0 / std::sqrt(double(units_));
    const int64_t G = 4 * int64_t(units_);
    if (int64_t(features_) * G > kMaxElements || int64_t(units_) * G > kMaxElements)
      rangeError(o.where("units") + ": a weight of " + std::to_string(std::max(features_, units_)) + " × " +
                 std::to_string(G) + " is larger than the maximum of " + std::to_string(kMaxElements) + " elements");
    addParam("kernel", {features_, G}, uniformOption(o, "kernelInitializer", -r, r));
    addParam("recurrentKernel", {units_, G}, uniformOption(o, "recurrentInitializer", -r, r));
    addParam("bias", {G}, uniformOption(o, "biasInitializer", -r, r));
    candidate_.assign(size_t(G), 0);
    std::fill_n(candidate_.begin() + 2 * units_, units_, 1);
  }

  int steps() const override { return steps_; }
  bool stepOutputs() const override { return returnSequences_; }
  void setSteps(int steps) override {
    if (steps < 1 || int64_t(steps) * std::max(features_, 4 * units_) > kMaxElements)
      rangeError("steps: expected an integer in [1, " + std::to_string(kMaxElements / std::max(features_, 4 * units_)) +
                 "], received " + std::to_string(steps));
    steps_ = steps;
    in_ = steps * features_;
    out_ = returnSequences_ ? steps * units_ : units_;
  }

  void reserve(int rows) override {
    const size_t n = size_t(rows) * steps_, U = units_;
    grow(z_, n * 4 * U);      // every step's pre-activations, then (backward) dL/dz
    grow(gates_, n * 4 * U);  // every step's i, f, g, o: [steps][rows, 4·units]
    grow(c_, n * U);
    grow(h_, n * U);
    grow(step_, size_t(rows) * 4 * U);
    grow(dh_, size_t(rows) * U);
    grow(dc_, size_t(rows) * U);
    grow(tc_, size_t(rows) * U);
  }

  void forward(const float* x, float* y, int rows) override {
    const int U = units_, G = 4 * units_, T = steps_;
    const float* K = params_[0].value.data();
    const float* R = params_[1].value.data();
    const float* b = params_[2].value.data();
    float* z = z_.data();
    // z = x·K + b for every row and step at once: x is [rows·time, features], z [rows·time, 4·units].
    const int64_t n = int64_t(rows) * T;
    for (int64_t k = 0; k < n; ++k) std::memcpy(z + k * G, b, sizeof(float) * G);
    gemm(false, false, int(n), G, features_, 1, x, K, 1, z);
    for (int t = 0; t < T; ++t) {
      float* gt = gates_.data() + size_t(t) * rows * G;
      float* ct = c_.data() + size_t(t) * rows * U;
      float* ht = h_.data() + size_t(t) * rows * U;
      const float* cp = t ? c_.data() + size_t(t - 1) * rows * U : nullptr;
      // The step's recurrent part [rows, 4·units] in gt, then its gates, c and h.
      if (t) gemm(false, false, rows, G, U, 1, h_.data() + size_t(t - 1) * rows * U, R, 0, gt);
      forwardStep(gt, z + size_t(t) * G, int64_t(T) * G, candidate_.data(), t == 0, cp, ct, ht, rows, U);
    }
    if (!returnSequences_) {
      std::memcpy(y, h_.data() + size_t(T - 1) * rows * U, sizeof(float) * size_t(rows) * U);
      return;
    }
    for (int t = 0; t < T; ++t)
      for (int r = 0; r < rows; ++r)
        std::memcpy(y + (size_t(r) * T + t) * U, h_.data() + (size_t(t) * rows + r) * U, sizeof(float) * U);
  }

  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int U = units_, G = 4 * units_, T = steps_;
    const float* K = params_[0].value.data();
    const float* R = params_[1].value.data();
    float* dK = params_[0].grad.data();
    float* dR = params_[1].grad.data();
    float* db = params_[2].grad.data();
    float* dZ = z_.data();  // dL/dz of every step, in x's row order [rows·time, 4·units]
    float* ds = step_.data();  // step t's dL/dz, [rows, 4·units]
    float* dh = dh_.data();
    float* dc = dc_.data();
    std::fill_n(dR, size_t(U) * G, 0.f);
    std::fill_n(dc, size_t(rows) * U, 0.f);
    // dh: dL/dhₜ, from the step after (through hₜ·R) and, with returnSequences, from yₜ.
    if (returnSequences_) std::fill_n(dh, size_t(rows) * U, 0.f);
    else std::memcpy(dh, dy, sizeof(float) * size_t(rows) * U);
    for (int t = T - 1; t >= 0; --t) {
      const float* gt = gates_.data() + size_t(t) * rows * G;
      const float* ct = c_.data() + size_t(t) * rows * U;
      const float* cp = t ? c_.data() + size_t(t - 1) * rows * U : nullptr;
      backwardStep(gt, ct, cp, dh, returnSequences_ ? dy + size_t(t) * U : nullptr, int64_t(T) * U, dc, ds,
                   dZ + size_t(t) * G, int64_t(T) * G, tc_.data(), rows, U);
      if (t) {
        const float* hp = h_.data() + size_t(t - 1) * rows * U;
        gemm(true, false, U, G, rows, 1, hp, ds, 1, dR);
        gemm(false, true, rows, U, G, 1, ds, R, 0, dh);
      }
    }
    const int64_t n = int64_t(rows) * T;
    gemm(true, false, features_, G, int(n), 1, x, dZ, 0, dK);
    std::fill_n(db, size_t(G), 0.f);
    for (int64_t k = 0; k < n; ++k)
      for (int j = 0; j < G; ++j) db[j] += dZ[k * G + j];
    if (dx) gemm(false, true, int(n), features_, G, 1, dZ, K, 0, dx);
  }

 private:
  int features_, units_, steps_ = 1;
  bool returnSequences_ = false;
  Buffer z_;      // x·K + b of every step [rows·time, 4·units]; backward: dL/dz
  Buffer gates_;  // every step's i, f, g, o [steps][rows, 4·units]
  Buffer c_, h_;  // every step's cₜ and hₜ [steps][rows, units]
  Buffer step_;   // backward: one step's dL/dz [rows, 4·units]
  Buffer dh_, dc_, tc_;  // backward: dL/dhₜ, dL/dcₜ and tanh(cₜ) of one step [rows, units]
  std::vector<int> candidate_;  // 1 where a gate column is the candidate (tanh), else 0 (σ)
};

// kernel is 4 matrices of in·out, recurrentKernel 4 of out·out (counted as in·out) and bias 4·out.
const bool registered = registerLayer({"lstm", makeUnit<LSTM>, fixedMatrices<8>, LayerInput::sequence});

}  // namespace
}  // namespace nalu
