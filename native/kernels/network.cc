#include "network.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "rng.h"
#include "vec8.h"

namespace nalu {

namespace {
// Shuffled rows defeat the hardware prefetcher, so the gathers ask for every cache line of the
// row kAhead places ahead. Always inlined: out of line, GCC deleted its calls as side-effect free.
constexpr int kAhead = 8;
__attribute__((always_inline)) inline void prefetchAhead(const float* src, int width, const int64_t* idx, int b, int n) {
  if (b + kAhead >= n) return;
  const uintptr_t p = reinterpret_cast<uintptr_t>(src + idx[b + kAhead] * width), end = p + uintptr_t(width) * 4;
  for (uintptr_t line = p & ~uintptr_t(63); line < end; line += 64) __builtin_prefetch(reinterpret_cast<const void*>(line));
}

// Batch row b = src row idx[b]; a plain loop beats a memcpy call per row for narrow rows.
void gatherRows(const float* src, int width, const int64_t* idx, int n, float* dst) {
  for (int b = 0; b < n; ++b) {
    prefetchAhead(src, width, idx, b, n);
    const float* s = src + idx[b] * width;
    float* d = dst + int64_t(b) * width;
    for (int c = 0; c < width; ++c) d[c] = s[c];
  }
}

// The shuffled batch from rows stored as [x | features | y]: one contiguous fetch a row instead
// of two or three from separate arrays (the gathers are a large part of a small network's step).
void gatherInterleaved(const float* src, int in, int fw, int out, const int64_t* idx, int n, float* xb, float* fb,
                       float* yb) {
  const int width = in + fw + out;
  for (int b = 0; b < n; ++b) {
    prefetchAhead(src, width, idx, b, n);
    const float* s = src + idx[b] * width;
    for (int c = 0; c < in; ++c) xb[int64_t(b) * in + c] = s[c];
    for (int c = 0; c < fw; ++c) fb[int64_t(b) * fw + c] = s[in + c];
    for (int c = 0; c < out; ++c) yb[int64_t(b) * out + c] = s[in + fw + c];
  }
}

// The 8×8 transpose of columns c .. c+7 of rows s[0..7] into cols[c..c+7][b .. b+8): interleave
// row pairs, then pairs of pairs (within each 128-bit lane), then swap halves.
__attribute__((always_inline)) inline void transpose8(const float* const* s, int c, float* const* cols, int b) {
#define NALU_PAIRS(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l, i + 4, j + 4, k + 4, l + 4)
#define NALU_HALVES(a, b, h) __builtin_shufflevector(a, b, h, h + 1, h + 2, h + 3, h + 8, h + 9, h + 10, h + 11)
  const v8 r0 = NALU_LOAD8(s[0] + c), r1 = NALU_LOAD8(s[1] + c), r2 = NALU_LOAD8(s[2] + c), r3 = NALU_LOAD8(s[3] + c),
           r4 = NALU_LOAD8(s[4] + c), r5 = NALU_LOAD8(s[5] + c), r6 = NALU_LOAD8(s[6] + c), r7 = NALU_LOAD8(s[7] + c);
  const v8 t0 = NALU_PAIRS(r0, r1, 0, 8, 1, 9), t1 = NALU_PAIRS(r0, r1, 2, 10, 3, 11);
  const v8 t2 = NALU_PAIRS(r2, r3, 0, 8, 1, 9), t3 = NALU_PAIRS(r2, r3, 2, 10, 3, 11);
  const v8 t4 = NALU_PAIRS(r4, r5, 0, 8, 1, 9), t5 = NALU_PAIRS(r4, r5, 2, 10, 3, 11);
  const v8 t6 = NALU_PAIRS(r6, r7, 0, 8, 1, 9), t7 = NALU_PAIRS(r6, r7, 2, 10, 3, 11);
  const v8 u0 = NALU_PAIRS(t0, t2, 0, 1, 8, 9), u1 = NALU_PAIRS(t0, t2, 2, 3, 10, 11);
  const v8 u2 = NALU_PAIRS(t1, t3, 0, 1, 8, 9), u3 = NALU_PAIRS(t1, t3, 2, 3, 10, 11);
  const v8 u4 = NALU_PAIRS(t4, t6, 0, 1, 8, 9), u5 = NALU_PAIRS(t4, t6, 2, 3, 10, 11);
  const v8 u6 = NALU_PAIRS(t5, t7, 0, 1, 8, 9), u7 = NALU_PAIRS(t5, t7, 2, 3, 10, 11);
  NALU_STORE8(cols[c] + b, NALU_HALVES(u0, u4, 0));
  NALU_STORE8(cols[c + 1] + b, NALU_HALVES(u1, u5, 0));
  NALU_STORE8(cols[c + 2] + b, NALU_HALVES(u2, u6, 0));
  NALU_STORE8(cols[c + 3] + b, NALU_HALVES(u3, u7, 0));
  NALU_STORE8(cols[c + 4] + b, NALU_HALVES(u0, u4, 4));
  NALU_STORE8(cols[c + 5] + b, NALU_HALVES(u1, u5, 4));
  NALU_STORE8(cols[c + 6] + b, NALU_HALVES(u2, u6, 4));
  NALU_STORE8(cols[c + 7] + b, NALU_HALVES(u3, u7, 4));
#undef NALU_PAIRS
#undef NALU_HALVES
}

// The same for rows s[0..15] into cols[..][b .. b+16), on AVX-512: rows k and k + 8 share a
// register, one in each 256-bit half, so the same shuffles transpose both 8×8 blocks at once
// and each column is one 16-float store.
__attribute__((always_inline)) inline void transpose16(const float* const* s, int c, float* const* cols, int b) {
  // The 8-lane patterns above, applied to each half (the second vector's lanes start at 16).
#define NALU_PAIRS(a, b, i, j, k, l)                                                                               \
  __builtin_shufflevector(a, b, i, j, k, l, i + 4, j + 4, k + 4, l + 4, i + 8, j + 8, k + 8, l + 8, i + 12, j + 12, \
                          k + 12, l + 12)
#define NALU_HALVES(a, b, h)                                                                                         \
  __builtin_shufflevector(a, b, h, h + 1, h + 2, h + 3, h + 16, h + 17, h + 18, h + 19, h + 8, h + 9, h + 10, h + 11, \
                          h + 24, h + 25, h + 26, h + 27)
#define NALU_ROWS(k) \
  __builtin_shufflevector(NALU_LOAD8(s[k] + c), NALU_LOAD8(s[k + 8] + c), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
  const v16 r0 = NALU_ROWS(0), r1 = NALU_ROWS(1), r2 = NALU_ROWS(2), r3 = NALU_ROWS(3), r4 = NALU_ROWS(4),
            r5 = NALU_ROWS(5), r6 = NALU_ROWS(6), r7 = NALU_ROWS(7);
  const v16 t0 = NALU_PAIRS(r0, r1, 0, 16, 1, 17), t1 = NALU_PAIRS(r0, r1, 2, 18, 3, 19);
  const v16 t2 = NALU_PAIRS(r2, r3, 0, 16, 1, 17), t3 = NALU_PAIRS(r2, r3, 2, 18, 3, 19);
  const v16 t4 = NALU_PAIRS(r4, r5, 0, 16, 1, 17), t5 = NALU_PAIRS(r4, r5, 2, 18, 3, 19);
  const v16 t6 = NALU_PAIRS(r6, r7, 0, 16, 1, 17), t7 = NALU_PAIRS(r6, r7, 2, 18, 3, 19);
  const v16 u0 = NALU_PAIRS(t0, t2, 0, 1, 16, 17), u1 = NALU_PAIRS(t0, t2, 2, 3, 18, 19);
  const v16 u2 = NALU_PAIRS(t1, t3, 0, 1, 16, 17), u3 = NALU_PAIRS(t1, t3, 2, 3, 18, 19);
  const v16 u4 = NALU_PAIRS(t4, t6, 0, 1, 16, 17), u5 = NALU_PAIRS(t4, t6, 2, 3, 18, 19);
  const v16 u6 = NALU_PAIRS(t5, t7, 0, 1, 16, 17), u7 = NALU_PAIRS(t5, t7, 2, 3, 18, 19);
  const v16 c0 = NALU_HALVES(u0, u4, 0), c1 = NALU_HALVES(u1, u5, 0), c2 = NALU_HALVES(u2, u6, 0),
            c3 = NALU_HALVES(u3, u7, 0), c4 = NALU_HALVES(u0, u4, 4), c5 = NALU_HALVES(u1, u5, 4),
            c6 = NALU_HALVES(u2, u6, 4), c7 = NALU_HALVES(u3, u7, 4);
  NALU_STORE(cols[c] + b, c0);
  NALU_STORE(cols[c + 1] + b, c1);
  NALU_STORE(cols[c + 2] + b, c2);
  NALU_STORE(cols[c + 3] + b, c3);
  NALU_STORE(cols[c + 4] + b, c4);
  NALU_STORE(cols[c + 5] + b, c5);
  NALU_STORE(cols[c + 6] + b, c6);
  NALU_STORE(cols[c + 7] + b, c7);
#undef NALU_PAIRS
#undef NALU_HALVES
#undef NALU_ROWS
}

// Whole groups of kRows rows from row b on, through transpose8 or transpose16; returns where
// they end.
template <int kRows>
__attribute__((always_inline)) inline int gatherGroups(const float* src, int width, const int64_t* idx, int n,
                                                       float* const* cols, int b) {
  for (; b + kRows <= n; b += kRows) {
    const float* s[kRows];
    for (int k = 0; k < kRows; ++k) s[k] = src + (idx ? idx[b + k] : b + k) * int64_t(width);
    for (int next = 0, c = 0; next < width; next = c + 8) {
      c = std::min(next, width - 8);  // the last block overlaps the previous one
      if constexpr (kRows == 16) transpose16(s, c, cols, b);
      else transpose8(s, c, cols, b);
    }
  }
  return b;
}

// Rows b .. n−1 of the feature-major batch: eight at a time, then one by one.
NALU_CLONES void gatherColumns8(const float* src, int width, const int64_t* idx, int n, float* const* cols, int b) {
  if (width >= 8) b = gatherGroups<8>(src, width, idx, n, cols, b);
  for (; b < n; ++b) {
    const float* s = src + (idx ? idx[b] : b) * int64_t(width);
    for (int c = 0; c < width; ++c) cols[c][b] = s[c];
  }
}

#if NALU_HAVE_CLONES || defined(__AVX512F__)
#define NALU_GATHER16 1
// Sixteen rows at a time, on AVX-512 only; returns where the whole groups end.
__attribute__((target("arch=x86-64-v4"))) int gatherColumns16(const float* src, int width, const int64_t* idx, int n,
                                                               float* const* cols) {
  return gatherGroups<16>(src, width, idx, n, cols, 0);
}
#endif

// The feature-major batch: element c of src row idx[b] (row b when idx is null: a plain
// transpose) goes to cols[c][b]. Eight rows at a time, transposed 8×8 in registers, so eight
// row loads become eight column stores, not one scalar store per float. On AVX-512, rows of 32
// floats or more go sixteen at a time; narrower ones keep the AVX2 path, which its AVX-512
// compile (vshuff32x4 for vperm2f128) made slower. No prefetch: the independent row loads keep
// enough misses in flight (prefetching was slower).
void gatherColumns(const float* src, int width, const int64_t* idx, int n, float* const* cols) {
  int b = 0;
#ifdef NALU_GATHER16
#if NALU_HAVE_CLONES
  static const bool avx512 = (__builtin_cpu_init(), __builtin_cpu_supports("avx512f") &&
                                                        __builtin_cpu_supports("avx512vl") &&
                                                        __builtin_cpu_supports("avx512bw") &&
                                                        __builtin_cpu_supports("avx512dq"));
#else
  constexpr bool avx512 = true;
#endif
  if (avx512 && width >= 32) b = gatherColumns16(src, width, idx, n, cols);
#endif
  gatherColumns8(src, width, idx, n, cols, b);
}

// cols[c] = column c of a feature-major [width, n] block at base.
void columnTargets(float* base, int width, int n, float** cols) {
  for (int c = 0; c < width; ++c) cols[c] = base + int64_t(c) * n;
}
}  // namespace

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
  for (auto& l : layers_) l->setFeatureMajor(fm_);
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

bool Network::backward(const float* x, const float* y, int rows, double& loss, double& reg) {
  reserve(rows);
  const float* out = forward(x, rows);
  float* dy = grad_[0].data();
  loss = loss_->compute(out, y, dy, int64_t(rows) * outputDim());
  if (!std::isfinite(loss)) return false;
  for (size_t i = layers_.size(); i-- > 0;) {
    const float* in = i ? acts_[i - 1].data() : x;
    float* dx = i ? grad_[(layers_.size() - i) % 2].data() : nullptr;
    layers_[i]->backward(in, acts_[i].data(), dy, dx, rows);
    dy = dx;
  }
  reg = regularize(true);
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
  return finite ? Step::Ok : Step::NonFiniteWeights;
}

double Network::trainOnBatch(const float* x, const float* y, int rows) {
  double loss = 0, reg = 0;
  x = toLayout(x, rows, inputDim_, xb_);
  y = toLayout(y, rows, outputDim(), yb_);
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

double Network::evaluate(const float* x, const float* y, int64_t rows, int batchSize) {
  const int chunk = int(std::min<int64_t>(rows, batchSize));
  reserve(chunk);
  double sum = 0;
  for (int64_t r = 0; r < rows; r += chunk) {
    int n = int(std::min<int64_t>(chunk, rows - r));
    const float* out = forward(toLayout(x + r * inputDim_, n, inputDim_, xb_), n);
    const float* target = toLayout(y + r * outputDim(), n, outputDim(), yb_);
    sum += loss_->compute(out, target, nullptr, int64_t(n) * outputDim()) * n;
  }
  return sum / double(rows);
}

FitResult Network::fit(const float* x, const float* y, int64_t rows, const FitOptions& o, const FitHooks& hooks) {
  const int batch = int(std::min<int64_t>(o.batchSize, rows));
  const int in = inputDim_, out = outputDim();
  // One batch per epoch: shuffling would only reorder the batch's sum, so the data is used
  // in place (no gather, and the first layer's row features never change).
  const bool shuffle = o.shuffle && batch < rows;
  // Feature-major batches are always gathered: the gather is what transposes them.
  const bool gather = shuffle || fm_;
  reserve(batch);
  if (gather) {
    grow(xb_, size_t(batch) * in);
    grow(yb_, size_t(batch) * out);
  }
  // The first layer's per-row features (NALU: log(|x|+ε)), once for all epochs; shuffled row-major
  // rows wider than kInterleaveMaxWidth take them from each batch: cheaper than gathering a copy.
  Layer& first = *layers_[0];
  const int fw = first.rowFeatureWidth();
  const bool useFeatures =
      fw > 0 && rows * fw <= kRowFeatureCacheMax && (fm_ || !gather || in <= kInterleaveMaxWidth);
  Buffer feats;
  if (useFeatures) {
    feats.resize(size_t(rows) * fw);
    first.computeRowFeatures(x, feats.data(), rows);
    if (gather) grow(fb_, size_t(batch) * fw);
  }
  // Gathered batches of a data set that fits the row cache come from interleaved rows
  // [x | features | y]: feature-major ones always (one transposing pass, a narrow y included,
  // instead of three), row-major ones when a row is narrow enough for its parts to share cache
  // lines. Wide row-major rows gain nothing and would pay for a copy of the data set per fit.
  const int fwUsed = useFeatures ? fw : 0, catWidth = in + fwUsed + out;
  const bool interleave =
      gather && (fm_ || catWidth <= kInterleaveMaxWidth) && rows * catWidth <= kRowFeatureCacheMax;
  Buffer cat;
  if (interleave) {
    cat.resize(size_t(rows) * catWidth);
    for (int64_t r = 0; r < rows; ++r) {
      float* d = cat.data() + r * catWidth;
      std::copy(x + r * in, x + (r + 1) * in, d);
      if (fwUsed) std::copy(feats.data() + r * fw, feats.data() + (r + 1) * fw, d + in);
      std::copy(y + r * out, y + (r + 1) * out, d + in + fwUsed);
    }
    Buffer().swap(feats);  // every row's features now live in cat
  }
  struct Reset {  // validation and later calls must not see this fit's features
    Layer& l;
    ~Reset() { l.useRowFeatures(nullptr); }
  } reset{first};
  std::vector<int64_t> order(size_t(gather ? rows : 0));
  std::vector<float*> colTargets(size_t(fm_ ? catWidth : 0));  // its own: evaluate uses cols_
  float** cols = colTargets.data();
  std::iota(order.begin(), order.end(), 0);
  auto ps = params();
  std::vector<Buffer> snapshot(ps.size());  // the weights at the start of the epoch
  FitResult result;
  Rng rng(o.seed);
  RngLanes lanes(o.seed, 1);  // the shuffles
  ReinitRule reinit(o.reinitialize);
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    if (hooks.stop && hooks.stop->load()) {
      result.stopReason = "aborted";
      break;
    }
    if (hooks.epochBegin) hooks.epochBegin(epoch);
    for (size_t k = 0; k < ps.size(); ++k) snapshot[k].assign(ps[k]->value.begin(), ps[k]->value.end());
    if (shuffle) {
      // Fisher–Yates with eight generator lanes: one scalar generator step per swap was the
      // bottleneck. j = ⌊r·(i+1)/2^32⌋.
      uint32_t r[RngLanes::kLanes];
      for (int64_t i = int64_t(order.size()) - 1; i > 0;) {
        lanes.next8(r);
        for (int k = 0; k < RngLanes::kLanes && i > 0; ++k, --i)
          std::swap(order[i], order[(uint64_t(r[k]) * uint64_t(i + 1)) >> 32]);
      }
    }
    double sum = 0, regSum = 0;
    int64_t seen = 0;
    Step status = Step::Ok;
    for (int64_t r = 0; r < rows; r += batch) {
      if (hooks.stop && hooks.stop->load()) break;
      int n = int(std::min<int64_t>(batch, rows - r));
      const float *xb = x + r * in, *yb = y + r * out;
      const float* fb = useFeatures && !interleave ? feats.data() + r * fw : nullptr;
      if (gather) {
        const int64_t* idx = order.data() + r;
        if (fm_) {
          // Where each column of [x | features | y] goes in this batch of n rows.
          columnTargets(xb_.data(), in, n, cols);
          columnTargets(fb_.data(), fwUsed, n, cols + in);
          columnTargets(yb_.data(), out, n, cols + in + fwUsed);
          if (interleave) {
            gatherColumns(cat.data(), catWidth, idx, n, cols);
          } else {
            gatherColumns(x, in, idx, n, cols);
            if (useFeatures) gatherColumns(feats.data(), fw, idx, n, cols + in);
            gatherColumns(y, out, idx, n, cols + in + fwUsed);
          }
        } else {
          // Large batches on every thread: gathered on one, a (1024, 256, 256) batch left the
          // other core spinning in libgomp's barrier.
          parallelChunks(n, [&](int64_t b, int64_t e) {
            const int m = int(e - b);
            if (interleave) {
              gatherInterleaved(cat.data(), in, fwUsed, out, idx + b, m, xb_.data() + b * in,
                                fb_.data() + b * fwUsed, yb_.data() + b * out);
              return;
            }
            gatherRows(x, in, idx + b, m, xb_.data() + b * in);
            gatherRows(y, out, idx + b, m, yb_.data() + b * out);
            if (useFeatures) gatherRows(feats.data(), fw, idx + b, m, fb_.data() + b * fw);
          }, catWidth);
        }
        xb = xb_.data();
        yb = yb_.data();
        if (useFeatures) fb = fb_.data();
      }
      double loss = 0, reg = 0;
      first.useRowFeatures(fb);
      status = step(xb, yb, n, loss, reg);
      first.useRowFeatures(nullptr);
      if (status != Step::Ok) break;
      sum += loss * n;
      reinit.add(loss);
      regSum += reg * n;
      seen += n;
    }
    if (status == Step::NonFiniteWeights)
      for (size_t k = 0; k < ps.size(); ++k) std::copy(snapshot[k].begin(), snapshot[k].end(), ps[k]->value.begin());
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
    EpochLog log;
    log.epoch = epoch;
    log.loss = sum / double(seen);
    log.regularization = regSum / double(seen);
    if (o.valRows > 0) log.valLoss = evaluate(o.xVal, o.yVal, o.valRows, batch);
    result.epochs.push_back(log);
    if (hooks.epochEnd) hooks.epochEnd(log);
    if (reinit.endEpoch(epoch)) {  // fresh weights from each layer's initializers, fresh optimizer state
      for (auto& l : layers_) l->initialize(rng.next());
      optimizer_->attach(ps);
      result.reinitializedAt.push_back(epoch);
    }
  }
  return result;
}

}  // namespace nalu
