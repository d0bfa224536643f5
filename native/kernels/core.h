// Shared pieces of the pure C++ kernels: errors, aligned buffers, parameters,
// option maps and the sgemm wrapper. Nothing here knows about N-API.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace nalu {

// An error the caller caused. The addon maps kind to TypeError, RangeError or NaluError(code).
struct Error : std::runtime_error {
  enum Kind { Type, Range, Nalu };
  Kind kind;
  std::string code;
  Error(Kind k, const std::string& msg, std::string c = "")
      : std::runtime_error(msg), kind(k), code(std::move(c)) {}
};
[[noreturn]] inline void rangeError(const std::string& msg) { throw Error(Error::Range, msg); }
[[noreturn]] inline void typeError(const std::string& msg) { throw Error(Error::Type, msg); }
[[noreturn]] inline void naluError(const std::string& code, const std::string& msg) {
  throw Error(Error::Nalu, msg, code);
}

// 64-byte aligned float storage (AVX-512 lines); grows, never shrinks per step. Blocks of
// 4 MiB or more are 2 MiB aligned and asked for transparent huge pages: a fresh block then
// faults in 512× fewer pages (fit copies its data into such blocks), and large products miss
// the TLB less.
template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    constexpr size_t kHuge = size_t(2) << 20;
    const bool huge = bytes >= 2 * kHuge;
    const size_t align = huge ? kHuge : 64;
    void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (huge) madvise(p, (bytes + align - 1) / align * align, MADV_HUGEPAGE);  // a hint; failure is harmless
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { std::free(p); }
  template <class U>
  bool operator==(const AlignedAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const AlignedAllocator<U>&) const { return false; }
};
using Buffer = std::vector<float, AlignedAllocator<float>>;

// Largest element count one tensor may have (2^31-1 floats = 8 GiB); refused before allocating.
constexpr int64_t kMaxElements = 2147483647LL;

// A trainable tensor: value, gradient (overwritten by backward) and an optional clamp
// applied after every optimizer step (NAU/NMU constraints).
struct Param {
  std::string name;
  std::vector<int64_t> shape;
  Buffer value, grad;
  float lo = -INFINITY, hi = INFINITY;
  bool clamped() const { return std::isfinite(lo) || std::isfinite(hi); }
  Param(std::string n, std::vector<int64_t> s) : name(std::move(n)), shape(std::move(s)) {
    int64_t size = 1;
    for (int64_t d : shape) size *= d;
    value.assign(size_t(size), 0.f);
    grad.assign(size_t(size), 0.f);
  }
  size_t size() const { return value.size(); }
};

// A flat key→value map of a layer's / loss's / optimizer's options, as the user wrote them.
// Booleans are kept in num (1 / 0) and their keys in bools, so that number() and flag() can
// refuse the other's type. Every accessor (has() included) records the key it was asked for in
// `read`, which copies share: after a unit's constructor ran, rejectUnread() refuses the keys no
// code asked for, i.e. the options the unit does not have.
struct Options {
  std::map<std::string, double> num;
  std::map<std::string, std::string> str;
  std::map<std::string, Options> obj;
  std::set<std::string> bools;
  std::string context;  // e.g. "layers[1] (nalu)": prefixes error messages
  std::shared_ptr<std::set<std::string>> read = std::make_shared<std::set<std::string>>();

  bool has(const std::string& k) const {
    mark(k);
    return num.count(k) || str.count(k) || obj.count(k);
  }
  double number(const std::string& k, double def) const;
  // A number in [lo, hi]; NaN/Infinity refused unless the range allows it.
  double number(const std::string& k, double def, double lo, double hi) const;
  int64_t integer(const std::string& k, int64_t def, int64_t lo, int64_t hi) const;
  bool flag(const std::string& k, bool def) const;
  std::string string(const std::string& k, const std::string& def) const;
  // string(k) that must be present: a TypeError "<k>: expected a string, received undefined".
  std::string requiredString(const std::string& k) const;
  std::string choice(const std::string& k, const std::string& def, const std::vector<std::string>& allowed) const;
  const Options* object(const std::string& k) const;
  std::string where(const std::string& k) const { return context.empty() ? k : context + "." + k; }
  // "a boolean", "a string", "an object" or the number, for "received …" in messages.
  std::string describe(const std::string& k) const;
  // A RangeError naming every key (here and in the nested objects that were read) that no
  // accessor asked for, listing those that were and `alsoAllowed` (keys read elsewhere).
  void rejectUnread(const std::vector<std::string>& alsoAllowed = {}) const;
  void mark(const std::string& k) const { read->insert(k); }
};

std::string joinNames(const std::vector<std::string>& names);

// Products with at most this many multiply-adds skip OpenBLAS, whose per-call set-up outweighs
// them, for a loop kernel on the calling thread.
constexpr int64_t kSmallGemm = 1 << 16;

// Row-major C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C through cblas_sgemm.
void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B,
          float beta, float* C);

// Element-wise loops below this many elements run on one thread: an OpenMP region costs µs.
constexpr int64_t kParallelMin = 1 << 15;

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

// 1, −1, or 0 for ±0 and NaN (sign(0) = 0 as autograd's); used by subgradients of |v|.
inline float sign(float v) { return v > 0 ? 1.f : v < 0 ? -1.f : 0.f; }
inline float sigmoid(float z) { return 1.f / (1.f + std::exp(-z)); }
// log(1 + e^z) without overflow.
inline float softplus(float z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

}  // namespace nalu
