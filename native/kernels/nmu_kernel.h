// The NMU product y_j = Π_i (W_ij·x_i + 1 − W_ij) and its exact backward, shared by NMU and NMRU.
#pragma once
#include "buffer.h"

namespace nalu {

class NmuKernel {
 public:
  // Scratch for `rows` rows of `in` inputs (outside the step loop).
  void reserve(int rows, int in, int out, bool featureMajor = false);
  void forward(const float* x, const float* W, float* y, int rows, int in, int out) const;
  // dW = Σ_r dy_rj·(x_ri − 1)·Π_{k≠i} f_rkj and dx_ri = Σ_j dy_rj·W_ij·Π_{k≠i} f_rkj (dx may be null).
  // Π_{k≠i} comes from prefix and suffix products, never from dividing y by a factor that may be 0.
  void backward(const float* x, const float* W, const float* dy, float* dW, float* dx, int rows, int in,
                int out);
  // The same, feature-major (x [in, rows], y and dy [out, rows]): every loop runs along the
  // batch. One thread (Network runs only tiny layers feature-major); reserve(rows, in, out, true).
  void forwardFM(const float* x, const float* W, float* y, int rows, int in, int out) const;
  void backwardFM(const float* x, const float* W, const float* dy, float* dW, float* dx, int rows, int in, int out);

 private:
  int threads_ = 1;
  Buffer suffix_;   // [threads, in + 1]
  Buffer partial_;  // [threads, in·out] per-thread dW sums, reduced after the parallel loop
  Buffer suffixFM_;  // feature-major: [in + 1, rows] suffix products, then [rows] prefix products
};

}  // namespace nalu
