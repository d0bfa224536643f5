#include "network.h"

#include <algorithm>
#include <cstring>

#include "gather.h"

namespace nalu {

Network::Network(const NetworkSpec& spec) : inputDim_(spec.inputDim) {
  if (spec.inputDim < 1) rangeError("inputDim: expected a positive integer, received " + std::to_string(spec.inputDim));
  if (spec.layers.empty()) rangeError("layers: expected at least one layer, received 0");
  int in = spec.inputDim;
  for (const LayerSpec& ls : spec.layers) {
    auto layer = makeLayer(ls.type, in, ls.options);
    if (int64_t(layer->in()) * layer->out() > kMaxElements)
      rangeError(ls.options.where("units") + ": a weight of " + std::to_string(layer->in()) + " × " +
                 std::to_string(layer->out()) + " is larger than the maximum of " + std::to_string(kMaxElements) +
                 " elements");
    layer->initialize(ls.seed);
    // The input has a time axis, and so has every output of a layer that outputs every step
    // (TimeDistributed, RNN or LSTM with returnSequences); only such layers read a time axis.
    const std::string at = "layers[" + std::to_string(layers_.size()) + "] (" + ls.type + ")";
    const bool timedIn = layers_.empty() || (layers_.back()->steps() && layers_.back()->stepOutputs());
    if (layer->steps() && !timedIn)
      rangeError(at + ": a recurrent layer must be the first layer or follow one that outputs every step (TimeDistributed)");
    if (!layer->steps() && !layers_.empty() && timedIn) {
      const std::string prev = "layers[" + std::to_string(layers_.size() - 1) + "] (" + spec.layers[layers_.size() - 1].type + ")";
      const auto seq = spec.layers[layers_.size() - 1].options.num.find("returnSequences");
      if (seq != spec.layers[layers_.size() - 1].options.num.end() && seq->second != 0)
        rangeError(prev + ": returnSequences must be false unless it is the last layer or a layer with a time axis follows");
      rangeError(at + ": follows a layer that outputs every step, so it needs a time axis (wrap it in TimeDistributed)");
    }
    in = layer->out();
    layers_.push_back(std::move(layer));
  }
  const std::vector<std::string> layouts = {"auto", "rowMajor", "featureMajor"};
  if (std::find(layouts.begin(), layouts.end(), spec.layout) == layouts.end())
    rangeError("layout: expected one of " + joinNames(layouts) + ", received '" + spec.layout + "'");
  fm_ = spec.layout != "rowMajor";
  for (auto& l : layers_)
    fm_ = fm_ && l->supportsFeatureMajor() &&
          (spec.layout == "featureMajor" || int64_t(l->in()) * l->out() <= kFeatureMajorMaxWeights);
  bool rowOrder = false;
  for (auto& l : layers_) rowOrder = rowOrder || l->sumsRowMajor();
  for (auto& l : layers_) l->setFeatureMajor(fm_, rowOrder);
  loss_ = makeLoss(spec.loss);
  optimizer_ = makeOptimizer(spec.optimizer);
  optimizer_->attach(params());
  acts_.resize(layers_.size());
}

std::vector<Param*> Network::params() const {
  std::vector<Param*> ps;
  for (auto& l : layers_)
    for (auto& p : l->params()) ps.push_back(&p);
  return ps;
}

void Network::setSteps(int steps) {
  Layer& first = *layers_[0];
  if (!first.steps()) rangeError("steps: the first layer has no time axis (only a recurrent or TimeDistributed first layer has)");
  if (steps == first.steps()) return;
  // The layers with a time axis are the first ones (see the constructor); they share the steps.
  const int before = first.steps();
  size_t done = 0;
  try {
    for (; done < layers_.size() && layers_[done]->steps(); ++done) layers_[done]->setSteps(steps);
  } catch (...) {
    // A later layer refused: the earlier ones go back, so every layer keeps one step count.
    for (size_t i = 0; i < done; ++i) layers_[i]->setSteps(before);
    throw;
  }
  inputDim_ = first.in();
  capacity_ = 0;  // every workspace regrows (grow only ever grows) for rows of the new width
}

void Network::applyConstraints() {
  for (auto& l : layers_) l->applyConstraints();
}

void Network::reserve(int rows) {
  if (rows <= capacity_) return;
  // dL/d(activation) of every layer output (the network's input never needs one); the second
  // ping-pong buffer only with two layers or more.
  int widest = 1;
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->reserve(rows);
    grow(acts_[i], size_t(rows) * layers_[i]->out());
    widest = std::max(widest, layers_[i]->out());
  }
  grow(grad_[0], size_t(rows) * widest);
  if (layers_.size() > 1) grow(grad_[1], size_t(rows) * widest);
  capacity_ = rows;
}

const float* Network::toLayout(const float* src, int rows, int width, Buffer& dst) {
  if (!fm_) return src;
  grow(dst, size_t(rows) * width);
  transpose(src, rows, width, dst.data());
  return dst.data();
}

void Network::transpose(const float* src, int rows, int width, float* dst) {
  if (cols_.size() < size_t(width)) cols_.resize(size_t(width));
  columnTargets(dst, width, rows, cols_.data());
  gatherColumns(src, width, nullptr, rows, cols_.data());
}

const float* Network::forward(const float* x, int rows) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->forward(x, acts_[i].data(), rows);
    x = acts_[i].data();
  }
  return x;
}

double Network::regularize(bool addGrad) {
  double sum = 0;
  for (auto& l : layers_) {
    sum += l->kernelPenalty(addGrad);
    if (l->hasRegularizer()) sum += l->regularize(optimizer_->iterations, addGrad);
  }
  return sum;
}

double Network::loss(const float* out, const float* y, float* dout, int rows, ErrorSums* errors) {
  const int width = outputDim();
  const int64_t n = int64_t(rows) * width;
  if (fm_ && width > 1) {
    grow(lossOut_, size_t(n)), grow(lossY_, size_t(n));
    transpose(out, width, rows, lossOut_.data());
    transpose(y, width, rows, lossY_.data());
    out = lossOut_.data(), y = lossY_.data();
  }
  float* grad = dout && fm_ && width > 1 ? (grow(lossGrad_, size_t(n)), lossGrad_.data()) : dout;
  const double value = loss_->compute(out, y, grad, n);
  if (errors) errors->add(out, y, n);
  if (grad != dout) transpose(grad, rows, width, dout);
  return value;
}

bool Network::backward(const float* x, const float* y, int rows, double& loss, double& reg) {
  reserve(rows);
  const float* out = forward(x, rows);
  clock_.mark(StepProfile::Forward);
  float* dy = grad_[0].data();
  loss = this->loss(out, y, dy, rows);
  clock_.mark(StepProfile::Loss);
  if (!std::isfinite(loss)) return false;
  for (size_t i = layers_.size(); i-- > 0;) {
    const float* in = i ? acts_[i - 1].data() : x;
    float* dx = i ? grad_[(layers_.size() - i) % 2].data() : nullptr;
    layers_[i]->backward(in, acts_[i].data(), dy, dx, rows);
    dy = dx;
  }
  reg = regularize(true);
  clock_.mark(StepProfile::Backward);
  return true;
}

double Network::computeGradients(const float* x, const float* y, int rows, double& reg) {
  double loss = 0;
  reg = 0;
  backward(toLayout(x, rows, inputDim_, xb_), toLayout(y, rows, outputDim(), yb_), rows, loss, reg);
  return loss;
}

Network::Step Network::step(const float* x, const float* y, int rows, double& loss, double& reg) {
  if (!backward(x, y, rows, loss, reg)) return Step::NonFiniteLoss;
  double sumSq = optimizer_->gradSquaredNorm();
  if (!std::isfinite(sumSq) || !std::isfinite(reg)) return Step::NonFiniteLoss;
  bool finite = optimizer_->step(sumSq);
  clock_.mark(StepProfile::Optimizer);
  return finite ? Step::Ok : Step::NonFiniteWeights;
}

double Network::trainOnBatch(const float* x, const float* y, int rows, bool inLayout) {
  double loss = 0, reg = 0;
  if (!inLayout) {
    x = toLayout(x, rows, inputDim_, xb_);
    y = toLayout(y, rows, outputDim(), yb_);
  }
  switch (step(x, y, rows, loss, reg)) {
    case Step::Ok: return loss;
    case Step::NonFiniteLoss:
      naluError("NON_FINITE", "trainOnBatch: the loss or a gradient is not finite (loss " + std::to_string(loss) +
                                  "); the weights were not updated");
    case Step::NonFiniteWeights:
      naluError("NON_FINITE", "trainOnBatch: the update made a weight non-finite; lower the learning rate and "
                              "restore the weights (setWeights) before training on");
  }
  return loss;
}

void Network::predict(const float* x, float* y, int64_t rows) {
  const int chunk = int(std::min<int64_t>(rows, std::max(capacity_, 1024)));
  reserve(chunk);
  for (int64_t r = 0; r < rows; r += chunk) {
    int n = int(std::min<int64_t>(chunk, rows - r));
    const float* out = forward(toLayout(x + r * inputDim_, n, inputDim_, xb_), n);
    float* dst = y + r * outputDim();
    if (fm_) transpose(out, outputDim(), n, dst);
    else std::memcpy(dst, out, sizeof(float) * size_t(n) * outputDim());
  }
}

double Network::evaluate(const float* x, const float* y, int64_t rows, int batchSize, ErrorSums* errors,
                         bool inLayout) {
  const int chunk = int(std::min<int64_t>(rows, batchSize));
  reserve(chunk);
  double sum = 0;
  for (int64_t r = 0; r < rows; r += chunk) {
    int n = int(std::min<int64_t>(chunk, rows - r));
    const float *xr = x + r * inputDim_, *yr = y + r * outputDim();
    const float* out = forward(inLayout ? xr : toLayout(xr, n, inputDim_, xb_), n);
    const float* target = inLayout ? yr : toLayout(yr, n, outputDim(), yb_);
    sum += loss(out, target, nullptr, n, errors) * n;
  }
  return sum / double(rows);
}

void Network::toBlocks(const float* src, int64_t rows, int width, int batchSize, float* dst) {
  for (int64_t r = 0; r < rows; r += batchSize) {
    const int n = int(std::min<int64_t>(batchSize, rows - r));
    if (fm_) transpose(src + r * width, n, width, dst + r * width);
    else std::memcpy(dst + r * width, src + r * width, sizeof(float) * size_t(n) * width);
  }
}

std::vector<int> Network::constantLayers(int rows) const {
  std::vector<int> found;
  if (rows < 2) return found;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const float* a = acts_[i].data();
    const int units = layers_[i]->out();
    // Unit u of row r: a[u·rows + r] feature-major, a[r·units + u] row-major.
    const int64_t unitStride = fm_ ? rows : 1, rowStride = fm_ ? 1 : units;
    bool constant = true;
    for (int u = 0; u < units && constant; ++u)
      for (int r = 1; r < rows && constant; ++r) constant = a[u * unitStride + r * rowStride] == a[u * unitStride];
    if (constant) found.push_back(int(i));
  }
  return found;
}

}  // namespace nalu
