// The loop kernel of products too small for OpenBLAS (gemm.h: kSmallGemm): row, dot and column
// forms in GCC vectors, compiled per instruction set. Nothing here calls OpenBLAS.
#include <algorithm>
#include <cstring>

#include "buffer.h"
#include "clones.h"
#include "gemm.h"
#include "vec8.h"

namespace nalu {

namespace {
// Scratch for the small-matrix path: grown once per thread, reused by every later call.
thread_local Buffer tScratchA, tScratchB;

float* scratch(Buffer& b, size_t n) {
  if (b.size() < n) b.resize(n);
  return b.data();
}

// dst[c, r] = src[r, c] for a rows × cols row-major src.
void transpose(const float* src, int rows, int cols, float* dst) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) dst[int64_t(c) * rows + r] = src[int64_t(r) * cols + c];
}

// GCC folds a vector load that feeds several multiply-adds into each of them (vfmadd231ps
// with a memory operand), so a vector shared by two rows or columns was loaded once per use:
// 10 loads for 8 FMAs in the dot form, and the loads, not the FMAs, set the pace. An empty asm
// keeps the loaded vector in a register. Only in the AVX2 and AVX-512 clones, where a vector is
// one register.
template <bool kPin, class V>
__attribute__((always_inline)) inline void pin(V& v) {
  if constexpr (kPin) asm("" : "+v"(v));
}

// The lanes of a vector type: 8 (v8) or 16 (v16).
template <class V>
constexpr int kLanes = int(sizeof(V) / sizeof(float));

// Row form on rows i .. i+R−1 of C (R = 1 or 2): each block of four vectors of columns (32 with
// v8, 64 with v16) is summed over k in registers, every load of B feeding all R rows, then
// written once. Inlined into each clone of gemmSmallClone, so it is compiled for that clone's
// instruction set.
template <int R, class V, bool kPin>
__attribute__((always_inline)) inline void rowForm(int i, int M, int N, int K, float alpha, const float* A, bool transA,
                                                   const float* Bk, float beta, float* C) {
  // op(A)[i + r, k] through strides, not a branch on transA that GCC leaves inside the k loop.
  const int64_t sk = transA ? M : 1, sr = transA ? 1 : K;
  auto a = [&](int r, int k) { return A[k * sk + (i + r) * sr]; };
  // C[i + r, j .. j+W) = alpha·v + beta·C (a macro: a lambda taking a vector could be compiled
  // for another ISA).
#define NALU_PUT(r, j, v)                                        \
  ({                                                             \
    float* c_ = C + int64_t(i + (r)) * N + (j);                  \
    __typeof__(v) v2_ = alpha * (v);                             \
    if (beta != 0.f) v2_ += beta * NALU_LOAD(__typeof__(v), c_); \
    NALU_STORE(c_, v2_);                                         \
  })
  constexpr int W = kLanes<V>;
  int j = 0;
  for (; j + 4 * W <= N; j += 4 * W) {
    V acc[R][4] = {};
    for (int k = 0; k < K; ++k) {
      const float* b = Bk + int64_t(k) * N + j;
      V b0 = NALU_LOAD(V, b), b1 = NALU_LOAD(V, b + W), b2 = NALU_LOAD(V, b + 2 * W), b3 = NALU_LOAD(V, b + 3 * W);
      if (R > 1) pin<kPin>(b0), pin<kPin>(b1), pin<kPin>(b2), pin<kPin>(b3);
      for (int r = 0; r < R; ++r) {
        const float ar = a(r, k);
        acc[r][0] += ar * b0;
        acc[r][1] += ar * b1;
        acc[r][2] += ar * b2;
        acc[r][3] += ar * b3;
      }
    }
    for (int r = 0; r < R; ++r)
      for (int u = 0; u < 4; ++u) NALU_PUT(r, j + W * u, acc[r][u]);
  }
  // The rest a vector at a time: V, then (v16) one v8. (A macro, as NALU_PUT.)
#define NALU_SINGLE(U)                                                   \
  for (; j + kLanes<U> <= N; j += kLanes<U>) {                           \
    U acc[R] = {};                                                       \
    for (int k = 0; k < K; ++k) {                                        \
      const U b = NALU_LOAD(U, Bk + int64_t(k) * N + j);                 \
      for (int r = 0; r < R; ++r) acc[r] += a(r, k) * b;                 \
    }                                                                    \
    for (int r = 0; r < R; ++r) NALU_PUT(r, j, acc[r]);                  \
  }
  NALU_SINGLE(V)
  if constexpr (W > 8) NALU_SINGLE(v8)
#undef NALU_SINGLE
  for (; j < N; ++j)
    for (int r = 0; r < R; ++r) {
      float s = 0;
      for (int k = 0; k < K; ++k) s += a(r, k) * Bk[int64_t(k) * N + j];
      float& c = C[int64_t(i + r) * N + j];
      c = beta == 0.f ? alpha * s : alpha * s + beta * c;
    }
#undef NALU_PUT
}

// Dot form on a block of C: rows i .. i+8/CB−1 × columns j .. j+CB−1, C[i,j] = Σ_k A[i,k]·Bt[j,k].
// Eight vector accumulators, each load of A feeding CB columns and each load of Bt 8/CB rows,
// then all eight summed across lanes at once (the omp-simd reductions this replaces summed
// each dot product through the stack, one lane at a time). With v16 the sums fold to v8 first
// and a last v8 step takes k up to a multiple of 8. Rows and columns past the edge repeat the
// last one and are not stored. Inlined into each clone of gemmSmallClone.
template <int CB, class V, bool kPin>
__attribute__((always_inline)) inline void dotBlock(int i, int j, int M, int N, int K, float alpha, const float* A,
                                                    const float* Bt, float beta, float* C) {
  constexpr int RB = 8 / CB, W = kLanes<V>;
  const int KW = K / W * W, K8 = K / 8 * 8;
  const float* a[RB];
  const float* bt[CB];
  for (int r = 0; r < RB; ++r) a[r] = A + int64_t(std::min(i + r, M - 1)) * K;
  for (int c = 0; c < CB; ++c) bt[c] = Bt + int64_t(std::min(j + c, N - 1)) * K;
#define NALU_DOTS(U, acc, k0, k1)                                   \
  for (int k = (k0); k < (k1); k += kLanes<U>) {                    \
    U b[CB];                                                        \
    for (int c = 0; c < CB; ++c) b[c] = NALU_LOAD(U, bt[c] + k);    \
    for (int r = 0; r < RB; ++r) {                                  \
      U ar = NALU_LOAD(U, a[r] + k);                                \
      if (CB > 1) pin<kPin>(ar);                                    \
      for (int c = 0; c < CB; ++c) acc[CB * r + c] += ar * b[c];    \
    }                                                               \
  }
  v8 acc[8] = {};
  if constexpr (W > 8) {
    V wide[8] = {};
    NALU_DOTS(V, wide, 0, KW)
    for (int q = 0; q < 8; ++q)
      acc[q] = __builtin_shufflevector(wide[q], wide[q], 0, 1, 2, 3, 4, 5, 6, 7) +
               __builtin_shufflevector(wide[q], wide[q], 8, 9, 10, 11, 12, 13, 14, 15);
  }
  NALU_DOTS(v8, acc, W > 8 ? KW : 0, K8)
#undef NALU_DOTS
  // sum[q] = Σ lanes of acc[q]: pairwise sums of neighbouring lanes, three rounds.
  v8 h[4], q[2];
  for (int t = 0; t < 4; ++t)
    h[t] = __builtin_shufflevector(acc[2 * t], acc[2 * t + 1], 0, 2, 8, 10, 4, 6, 12, 14) +
           __builtin_shufflevector(acc[2 * t], acc[2 * t + 1], 1, 3, 9, 11, 5, 7, 13, 15);
  for (int t = 0; t < 2; ++t)
    q[t] = __builtin_shufflevector(h[2 * t], h[2 * t + 1], 0, 2, 8, 10, 4, 6, 12, 14) +
           __builtin_shufflevector(h[2 * t], h[2 * t + 1], 1, 3, 9, 11, 5, 7, 13, 15);
  const v8 sum = __builtin_shufflevector(q[0], q[1], 0, 1, 2, 3, 8, 9, 10, 11) +
                 __builtin_shufflevector(q[0], q[1], 4, 5, 6, 7, 12, 13, 14, 15);
  if (N == CB && K8 == K && i + RB <= M) {
    // The block is 8 consecutive floats of C (a NALU's one or two units): one vector store.
    float* out = C + int64_t(i) * N;
    v8 v = alpha * sum;
    if (beta != 0.f) v += beta * NALU_LOAD8(out);
    NALU_STORE8(out, v);
    return;
  }
  for (int r = 0; r < RB && i + r < M; ++r)
    for (int c = 0; c < CB && j + c < N; ++c) {
      float d = sum[CB * r + c];
      for (int k = K8; k < K; ++k) d += a[r][k] * bt[c][k];
      float& out = C[int64_t(i + r) * N + j + c];
      out = beta == 0.f ? alpha * d : alpha * d + beta * out;
    }
}

// The dot form's AVX-512 block, for k a multiple of 16: sixteen dot products (rows i .. i+16/CB−1
// × columns j .. j+CB−1) in sixteen registers, summed across lanes in four rounds of shuffles
// into one vector: half the shuffles of two eight-product blocks. Edges as in dotBlock.
template <int CB, bool kPin>
__attribute__((always_inline)) inline void dotBlock16(int i, int j, int M, int N, int K, float alpha, const float* A,
                                                      const float* Bt, float beta, float* C) {
  constexpr int RB = 16 / CB;
  const float* a[RB];
  const float* bt[CB];
  for (int r = 0; r < RB; ++r) a[r] = A + int64_t(std::min(i + r, M - 1)) * K;
  for (int c = 0; c < CB; ++c) bt[c] = Bt + int64_t(std::min(j + c, N - 1)) * K;
  v16 acc[16] = {};
  for (int k = 0; k < K; k += 16) {
    v16 b[CB];
    for (int c = 0; c < CB; ++c) b[c] = NALU_LOAD(v16, bt[c] + k);
    for (int r = 0; r < RB; ++r) {
      v16 ar = NALU_LOAD(v16, a[r] + k);
      if (CB > 1) pin<kPin>(ar);
      for (int c = 0; c < CB; ++c) acc[CB * r + c] += ar * b[c];
    }
  }
  // Rounds 1–2 within 128-bit lanes (as dotBlock): q[t] lane l = partial sums of acc[4t .. 4t+3]
  // over lane l. Rounds 3–4 add the four lanes: out[q] = Σ lanes of acc[q].
  v16 h[8], q[4], u[2];
  for (int t = 0; t < 8; ++t)
    h[t] = __builtin_shufflevector(acc[2 * t], acc[2 * t + 1], 0, 2, 16, 18, 4, 6, 20, 22, 8, 10, 24, 26, 12, 14, 28, 30) +
           __builtin_shufflevector(acc[2 * t], acc[2 * t + 1], 1, 3, 17, 19, 5, 7, 21, 23, 9, 11, 25, 27, 13, 15, 29, 31);
  for (int t = 0; t < 4; ++t)
    q[t] = __builtin_shufflevector(h[2 * t], h[2 * t + 1], 0, 2, 16, 18, 4, 6, 20, 22, 8, 10, 24, 26, 12, 14, 28, 30) +
           __builtin_shufflevector(h[2 * t], h[2 * t + 1], 1, 3, 17, 19, 5, 7, 21, 23, 9, 11, 25, 27, 13, 15, 29, 31);
  for (int t = 0; t < 2; ++t)
    u[t] = __builtin_shufflevector(q[2 * t], q[2 * t + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) +
           __builtin_shufflevector(q[2 * t], q[2 * t + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  const v16 sum = __builtin_shufflevector(u[0], u[1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) +
                  __builtin_shufflevector(u[0], u[1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  if (N == CB && i + RB <= M) {
    float* out = C + int64_t(i) * N;
    v16 v = alpha * sum;
    if (beta != 0.f) v += beta * NALU_LOAD(v16, out);
    NALU_STORE(out, v);
    return;
  }
  for (int r = 0; r < RB && i + r < M; ++r)
    for (int c = 0; c < CB && j + c < N; ++c) {
      float& out = C[int64_t(i + r) * N + j + c];
      out = beta == 0.f ? alpha * sum[CB * r + c] : alpha * sum[CB * r + c] + beta * out;
    }
}

// C = alpha·op(A)·op(B) + beta·C for matrices small enough that OpenBLAS's fixed cost
// (buffer set-up, packing, its threading check) dominates: the small NALU shapes call six of
// these per step. Each case is arranged so the innermost loop runs over contiguous memory
// along the longest available dimension, transposing a small operand into scratch if needed.
template <class V, bool kPin>
__attribute__((always_inline)) inline void gemmSmallBody(bool transA, bool transB, int M, int N, int K, float alpha,
                                                         const float* A, const float* B, float beta, float* C) {
  if (N >= 8 || N >= M) {
    // Row form: C[i,:] = beta·C[i,:] + Σ_k alpha·op(A)[i,k]·op(B)[k,:], op(B) rows contiguous.
    const float* Bk = B;
    if (transB) {
      float* bt = scratch(tScratchB, size_t(K) * N);
      transpose(B, N, K, bt);
      Bk = bt;
    }
    int i = 0;
    for (; i + 2 <= M; i += 2) rowForm<2, V, kPin>(i, M, N, K, alpha, A, transA, Bk, beta, C);
    if (i < M) rowForm<1, V, kPin>(i, M, N, K, alpha, A, transA, Bk, beta, C);
    return;
  }
  if (!transA) {
    // Dot form (few outputs a row): C[i,j] = Σ_k A[i,k]·op(B)[k,j] with op(B) columns contiguous.
    const float* Bt = B;
    if (!transB) {
      float* bt = scratch(tScratchB, size_t(K) * N);
      transpose(B, K, N, bt);
      Bt = bt;
    }
    if constexpr (kLanes<V> == 16) {
      if (K % 16 == 0) {
        for (int i = 0; i < M; i += N == 1 ? 16 : 8)
          for (int j = 0; j < N; j += 2) {
            if (N == 1) dotBlock16<1, kPin>(i, j, M, N, K, alpha, A, Bt, beta, C);
            else dotBlock16<2, kPin>(i, j, M, N, K, alpha, A, Bt, beta, C);
          }
        return;
      }
    }
    // Blocks of eight dot products (four rows × two columns, or eight rows of a one-column C).
    for (int i = 0; i < M; i += N == 1 ? 8 : 4)
      for (int j = 0; j < N; j += 2) {
        if (N == 1) dotBlock<1, V, kPin>(i, j, M, N, K, alpha, A, Bt, beta, C);
        else dotBlock<2, V, kPin>(i, j, M, N, K, alpha, A, Bt, beta, C);
      }
    return;
  }
  // Column form (few outputs, many rows): Cᵀ[j,:] = Σ_k op(B)[k,j]·op(A)[:,k], op(A) columns
  // contiguous (A itself when transposed), accumulated in scratch then written back.
  const float* Ak = A;
  if (!transA) {
    float* at = scratch(tScratchA, size_t(K) * M);
    transpose(A, M, K, at);
    Ak = at;
  }
  float* ct = scratch(tScratchB, size_t(N) * M);
  auto b = [&](int k, int j) { return alpha * (transB ? B[int64_t(j) * K + k] : B[int64_t(k) * N + j]); };
  // Blocks of 8 columns of C per output j, summed over k in registers (xᵀ·δ of a NALU's
  // backward: few outputs, a long k): four accumulators so the FMAs do not wait on each other.
  constexpr int kW = 8;
  int i0 = 0;
  for (int next = 0; next < M && M >= kW; next = i0 + kW) {
    // The last block overlaps the previous one instead of leaving a scalar tail.
    i0 = std::min(next, M - kW);
    for (int j = 0; j < N; ++j) {
      v8 acc0 = {}, acc1 = {}, acc2 = {}, acc3 = {};
      const float* a = Ak + i0;
      int k = 0;
      for (; k + 4 <= K; k += 4) {
        acc0 += b(k, j) * NALU_LOAD8(a + int64_t(k) * M);
        acc1 += b(k + 1, j) * NALU_LOAD8(a + int64_t(k + 1) * M);
        acc2 += b(k + 2, j) * NALU_LOAD8(a + int64_t(k + 2) * M);
        acc3 += b(k + 3, j) * NALU_LOAD8(a + int64_t(k + 3) * M);
      }
      for (; k < K; ++k) acc0 += b(k, j) * NALU_LOAD8(a + int64_t(k) * M);
      v8 sum = (acc0 + acc1) + (acc2 + acc3);
      std::memcpy(ct + int64_t(j) * M + i0, &sum, sizeof sum);
    }
  }
  if (M >= kW) i0 = M;
  if (i0 < M) {
    for (int j = 0; j < N; ++j) std::fill(ct + int64_t(j) * M + i0, ct + int64_t(j + 1) * M, 0.f);
    for (int k = 0; k < K; ++k) {
      const float* a = Ak + int64_t(k) * M;
      for (int j = 0; j < N; ++j) {
        const float bk = b(k, j);
        float* cj = ct + int64_t(j) * M;
        for (int i = i0; i < M; ++i) cj[i] += bk * a[i];
      }
    }
  }
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float& c = C[int64_t(i) * N + j];
      c = beta == 0.f ? ct[int64_t(j) * M + i] : ct[int64_t(j) * M + i] + beta * c;
    }
}

// The clones of target_clones by hand, so that only the AVX2 and AVX-512 ones pin their loads.
#if NALU_HAVE_CLONES
__attribute__((target("arch=x86-64-v4"))) void gemmSmallClone(bool transA, bool transB, int M, int N, int K,
                                                               float alpha, const float* A, const float* B, float beta,
                                                               float* C) {
  gemmSmallBody<v16, true>(transA, transB, M, N, K, alpha, A, B, beta, C);
}
__attribute__((target("arch=x86-64-v3"))) void gemmSmallClone(bool transA, bool transB, int M, int N, int K,
                                                               float alpha, const float* A, const float* B, float beta,
                                                               float* C) {
  gemmSmallBody<v8, true>(transA, transB, M, N, K, alpha, A, B, beta, C);
}
__attribute__((target("default"))) void gemmSmallClone(bool transA, bool transB, int M, int N, int K, float alpha,
                                                       const float* A, const float* B, float beta, float* C) {
  gemmSmallBody<v8, false>(transA, transB, M, N, K, alpha, A, B, beta, C);
}
#else
void gemmSmallClone(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B,
                    float beta, float* C) {
#if defined(__AVX512F__)
  gemmSmallBody<v16, true>(transA, transB, M, N, K, alpha, A, B, beta, C);
#elif defined(__AVX__)
  gemmSmallBody<v8, true>(transA, transB, M, N, K, alpha, A, B, beta, C);
#else
  gemmSmallBody<v8, false>(transA, transB, M, N, K, alpha, A, B, beta, C);
#endif
}
#endif
}  // namespace

void gemmSmall(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B, float beta,
               float* C) {
  gemmSmallClone(transA, transB, M, N, K, alpha, A, B, beta, C);
}

}  // namespace nalu
