// Eight floats as a GCC vector: one AVX register in a kernel's x86-64-v3 clone (NALU_CLONES),
// two SSE halves in its baseline clone. Sixteen (v16): one AVX-512 register in an x86-64-v4 clone.
#pragma once
#include <cstring>

namespace nalu {
typedef float v8 __attribute__((vector_size(32)));
typedef float v16 __attribute__((vector_size(64)));
}  // namespace nalu

// Unaligned load and store, as macros: a function taking or returning v8 would be compiled for
// one instruction set and change ABI between the clones that call it.
#define NALU_LOAD8(p) ({ ::nalu::v8 v_; std::memcpy(&v_, (p), sizeof v_); v_; })
#define NALU_STORE8(p, v) ({ ::nalu::v8 v_ = (v); std::memcpy((p), &v_, sizeof v_); })
// The same for a vector type V (v8 or v16); NALU_STORE stores v as its own type.
#define NALU_LOAD(V, p) ({ V v_; std::memcpy(&v_, (p), sizeof v_); v_; })
#define NALU_STORE(p, v) ({ __typeof__(v) v_ = (v); std::memcpy((p), &v_, sizeof v_); })
