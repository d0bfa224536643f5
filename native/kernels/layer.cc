#include "layer.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "error.h"
#include "gemm.h"
#include "mathfn.h"
#include "row_order.h"

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

// Feature-major, each product is the row-major one transposed: yᵀ = Wᵀ·xᵀ, dW = xᵀ·(dyᵀ)ᵀ, dxᵀ = W·dyᵀ.
void Layer::xW(const float* x, const float* W, float beta, float* y, int rows) const {
  if (rowOrder_) xWRowOrder(x, W, beta, y, rows, in_, out_);
  else if (fm_) gemm(true, false, out_, rows, in_, 1, W, x, beta, y);
  else gemm(false, false, rows, out_, in_, 1, x, W, beta, y);
}

void Layer::xtDy(const float* x, const float* dy, float beta, float* dW, int rows) const {
  if (rowOrder_) xtDyRowOrder(x, dy, beta, dW, rows, in_, out_);
  else if (fm_) gemm(false, true, in_, out_, rows, 1, x, dy, beta, dW);
  else gemm(true, false, in_, out_, rows, 1, x, dy, beta, dW);
}

void Layer::dyWt(const float* dy, const float* W, float beta, float* dx, int rows) const {
  if (rowOrder_) dyWtRowOrder(dy, W, beta, dx, rows, in_, out_);
  else if (fm_) gemm(false, false, in_, rows, out_, 1, W, dy, beta, dx);
  else gemm(false, true, rows, in_, out_, 1, dy, W, beta, dx);
}

void Layer::applyConstraints() {
  for (auto& p : params_) {
    if (!p.clamped()) continue;
    float lo = p.lo, hi = p.hi, *w = p.value.data();
    for (size_t i = 0; i < p.size(); ++i) w[i] = std::min(hi, std::max(lo, w[i]));
  }
}

void Layer::setKernelOptions(const Options& o) {
  if (const Options* r = o.object("kernelRegularizer")) {
    Options s = *r;
    s.context = o.where("kernelRegularizer");
    l1_ = float(s.number("l1", 0.0, 0.0, 1e30));
    l2_ = float(s.number("l2", 0.0, 0.0, 1e30));
  } else if (o.has("kernelRegularizer")) {
    typeError(o.where("kernelRegularizer") + ": expected an object {l1, l2}");
  }
  if (const Options* c = o.object("kernelConstraint")) {
    Options s = *c;
    s.context = o.where("kernelConstraint");
    double lo = s.number("min", -INFINITY, -INFINITY, INFINITY), hi = s.number("max", INFINITY, -INFINITY, INFINITY);
    if (!(lo <= hi)) rangeError(s.where("min") + ": expected min <= max, received " + std::to_string(lo) + " > " + std::to_string(hi));
    for (auto& p : params_)
      if (p.shape.size() == 2) {
        p.lo = float(lo);
        p.hi = float(hi);
      }
  } else if (o.has("kernelConstraint")) {
    typeError(o.where("kernelConstraint") + ": expected an object {min, max}");
  }
}

double Layer::kernelPenalty(bool addGrad) {
  if (l1_ == 0 && l2_ == 0) return 0;
  double sum = 0;
  const float l1 = l1_, l2 = l2_;
  for (auto& p : params_) {
    if (p.shape.size() != 2) continue;
    const float* w = p.value.data();
    float* g = p.grad.data();
    const int64_t n = int64_t(p.size());
    double s1 = 0, s2 = 0;
    for (int64_t i = 0; i < n; ++i) {
      s1 += std::fabs(w[i]);
      s2 += double(w[i]) * w[i];
      if (addGrad) g[i] += l1 * sign(w[i]) + 2 * l2 * w[i];
    }
    sum += l1 * s1 + l2 * s2;
  }
  return sum;
}

void Layer::sparsityWeights(const std::function<void(float)>& visit) const {
  for (auto& p : params_)
    if (p.shape.size() == 2)
      for (size_t i = 0; i < p.size(); ++i) visit(p.value[i]);
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

Options uniformOption(const Options& o, const std::string& key, double lo, double hi) {
  if (o.has(key)) return initializerOption(o, key, "randomUniform");
  Options s;
  s.context = o.where(key);
  s.str["type"] = "randomUniform";
  s.num["minval"] = lo;
  s.num["maxval"] = hi;
  return s;
}

int unitsOption(const Options& o) {
  if (!o.has("units")) rangeError(o.where("units") + ": required (a positive integer)");
  return int(o.integer("units", 1, 1, 1 << 24));
}

namespace {
// By name, so layerTypes() is sorted. Constructed on first use: the units register from their
// own files' static initializers, which run in an unspecified order, possibly before this file's.
std::map<std::string, LayerRegistration, std::less<>>& registry() {
  static std::map<std::string, LayerRegistration, std::less<>> units;
  return units;
}
}  // namespace

bool registerLayer(const LayerRegistration& r) {
  if (!registry().emplace(r.name, r).second) {
    std::fprintf(stderr, "nalu: layer type '%s' is registered twice\n", r.name);
    std::abort();
  }
  return true;
}

int layerMatrices(const std::string& type, const Options& options) {
  auto it = registry().find(type);
  return it != registry().end() ? it->second.matrices(options) : 5;
}

int wrappedMatrices(const Options& o, const char* typeKey, const char* optionsKey, const char* self) {
  auto it = o.str.find(typeKey);
  if (it == o.str.end() || it->second == self) return 5;
  auto c = o.obj.find(optionsKey);
  return layerMatrices(it->second, c == o.obj.end() ? Options() : c->second);
}

std::vector<std::string> layerTypes() {
  return layerTypes({LayerInput::row, LayerInput::sequence, LayerInput::image});
}

std::vector<std::string> layerTypes(std::initializer_list<LayerInput> inputs) {
  std::vector<std::string> names;
  for (auto& [name, r] : registry())
    if (std::find(inputs.begin(), inputs.end(), r.input) != inputs.end()) names.push_back(name);
  return names;
}

std::unique_ptr<Layer> makeLayer(const std::string& type, int in, const Options& options) {
  auto it = registry().find(type);
  if (it == registry().end())
    rangeError(options.where("type") + ": unknown layer '" + type + "', expected one of " + joinNames(layerTypes()));
  auto layer = it->second.make(in, options);
  layer->setKernelOptions(options);
  // What neither the unit nor setKernelOptions asked for is not an option of this unit. `seed`
  // and `type` are read by the caller (LayerSpec::seed and ::type).
  options.rejectUnread({"seed", "type"});
  return layer;
}

}  // namespace nalu
