// The row-major products' summation orders, reproduced on feature-major operands. gemm picks
// one of three forms by shape (gemm_small.cc) and each sums a product's terms in its own order:
//   row form:    Σ_k in order, from 0;
//   dot form:    k split by k mod W into W partial sums (W = the clone's lanes: 8, or 16 on AVX-512),
//                added pairwise (16 folded to 8 unless K is a multiple of 16), then k ≥ K/8·8 in order;
//   column form: k split by k mod 4 into 4 partial sums, the last K mod 4 terms into the first,
//                (s0 + s1) + (s2 + s3); in order (the row form's) where op(A) has fewer than 8 rows.
// A row-major product too large for the loop kernel goes to OpenBLAS, and shapes whose
// feature-major product gemm would sum otherwise: those are transposed and run row-major.
#include "row_order.h"

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "buffer.h"
#include "clones.h"
#include "gemm.h"
#include "vec8.h"

namespace nalu {

namespace {
typedef float v4 __attribute__((vector_size(16)));

enum class Form { Row, Dot, Column };

// gemm's choice for row-major C[M,N] = op(A)·op(B): the loop kernel (true) or OpenBLAS, and its form.
bool loopKernel(int M, int N, int K, bool transB) {
  return int64_t(M) * N * K <= kSmallGemm || (M <= 2 && !transB && K > 0 && omp_get_max_threads() == 1);
}
Form formOf(int M, int N, bool transA) {
  return N >= 8 || N >= M ? Form::Row : !transA ? Form::Dot : Form::Column;
}

thread_local Buffer tA, tB, tC;

float* space(Buffer& b, size_t n) {
  if (b.size() < n) b.resize(n);
  return b.data();
}

// dst [cols, rows] = srcᵀ for src [rows, cols].
float* transposed(const float* src, int rows, int cols, Buffer& dst) {
  float* d = space(dst, size_t(rows) * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) d[int64_t(c) * rows + r] = src[int64_t(r) * cols + c];
  return d;
}

// Keeps v rounded on its own: an empty asm takes it, so GCC cannot fuse it into an FMA. Only in
// the clones that have FMA (kFma), where a v8 is one register.
template <bool kFma, class T>
__attribute__((always_inline)) inline void unfused(T& v) {
#if defined(__x86_64__) || defined(__i386__)
  if constexpr (kFma) asm("" : "+v"(v));
#endif
}

// The dot form of C[j, r .. r + lanes of T) = Σ_k A[k·M + r]·B[k·bk + j·bj] (+ beta·C), T v8
// or float (the last M mod 8 rows). W: the lanes of the gemm clone whose order it reproduces.
template <int W, bool kFma, class T>
__attribute__((always_inline)) inline void dotOne(const float* A, int M, const float* B, int64_t bk, int64_t bj, int K,
                                                  float beta, float* C, int j, int r) {
  const int KW = K / W * W, K8 = K / 8 * 8;
  const float* b = B + j * bj;
  T p[W];
  for (int l = 0; l < W; ++l) p[l] = T{};
  for (int k = 0; k < KW; k += W)
    for (int l = 0; l < W; ++l) p[l] += NALU_LOAD(T, A + int64_t(k + l) * M + r) * b[(k + l) * bk];
  T s;
  // gemmSmall's AVX-512 clone sums a K that is a multiple of 16 in its sixteen lanes at once.
  bool sixteen = false;
  if constexpr (W == 16) sixteen = K % 16 == 0;
  if (sixteen) {
    T c[4];
    for (int q = 0; q < 4; ++q) c[q] = (p[4 * q] + p[(4 * q + 1) % W]) + (p[(4 * q + 2) % W] + p[(4 * q + 3) % W]);
    s = (c[0] + c[1]) + (c[2] + c[3]);
  } else {
    T q[8];
    for (int l = 0; l < 8; ++l) q[l] = W == 16 ? p[l] + p[(l + 8) % W] : p[l];
    for (int k = KW; k < K8; k += 8)
      for (int l = 0; l < 8; ++l) q[l] += NALU_LOAD(T, A + int64_t(k + l) * M + r) * b[(k + l) * bk];
    s = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
    // The last K mod 8 terms in order, as GCC compiles gemmSmall's loop over them: in the AVX2
    // clone four products at a time rounded, then added (no FMA), the last K mod 4 by FMA.
    const int K4 = W == 16 ? K8 : K8 + (K - K8) / 4 * 4;
    for (int k = K8; k < K4; ++k) {
      T prod = NALU_LOAD(T, A + int64_t(k) * M + r) * b[k * bk];
      unfused<kFma>(prod);
      s += prod;
    }
    for (int k = K4; k < K; ++k) s += NALU_LOAD(T, A + int64_t(k) * M + r) * b[k * bk];
  }
  float* c = C + int64_t(j) * M + r;
  if (beta != 0.f) s += beta * NALU_LOAD(T, c);
  std::memcpy(c, &s, sizeof s);
}

template <int W, bool kFma>
__attribute__((always_inline)) inline void dotBody(const float* A, int M, const float* B, int64_t bk, int64_t bj, int N,
                                                   int K, float beta, float* C) {
  for (int j = 0; j < N; ++j) {
    int r = 0;
    for (; r + 8 <= M; r += 8) dotOne<W, kFma, v8>(A, M, B, bk, bj, K, beta, C, j, r);
    for (; r < M; ++r) dotOne<W, kFma, float>(A, M, B, bk, bj, K, beta, C, j, r);
  }
}

// The column form of dW[i, j] = Σ_k xᵀ[i·K + k]·dyᵀ[j·K + k] (+ beta·dW, beta 0 or 1), M ≥ 8:
// lane m of four holds the partial sum of k ≡ m mod 4. Two columns j, j + 1 share a v8 (lanes
// 0–3 and 4–7; their dy interleaved four terms at a time in dyI), eight rows of dW at once.
__attribute__((always_inline)) inline void columnBody(const float* xT, const float* dyT, int M, int N, int K, float beta,
                                                      float* dW, float* dyI) {
  const int K4 = K / 4 * 4;
  for (int j = 0; j < N; j += 2) {
    const int J = std::min(2, N - j);  // an odd N's last column pairs with itself
    for (int k = 0; k < K4; k += 4)
      for (int h = 0; h < 2; ++h) std::memcpy(dyI + 2 * k + 4 * h, dyT + int64_t(j + std::min(h, J - 1)) * K + k, 4 * sizeof(float));
    for (int i0 = 0; i0 < M; i0 += 8) {
      const float* x[8];
      for (int t = 0; t < 8; ++t) x[t] = xT + int64_t(std::min(i0 + t, M - 1)) * K;
      v8 acc[8] = {};
      for (int k = 0; k < K4; k += 4) {
        const v8 d = NALU_LOAD8(dyI + 2 * k);
        for (int t = 0; t < 8; ++t) {
          v4 x4;
          std::memcpy(&x4, x[t] + k, sizeof x4);
          acc[t] += d * __builtin_shufflevector(x4, x4, 0, 1, 2, 3, 0, 1, 2, 3);
        }
      }
      for (int t = 0; t < 8 && i0 + t < M; ++t)
        for (int h = 0; h < J; ++h) {
          const float* d = dyT + int64_t(j + h) * K;
          for (int k = K4; k < K; ++k) acc[t][4 * h] += d[k] * x[t][k];
          const float s = (acc[t][4 * h] + acc[t][4 * h + 1]) + (acc[t][4 * h + 2] + acc[t][4 * h + 3]);
          float& c = dW[int64_t(i0 + t) * N + j + h];
          c = beta == 0.f ? s : s + beta * c;
        }
    }
  }
}

// dW[i, j] = Σ_k in order (the row form, and the column form below 8 rows), beta 0 or 1.
__attribute__((always_inline)) inline void inOrderBody(const float* xT, const float* dyT, int M, int N, int K, float beta,
                                                       float* dW) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      const float *x = xT + int64_t(i) * K, *d = dyT + int64_t(j) * K;
      float s = 0;
      for (int k = 0; k < K; ++k) s += x[k] * d[k];
      float& c = dW[int64_t(i) * N + j];
      c = beta == 0.f ? s : s + beta * c;
    }
}

// Each compiled for the instruction sets gemm_small.cc's clones are, so products round (FMA or
// not) as there; dotClone's AVX-512 clone sums in sixteen lanes as gemmSmall's does. Not
// auto-vectorized: GCC would vectorize an in-order sum's products and round them apart.
#define NALU_AS_WRITTEN __attribute__((optimize("no-tree-vectorize")))
#if NALU_HAVE_CLONES
__attribute__((target("arch=x86-64-v4"))) NALU_AS_WRITTEN void dotClone(const float* A, int M, const float* B, int64_t bk, int64_t bj,
                                                         int N, int K, float beta, float* C) {
  dotBody<16, true>(A, M, B, bk, bj, N, K, beta, C);
}
__attribute__((target("arch=x86-64-v3"))) NALU_AS_WRITTEN void dotClone(const float* A, int M, const float* B, int64_t bk, int64_t bj,
                                                         int N, int K, float beta, float* C) {
  dotBody<8, true>(A, M, B, bk, bj, N, K, beta, C);
}
__attribute__((target("default"))) NALU_AS_WRITTEN void dotClone(const float* A, int M, const float* B, int64_t bk, int64_t bj, int N,
                                                 int K, float beta, float* C) {
  dotBody<8, false>(A, M, B, bk, bj, N, K, beta, C);
}
#else
void dotClone(const float* A, int M, const float* B, int64_t bk, int64_t bj, int N, int K, float beta, float* C) {
#if defined(__AVX512F__)
  dotBody<16, true>(A, M, B, bk, bj, N, K, beta, C);
#elif defined(__AVX__)
  dotBody<8, true>(A, M, B, bk, bj, N, K, beta, C);
#else
  dotBody<8, false>(A, M, B, bk, bj, N, K, beta, C);
#endif
}
#endif

NALU_CLONES NALU_AS_WRITTEN void columnClone(const float* xT, const float* dyT, int M, int N, int K, float beta, float* dW,
                                             float* dyI) {
  columnBody(xT, dyT, M, N, K, beta, dW, dyI);
}
NALU_CLONES NALU_AS_WRITTEN void inOrderClone(const float* xT, const float* dyT, int M, int N, int K, float beta, float* dW) {
  inOrderBody(xT, dyT, M, N, K, beta, dW);
}
}  // namespace

void xWRowOrder(const float* xT, const float* W, float beta, float* yT, int rows, int in, int out) {
  // Row-major: gemm(false, false, rows, out, in, x, W).
  const bool loop = loopKernel(rows, out, in, false);
  const Form form = formOf(rows, out, false);
  if (loop && form == Form::Dot) return dotClone(xT, rows, W, out, 1, out, in, beta, yT);
  // In order: the feature-major product's row form, where gemm gives it one. Past the loop
  // kernel, OpenBLAS's own product row-major: its AVX-512 kernels sum the two orientations apart.
  if (loop && form == Form::Row && loopKernel(out, rows, in, false) && formOf(out, rows, true) == Form::Row &&
      (beta == 0.f || beta == 1.f))
    return gemm(true, false, out, rows, in, 1, W, xT, beta, yT);
  const float* x = transposed(xT, in, rows, tA);
  float* y = beta != 0.f ? transposed(yT, out, rows, tC) : space(tC, size_t(rows) * out);
  gemm(false, false, rows, out, in, 1, x, W, beta, y);
  float* back = transposed(y, rows, out, tB);
  std::copy(back, back + int64_t(rows) * out, yT);
}

void dyWtRowOrder(const float* dyT, const float* W, float beta, float* dxT, int rows, int in, int out) {
  // Row-major: gemm(false, true, rows, in, out, dy, W).
  const bool loop = loopKernel(rows, in, out, true);
  const Form form = formOf(rows, in, false);
  if (loop && form == Form::Dot) return dotClone(dyT, rows, W, 1, out, in, out, beta, dxT);
  if (loop && form == Form::Row && loopKernel(in, rows, out, false) && formOf(in, rows, false) == Form::Row &&
      (beta == 0.f || beta == 1.f))
    return gemm(false, false, in, rows, out, 1, W, dyT, beta, dxT);
  const float* dy = transposed(dyT, out, rows, tA);
  float* dx = beta != 0.f ? transposed(dxT, in, rows, tC) : space(tC, size_t(rows) * in);
  gemm(false, true, rows, in, out, 1, dy, W, beta, dx);
  float* back = transposed(dx, rows, in, tB);
  std::copy(back, back + int64_t(rows) * in, dxT);
}

void xtDyRowOrder(const float* xT, const float* dyT, float beta, float* dW, int rows, int in, int out) {
  // Row-major: gemm(true, false, in, out, rows, x, dy).
  if (loopKernel(in, out, rows, false) && (beta == 0.f || beta == 1.f)) {
    if (formOf(in, out, true) == Form::Column && in >= 8)
      return columnClone(xT, dyT, in, out, rows, beta, dW, space(tA, size_t(rows / 4) * 8));
    return inOrderClone(xT, dyT, in, out, rows, beta, dW);
  }
  const float* x = transposed(xT, in, rows, tA);
  const float* dy = transposed(dyT, out, rows, tB);
  gemm(true, false, in, out, rows, 1, x, dy, beta, dW);
}

}  // namespace nalu
