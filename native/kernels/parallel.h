// The element-wise passes' threading: a range cut into one chunk per thread, run on the
// calling thread when it is too short to be worth an OpenMP region.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace nalu {

// Element-wise loops below this many elements run on one thread: an OpenMP region costs µs.
constexpr int64_t kParallelMin = 1 << 15;

// Runs f(begin, end) over [0, n): on the calling thread below kParallelMin floats of work (n ×
// `width` floats an index: 1 for element-wise passes, a row's width for rows; not even an
// if(false) OpenMP region, which still costs a team start), else one static chunk per thread,
// cut at multiples of 16 indices so chunks of floats stay cache-line aligned.
template <class F>
inline void parallelChunks(int64_t n, F&& f, int64_t width = 1) {
  if (n * width < kParallelMin) {
    f(int64_t(0), n);
    return;
  }
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), T = omp_get_num_threads();
    const int64_t per = ((n + T - 1) / T + 15) / 16 * 16;
    const int64_t b = std::min(n, t * per), e = std::min(n, b + per);
    if (b < e) f(b, e);
  }
}

// As parallelChunks, summing f's results in thread order: bit-identical for a given thread count.
template <class F>
inline double parallelSum(int64_t n, F&& f) {
  if (n < kParallelMin) return f(int64_t(0), n);
  constexpr int kMaxTeam = 1024;
  double part[kMaxTeam] = {};
  int team = 1;
#pragma omp parallel num_threads(std::min(omp_get_max_threads(), kMaxTeam))
  {
    const int64_t t = omp_get_thread_num(), T = omp_get_num_threads();
    const int64_t per = ((n + T - 1) / T + 15) / 16 * 16;
    const int64_t b = std::min(n, t * per), e = std::min(n, b + per);
    part[t] = b < e ? f(b, e) : 0.0;
#pragma omp single
    team = int(T);
  }
  double s = 0;
  for (int t = 0; t < team; ++t) s += part[t];
  return s;
}

}  // namespace nalu
