// Row-major single-precision products, the one entry point every unit multiplies through.
#pragma once
#include <cstdint>

namespace nalu {

// Products with at most this many multiply-adds skip OpenBLAS, whose per-call set-up outweighs
// them, for a loop kernel on the calling thread.
constexpr int64_t kSmallGemm = 1 << 16;

// Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C through cblas_sgemm.
void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B,
          float beta, float* C);

// The loop kernel gemm runs products of at most kSmallGemm multiply-adds on (K ≥ 1).
void gemmSmall(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B, float beta,
               float* C);

}  // namespace nalu
