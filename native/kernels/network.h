// A sequential network that owns its layers, loss, optimizer and workspaces, and runs
// whole training loops without allocating per step (the fit loop: fit.cc).
#pragma once
#include <atomic>
#include <functional>

#include "error.h"
#include "layer.h"
#include "losses.h"
#include "optimizers.h"
#include "profile.h"
#include "reinit.h"

namespace nalu {

struct LayerSpec {
  std::string type;
  Options options;
  uint64_t seed = 0;
};

struct NetworkSpec {
  int inputDim = 0;
  std::vector<LayerSpec> layers;
  Options loss, optimizer;
  // Activation layout: "auto" (feature-major when every layer supports it and is tiny),
  // "rowMajor" or "featureMajor" (where every layer supports it; else row-major).
  std::string layout = "auto";
};

struct EpochLog {
  int epoch = 0;
  double loss = 0, valLoss = NAN, regularization = 0;
  // With FitOptions::errors: the mae/mse metrics of the epoch's batches and of the validation data.
  double mae = NAN, mse = NAN, valMae = NAN, valMse = NAN;
  std::vector<float> batchLosses;    // with FitOptions::batchLosses: each batch's loss, in order
  std::vector<int> constantLayers;   // layers whose every output was the same for every row of the last batch
};

struct FitOptions {
  int epochs = 1, batchSize = 32;
  bool shuffle = true;
  uint64_t seed = 0;
  bool throwOnNonFinite = false;  // else stop and keep the last finite weights
  const float* xVal = nullptr;
  const float* yVal = nullptr;
  int64_t valRows = 0;
  ReinitOptions reinitialize;  // iNALU's rule (off by default)
  bool errors = false;         // the mae/mse metrics in each EpochLog
  bool batchLosses = false;    // each batch's loss in each EpochLog
  StepProfile* profile = nullptr;  // where the steps' time goes (profile.h), when given
};

struct FitHooks {
  std::function<void(int epoch)> epochBegin;
  std::function<void(const EpochLog&)> epochEnd;
  const std::atomic<bool>* stop = nullptr;
};

// Each epoch's figures, one entry an epoch in order (the mae/mse columns only with
// FitOptions::errors); constantLayers only for the epochs that had any.
struct FitResult {
  std::vector<double> loss, valLoss, regularization, mae, mse, valMae, valMse;
  std::vector<std::pair<int, std::vector<int>>> constantLayers;
  size_t epochs() const { return loss.size(); }
  void reserve(size_t epochs, bool errors);
  void add(EpochLog&& log, bool errors);
  std::string stopReason = "completed";  // 'completed' | 'aborted' | 'nonFinite'
  std::vector<int> reinitializedAt;      // epochs after which the weights were redrawn
};

class Network {
 public:
  explicit Network(const NetworkSpec& spec);
  int inputDim() const { return inputDim_; }
  int outputDim() const { return layers_.back()->out(); }
  bool featureMajor() const { return fm_; }
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  std::vector<Param*> params() const;
  Optimizer& optimizer() { return *optimizer_; }

  // One optimizer step on a batch. Returns the loss before the step; throws NaluError
  // NON_FINITE (leaving the weights as they were) when the loss or a gradient is not finite.
  // inLayout: x and y are already in the network's layout (feature-major: [in, rows], [out, rows]).
  double trainOnBatch(const float* x, const float* y, int rows, bool inLayout = false);
  // Forward, loss and backward without an update: every param's grad holds dL/dparam
  // (regularizers included). Returns the loss; reg receives the regularizers' value.
  double computeGradients(const float* x, const float* y, int rows, double& reg);
  void predict(const float* x, float* y, int64_t rows);
  // The mean loss; with errors, also the mae/mse sums of the outputs. inLayout: x and y are
  // already toBlocks' blocks of batchSize rows.
  double evaluate(const float* x, const float* y, int64_t rows, int batchSize, ErrorSums* errors = nullptr,
                  bool inLayout = false);
  // dst = src [rows, width] in blocks of batchSize rows, each in the network's layout (block r
  // .. r+n−1 at dst + r·width): data evaluated many times is transposed once.
  void toBlocks(const float* src, int64_t rows, int width, int batchSize, float* dst);
  FitResult fit(const float* x, const float* y, int64_t rows, const FitOptions& o, const FitHooks& hooks);
  // Rows of `steps` time steps from now on (first layers with a time axis: TimeDistributed, RNN, all
  // set alike): inputDim() and, when the last returns every step, outputDim() scale. RangeError otherwise.
  void setSteps(int steps);
  // Re-applies every clamp constraint (after setWeights).
  void applyConstraints();
  // The phase clock of the steps: timing into p until set to nullptr (profile.h).
  void setProfile(StepProfile* p) { clock_ = PhaseClock(p); }
  PhaseClock& clock() { return clock_; }

 private:
  enum class Step { Ok, NonFiniteLoss, NonFiniteWeights };
  void reserve(int rows);
  // x in the network's layout.
  const float* forward(const float* x, int rows);
  // src [rows, width] row-major in the network's layout: src itself, or transposed into dst.
  const float* toLayout(const float* src, int rows, int width, Buffer& dst);
  // dst [width, rows] = srcᵀ.
  void transpose(const float* src, int rows, int width, float* dst);
  // The loss (and dL/dout into dout when given) of out against y, both in the network's layout,
  // summed in row-major order so that a feature-major network's loss equals its row-major one.
  double loss(const float* out, const float* y, float* dout, int rows, ErrorSums* errors = nullptr);
  // forward + loss + backward; false when the loss is not finite.
  bool backward(const float* x, const float* y, int rows, double& loss, double& reg);
  // backward + optimizer; loss (and regularization) out.
  Step step(const float* x, const float* y, int rows, double& loss, double& reg);
  double regularize(bool addGrad);
  // Layers whose every output unit took one value for all `rows` rows of the last forward.
  std::vector<int> constantLayers(int rows) const;

  int inputDim_;
  int capacity_ = 0;
  bool fm_ = false;  // activations feature-major [features, rows] (see Layer::supportsFeatureMajor)
  std::vector<std::unique_ptr<Layer>> layers_;
  std::unique_ptr<Loss> loss_;
  std::unique_ptr<Optimizer> optimizer_;
  std::vector<Buffer> acts_;  // output of each layer
  Buffer grad_[2];            // ping-pong dL/d(activation)
  Buffer xb_, yb_, fb_;       // gathered (shuffled) batch and its first-layer row features
  Buffer lossOut_, lossY_, lossGrad_;  // a feature-major loss's operands, back in row-major order
  std::vector<float*> cols_;  // transpose's column targets
  PhaseClock clock_{nullptr};
  // "auto" runs feature-major when no layer has more weights than this: there a step is a
  // handful of tiny products whose row-major form vectorizes only along the few units.
  static constexpr int64_t kFeatureMajorMaxWeights = 1024;
};

}  // namespace nalu
