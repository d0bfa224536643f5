// Seeded, platform-independent random numbers (xoshiro256** seeded by splitmix64),
// so that a seed gives bit-identical weights and batches everywhere.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <algorithm>

namespace nalu {

inline uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0) { reseed(seed, stream); }
  void reseed(uint64_t seed, uint64_t stream = 0) {
    uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (auto& w : s_) w = splitmix64(s);
  }
  uint64_t next() {
    uint64_t r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return uint64_t(uniform() * double(n)); }
  // Standard normal (Box–Muller, one value per call for reproducibility).
  double normal() {
    double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Eight xoshiro128** streams side by side (state as [word][lane], 32-bit words so that one
// AVX2 register holds a word of every lane): bulk uniforms for the arithmetic tasks' fresh
// batches (12,800 a step on the static task, where the scalar generator dominated the step)
// and fit's shuffles. Integer-only until an exact conversion (and uniform's exact scaling), so
// every build and CPU gives the same numbers.
class RngLanes {
 public:
  static constexpr int kLanes = 8;
  explicit RngLanes(uint64_t seed = 0, uint64_t stream = 0) {
    uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int w = 0; w < 4; w += 2)
      for (int l = 0; l < kLanes; ++l) {
        uint64_t v = splitmix64(s);
        s_[w][l] = uint32_t(v);
        s_[w + 1][l] = uint32_t(v >> 32);
      }
  }
  // Advances every lane once; out[0, 8) = their outputs (32 random bits each).
  void next8(uint32_t* out) {
    U s0, s1, s2, s3, r;
    load(s0, s1, s2, s3);
    step(s0, s1, s2, s3, r);
    std::memcpy(out, &r, sizeof r);
    save(s0, s1, s2, s3);
  }
  // out[0, n) = float(lo + width·u), u uniform in [0, 1) on the 2^-24 grid, in one pass. The
  // scaling is in double: width·u is exact for any width of up to 29 significant bits (u has 24),
  // so a fused multiply-add in an AVX2 clone gives the same floats as the baseline; it is taken
  // as (width·2^-24)·k, k the 24-bit integer, the same exact product. Where every lo + width·u is
  // exact in double and width a power of two, floats give the same numbers (one rounding of the
  // exact value) in fewer instructions. The state advances two steps at a time (advance2: a
  // shorter dependency chain); a last partial step still advances every lane. Always inlined, so
  // that it is compiled for the calling clone's instruction set.
  __attribute__((always_inline)) void uniform(float* out, int64_t n, double lo, double width) {
    if (floatExact(lo, width)) uniformLoop<true>(out, n, lo, width * 0x1.0p-24);
    else uniformLoop<false>(out, n, lo, width * 0x1.0p-24);
  }

 private:
  // GCC vector types: AVX2 where the caller's clone has it, two SSE2 halves otherwise.
  typedef uint32_t U __attribute__((vector_size(32)));
  typedef int32_t I __attribute__((vector_size(32)));
  typedef float F __attribute__((vector_size(32)));
  typedef double D __attribute__((vector_size(64)));
  // The state in and out of four registers (named, not an array: the array form was slower),
  // and one xoshiro128** step of every lane (outputs in r). Vectors by
  // reference and always inlined: passing them by value would change ABI between a caller's
  // AVX2 and baseline clones.
  __attribute__((always_inline)) void load(U& s0, U& s1, U& s2, U& s3) const {
    std::memcpy(&s0, s_[0], sizeof s0);
    std::memcpy(&s1, s_[1], sizeof s1);
    std::memcpy(&s2, s_[2], sizeof s2);
    std::memcpy(&s3, s_[3], sizeof s3);
  }
  __attribute__((always_inline)) void save(const U& s0, const U& s1, const U& s2, const U& s3) {
    std::memcpy(s_[0], &s0, sizeof s0);
    std::memcpy(s_[1], &s1, sizeof s1);
    std::memcpy(s_[2], &s2, sizeof s2);
    std::memcpy(s_[3], &s3, sizeof s3);
  }
  // r = xoshiro128**'s output of a state word s1 (out-parameters, as above).
  __attribute__((always_inline)) static void scramble(const U& s1, U& r) {
    const U x = s1 * 5u;
    r = ((x << 7) | (x >> 25)) * 9u;
  }
  // v = float(lo + w·k) of the 24 high bits k of each lane of r (w = width·2^-24).
  template <bool kFloat>
  __attribute__((always_inline)) static void convert(const U& r, double lo, double w, F& v) {
    const I k = (I)(r >> 8);  // 24 bits convert exactly (through int32: vectorizable)
    if constexpr (kFloat) v = float(lo) + float(w) * __builtin_convertvector(k, F);
    else v = __builtin_convertvector(lo + w * __builtin_convertvector(k, D), F);
  }
  // True when lo is a float, width a power of two and every lo + width·u (u on the 2^-24 grid)
  // exact in double: all are multiples of 2^q, q the lowest bit of lo or of width·2^-24.
  static bool floatExact(double lo, double width) {
    int e = 0;
    const double w = width * 0x1.0p-24;  // a float too, so that every k·w is one
    if (!(width > 0) || std::frexp(width, &e) != 0.5 || double(float(lo)) != lo || double(float(w)) != w) return false;
    int q = e - 1 - 24;
    if (lo != 0) {
      int el = 0;
      const uint64_t m = uint64_t(std::ldexp(std::frexp(std::fabs(lo), &el), 53));
      q = std::min(q, el - 53 + __builtin_ctzll(m));
    }
    return std::fabs(lo) + width <= std::ldexp(1.0, q + 53);
  }
  template <bool kFloat>
  __attribute__((always_inline)) void uniformLoop(float* out, int64_t n, double lo, double w) {
    U s0, s1, s2, s3;
    load(s0, s1, s2, s3);
    int64_t i = 0;
    for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
      U ra, rb;
      scramble(s1, ra);
      scramble(s0 ^ s1 ^ s2, rb);  // s1 one step on
      advance2(s0, s1, s2, s3);
      F va, vb;
      convert<kFloat>(ra, lo, w, va);
      convert<kFloat>(rb, lo, w, vb);
      std::memcpy(out + i, &va, sizeof va);
      std::memcpy(out + i + kLanes, &vb, sizeof vb);
    }
    for (; i < n; i += kLanes) {
      U r;
      scramble(s1, r);
      F v;
      convert<kFloat>(r, lo, w, v);
      advance(s0, s1, s2, s3);
      // A constant-size copy for whole steps (a variable one became a byte loop through the stack).
      if (n - i >= kLanes) std::memcpy(out + i, &v, sizeof v);
      else std::memcpy(out + i, &v, sizeof(float) * size_t(n - i));
    }
    save(s0, s1, s2, s3);
  }
  __attribute__((always_inline)) static void advance(U& s0, U& s1, U& s2, U& s3) {
    const U t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >> 21);
  }
  // Two advances at once: each word of s(t+2) as XORs of shifts and rotations of s(t) (advance
  // composed with itself), a shallower dependency chain than two advance()s.
  __attribute__((always_inline)) static void advance2(U& s0, U& s1, U& s2, U& s3) {
    const U x = s1 ^ s3, y = s0 ^ s1 ^ s2;
    const U a = s2 ^ s3 ^ ((x << 11) | (x >> 21));
    const U b = s0 ^ s3 ^ (s1 << 9);
    const U c = s1 ^ s2 ^ s3 ^ ((s0 ^ s2) << 9);
    s3 = ((y << 11) | (y >> 21)) ^ ((x << 22) | (x >> 10));
    s0 = a;
    s1 = b;
    s2 = c;
  }
  __attribute__((always_inline)) static void step(U& s0, U& s1, U& s2, U& s3, U& r) {
    scramble(s1, r);
    advance(s0, s1, s2, s3);
  }
  uint32_t s_[4][kLanes];
};

}  // namespace nalu
