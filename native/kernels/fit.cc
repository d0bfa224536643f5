// Network::fit: epochs of shuffled mini-batches over a whole data set, with the batches
// gathered (and, feature-major, transposed) from rows laid out once per fit.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "gather.h"
#include "network.h"
#include "parallel.h"
#include "rng.h"

namespace nalu {

namespace {
// Largest row-feature cache fit keeps (floats): 64 MiB; beyond, the layer computes them per step.
constexpr int64_t kRowFeatureCacheMax = int64_t(1) << 24;
constexpr int kInterleaveMaxWidth = 64;  // floats: row-major [x | features | y] rows in ≤ 4 cache lines

// Where fit's batches come from, decided once a fit from the data's shape and the network's layout.
struct BatchLayout {
  int batch;         // rows a step
  bool shuffle;      // a new row order every epoch
  bool gather;       // batches copied out of the data (in the row order) each epoch, not used in place
  int fw;            // the first layer's row-feature width (0: it has none)
  bool useFeatures;  // the features computed once for all epochs
  int fwUsed;        // fw when useFeatures, else 0
  int catWidth;      // floats of an [x | features | y] row
  bool interleave;   // batches gathered from a copy of the data in such rows
  bool pregather;    // feature-major batches in a fixed order, transposed once for all epochs

  BatchLayout(int64_t rows, int batchSize, bool shuffleRows, bool fm, int in, int out, int featureWidth) {
    batch = int(std::min<int64_t>(batchSize, rows));
    // One batch per epoch: shuffling would only reorder the batch's sum, so the data is used
    // in place (no gather, and the first layer's row features never change).
    shuffle = shuffleRows && batch < rows;
    // Feature-major batches are always gathered (each epoch, or once: pregather): the gather is
    // what transposes them.
    gather = shuffle || fm;
    // The first layer's per-row features (NALU: log(|x|+ε)), once for all epochs; shuffled row-major
    // rows wider than kInterleaveMaxWidth take them from each batch: cheaper than gathering a copy.
    fw = featureWidth;
    useFeatures = fw > 0 && rows * fw <= kRowFeatureCacheMax && (fm || !gather || in <= kInterleaveMaxWidth);
    // Gathered batches of a data set that fits the row cache come from interleaved rows
    // [x | features | y]: feature-major ones always (one transposing pass, a narrow y included,
    // instead of three), row-major ones when a row is narrow enough for its parts to share cache
    // lines. Wide row-major rows gain nothing and would pay for a copy of the data set per fit.
    fwUsed = useFeatures ? fw : 0;
    catWidth = in + fwUsed + out;
    // Unshuffled feature-major batches are the same every epoch: each is transposed once, into
    // its own [catWidth, n] block of a copy of the data set, instead of every epoch.
    pregather = fm && !shuffle && rows * catWidth <= kRowFeatureCacheMax;
    gather = gather && !pregather;
    interleave = gather && (fm || catWidth <= kInterleaveMaxWidth) && rows * catWidth <= kRowFeatureCacheMax;
  }
};
}  // namespace

void FitResult::reserve(size_t epochs, bool errors) {
  for (auto* v : {&loss, &valLoss, &regularization}) v->reserve(epochs);
  if (errors)
    for (auto* v : {&mae, &mse, &valMae, &valMse}) v->reserve(epochs);
}

void FitResult::add(EpochLog&& log, bool errors) {
  loss.push_back(log.loss);
  valLoss.push_back(log.valLoss);
  regularization.push_back(log.regularization);
  if (errors) {
    mae.push_back(log.mae);
    mse.push_back(log.mse);
    valMae.push_back(log.valMae);
    valMse.push_back(log.valMse);
  }
  if (!log.constantLayers.empty()) constantLayers.emplace_back(log.epoch, std::move(log.constantLayers));
}

FitResult Network::fit(const float* x, const float* y, int64_t rows, const FitOptions& o, const FitHooks& hooks) {
  const int in = inputDim_, out = outputDim();
  Layer& first = *layers_[0];
  ProfileScope<Network> profiling(*this, o.profile);
  const BatchLayout lay(rows, o.batchSize, o.shuffle, fm_, in, out, first.rowFeatureWidth());
  const int batch = lay.batch, fw = lay.fw;
  reserve(batch);
  if (lay.gather) {
    grow(xb_, size_t(batch) * in);
    grow(yb_, size_t(batch) * out);
  }
  Buffer feats;
  if (lay.useFeatures) {
    feats.resize(size_t(rows) * fw);
    first.computeRowFeatures(x, feats.data(), rows);
    if (lay.gather) grow(fb_, size_t(batch) * fw);
  }
  Buffer cat;
  std::vector<float*> colTargets(size_t(fm_ ? lay.catWidth : 0));  // its own: evaluate uses cols_
  float** cols = colTargets.data();
  if (lay.pregather) {
    // Batch r .. r+n−1 at cat + r·catWidth: its x, features and y columns, each n floats.
    cat.resize(size_t(rows) * lay.catWidth);
    for (int64_t r = 0; r < rows; r += batch) {
      const int n = int(std::min<int64_t>(batch, rows - r));
      float* block = cat.data() + r * lay.catWidth;
      columnTargets(block, lay.catWidth, n, cols);
      gatherColumns(x + r * in, in, nullptr, n, cols);
      if (lay.fwUsed) gatherColumns(feats.data() + r * fw, fw, nullptr, n, cols + in);
      gatherColumns(y + r * out, out, nullptr, n, cols + in + lay.fwUsed);
    }
    Buffer().swap(feats);
  }
  if (lay.interleave) {
    cat.resize(size_t(rows) * lay.catWidth);
    for (int64_t r = 0; r < rows; ++r) {
      float* d = cat.data() + r * lay.catWidth;
      std::copy(x + r * in, x + (r + 1) * in, d);
      if (lay.fwUsed) std::copy(feats.data() + r * fw, feats.data() + (r + 1) * fw, d + in);
      std::copy(y + r * out, y + (r + 1) * out, d + in + lay.fwUsed);
    }
    Buffer().swap(feats);  // every row's features now live in cat
  }
  struct Reset {  // validation and later calls must not see this fit's features
    Layer& l;
    ~Reset() { l.useRowFeatures(nullptr); }
  } reset{first};
  std::vector<int64_t> order(size_t(lay.gather ? rows : 0));
  std::iota(order.begin(), order.end(), 0);
  auto ps = params();
  // Every weight at the start of the epoch, one param after another (one memcpy each: an
  // epoch of one small batch spent a tenth of its step on the per-param copies).
  size_t weights = 0;
  for (Param* p : ps) weights += p->size();
  Buffer snapshot(weights);
  auto snapshotCopy = [&](bool save) {
    float* s = snapshot.data();
    for (Param* p : ps) {
      if (save) std::memcpy(s, p->value.data(), sizeof(float) * p->size());
      else std::memcpy(p->value.data(), s, sizeof(float) * p->size());
      s += p->size();
    }
  };
  FitResult result;
  result.reserve(size_t(std::min(o.epochs, 1 << 22)), o.errors);  // no copies as the figures grow
  Rng rng(o.seed);
  RngLanes lanes(o.seed, 1);  // the shuffles
  ReinitRule reinit(o.reinitialize);
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    if (hooks.stop && hooks.stop->load()) {
      result.stopReason = "aborted";
      break;
    }
    if (hooks.epochBegin) hooks.epochBegin(epoch);
    snapshotCopy(true);
    clock_.skip();
    if (lay.shuffle) {
      // Fisher–Yates with eight generator lanes: one scalar generator step per swap was the
      // bottleneck. j = ⌊r·(i+1)/2^32⌋.
      uint32_t r[RngLanes::kLanes];
      for (int64_t i = int64_t(order.size()) - 1; i > 0;) {
        lanes.next8(r);
        for (int k = 0; k < RngLanes::kLanes && i > 0; ++k, --i)
          std::swap(order[i], order[(uint64_t(r[k]) * uint64_t(i + 1)) >> 32]);
      }
    }
    clock_.mark(StepProfile::Batch);
    double sum = 0, regSum = 0;
    int64_t seen = 0;
    int lastRows = 0;
    Step status = Step::Ok;
    ErrorSums errors;
    EpochLog log;
    for (int64_t r = 0; r < rows; r += batch) {
      if (hooks.stop && hooks.stop->load()) break;
      clock_.skip();
      int n = int(std::min<int64_t>(batch, rows - r));
      const float *xb = x + r * in, *yb = y + r * out;
      const float* fb = lay.useFeatures && !lay.interleave && !lay.pregather ? feats.data() + r * fw : nullptr;
      if (lay.pregather) {
        xb = cat.data() + r * lay.catWidth;
        fb = lay.fwUsed ? xb + int64_t(in) * n : nullptr;
        yb = xb + int64_t(in + lay.fwUsed) * n;
      } else if (lay.gather) {
        const int64_t* idx = order.data() + r;
        if (fm_) {
          // Where each column of [x | features | y] goes in this batch of n rows.
          columnTargets(xb_.data(), in, n, cols);
          columnTargets(fb_.data(), lay.fwUsed, n, cols + in);
          columnTargets(yb_.data(), out, n, cols + in + lay.fwUsed);
          if (lay.interleave) {
            gatherColumns(cat.data(), lay.catWidth, idx, n, cols);
          } else {
            gatherColumns(x, in, idx, n, cols);
            if (lay.useFeatures) gatherColumns(feats.data(), fw, idx, n, cols + in);
            gatherColumns(y, out, idx, n, cols + in + lay.fwUsed);
          }
        } else {
          // Large batches on every thread: gathered on one, a (1024, 256, 256) batch left the
          // other core spinning in libgomp's barrier.
          parallelChunks(n, [&](int64_t b, int64_t e) {
            const int m = int(e - b);
            if (lay.interleave) {
              gatherInterleaved(cat.data(), in, lay.fwUsed, out, idx + b, m, xb_.data() + b * in,
                                fb_.data() + b * lay.fwUsed, yb_.data() + b * out);
              return;
            }
            gatherRows(x, in, idx + b, m, xb_.data() + b * in);
            gatherRows(y, out, idx + b, m, yb_.data() + b * out);
            if (lay.useFeatures) gatherRows(feats.data(), fw, idx + b, m, fb_.data() + b * fw);
          }, lay.catWidth);
        }
        xb = xb_.data();
        yb = yb_.data();
        if (lay.useFeatures) fb = fb_.data();
      }
      clock_.mark(StepProfile::Batch);
      if (o.profile) ++o.profile->steps;
      double loss = 0, reg = 0;
      first.useRowFeatures(fb);
      status = step(xb, yb, n, loss, reg);
      first.useRowFeatures(nullptr);
      if (status != Step::Ok) break;
      // The step's forward outputs are still in the last activation, in the batch's layout.
      if (o.errors) errors.add(acts_.back().data(), yb, int64_t(n) * out);
      if (o.batchLosses) log.batchLosses.push_back(float(loss));
      lastRows = n;
      sum += loss * n;
      reinit.add(loss);
      regSum += reg * n;
      seen += n;
    }
    if (status == Step::NonFiniteWeights)
      snapshotCopy(false);
    if (status != Step::Ok) {
      if (o.throwOnNonFinite)
        naluError("NON_FINITE", "fit: training became non-finite in epoch " + std::to_string(epoch + 1) +
                                    "; the weights were left at their last finite values");
      result.stopReason = "nonFinite";
      break;
    }
    if (seen < rows) {  // aborted inside the epoch: its partial loss is not reported
      result.stopReason = "aborted";
      break;
    }
    log.epoch = epoch;
    log.loss = sum / double(seen);
    log.regularization = regSum / double(seen);
    log.constantLayers = constantLayers(lastRows);  // before validation replaces the activations
    if (o.errors) log.mae = errors.mae(), log.mse = errors.mse();
    if (o.valRows > 0) {
      ErrorSums val;
      log.valLoss = evaluate(o.xVal, o.yVal, o.valRows, batch, o.errors ? &val : nullptr);
      if (o.errors) log.valMae = val.mae(), log.valMse = val.mse();
    }
    if (hooks.epochEnd) hooks.epochEnd(log);
    result.add(std::move(log), o.errors);
    if (reinit.endEpoch(epoch)) {  // fresh weights from each layer's initializers, fresh optimizer state
      for (auto& l : layers_) l->initialize(rng.next());
      optimizer_->attach(ps);
      result.reinitializedAt.push_back(epoch);
    }
  }
  return result;
}

}  // namespace nalu
