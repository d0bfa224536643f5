// The interface every unit implements. x is [rows, in], y is [rows, out], row-major float32.
#pragma once
#include <functional>
#include <initializer_list>

#include <memory>
#include <string>
#include <vector>

#include "buffer.h"
#include "options.h"
#include "param.h"
#include "initializers.h"

namespace nalu {

class Layer {
 public:
  Layer(int in, int out) : in_(in), out_(out) {}
  virtual ~Layer() = default;
  int in() const { return in_; }
  int out() const { return out_; }
  // A layer built around another (RNN around its cell) hands out, initializes, clamps and
  // penalizes that one's params.
  virtual std::vector<Param>& params() { return params_; }

  // Grows the workspaces to hold `rows` rows; the step functions never allocate.
  virtual void reserve(int rows) = 0;
  // y = f(x); keeps in its workspace what backward needs.
  virtual void forward(const float* x, float* y, int rows) = 0;
  // From dy and the x, y of the last forward: writes every param's grad, and dx when non-null.
  virtual void backward(const float* x, const float* y, const float* dy, float* dx, int rows) = 0;
  // False when backward reads only x, y, dy and the params, so an RNN need not run an earlier
  // step's forward again before its backward.
  virtual bool backwardReadsWorkspace() const { return true; }
  // Adds this layer's own regularizer (e.g. NAU sparsity) to the grads when addGrad, at the
  // strength its schedule gives for optimizer step `step`; returns its value. Default: none.
  virtual double regularize(int64_t step, bool addGrad) { return 0.0; }
  // True when the layer has a regularizer of its own.
  virtual bool hasRegularizer() const { return false; }
  // Moves a sparsity regularizer's warm-up to steps start → end (a fit placing an 'epochs' or
  // 'fit' schedule); false for a layer without one.
  virtual bool setSparsitySchedule(double start, double end) { return false; }
  // A sequence layer (RNN) reads each row as steps() time steps: in() = steps·features, and
  // out() = steps·units when stepOutputs(). 0: a layer without a time axis.
  virtual int steps() const { return 0; }
  virtual void setSteps(int steps) {}
  virtual bool stepOutputs() const { return false; }
  // Optional cache of per-row features of the input that depend on that row alone (NALU's
  // log(|x|+ε)). fit computes them once for its whole data set, then before each step points
  // the first layer at the batch's rows, so forward skips recomputing them. Width 0: none.
  virtual int rowFeatureWidth() const { return 0; }
  virtual void computeRowFeatures(const float* x, float* f, int64_t rows) {}
  // f holds the features of the next forward's x (rows × rowFeatureWidth()); nullptr: compute.
  virtual void useRowFeatures(const float* f) {}
  // Activations are row-major [rows, features] unless the layer runs feature-major
  // ([features, rows], each feature's batch contiguous): Network picks that for tiny layers,
  // whose small products then vectorize along the batch instead of along a handful of units.
  // Layers that implement both layouts say so here.
  virtual bool supportsFeatureMajor() const { return false; }
  // True for the units that ran row-major only until their feature-major form (Dense, NAC•): a
  // network holding one sums every feature-major product in the row-major order (row_order.h),
  // so it trains bit-identically to the records those made.
  virtual bool sumsRowMajor() const { return false; }
  // Calls visit on every weight the unit computes with, as it uses it (tanh(Ŵ)⊙σ(M̂), not Ŵ), for
  // the paper's sparsity error; gates and biases left out. Default: every matrix param as it is.
  virtual void sparsityWeights(const std::function<void(float)>& visit) const;
  virtual void setFeatureMajor(bool on, bool rowOrder = false) {
    fm_ = on && supportsFeatureMajor();
    rowOrder_ = fm_ && rowOrder;
  }
  // Draws the initial values of every parameter from the layer's initializers.
  virtual void initialize(uint64_t seed);
  // Applies each param's clamp (after an optimizer step, and after setWeights).
  virtual void applyConstraints();
  // Reads kernelRegularizer {l1, l2} and kernelConstraint {min, max}; both act on every [in, out]
  // weight (not on vectors such as biases or per-unit gates). Called by makeLayer after the unit's
  // constructor, so a kernelConstraint replaces the unit's default clamp (NAU, NMU).
  void setKernelOptions(const Options& o);
  // l1·Σ|w| + l2·Σw² over the kernels; adds its gradient when addGrad.
  virtual double kernelPenalty(bool addGrad);

 protected:
  // Adds a parameter with its initializer; returns its index.
  size_t addParam(const std::string& name, std::vector<int64_t> shape, const Options& init);
  // The three products of a layer y = x·W (W [in, out]) in the layer's layout, each
  // `= op + beta·out`: y = x·W, dW = xᵀ·dy, dx = dy·Wᵀ.
  void xW(const float* x, const float* W, float beta, float* y, int rows) const;
  void xtDy(const float* x, const float* dy, float beta, float* dW, int rows) const;
  void dyWt(const float* dy, const float* W, float beta, float* dx, int rows) const;
  int in_, out_;
  bool fm_ = false, rowOrder_ = false;
  std::vector<Param> params_;
  std::vector<Options> inits_;
  float l1_ = 0, l2_ = 0;
};

// What a row of a layer's input is: plain features, a sequence of steps, or an image; a cell of
// an RNN reads plain rows, and TimeDistributed wraps any layer without a time axis of its own.
enum class LayerInput { row, sequence, image };

// The registry of units. Each unit's .cc file ends with its own registration, run at load
// time. CMakeLists.txt globs native/kernels/*.cc (CONFIGURE_DEPENDS) and links the objects straight
// into the addon, so a new unit file needs no other edit and its registrar is never dropped (it
// would be if the units went through a static library, which links only the objects it needs):
//   const bool registered = registerLayer({"nau", makeUnit<NAU>, fixedMatrices<1>});
struct LayerRegistration {
  const char* name;  // the `type` of a layer spec
  std::unique_ptr<Layer> (*make)(int in, const Options& o);
  // Weight matrices (in·out + out floats each) a layer has with these options, for the memory
  // estimate made before any layer is built (see layerMatrices); must never throw.
  int (*matrices)(const Options& o);
  LayerInput input = LayerInput::row;
};
// Adds a unit; returns true so it can initialize a file-scope constant. Aborts on a duplicate name.
bool registerLayer(const LayerRegistration& r);
// The factory of a unit whose constructor is Unit(int in, const Options& o).
template <class Unit>
std::unique_ptr<Layer> makeUnit(int in, const Options& o) {
  return std::make_unique<Unit>(in, o);
}
// The matrix count of a unit that has N whatever its options.
template <int N>
int fixedMatrices(const Options&) {
  return N;
}

// Builds a layer of the registered `type` with `in` inputs from options (validated here).
std::unique_ptr<Layer> makeLayer(const std::string& type, int in, const Options& options);
// Names of every registered layer type, sorted; or of those whose input is one of `inputs`.
std::vector<std::string> layerTypes();
std::vector<std::string> layerTypes(std::initializer_list<LayerInput> inputs);
// Reads the mandatory `units` option.
int unitsOption(const Options& o);
// The initializer spec in options[key], or the default when absent.
Options initializerOption(const Options& o, const std::string& key, const std::string& defType);
// options[key] (type 'randomUniform' when only its options are given), or U[lo, hi] when absent.
Options uniformOption(const Options& o, const std::string& key, double lo, double hi);
// Weight matrices (in·out + out floats each) a layer of `type` has with these options, for the
// memory estimate made before any layer is built; never throws (5 for unknown types).
int layerMatrices(const std::string& type, const Options& options);
// The matrices of a wrapper's inner layer: the type in o[typeKey], its options in o[optionsKey]
// (5 when absent, or when it names the wrapper `self`, which cannot wrap itself).
int wrappedMatrices(const Options& o, const char* typeKey, const char* optionsKey, const char* self);

// Grows a buffer to n floats (outside the step loop only).
inline void grow(Buffer& b, size_t n) {
  if (b.size() < n) b.resize(n);
}

}  // namespace nalu
