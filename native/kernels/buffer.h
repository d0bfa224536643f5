// Aligned float storage for every tensor and workspace of the kernels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace nalu {

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

}  // namespace nalu
