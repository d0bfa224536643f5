#include "nmu_kernel.h"

#include <omp.h>

#include <algorithm>

#include "clones.h"
#include "parallel.h"

namespace nalu {

void NmuKernel::reserve(int rows, int in, int out, bool featureMajor) {
  threads_ = std::max(1, omp_get_max_threads());
  if (featureMajor) {
    if (suffixFM_.size() < size_t(in + 2) * rows) suffixFM_.resize(size_t(in + 2) * rows);
    return;
  }
  if (suffix_.size() < size_t(threads_) * (in + 1)) suffix_.resize(size_t(threads_) * (in + 1));
  if (partial_.size() < size_t(threads_) * in * out) partial_.resize(size_t(threads_) * in * out);
}

namespace {
// One input's factor w·x + 1 − w of an NMU product.
inline float factor(float w, float x) { return w * x + 1 - w; }

// y *= w·x + 1 − w along the batch.
NALU_CLONES void mulFactor(float* y, const float* x, float w, int rows) {
#pragma omp simd
  for (int r = 0; r < rows; ++r) y[r] *= factor(w, x[r]);
}

// y *= four inputs' factors in turn (the order of four mulFactor passes, one pass over y).
NALU_CLONES void mulFactor4(float* y, const float* x, int64_t stride, const float* w, int rows) {
  const float *x0 = x, *x1 = x + stride, *x2 = x + 2 * stride, *x3 = x + 3 * stride;
#pragma omp simd
  for (int r = 0; r < rows; ++r) y[r] = y[r] * factor(w[0], x0[r]) * factor(w[1], x1[r]) * factor(w[2], x2[r]) * factor(w[3], x3[r]);
}

// suf[r] = next[r]·(w·x[r] + 1 − w).
NALU_CLONES void suffixStep(float* suf, const float* next, const float* x, float w, int rows) {
#pragma omp simd
  for (int r = 0; r < rows; ++r) suf[r] = next[r] * factor(w, x[r]);
}

// Four suffixStep passes in one, for inputs i … i+3 down to i: suf and x hold row i's, rows apart.
NALU_CLONES void suffixStep4(float* suf, const float* x, const float* w, int rows) {
  float *s0 = suf, *s1 = suf + rows, *s2 = suf + 2 * int64_t(rows), *s3 = suf + 3 * int64_t(rows);
  const float* next = suf + 4 * int64_t(rows);
  const float *x0 = x, *x1 = x + rows, *x2 = x + 2 * int64_t(rows), *x3 = x + 3 * int64_t(rows);
#pragma omp simd
  for (int r = 0; r < rows; ++r) {
    const float p3 = next[r] * factor(w[3], x3[r]), p2 = p3 * factor(w[2], x2[r]), p1 = p2 * factor(w[1], x1[r]);
    s3[r] = p3;
    s2[r] = p2;
    s1[r] = p1;
    s0[r] = p1 * factor(w[0], x0[r]);
  }
}

// One input i of one unit: others = dy·Π_{k<i}·Π_{k>i}; returns Σ others·(x − 1), adds others·w
// to dx (with Dx) and moves the prefix product past i. A template, not a null test in the loop:
// GCC vectorizes only the branch with dx, leaving a first layer's (dx null) loop scalar.
template <bool Dx>
NALU_CLONES float gradStep(const float* dy, float* pre, const float* sufNext, const float* x, float w, float* dx,
                           int rows) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int r = 0; r < rows; ++r) {
    const float others = dy[r] * pre[r] * sufNext[r];
    s += others * (x[r] - 1);
    if constexpr (Dx) dx[r] += others * w;
    pre[r] *= factor(w, x[r]);
  }
  return s;
}

// gradStep for inputs i … i+3 in one pass: four independent sums, not one sum's chain of adds.
// Each sum and product is gradStep's, in its order. suf[k] is Π_{k'>i+k}; w[k], x[k] input i+k's.
template <bool Dx>
NALU_CLONES void gradStep4(const float* dy, float* pre, const float* const* suf, const float* const* x,
                           const float* w, float* const* dx, float* sums, int rows) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const float *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3], *u0 = suf[0], *u1 = suf[1], *u2 = suf[2], *u3 = suf[3];
  const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
  float *d0 = dx[0], *d1 = dx[1], *d2 = dx[2], *d3 = dx[3];
#pragma omp simd reduction(+ : s0, s1, s2, s3)
  for (int r = 0; r < rows; ++r) {
    float p = pre[r];
    const float o0 = dy[r] * p * u0[r];
    s0 += o0 * (x0[r] - 1);
    if constexpr (Dx) d0[r] += o0 * w0;
    p *= factor(w0, x0[r]);
    const float o1 = dy[r] * p * u1[r];
    s1 += o1 * (x1[r] - 1);
    if constexpr (Dx) d1[r] += o1 * w1;
    p *= factor(w1, x1[r]);
    const float o2 = dy[r] * p * u2[r];
    s2 += o2 * (x2[r] - 1);
    if constexpr (Dx) d2[r] += o2 * w2;
    p *= factor(w2, x2[r]);
    const float o3 = dy[r] * p * u3[r];
    s3 += o3 * (x3[r] - 1);
    if constexpr (Dx) d3[r] += o3 * w3;
    p *= factor(w3, x3[r]);
    pre[r] = p;
  }
  sums[0] = s0;
  sums[1] = s1;
  sums[2] = s2;
  sums[3] = s3;
}
}  // namespace

void NmuKernel::forwardFM(const float* x, const float* W, float* y, int rows, int in, int out) const {
  for (int j = 0; j < out; ++j) {
    float* yj = y + int64_t(j) * rows;
    std::fill(yj, yj + rows, 1.f);
    int i = 0;
    for (; i + 4 <= in; i += 4) {
      const float w[4] = {W[int64_t(i) * out + j], W[int64_t(i + 1) * out + j], W[int64_t(i + 2) * out + j],
                          W[int64_t(i + 3) * out + j]};
      mulFactor4(yj, x + int64_t(i) * rows, rows, w, rows);
    }
    for (; i < in; ++i) mulFactor(yj, x + int64_t(i) * rows, W[int64_t(i) * out + j], rows);
  }
}

void NmuKernel::backwardFM(const float* x, const float* W, const float* dy, float* dW, float* dx, int rows, int in,
                           int out) {
  if (dx) std::fill(dx, dx + int64_t(rows) * in, 0.f);
  float* pre = suffixFM_.data() + int64_t(in + 1) * rows;
  auto suf = [&](int i) { return suffixFM_.data() + int64_t(i) * rows; };
  for (int j = 0; j < out; ++j) {
    std::fill(suf(in), suf(in) + rows, 1.f);
    int i = in - 1;
    for (; i >= 3; i -= 4) {
      const float w4[4] = {W[int64_t(i - 3) * out + j], W[int64_t(i - 2) * out + j], W[int64_t(i - 1) * out + j],
                           W[int64_t(i) * out + j]};
      suffixStep4(suf(i - 3), x + int64_t(i - 3) * rows, w4, rows);
    }
    for (; i >= 0; --i) suffixStep(suf(i), suf(i + 1), x + int64_t(i) * rows, W[int64_t(i) * out + j], rows);
    std::fill(pre, pre + rows, 1.f);
    const float* dyj = dy + int64_t(j) * rows;
    for (i = 0; i + 4 <= in; i += 4) {
      const float* s4[4] = {suf(i + 1), suf(i + 2), suf(i + 3), suf(i + 4)};
      const float* x4[4] = {x + int64_t(i) * rows, x + int64_t(i + 1) * rows, x + int64_t(i + 2) * rows,
                            x + int64_t(i + 3) * rows};
      const float w4[4] = {W[int64_t(i) * out + j], W[int64_t(i + 1) * out + j], W[int64_t(i + 2) * out + j],
                           W[int64_t(i + 3) * out + j]};
      float* d4[4] = {nullptr, nullptr, nullptr, nullptr};
      if (dx)
        for (int k = 0; k < 4; ++k) d4[k] = dx + int64_t(i + k) * rows;
      float g[4];
      if (dx) gradStep4<true>(dyj, pre, s4, x4, w4, d4, g, rows);
      else gradStep4<false>(dyj, pre, s4, x4, w4, d4, g, rows);
      for (int k = 0; k < 4; ++k) dW[int64_t(i + k) * out + j] = g[k];
    }
    for (; i < in; ++i) {
      const float *xi = x + int64_t(i) * rows, w = W[int64_t(i) * out + j];
      dW[int64_t(i) * out + j] = dx ? gradStep<true>(dyj, pre, suf(i + 1), xi, w, dx + int64_t(i) * rows, rows)
                                    : gradStep<false>(dyj, pre, suf(i + 1), xi, w, nullptr, rows);
    }
  }
}

void NmuKernel::forward(const float* x, const float* W, float* y, int rows, int in, int out) const {
  const int64_t work = int64_t(rows) * in * out;
#pragma omp parallel for if (work >= kParallelMin) schedule(static)
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + int64_t(r) * in;
    float* yr = y + int64_t(r) * out;
    for (int j = 0; j < out; ++j) yr[j] = 1;
    for (int i = 0; i < in; ++i) {
      const float* wi = W + int64_t(i) * out;
      for (int j = 0; j < out; ++j) yr[j] *= factor(wi[j], xr[i]);
    }
  }
}

void NmuKernel::backward(const float* x, const float* W, const float* dy, float* dW, float* dx, int rows, int in,
                         int out) {
  const int64_t nw = int64_t(in) * out, work = int64_t(rows) * nw;
  const int team = work >= kParallelMin ? std::min(threads_, omp_get_max_threads()) : 1;
  std::fill(partial_.begin(), partial_.begin() + int64_t(team) * nw, 0.f);
  if (dx) std::fill(dx, dx + int64_t(rows) * in, 0.f);
#pragma omp parallel num_threads(team) if (team > 1)
  {
    const int t = omp_get_thread_num();
    float* suf = suffix_.data() + int64_t(t) * (in + 1);
    float* acc = partial_.data() + int64_t(t) * nw;
#pragma omp for schedule(static)
    for (int r = 0; r < rows; ++r) {
      const float* xr = x + int64_t(r) * in;
      for (int j = 0; j < out; ++j) {
        const float g = dy[int64_t(r) * out + j];
        suf[in] = 1;
        for (int i = in - 1; i >= 0; --i) {
          const float w = W[int64_t(i) * out + j];
          suf[i] = suf[i + 1] * factor(w, xr[i]);
        }
        float pre = 1;  // Π_{k<i}
        for (int i = 0; i < in; ++i) {
          const float w = W[int64_t(i) * out + j];
          const float others = g * pre * suf[i + 1];
          acc[int64_t(i) * out + j] += others * (xr[i] - 1);
          if (dx) dx[int64_t(r) * in + i] += others * w;
          pre *= factor(w, xr[i]);
        }
      }
    }
  }
  std::copy(partial_.begin(), partial_.begin() + nw, dW);
  for (int t = 1; t < team; ++t) {
    const float* p = partial_.data() + int64_t(t) * nw;
    for (int64_t k = 0; k < nw; ++k) dW[k] += p[k];
  }
}

}  // namespace nalu
