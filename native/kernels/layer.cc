#include "layer.h"

#include <algorithm>

#include "units.h"

namespace nalu {

size_t Layer::addParam(const std::string& name, std::vector<int64_t> shape, const Options& init) {
  checkInitializer(init);
  params_.emplace_back(name, std::move(shape));
  inits_.push_back(init);
  return params_.size() - 1;
}

void Layer::initialize(uint64_t seed) {
  Rng streams(seed);
  for (size_t k = 0; k < params_.size(); ++k) nalu::initialize(params_[k], inits_[k], streams.next());
  applyConstraints();
}

void Layer::applyConstraints() {
  for (auto& p : params_) {
    if (!p.clamped()) continue;
    float lo = p.lo, hi = p.hi, *w = p.value.data();
    for (size_t i = 0; i < p.size(); ++i) w[i] = std::min(hi, std::max(lo, w[i]));
  }
}

Options initializerOption(const Options& o, const std::string& key, const std::string& defType) {
  if (const Options* spec = o.object(key)) {
    Options s = *spec;
    s.context = o.where(key);
    if (!s.has("type")) s.str["type"] = defType;
    return s;
  }
  Options s;
  s.context = o.where(key);
  s.str["type"] = o.string(key, defType);
  return s;
}

namespace {
using Factory = std::unique_ptr<Layer> (*)(int in, const Options& o);
struct Entry {
  const char* name;
  Factory make;
};
// The registry of units: add a line here for a new unit.
const Entry kLayers[] = {
    {"dense", makeDense},
    {"nac", makeNAC},
    {"nalu", makeNALU},
};
}  // namespace

std::vector<std::string> layerTypes() {
  std::vector<std::string> names;
  for (auto& e : kLayers) names.push_back(e.name);
  return names;
}

std::unique_ptr<Layer> makeLayer(const std::string& type, int in, const Options& options) {
  for (auto& e : kLayers)
    if (type == e.name) return e.make(in, options);
  rangeError(options.where("type") + ": unknown layer '" + type + "', expected one of " + joinNames(layerTypes()));
}

}  // namespace nalu
