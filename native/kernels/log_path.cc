#include "log_path.h"

#include <cmath>
#include <cstdint>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "clones.h"
#include "mathfn.h"
#include "parallel.h"
#include "vmath.h"

namespace nalu {

namespace {
// log(|x| + ε), the one pass over a whole input that trainOnBatch cannot reuse between calls
// (with the polynomial vm::log, a large part of a small network's step).
void logAbsPolynomial(const float* x, float* lx, float eps, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) lx[i] = vm::log(std::fabs(x[i]) + eps);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#if !defined(NALU_NO_CLONES) || (defined(__AVX2__) && defined(__FMA__))
#define NALU_TABLE_ALLOWED true
#else
#define NALU_TABLE_ALLOWED false
#endif
// On AVX2 an 8-entry table in a register (one vpermps per lookup) shortens the polynomial:
// log v = k·ln2 + log c + log(1 + r), with v = 2^k·z, z ∈ [0.71, 1.42) cut into 8 intervals by
// its top 3 mantissa bits and r = z/c − 1, |r| ≤ 0.058. z = 1 sits two thirds into its interval,
// which takes c = 1 (r = z − 1 exactly, ±0.042): the neighbouring intervals then start far
// enough from 1 that log c and r never nearly cancel. Faster than the 16-entry form of this table
// (two vpermps and a blend a lookup: vpermps was the bottleneck) and than vm::log. Error: ≤ 1.29
// ulp on every float in [0.5, 2), ≤ 1.21 on every 61st positive normal float (vm::log: 0.86, 0.82).
struct LogTable {
  static constexpr uint32_t kOffset = 0x3f355555;  // bits of z's lower bound, 1.0 − (4 + 2/3) intervals
  alignas(32) float invC[8], logC[8];
  LogTable() {
    for (int i = 0; i < 8; ++i) {
      const double lo = vm::asFloat(int32_t(kOffset + (uint32_t(i) << 20)));
      const double hi = vm::asFloat(int32_t(kOffset + (uint32_t(i + 1) << 20)));
      if (lo <= 1.0 && 1.0 < hi) {
        invC[i] = 1.f, logC[i] = 0.f;
        continue;
      }
      // Gal's accurate tables: of the floats near 2/(lo + hi), take the 1/c whose log lies
      // nearest a float, so that storing log c in float loses (almost) nothing.
      const int32_t centre = vm::asInt(float(2.0 / (lo + hi)));
      double bestErr = INFINITY;
      for (int32_t d = -512; d <= 512; ++d) {
        const float inv = vm::asFloat(centre + d);
        const double l = -std::log(double(inv));
        const double err = std::fabs(l - double(float(l)));
        if (err < bestErr) bestErr = err, invC[i] = inv, logC[i] = float(l);
      }
    }
  }
};

// log(|x| + ε) of 8 floats; inlined into logAbsTable, whose loop keeps the constants in registers.
__attribute__((target("avx2,fma"), always_inline)) inline __m256 logAbs8(__m256 x, __m256 eps, const LogTable& table) {
  const __m256 v = _mm256_add_ps(_mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))), eps);
  const __m256i u = _mm256_castps_si256(v), t = _mm256_sub_epi32(u, _mm256_set1_epi32(int32_t(LogTable::kOffset)));
  const __m256i k = _mm256_srai_epi32(t, 23), index = _mm256_srli_epi32(t, 20);  // vpermps reads its low 3 bits
  const __m256 z = _mm256_castsi256_ps(_mm256_sub_epi32(u, _mm256_slli_epi32(k, 23)));
  const __m256 inv = _mm256_permutevar8x32_ps(_mm256_load_ps(table.invC), index);
  const __m256 logc = _mm256_permutevar8x32_ps(_mm256_load_ps(table.logC), index);
  const __m256 r = _mm256_fmsub_ps(z, inv, _mm256_set1_ps(1.f)), r2 = _mm256_mul_ps(r, r);
  const __m256 head = _mm256_fmadd_ps(_mm256_cvtepi32_ps(k), _mm256_set1_ps(0.693147182f), logc);
  // log(1 + r) = r + r²·(p0 + p1·r + p2·r² + p3·r³), fitted on |r| ≤ 0.058 (relative error 2e-8).
  const __m256 p = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0.20333187f), r, _mm256_set1_ps(-0.25055060f)), r2,
                                   _mm256_fmadd_ps(_mm256_set1_ps(0.33332530f), r, _mm256_set1_ps(-0.49999976f)));
  const __m256 y = _mm256_add_ps(head, _mm256_fmadd_ps(p, r2, r));
  // +inf and NaN are their own log.
  return _mm256_blendv_ps(y, v, _mm256_castsi256_ps(_mm256_cmpgt_epi32(u, _mm256_set1_epi32(0x7f7fffff))));
}

__attribute__((target("avx2,fma"))) void logAbsTable(const float* x, float* lx, float eps, int64_t b,
                                                       int64_t e) {
  static const LogTable table;
  const __m256 veps = _mm256_set1_ps(eps);
  int64_t i = b;
  for (; i + 8 <= e; i += 8) _mm256_storeu_ps(lx + i, logAbs8(_mm256_loadu_ps(x + i), veps, table));
  if (i < e) {  // the tail through a lane mask (AMD's masked stores are slow: once per call only)
    const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(int32_t(e - i)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(lx + i, lanes, logAbs8(_mm256_maskload_ps(x + i, lanes), veps, table));
  }
}

void logAbsFast(const float* x, float* lx, float eps, int64_t b, int64_t e) {
  // A build for one instruction set below AVX2 (NALU_NO_CLONES, scripts/test-isa.sh) keeps the
  // polynomial on any CPU.
  static const bool avx2 = NALU_TABLE_ALLOWED && (__builtin_cpu_init(), __builtin_cpu_supports("avx2") &&
                                                                          __builtin_cpu_supports("fma"));
  if (avx2) return logAbsTable(x, lx, eps, b, e);
  logAbsPolynomial(x, lx, eps, b, e);
}
#else
void logAbsFast(const float* x, float* lx, float eps, int64_t b, int64_t e) { logAbsPolynomial(x, lx, eps, b, e); }
#endif

// NAC•'s log(|x| + ε).
// scalar: libm's logf (LogPath::Fast's logs would change NAC•'s results).
void logAbsLibm(const float* x, float* lx, float eps, int64_t b, int64_t e) {
  for (int64_t i = b; i < e; ++i) lx[i] = std::log(std::fabs(x[i]) + eps);
}

NALU_CLONES_WIDE void backwardLogFast(const float* x, const float* dlx, float* dx, float eps, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    float s = sign(x[i]);
    dx[i] += dlx[i] * s / (std::fabs(x[i]) + eps);
  }
}

NALU_CLONES_WIDE void backwardLogLibm(const float* x, const float* dlx, float* dx, float eps, int64_t b, int64_t e) {
#pragma omp simd
  for (int64_t i = b; i < e; ++i) {
    float s = sign(x[i]);
    dx[i] = dlx[i] * (s / (std::fabs(x[i]) + eps));
  }
}
}  // namespace

void logAbs(LogPath path, const float* x, float* lx, float eps, int64_t n) {
  if (path == LogPath::Fast) parallelChunks(n, [&](int64_t b, int64_t e) { logAbsFast(x, lx, eps, b, e); });
  else parallelChunks(n, [&](int64_t b, int64_t e) { logAbsLibm(x, lx, eps, b, e); });
}

void logAbsBackward(LogPath path, const float* x, const float* dlx, float* dx, float eps, int64_t n) {
  if (path == LogPath::Fast) parallelChunks(n, [&](int64_t b, int64_t e) { backwardLogFast(x, dlx, dx, eps, b, e); });
  else parallelChunks(n, [&](int64_t b, int64_t e) { backwardLogLibm(x, dlx, dx, eps, b, e); });
}

}  // namespace nalu
