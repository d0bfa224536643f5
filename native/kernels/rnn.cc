// RNN: a recurrent layer around any unit, its cell. Step t feeds the cell [xₜ, hₜ₋₁] (in =
// features + units, out = units) and hₜ is its output; h₋₁ = initialState (default 0). A row of x
// holds `steps` time steps of `features` ([batch, time, features] row-major); y is h of the last
// step, or of every step (returnSequences: [batch, time, units]). Backpropagation through time runs the cell's own
// backward step by step, last to first; the cell keeps in its workspace only what its last forward
// needs, so each earlier step's forward is run again just before its backward. Only h is kept per
// step: a step's input is made again from x and hₜ₋₁, so a long evaluation stays in cache.
// Feature-major (when the cell has that form), x is [time·features, batch]: step t's features are
// one block of rows, and so are hₜ and a step's cell input.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "error.h"
#include "layer.h"

namespace nalu {

namespace {

class RNN : public Layer {
 public:
  RNN(int in, const Options& o) : Layer(in, unitsOption(o)), features_(in), units_(out_) {
    returnSequences_ = o.flag("returnSequences", false);
    initial_ = float(o.number("initialState", 0.0, -1e30, 1e30));
    for (const char* k : {"kernelRegularizer", "kernelConstraint"})
      if (o.has(k)) rangeError(o.where(k) + ": an RNN's weights are its cell's; give " + k + " in cellOptions");
    const std::string type = o.requiredString("cell");
    const std::vector<std::string> cells = layerTypes({LayerInput::row});
    if (std::find(cells.begin(), cells.end(), type) == cells.end())
      rangeError(o.where("cell") + ": expected one of " + joinNames(cells) + ", received '" + type + "'");
    Options c;
    if (const Options* given = o.object("cellOptions")) c = *given;
    else if (o.has("cellOptions")) typeError(o.where("cellOptions") + ": expected an object, received " + o.describe("cellOptions"));
    c.context = o.where("cellOptions");
    if (c.num.count("units") || c.str.count("units") || c.obj.count("units"))
      rangeError(c.where("units") + ": the cell's units are the RNN's; leave it out of cellOptions");
    c.num["units"] = units_;
    cell_ = makeLayer(type, features_ + units_, c);
    for (Param& p : cell_->params()) sums_.emplace_back(p.size(), 0.f);
    zLambda_ = o.number("zRegularizer", 0.0, 0.0, 1e30);
    if (zLambda_ > 0 && type != "nau" && type != "nmu")
      rangeError(o.where("zRegularizer") + ": R_z is defined for an 'nau' or 'nmu' cell, received the cell '" + type + "'");
    // R_z pulls each cell input's mean towards the unit's identity where its weight leaves it out.
    zIdentity_ = type == "nmu" ? 1.0 : 0.0;
    zMean_.assign(size_t(features_) + units_, 0.0);
  }

  std::vector<Param>& params() override { return cell_->params(); }
  void initialize(uint64_t seed) override { cell_->initialize(seed); }
  void applyConstraints() override { cell_->applyConstraints(); }
  double kernelPenalty(bool addGrad) override { return cell_->kernelPenalty(addGrad); }
  double regularize(int64_t step, bool addGrad) override {
    return cell_->regularize(step, addGrad) + (zLambda_ > 0 ? zRegularize(addGrad) : 0.0);
  }
  bool hasRegularizer() const override { return cell_->hasRegularizer() || zLambda_ > 0; }
  bool supportsFeatureMajor() const override { return cell_->supportsFeatureMajor(); }
  bool sumsRowMajor() const override { return cell_->sumsRowMajor(); }
  void setFeatureMajor(bool on, bool rowOrder) override {
    Layer::setFeatureMajor(on, rowOrder);
    cell_->setFeatureMajor(fm_, rowOrder);
  }
  bool setSparsitySchedule(double start, double end) override { return cell_->setSparsitySchedule(start, end); }
  void sparsityWeights(const std::function<void(float)>& visit) const override { cell_->sparsityWeights(visit); }

  int steps() const override { return steps_; }
  bool stepOutputs() const override { return returnSequences_; }
  void setSteps(int steps) override {
    if (steps < 1 || int64_t(steps) * std::max(features_, units_) > kMaxElements)
      rangeError("steps: expected an integer in [1, " + std::to_string(kMaxElements / std::max(features_, units_)) +
                 "], received " + std::to_string(steps));
    steps_ = steps;
    in_ = steps * features_;
    out_ = returnSequences_ ? steps * units_ : units_;
  }

  void reserve(int rows) override {
    const size_t width = size_t(features_) + units_;
    grow(z_, size_t(rows) * width);
    grow(h_, size_t(steps_) * rows * units_);
    grow(dz_, size_t(rows) * width);
    grow(dh_, size_t(rows) * units_);
    grow(again_, size_t(rows) * units_);
    cell_->reserve(rows);
  }

  void forward(const float* x, float* y, int rows) override {
    const int W = features_ + units_;
    if (zLambda_ > 0) std::fill(zMean_.begin(), zMean_.end(), 0.0);
    for (int t = 0; t < steps_; ++t) {
      const float* z = stepInput(x, t, rows);
      cell_->forward(z, h_.data() + size_t(t) * rows * units_, rows);
      if (zLambda_ > 0)
        for (int r = 0; r < rows; ++r)
          for (int i = 0; i < W; ++i) zMean_[i] += z[at(r, i, W, rows)];
    }
    if (zLambda_ > 0)
      for (double& m : zMean_) m /= double(steps_) * rows;
    const int U = units_, T = steps_;
    const float* last = h_.data() + size_t(T - 1) * rows * U;
    if (!returnSequences_ || fm_) {
      // Feature-major, y is [time·units, batch]: every step's h in order.
      if (returnSequences_) last = h_.data();
      std::memcpy(y, last, sizeof(float) * size_t(rows) * U * (returnSequences_ ? T : 1));
      return;
    }
    for (int t = 0; t < T; ++t)
      for (int r = 0; r < rows; ++r)
        std::memcpy(y + (size_t(r) * T + t) * U, h_.data() + (size_t(t) * rows + r) * U, sizeof(float) * U);
  }

  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    const int F = features_, U = units_, T = steps_, W = F + U;
    std::vector<Param>& ps = cell_->params();
    float* dh = dh_.data();
    float* dz = dz_.data();
    // R_z's gradient is the same for every row and step of an input: dR/dx̄ᵢ / (steps·rows).
    if (zLambda_ > 0) zInputGradient(rows);
    // dh: dL/dhₜ, from the step after (through its cell input) and, with returnSequences, from yₜ.
    if (returnSequences_) std::fill_n(dh, size_t(rows) * U, 0.f);
    else std::memcpy(dh, dy, sizeof(float) * size_t(rows) * U);
    for (int t = T - 1; t >= 0; --t) {
      if (returnSequences_ && fm_)
        for (size_t k = 0; k < size_t(rows) * U; ++k) dh[k] += dy[size_t(t) * rows * U + k];
      else if (returnSequences_)
        for (int r = 0; r < rows; ++r) {
          const float* d = dy + (size_t(r) * T + t) * U;
          for (int u = 0; u < U; ++u) dh[size_t(r) * U + u] += d[u];
        }
      const float* z = stepInput(x, t, rows);
      const float* h = h_.data() + size_t(t) * rows * U;
      // The cell's workspace holds the last step's forward; an earlier step's is made again.
      if (t != T - 1 && cell_->backwardReadsWorkspace()) {
        cell_->forward(z, again_.data(), rows);
        h = again_.data();
      }
      const bool wantDz = t > 0 || dx;
      cell_->backward(z, h, dh, wantDz ? dz : nullptr, rows);
      if (wantDz && zLambda_ > 0)
        for (int r = 0; r < rows; ++r)
          for (int i = 0; i < W; ++i) dz[at(r, i, W, rows)] += zGrad_[i];
      for (size_t k = 0; k < ps.size(); ++k) {
        const float* g = ps[k].grad.data();
        float* s = sums_[k].data();
        const size_t n = ps[k].size();
        if (t == T - 1) std::memcpy(s, g, sizeof(float) * n);
        else
          for (size_t i = 0; i < n; ++i) s[i] += g[i];
      }
      if (dx && fm_) std::memcpy(dx + size_t(t) * F * rows, dz, sizeof(float) * F * rows);
      else if (dx)
        for (int r = 0; r < rows; ++r)
          std::memcpy(dx + (size_t(r) * T + t) * F, dz + size_t(r) * W, sizeof(float) * F);
      if (t > 0 && fm_) std::memcpy(dh, dz + size_t(F) * rows, sizeof(float) * U * rows);
      else if (t > 0)
        for (int r = 0; r < rows; ++r) std::memcpy(dh + size_t(r) * U, dz + size_t(r) * W + F, sizeof(float) * U);
    }
    for (size_t k = 0; k < ps.size(); ++k) std::memcpy(ps[k].grad.data(), sums_[k].data(), sizeof(float) * ps[k].size());
  }

 private:
  // Element (r, i) of a [rows, width] activation in this layer's layout.
  size_t at(int r, int i, int width, int rows) const { return fm_ ? size_t(i) * rows + r : size_t(r) * width + i; }

  // Step t's cell input [xₜ, hₜ₋₁] in z_: row by row, or (feature-major) two blocks.
  const float* stepInput(const float* x, int t, int rows) {
    const int F = features_, U = units_, T = steps_, W = F + U;
    float* z = z_.data();
    const float* prev = t ? h_.data() + size_t(t - 1) * rows * U : nullptr;
    if (fm_) {
      std::memcpy(z, x + size_t(t) * F * rows, sizeof(float) * F * rows);
      if (prev) std::memcpy(z + size_t(F) * rows, prev, sizeof(float) * U * rows);
      else std::fill_n(z + size_t(F) * rows, size_t(U) * rows, initial_);
      return z;
    }
    for (int r = 0; r < rows; ++r) {
      std::memcpy(z + size_t(r) * W, x + (size_t(r) * T + t) * F, sizeof(float) * F);
      if (prev) std::memcpy(z + size_t(r) * W + F, prev + size_t(r) * U, sizeof(float) * U);
      else std::fill_n(z + size_t(r) * W + F, U, initial_);
    }
    return z;
  }

  // The weight's share of R_z: 1 − W (NMU), 1 − |W| (NAU); and its derivative.
  double zWeight(float w) const { return zIdentity_ == 1.0 ? 1.0 - w : 1.0 - std::fabs(w); }
  double zWeightSlope(float w) const { return zIdentity_ == 1.0 ? -1.0 : -double((w > 0) - (w < 0)); }

  // R_z = λ/(in·units) Σᵢᵤ zWeight(Wᵢᵤ)·(x̄ᵢ − identity)², x̄ the last forward's input means over
  // every step and row (stable-nalu's RegualizerNMUZ / RegualizerNAUZ); adds its W gradient.
  double zRegularize(bool addGrad) {
    Param& w = cell_->params()[0];
    const int W = features_ + units_, U = units_;
    const double scale = zLambda_ / (double(W) * U);
    double sum = 0;
    for (int i = 0; i < W; ++i) {
      const double d2 = (zMean_[i] - zIdentity_) * (zMean_[i] - zIdentity_);
      for (int u = 0; u < U; ++u) {
        const float wi = w.value[size_t(i) * U + u];
        sum += zWeight(wi) * d2;
        if (addGrad) w.grad[size_t(i) * U + u] += float(scale * zWeightSlope(wi) * d2);
      }
    }
    return scale * sum;
  }

  // zGrad_ᵢ = dR_z/dzᵢ of one row of one step.
  void zInputGradient(int rows) {
    const Param& w = cell_->params()[0];
    const int W = features_ + units_, U = units_;
    const double scale = zLambda_ / (double(W) * U) / (double(steps_) * rows);
    zGrad_.resize(size_t(W));
    for (int i = 0; i < W; ++i) {
      double a = 0;
      for (int u = 0; u < U; ++u) a += zWeight(w.value[size_t(i) * U + u]);
      zGrad_[i] = float(scale * a * 2 * (zMean_[i] - zIdentity_));
    }
  }

  int features_, units_, steps_ = 1;
  bool returnSequences_ = false;
  float initial_ = 0;  // h₋₁: 0, the identity of a sum, or 1, of a product
  double zLambda_ = 0, zIdentity_ = 0;  // R_z's strength (0: off) and the cell's identity
  std::vector<double> zMean_;           // x̄: each cell input's mean over the last forward's steps and rows
  std::vector<float> zGrad_;
  std::unique_ptr<Layer> cell_;
  std::vector<Buffer> sums_;  // each param's gradient summed over the steps
  Buffer z_, h_;              // one step's cell input [xₜ, hₜ₋₁]; every step's output hₜ, [steps][rows, units]
  Buffer dz_, dh_, again_;    // one step's dL/d[xₜ, hₜ₋₁], dL/dhₜ, and its forward made again
};

// The cell's matrices (its in is features + units, which the estimate's in·units leaves out).
const bool registered = registerLayer(
    {"rnn", makeUnit<RNN>, [](const Options& o) { return wrappedMatrices(o, "cell", "cellOptions", "rnn"); }, LayerInput::sequence});

}  // namespace
}  // namespace nalu
