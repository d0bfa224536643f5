// Weight initializers, drawn natively from a seed so that re-initialization (iNALU)
// and the TS side agree on one definition.
#pragma once
#include "options.h"
#include "param.h"
#include "rng.h"

namespace nalu {

// Fills p.value. spec: {type, minval, maxval, mean, stddev, value}; fans from the shape
// ([in, out] → in, out; a vector → its length for both).
void initialize(Param& p, const Options& spec, uint64_t seed);
// Validates spec (throws naming where) without drawing.
void checkInitializer(const Options& spec);

}  // namespace nalu
