// The log path of NALU and NAC•, m = exp(log(|x| + ε)·W): log(|x| + ε) of the input and the
// gradient through it. The product with W and the exp stay in each unit (NALU fuses them with its gate).
#pragma once
#include <cstdint>

namespace nalu {

// How the path rounds, per unit, so each trains as it always has:
//   Fast (NALU):   logAbs's table on AVX2, else vm::log; dx += dlx·sign(x) / (|x| + ε).
//   Libm (NAC•):   libm's logf;                          dx  = dlx·(sign(x) / (|x| + ε)).
enum class LogPath { Fast, Libm };

// lx[0, n) = log(|x| + ε), on every thread for long inputs.
void logAbs(LogPath path, const float* x, float* lx, float eps, int64_t n);
// dx[0, n) from dlx = dL/dlx as `path` says (Libm: dlx may be dx itself).
void logAbsBackward(LogPath path, const float* x, const float* dlx, float* dx, float eps, int64_t n);

}  // namespace nalu
