// The batch gathers of fit (shuffled rows into a contiguous batch) and the row-major ↔
// feature-major transposes of the network's activations, in registers where the CPU allows.
#include "gather.h"

#include <algorithm>
#include <cstdint>

#include "clones.h"
#include "vec8.h"

namespace nalu {

namespace {
// Shuffled rows defeat the hardware prefetcher, so the gathers ask for every cache line of the
// row kAhead places ahead. Always inlined: out of line, GCC deleted its calls as side-effect free.
constexpr int kAhead = 8;
__attribute__((always_inline)) inline void prefetchAhead(const float* src, int width, const int64_t* idx, int b, int n) {
  if (b + kAhead >= n) return;
  const uintptr_t p = reinterpret_cast<uintptr_t>(src + idx[b + kAhead] * width), end = p + uintptr_t(width) * 4;
  for (uintptr_t line = p & ~uintptr_t(63); line < end; line += 64) __builtin_prefetch(reinterpret_cast<const void*>(line));
}
// The 8×8 transpose of columns c .. c+7 of rows s[0..7] into cols[c..c+7][b .. b+8): interleave
// row pairs, then pairs of pairs (within each 128-bit lane), then swap halves.
__attribute__((always_inline)) inline void transpose8(const float* const* s, int c, float* const* cols, int b) {
#define NALU_PAIRS(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l, i + 4, j + 4, k + 4, l + 4)
#define NALU_HALVES(a, b, h) __builtin_shufflevector(a, b, h, h + 1, h + 2, h + 3, h + 8, h + 9, h + 10, h + 11)
  const v8 r0 = NALU_LOAD8(s[0] + c), r1 = NALU_LOAD8(s[1] + c), r2 = NALU_LOAD8(s[2] + c), r3 = NALU_LOAD8(s[3] + c),
           r4 = NALU_LOAD8(s[4] + c), r5 = NALU_LOAD8(s[5] + c), r6 = NALU_LOAD8(s[6] + c), r7 = NALU_LOAD8(s[7] + c);
  const v8 t0 = NALU_PAIRS(r0, r1, 0, 8, 1, 9), t1 = NALU_PAIRS(r0, r1, 2, 10, 3, 11);
  const v8 t2 = NALU_PAIRS(r2, r3, 0, 8, 1, 9), t3 = NALU_PAIRS(r2, r3, 2, 10, 3, 11);
  const v8 t4 = NALU_PAIRS(r4, r5, 0, 8, 1, 9), t5 = NALU_PAIRS(r4, r5, 2, 10, 3, 11);
  const v8 t6 = NALU_PAIRS(r6, r7, 0, 8, 1, 9), t7 = NALU_PAIRS(r6, r7, 2, 10, 3, 11);
  const v8 u0 = NALU_PAIRS(t0, t2, 0, 1, 8, 9), u1 = NALU_PAIRS(t0, t2, 2, 3, 10, 11);
  const v8 u2 = NALU_PAIRS(t1, t3, 0, 1, 8, 9), u3 = NALU_PAIRS(t1, t3, 2, 3, 10, 11);
  const v8 u4 = NALU_PAIRS(t4, t6, 0, 1, 8, 9), u5 = NALU_PAIRS(t4, t6, 2, 3, 10, 11);
  const v8 u6 = NALU_PAIRS(t5, t7, 0, 1, 8, 9), u7 = NALU_PAIRS(t5, t7, 2, 3, 10, 11);
  NALU_STORE8(cols[c] + b, NALU_HALVES(u0, u4, 0));
  NALU_STORE8(cols[c + 1] + b, NALU_HALVES(u1, u5, 0));
  NALU_STORE8(cols[c + 2] + b, NALU_HALVES(u2, u6, 0));
  NALU_STORE8(cols[c + 3] + b, NALU_HALVES(u3, u7, 0));
  NALU_STORE8(cols[c + 4] + b, NALU_HALVES(u0, u4, 4));
  NALU_STORE8(cols[c + 5] + b, NALU_HALVES(u1, u5, 4));
  NALU_STORE8(cols[c + 6] + b, NALU_HALVES(u2, u6, 4));
  NALU_STORE8(cols[c + 7] + b, NALU_HALVES(u3, u7, 4));
#undef NALU_PAIRS
#undef NALU_HALVES
}

// The same for rows s[0..15] into cols[..][b .. b+16), on AVX-512: rows k and k + 8 share a
// register, one in each 256-bit half, so the same shuffles transpose both 8×8 blocks at once
// and each column is one 16-float store.
__attribute__((always_inline)) inline void transpose16(const float* const* s, int c, float* const* cols, int b) {
  // The 8-lane patterns above, applied to each half (the second vector's lanes start at 16).
#define NALU_PAIRS(a, b, i, j, k, l)                                                                               \
  __builtin_shufflevector(a, b, i, j, k, l, i + 4, j + 4, k + 4, l + 4, i + 8, j + 8, k + 8, l + 8, i + 12, j + 12, \
                          k + 12, l + 12)
#define NALU_HALVES(a, b, h)                                                                                         \
  __builtin_shufflevector(a, b, h, h + 1, h + 2, h + 3, h + 16, h + 17, h + 18, h + 19, h + 8, h + 9, h + 10, h + 11, \
                          h + 24, h + 25, h + 26, h + 27)
#define NALU_ROWS(k) \
  __builtin_shufflevector(NALU_LOAD8(s[k] + c), NALU_LOAD8(s[k + 8] + c), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
  const v16 r0 = NALU_ROWS(0), r1 = NALU_ROWS(1), r2 = NALU_ROWS(2), r3 = NALU_ROWS(3), r4 = NALU_ROWS(4),
            r5 = NALU_ROWS(5), r6 = NALU_ROWS(6), r7 = NALU_ROWS(7);
  const v16 t0 = NALU_PAIRS(r0, r1, 0, 16, 1, 17), t1 = NALU_PAIRS(r0, r1, 2, 18, 3, 19);
  const v16 t2 = NALU_PAIRS(r2, r3, 0, 16, 1, 17), t3 = NALU_PAIRS(r2, r3, 2, 18, 3, 19);
  const v16 t4 = NALU_PAIRS(r4, r5, 0, 16, 1, 17), t5 = NALU_PAIRS(r4, r5, 2, 18, 3, 19);
  const v16 t6 = NALU_PAIRS(r6, r7, 0, 16, 1, 17), t7 = NALU_PAIRS(r6, r7, 2, 18, 3, 19);
  const v16 u0 = NALU_PAIRS(t0, t2, 0, 1, 16, 17), u1 = NALU_PAIRS(t0, t2, 2, 3, 18, 19);
  const v16 u2 = NALU_PAIRS(t1, t3, 0, 1, 16, 17), u3 = NALU_PAIRS(t1, t3, 2, 3, 18, 19);
  const v16 u4 = NALU_PAIRS(t4, t6, 0, 1, 16, 17), u5 = NALU_PAIRS(t4, t6, 2, 3, 18, 19);
  const v16 u6 = NALU_PAIRS(t5, t7, 0, 1, 16, 17), u7 = NALU_PAIRS(t5, t7, 2, 3, 18, 19);
  const v16 c0 = NALU_HALVES(u0, u4, 0), c1 = NALU_HALVES(u1, u5, 0), c2 = NALU_HALVES(u2, u6, 0),
            c3 = NALU_HALVES(u3, u7, 0), c4 = NALU_HALVES(u0, u4, 4), c5 = NALU_HALVES(u1, u5, 4),
            c6 = NALU_HALVES(u2, u6, 4), c7 = NALU_HALVES(u3, u7, 4);
  NALU_STORE(cols[c] + b, c0);
  NALU_STORE(cols[c + 1] + b, c1);
  NALU_STORE(cols[c + 2] + b, c2);
  NALU_STORE(cols[c + 3] + b, c3);
  NALU_STORE(cols[c + 4] + b, c4);
  NALU_STORE(cols[c + 5] + b, c5);
  NALU_STORE(cols[c + 6] + b, c6);
  NALU_STORE(cols[c + 7] + b, c7);
#undef NALU_PAIRS
#undef NALU_HALVES
#undef NALU_ROWS
}

// Whole groups of kRows rows from row b on, through transpose8 or transpose16; returns where
// they end.
template <int kRows>
__attribute__((always_inline)) inline int gatherGroups(const float* src, int width, const int64_t* idx, int n,
                                                       float* const* cols, int b) {
  for (; b + kRows <= n; b += kRows) {
    const float* s[kRows];
    for (int k = 0; k < kRows; ++k) s[k] = src + (idx ? idx[b + k] : b + k) * int64_t(width);
    for (int next = 0, c = 0; next < width; next = c + 8) {
      c = std::min(next, width - 8);  // the last block overlaps the previous one
      if constexpr (kRows == 16) transpose16(s, c, cols, b);
      else transpose8(s, c, cols, b);
    }
  }
  return b;
}

// Rows b .. n−1 of the feature-major batch: eight at a time, then one by one.
NALU_CLONES void gatherColumns8(const float* src, int width, const int64_t* idx, int n, float* const* cols, int b) {
  if (width >= 8) b = gatherGroups<8>(src, width, idx, n, cols, b);
  for (; b < n; ++b) {
    const float* s = src + (idx ? idx[b] : b) * int64_t(width);
    for (int c = 0; c < width; ++c) cols[c][b] = s[c];
  }
}

#if NALU_HAVE_CLONES || defined(__AVX512F__)
#define NALU_GATHER16 1
// Sixteen rows at a time, on AVX-512 only; returns where the whole groups end.
__attribute__((target("arch=x86-64-v4"))) int gatherColumns16(const float* src, int width, const int64_t* idx, int n,
                                                               float* const* cols) {
  return gatherGroups<16>(src, width, idx, n, cols, 0);
}
#endif
}  // namespace

// A plain loop beats a memcpy call per row for narrow rows.
void gatherRows(const float* src, int width, const int64_t* idx, int n, float* dst) {
  for (int b = 0; b < n; ++b) {
    prefetchAhead(src, width, idx, b, n);
    const float* s = src + idx[b] * width;
    float* d = dst + int64_t(b) * width;
    for (int c = 0; c < width; ++c) d[c] = s[c];
  }
}

// One contiguous fetch a row instead of two or three from separate arrays (the gathers are a
// large part of a small network's step).
void gatherInterleaved(const float* src, int in, int fw, int out, const int64_t* idx, int n, float* xb, float* fb,
                       float* yb) {
  const int width = in + fw + out;
  for (int b = 0; b < n; ++b) {
    prefetchAhead(src, width, idx, b, n);
    const float* s = src + idx[b] * width;
    for (int c = 0; c < in; ++c) xb[int64_t(b) * in + c] = s[c];
    for (int c = 0; c < fw; ++c) fb[int64_t(b) * fw + c] = s[in + c];
    for (int c = 0; c < out; ++c) yb[int64_t(b) * out + c] = s[in + fw + c];
  }
}

// Eight rows at a time, transposed 8×8 in registers, so eight
// row loads become eight column stores, not one scalar store per float. On AVX-512, rows of 32
// floats or more go sixteen at a time; narrower ones keep the AVX2 path, which its AVX-512
// compile (vshuff32x4 for vperm2f128) made slower. No prefetch: the independent row loads keep
// enough misses in flight (prefetching was slower).
void gatherColumns(const float* src, int width, const int64_t* idx, int n, float* const* cols) {
  int b = 0;
#ifdef NALU_GATHER16
#if NALU_HAVE_CLONES
  static const bool avx512 = (__builtin_cpu_init(), __builtin_cpu_supports("avx512f") &&
                                                        __builtin_cpu_supports("avx512vl") &&
                                                        __builtin_cpu_supports("avx512bw") &&
                                                        __builtin_cpu_supports("avx512dq"));
#else
  constexpr bool avx512 = true;
#endif
  if (avx512 && width >= 32) b = gatherColumns16(src, width, idx, n, cols);
#endif
  gatherColumns8(src, width, idx, n, cols, b);
}

void columnTargets(float* base, int width, int n, float** cols) {
  for (int c = 0; c < width; ++c) cols[c] = base + int64_t(c) * n;
}

}  // namespace nalu
