// TimeDistributed: its inner layer applied to every time step. A row of x holds `steps` steps of
// `features` ([batch, time, features] row-major), which is the same memory as [batch·time, features]:
// the inner layer runs once on batch·steps rows, forward and backward, and its weights are the
// wrapper's. y is [batch, time, units], so the layer after it has a time axis too (see network.cc).
#include <algorithm>

#include "error.h"
#include "layer.h"

namespace nalu {

namespace {

class TimeDistributed : public Layer {
 public:
  TimeDistributed(int in, const Options& o) : Layer(in, 1), features_(in) {
    for (const char* k : {"kernelRegularizer", "kernelConstraint"})
      if (o.has(k)) rangeError(o.where(k) + ": a TimeDistributed's weights are its layer's; give " + k + " in layerOptions");
    const std::string type = o.requiredString("layer");
    // A layer with a time axis of its own cannot run one step at a time.
    const std::vector<std::string> inner = layerTypes({LayerInput::row, LayerInput::image});
    if (std::find(inner.begin(), inner.end(), type) == inner.end())
      rangeError(o.where("layer") + ": expected one of " + joinNames(inner) + ", received '" + type + "'");
    Options c;
    if (const Options* given = o.object("layerOptions")) c = *given;
    else if (o.has("layerOptions")) typeError(o.where("layerOptions") + ": expected an object, received " + o.describe("layerOptions"));
    c.context = o.where("layerOptions");
    if (c.num.count("units") || c.str.count("units") || c.obj.count("units"))
      rangeError(c.where("units") + ": the layer's units are the TimeDistributed's; leave it out of layerOptions");
    c.num["units"] = unitsOption(o);
    layer_ = makeLayer(type, features_, c);
    units_ = out_ = layer_->out();
  }

  std::vector<Param>& params() override { return layer_->params(); }
  void initialize(uint64_t seed) override { layer_->initialize(seed); }
  void applyConstraints() override { layer_->applyConstraints(); }
  double kernelPenalty(bool addGrad) override { return layer_->kernelPenalty(addGrad); }
  double regularize(int64_t step, bool addGrad) override { return layer_->regularize(step, addGrad); }
  bool hasRegularizer() const override { return layer_->hasRegularizer(); }
  bool setSparsitySchedule(double start, double end) override { return layer_->setSparsitySchedule(start, end); }
  void sparsityWeights(const std::function<void(float)>& visit) const override { layer_->sparsityWeights(visit); }

  int steps() const override { return steps_; }
  bool stepOutputs() const override { return true; }
  void setSteps(int steps) override {
    const int wide = std::max(features_, units_);
    if (steps < 1 || int64_t(steps) * wide > kMaxElements)
      rangeError("steps: expected an integer in [1, " + std::to_string(kMaxElements / wide) + "], received " + std::to_string(steps));
    steps_ = steps;
    in_ = steps * features_;
    out_ = steps * units_;
  }

  void reserve(int rows) override { layer_->reserve(rowsOf(rows)); }
  void forward(const float* x, float* y, int rows) override { layer_->forward(x, y, rowsOf(rows)); }
  void backward(const float* x, const float* y, const float* dy, float* dx, int rows) override {
    layer_->backward(x, y, dy, dx, rowsOf(rows));
  }

 private:
  // The inner layer's rows: one a step of each row.
  int rowsOf(int rows) const {
    if (int64_t(rows) * steps_ > kMaxElements)
      rangeError("rows: " + std::to_string(rows) + " rows of " + std::to_string(steps_) + " steps are more than " +
                 std::to_string(kMaxElements) + " steps");
    return rows * steps_;
  }
  int features_, units_ = 1, steps_ = 1;
  std::unique_ptr<Layer> layer_;
};

const bool registered = registerLayer({"timedistributed", makeUnit<TimeDistributed>, [](const Options& o) {
                                         return wrappedMatrices(o, "layer", "layerOptions", "timedistributed");
                                       }, LayerInput::sequence});

}  // namespace
}  // namespace nalu
