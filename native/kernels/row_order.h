// A layer's three products on feature-major operands ([features, rows]), each summed in the
// order its row-major form sums (gemm.cc, gemm_small.cc): the units that ran row-major before
// they had a feature-major form train bit-identically in it (Layer::sumsRowMajor).
#pragma once

namespace nalu {

// yᵀ [out, rows] = (x·W)ᵀ + beta·yᵀ from xᵀ [in, rows], W [in, out].
void xWRowOrder(const float* xT, const float* W, float beta, float* yT, int rows, int in, int out);
// dW [in, out] = xᵀ·dy + beta·dW from xᵀ [in, rows], dyᵀ [out, rows].
void xtDyRowOrder(const float* xT, const float* dyT, float beta, float* dW, int rows, int in, int out);
// dxᵀ [in, rows] = (dy·Wᵀ)ᵀ + beta·dxᵀ from dyᵀ [out, rows], W [in, out].
void dyWtRowOrder(const float* dyT, const float* W, float beta, float* dxT, int rows, int in, int out);

}  // namespace nalu
