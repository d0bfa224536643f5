#include "initializers.h"

#include "error.h"

namespace nalu {

static const std::vector<std::string> kInitializers = {
    "glorotUniform", "glorotNormal", "heUniform", "heNormal", "randomUniform", "randomNormal", "zeros", "ones",
    "constant"};

// Reads only the options of the spec's type, so that Options::rejectUnread refuses the others
// (a stddev given to glorotUniform), as the TS Initializer does.
void checkInitializer(const Options& spec) {
  std::string type = spec.choice("type", "glorotUniform", kInitializers);
  if (type == "randomUniform") {
    double lo = spec.number("minval", -0.05, -1e30, 1e30), hi = spec.number("maxval", 0.05, -1e30, 1e30);
    if (!(lo <= hi)) rangeError(spec.where("minval") + ": expected minval <= maxval");
  } else if (type == "randomNormal") {
    spec.number("mean", 0.0, -1e30, 1e30);
    spec.number("stddev", 0.05, 0.0, 1e30);
  } else if (type == "constant") {
    spec.number("value", 0.0, -1e30, 1e30);
  }
}

void initialize(Param& p, const Options& spec, uint64_t seed) {
  checkInitializer(spec);
  std::string type = spec.string("type", "glorotUniform");
  // Keras' fans: a conv kernel [kh, kw, in, out] counts its receptive field kh·kw in both.
  const size_t rank = p.shape.size();
  double field = 1;
  for (size_t i = 0; i + 2 < rank; ++i) field *= double(p.shape[i]);
  double fanIn = rank >= 2 ? field * double(p.shape[rank - 2]) : double(rank ? p.shape[0] : 1);
  double fanOut = rank >= 2 ? field * double(p.shape[rank - 1]) : fanIn;
  Rng rng(seed);
  float* w = p.value.data();
  size_t n = p.size();
  auto uniform = [&](double lo, double hi) {
    for (size_t i = 0; i < n; ++i) w[i] = float(rng.uniform(lo, hi));
  };
  // Truncated at two standard deviations, as Keras' glorot/he normal.
  auto truncated = [&](double stddev) {
    for (size_t i = 0; i < n; ++i) {
      double z;
      do z = rng.normal();
      while (std::fabs(z) > 2.0);
      w[i] = float(z * stddev);
    }
  };
  if (type == "glorotUniform") {
    double l = std::sqrt(6.0 / (fanIn + fanOut));
    uniform(-l, l);
  } else if (type == "glorotNormal") {
    truncated(std::sqrt(2.0 / (fanIn + fanOut)) / .87962566103423978);
  } else if (type == "heUniform") {
    double l = std::sqrt(6.0 / fanIn);
    uniform(-l, l);
  } else if (type == "heNormal") {
    truncated(std::sqrt(2.0 / fanIn) / .87962566103423978);
  } else if (type == "randomUniform") {
    uniform(spec.number("minval", -0.05), spec.number("maxval", 0.05));
  } else if (type == "randomNormal") {
    double mean = spec.number("mean", 0.0), sd = spec.number("stddev", 0.05);
    for (size_t i = 0; i < n; ++i) w[i] = float(mean + sd * rng.normal());
  } else {
    float v = type == "ones" ? 1.f : type == "zeros" ? 0.f : float(spec.number("value", 0.0));
    for (size_t i = 0; i < n; ++i) w[i] = v;
  }
}

}  // namespace nalu
