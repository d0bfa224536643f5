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

// suf[r] = next[r]·(w·x[r] + 1 − w).
NALU_CLONES void suffixStep(float* suf, const float* next, const float* x, float w, int rows) {
#pragma omp simd
  for (int r = 0; r < rows; ++r) suf[r] = next[r] * factor(w, x[r]);
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
}  // namespace

void NmuKernel::forwardFM(const float* x, const float* W, float* y, int rows, int in, int out) const {
  for (int j = 0; j < out; ++j) {
    float* yj = y + int64_t(j) * rows;
    std::fill(yj, yj + rows, 1.f);
    for (int i = 0; i < in; ++i) mulFactor(yj, x + int64_t(i) * rows, W[int64_t(i) * out + j], rows);
  }
}

void NmuKernel::backwardFM(const float* x, const float* W, const float* dy, float* dW, float* dx, int rows, int in,
                           int out) {
  if (dx) std::fill(dx, dx + int64_t(rows) * in, 0.f);
  float* pre = suffixFM_.data() + int64_t(in + 1) * rows;
  auto suf = [&](int i) { return suffixFM_.data() + int64_t(i) * rows; };
  for (int j = 0; j < out; ++j) {
    std::fill(suf(in), suf(in) + rows, 1.f);
    for (int i = in - 1; i >= 0; --i) suffixStep(suf(i), suf(i + 1), x + int64_t(i) * rows, W[int64_t(i) * out + j], rows);
    std::fill(pre, pre + rows, 1.f);
    for (int i = 0; i < in; ++i) {
      const float *dyj = dy + int64_t(j) * rows, *xi = x + int64_t(i) * rows, w = W[int64_t(i) * out + j];
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
