#include "nmu_kernel.h"

#include <omp.h>

#include <algorithm>

namespace nalu {

void NmuKernel::reserve(int rows, int in, int out) {
  threads_ = std::max(1, omp_get_max_threads());
  if (suffix_.size() < size_t(threads_) * (in + 1)) suffix_.resize(size_t(threads_) * (in + 1));
  if (partial_.size() < size_t(threads_) * in * out) partial_.resize(size_t(threads_) * in * out);
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
      for (int j = 0; j < out; ++j) yr[j] *= wi[j] * xr[i] + 1 - wi[j];
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
          suf[i] = suf[i + 1] * (w * xr[i] + 1 - w);
        }
        float pre = 1;  // Π_{k<i}
        for (int i = 0; i < in; ++i) {
          const float w = W[int64_t(i) * out + j];
          const float others = g * pre * suf[i + 1];
          acc[int64_t(i) * out + j] += others * (xr[i] - 1);
          if (dx) dx[int64_t(r) * in + i] += others * w;
          pre *= w * xr[i] + 1 - w;
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
