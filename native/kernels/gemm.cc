// The sgemm dispatch: small products to the loop kernel (gemm_small.cc), the rest to OpenBLAS,
// cut into one single-threaded block per thread.
#include "gemm.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace nalu {

void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B,
          float beta, float* C) {
  if (M == 0 || N == 0) return;
  // One or two rows of C over a wide B (a tiny layer's feature-major forward on a large
  // evaluation set): the loop kernel's row form reads B once, where OpenBLAS would first copy it.
  if (int64_t(M) * N * K <= kSmallGemm || (M <= 2 && !transB && K > 0 && omp_get_max_threads() == 1)) {
    if (K == 0) {
      for (int64_t i = 0; i < int64_t(M) * N; ++i) C[i] = beta == 0.f ? 0.f : beta * C[i];
      return;
    }
    gemmSmall(transA, transB, M, N, K, alpha, A, B, beta, C);
    return;
  }
  int lda = transA ? M : K, ldb = transB ? K : N;
  // On several threads, the product is cut along the longer side of C into one block per
  // thread, each a single-threaded sgemm (OpenBLAS runs single-threaded inside a parallel
  // region): one fork and join a product instead of OpenBLAS's synchronization per panel
  // (measured against one threaded cblas_sgemm call: docs/performance.md).
  const int T = omp_get_max_threads();
  if (T > 1 && !omp_in_parallel()) {
    const bool byRows = M >= N;
    const int len = byRows ? M : N, per = ((len + T - 1) / T + 15) / 16 * 16;
#pragma omp parallel num_threads(T)
    {
      const int b = std::min(len, omp_get_thread_num() * per), e = std::min(len, b + per);
      if (b < e && byRows)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, e - b, N, K,
                    alpha, transA ? A + b : A + int64_t(b) * lda, lda, B, ldb, beta, C + int64_t(b) * N, N);
      else if (b < e)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M, e - b, K,
                    alpha, A, lda, transB ? B + int64_t(b) * ldb : B + b, ldb, beta, C + b, N);
    }
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M, N, K,
              alpha, A, lda, B, ldb, beta, C, N);
}

}  // namespace nalu
