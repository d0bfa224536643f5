// Batches gathered from a data set's rows (fit's shuffles) and activations transposed between
// the row-major and feature-major layouts.
#pragma once
#include <cstdint>

namespace nalu {

// Batch row b = src row idx[b] (rows of `width` floats).
void gatherRows(const float* src, int width, const int64_t* idx, int n, float* dst);
// The shuffled batch from rows stored as [x | features | y] (in + fw + out floats) into xb, fb, yb.
void gatherInterleaved(const float* src, int in, int fw, int out, const int64_t* idx, int n, float* xb, float* fb,
                       float* yb);
// The feature-major batch: element c of src row idx[b] (row b when idx is null: a plain
// transpose) goes to cols[c][b].
void gatherColumns(const float* src, int width, const int64_t* idx, int n, float* const* cols);
// cols[c] = column c of a feature-major [width, n] block at base.
void columnTargets(float* base, int width, int n, float** cols);

}  // namespace nalu
