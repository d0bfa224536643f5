// A trainable tensor of a unit, as the optimizers and the addon see it.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "buffer.h"

namespace nalu {

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

}  // namespace nalu
