// benchCore(probe, reps[, bytes]): what one core can do at best, for the bench's "limit" column.
// Rates of each of reps timed runs (after one untimed warm-up), per second of this thread's CPU time:
//   'clock'   dependent register adds (1 cycle of latency each on x86-64 and AArch64): the clock in Hz
//   'fma512'  float multiply-adds on 16-lane AVX-512 vectors, 24 independent chains (RangeError without AVX-512F)
//   'fma256'  the same on 8-lane AVX2+FMA vectors, 12 chains (RangeError without them)
//   'fma'     the same in portable C++, whatever vectors the baseline build gives it
//   'copy'    bytes read plus bytes written copying one half of a `bytes` buffer into the other
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "addon/args.h"
#include "kernels/buffer.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NALU_PROBE_X86 1
#else
#define NALU_PROBE_X86 0
#endif

namespace {

volatile float sink;  // keeps every probe's result live

constexpr int64_t kAddLoops = int64_t(1) << 22;  // × 16 adds
constexpr int64_t kFmaLoops = int64_t(1) << 21;  // × 24 (or 12) vectors
constexpr double kCopyBytes = double(uint64_t(1) << 29);

double clockProbe() {
  uint64_t x = 0, y = 1;
  for (int64_t i = 0; i < kAddLoops; ++i) {
#if NALU_PROBE_X86
    asm volatile(
        "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
        "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0"
        : "+r"(x)
        : "r"(y));
#elif defined(__aarch64__)
    asm volatile(
        "add %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\t"
        "add %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\t"
        "add %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1"
        : "+r"(x)
        : "r"(y));
#else
    for (int k = 0; k < 16; ++k) {
      asm volatile("" : "+r"(x));
      x += y;
    }
#endif
  }
  sink = float(x);
  return 16.0 * double(kAddLoops);
}

// Independent chains in named variables (an array of them GCC keeps in memory), each
// acc = acc·m + c with m just below 1, which stays finite and normal for the whole run.
#define NALU_CHAINS12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define NALU_CHAINS24(X) NALU_CHAINS12(X) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#if NALU_PROBE_X86
__attribute__((target("avx512f"))) double fma512Probe() {
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-3f);
#define INIT(k) __m512 a##k = _mm512_set1_ps(float(k));
#define STEP(k) a##k = _mm512_fmadd_ps(a##k, m, c);
#define SUM(k) s = _mm512_add_ps(s, a##k);
  NALU_CHAINS24(INIT)
  for (int64_t i = 0; i < kFmaLoops; ++i) {
    NALU_CHAINS24(STEP)
  }
  __m512 s = _mm512_setzero_ps();
  NALU_CHAINS24(SUM)
#undef INIT
#undef STEP
#undef SUM
  float lanes[16];
  _mm512_storeu_ps(lanes, s);
  sink = lanes[0] + lanes[15];
  return 24.0 * 16.0 * double(kFmaLoops);
}

__attribute__((target("avx2,fma"))) double fma256Probe() {
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-3f);
#define INIT(k) __m256 a##k = _mm256_set1_ps(float(k));
#define STEP(k) a##k = _mm256_fmadd_ps(a##k, m, c);
#define SUM(k) s = _mm256_add_ps(s, a##k);
  NALU_CHAINS12(INIT)
  for (int64_t i = 0; i < kFmaLoops; ++i) {
    NALU_CHAINS12(STEP)
  }
  __m256 s = _mm256_setzero_ps();
  NALU_CHAINS12(SUM)
#undef INIT
#undef STEP
#undef SUM
  float lanes[8];
  _mm256_storeu_ps(lanes, s);
  sink = lanes[0] + lanes[7];
  return 12.0 * 8.0 * double(kFmaLoops);
}

__attribute__((target("avx512f"))) void copy512(const float* src, float* dst, size_t n) {
  for (size_t i = 0; i < n; i += 64) {
    const __m512 a = _mm512_load_ps(src + i), b = _mm512_load_ps(src + i + 16);
    const __m512 c = _mm512_load_ps(src + i + 32), d = _mm512_load_ps(src + i + 48);
    _mm512_store_ps(dst + i, a);
    _mm512_store_ps(dst + i + 16, b);
    _mm512_store_ps(dst + i + 32, c);
    _mm512_store_ps(dst + i + 48, d);
  }
}

__attribute__((target("avx2"))) void copy256(const float* src, float* dst, size_t n) {
  for (size_t i = 0; i < n; i += 32) {
    const __m256 a = _mm256_load_ps(src + i), b = _mm256_load_ps(src + i + 8);
    const __m256 c = _mm256_load_ps(src + i + 16), d = _mm256_load_ps(src + i + 24);
    _mm256_store_ps(dst + i, a);
    _mm256_store_ps(dst + i + 8, b);
    _mm256_store_ps(dst + i + 16, c);
    _mm256_store_ps(dst + i + 24, d);
  }
}
#endif

typedef float V4 __attribute__((vector_size(16)));
double fmaPortableProbe() {
  const V4 m = {0.999999f, 0.999999f, 0.999999f, 0.999999f}, c = {1e-3f, 1e-3f, 1e-3f, 1e-3f};
#define INIT(k) V4 a##k = {float(k), 1, 2, 3};
#define STEP(k) a##k = a##k * m + c;
#define SUM(k) s += a##k;
  NALU_CHAINS12(INIT)
  for (int64_t i = 0; i < kFmaLoops; ++i) {
    NALU_CHAINS12(STEP)
  }
  V4 s = {0, 0, 0, 0};
  NALU_CHAINS12(SUM)
#undef INIT
#undef STEP
#undef SUM
  sink = s[0] + s[1] + s[2] + s[3];
  return 12.0 * 4.0 * double(kFmaLoops);
}

bool has(const char* feature) {
#if NALU_PROBE_X86
  __builtin_cpu_init();
  if (std::strcmp(feature, "avx512f") == 0) return __builtin_cpu_supports("avx512f");
  if (std::strcmp(feature, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return false;
}

// Copies src (n floats, a multiple of 64) into dst often enough to move ~kCopyBytes; bytes moved.
double copyProbe(const float* src, float* dst, size_t n) {
  const size_t passes = size_t(std::ceil(kCopyBytes / (8.0 * double(n))));
  void (*copy)(const float*, float*, size_t) = [](const float* s, float* d, size_t k) { std::memcpy(d, s, k * sizeof(float)); };
#if NALU_PROBE_X86
  if (has("avx512f"))
    copy = copy512;
  else if (has("avx2"))
    copy = copy256;
#endif
  for (size_t p = 0; p < passes; ++p) {
    copy(src, dst, n);
    asm volatile("" : : "r"(dst) : "memory");
  }
  sink = dst[n - 1];
  return 8.0 * double(n) * double(passes);
}

// This thread's CPU time: a rate per CPU-second is the core's, however the host shares it out.
double cpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

Napi::Value BenchCore(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const std::vector<std::string> probes = {"clock", "fma512", "fma256", "fma", "copy"};
  if (!info[0].IsString())
    throw Napi::TypeError::New(env, "probe: expected one of " + nalu::joinNames(probes) + ", received " + args::describe(info[0]));
  const std::string probe = info[0].As<Napi::String>();
  if (std::find(probes.begin(), probes.end(), probe) == probes.end())
    throw Napi::RangeError::New(env, "probe: expected one of " + nalu::joinNames(probes) + ", received '" + probe + "'");
  const int reps = int(args::integer(info[1], "reps", 1, 1000));
  if (probe != "copy" && !info[2].IsUndefined())
    throw Napi::TypeError::New(env, "bytes: expected undefined for probe '" + probe + "' (only 'copy' takes a size), received " + args::describe(info[2]));
  if (probe == "fma512" && !has("avx512f"))
    throw Napi::RangeError::New(env, "probe: 'fma512' needs AVX-512F, which this CPU does not have");
  if (probe == "fma256" && !has("avx2"))
    throw Napi::RangeError::New(env, "probe: 'fma256' needs AVX2 and FMA, which this CPU does not have");
  // The buffer is split in two halves of whole 256-byte blocks (the copy loops' unroll).
  const size_t bytes = probe == "copy" ? size_t(args::integer(info[2], "bytes", 512, int64_t(1) << 30)) : 0;
  const size_t n = bytes / 512 * 64;
  if (probe == "copy") args::affordable(env, double(bytes), "bytes");
  nalu::Buffer buf(2 * n, 0.5f);
  auto once = [&]() -> double {
    if (probe == "clock") return clockProbe();
#if NALU_PROBE_X86
    if (probe == "fma512") return fma512Probe();
    if (probe == "fma256") return fma256Probe();
#endif
    if (probe == "fma") return fmaPortableProbe();
    return copyProbe(buf.data(), buf.data() + n, n);
  };
  once();
  Napi::Array rates = Napi::Array::New(env, reps);
  for (int r = 0; r < reps; ++r) {
    const double t0 = cpuSeconds();
    const double work = once();
    rates.Set(uint32_t(r), work / (cpuSeconds() - t0));
  }
  return rates;
}

}  // namespace

void RegisterCoreProbe(Napi::Env env, Napi::Object exports) {
  exports.Set("benchCore", Napi::Function::New<BenchCore>(env, "benchCore"));
}
