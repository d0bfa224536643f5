// The function attributes that compile a kernel once per instruction set (target_clones).
#pragma once

// Element-wise kernels and the small-matrix gemm are compiled twice: AVX2+FMA (x86-64-v3),
// picked at load time where the CPU has it, and baseline x86-64, so one binary runs anywhere.
// NALU_CLONES_WIDE adds an AVX-512 clone (x86-64-v4) for kernels it measurably speeds up; on
// short loops it can be slower (GCC gives it no 8-lane epilogue). NALU_NO_CLONES (test:isa and
// check:vectorized builds) compiles one instruction set, the -march given.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(NALU_NO_CLONES)
#define NALU_HAVE_CLONES 1
#define NALU_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#define NALU_CLONES_WIDE __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NALU_HAVE_CLONES 0
#define NALU_CLONES
#define NALU_CLONES_WIDE
#endif

// The clones this CPU runs: "avx512" (x86-64-v4, the wide kernels' widest), "avx2" (x86-64-v3) or
// "baseline"; a build without clones names its -march's (records name it: results differ by it).
namespace nalu {
inline const char* cloneIsa() {
#if NALU_HAVE_CLONES
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "avx512";
  if (__builtin_cpu_supports("x86-64-v3")) return "avx2";
  return "baseline";
#elif defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX2__)
  return "avx2";
#else
  return "baseline";
#endif
}
}  // namespace nalu
