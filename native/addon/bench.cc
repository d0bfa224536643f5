// The native timers of `npm run bench`. benchSgemm(n, reps): cblas_sgemm on n×n×n (the peak
// reference, measured in the same process and thread count as the training it is compared
// with); benchStepProducts: below.
#include "bench.h"

#include <cblas.h>

#include <chrono>

#include "args.h"
#include "kernels/buffer.h"
#include "kernels/gemm.h"
#include "kernels/threads.h"

namespace {
// Seconds of each of reps timed runs, after one untimed warm-up (thread team, page faults).
template <class F>
Napi::Value timeReps(Napi::Env env, int reps, F&& run) {
  run();
  Napi::Array secs = Napi::Array::New(env, reps);
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    run();
    secs.Set(uint32_t(r), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return secs;
}

Napi::Value BenchSgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int n = int(args::integer(info[0], "n", 1, 16384));
  const int reps = int(args::integer(info[1], "reps", 1, 1000));
  const size_t nn = size_t(n) * n;
  args::affordable(env, 3.0 * 4 * double(nn), "n");
  nalu::applyNumThreads();
  nalu::Buffer a(nn), b(nn), c(nn);
  for (size_t i = 0; i < nn; ++i) {
    a[i] = float(i % 7) * 0.25f - 0.5f;
    b[i] = float(i % 5) * 0.25f - 0.5f;
  }
  return timeReps(env, reps, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
  });
}

// benchStepProducts(batch, inputs, units, reps, featureMajor?): times the six products of a NALU
// training step (first layer, input gate, shared W) through the same gemm calls as the layer in
// that layout, and nothing else: x·W, log(|x|+ε)·W and x·G, then xᵀ·δa, log(|x|+ε)ᵀ·δl (added)
// and xᵀ·δz. Their rate is the ceiling the step's matmuls set, before any element-wise work.
Napi::Value BenchStepProducts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int B = int(args::integer(info[0], "batch", 1, 65536));
  const int I = int(args::integer(info[1], "inputs", 1, 65536));
  const int O = int(args::integer(info[2], "units", 1, 65536));
  const int reps = int(args::integer(info[3], "reps", 1, 1000));
  const bool fm = info.Length() > 4 && !info[4].IsUndefined() && args::boolean(info[4], "featureMajor");
  const size_t bi = size_t(B) * I, io = size_t(I) * O, bo = size_t(B) * O;
  if (bi > size_t(nalu::kMaxElements) || io > size_t(nalu::kMaxElements) || bo > size_t(nalu::kMaxElements))
    throw Napi::RangeError::New(env, "benchStepProducts: batch × inputs, inputs × units and batch × units must each be at most 2^31 - 1");
  args::affordable(env, 4.0 * (2.0 * bi + 4.0 * io + 3.0 * bo), "batch");
  nalu::applyNumThreads();
  nalu::Buffer x(bi, 0.5f), lx(bi, -0.25f), W(io, 0.01f), G(io, 0.02f), a(bo), l(bo), z(bo), dW(io), dG(io);
  if (fm)  // Layer::xW and xtDy feature-major: x is [in, batch], a, l, z are [units, batch]
    return timeReps(env, reps, [&] {
      nalu::gemm(true, false, O, B, I, 1, W.data(), x.data(), 0, a.data());
      nalu::gemm(true, false, O, B, I, 1, W.data(), lx.data(), 0, l.data());
      nalu::gemm(true, false, O, B, I, 1, G.data(), x.data(), 0, z.data());
      nalu::gemm(false, true, I, O, B, 1, x.data(), a.data(), 0, dW.data());
      nalu::gemm(false, true, I, O, B, 1, lx.data(), l.data(), 1, dW.data());
      nalu::gemm(false, true, I, O, B, 1, x.data(), z.data(), 0, dG.data());
    });
  return timeReps(env, reps, [&] {
    nalu::gemm(false, false, B, O, I, 1, x.data(), W.data(), 0, a.data());
    nalu::gemm(false, false, B, O, I, 1, lx.data(), W.data(), 0, l.data());
    nalu::gemm(false, false, B, O, I, 1, x.data(), G.data(), 0, z.data());
    nalu::gemm(true, false, I, O, B, 1, x.data(), a.data(), 0, dW.data());
    nalu::gemm(true, false, I, O, B, 1, lx.data(), l.data(), 1, dW.data());
    nalu::gemm(true, false, I, O, B, 1, x.data(), z.data(), 0, dG.data());
  });
}

// benchOpenblasCore(): the kernels OpenBLAS chose (its core name), for the bench's machine line.
Napi::Value BenchOpenblasCore(const Napi::CallbackInfo& info) {
  const char* name = openblas_get_corename();
  return Napi::String::New(info.Env(), name ? name : "");
}
}  // namespace

void RegisterBench(Napi::Env env, Napi::Object exports) {
  exports.Set("benchOpenblasCore", Napi::Function::New<BenchOpenblasCore>(env, "benchOpenblasCore"));
  exports.Set("benchSgemm", Napi::Function::New<BenchSgemm>(env, "benchSgemm"));
  exports.Set("benchStepProducts", Napi::Function::New<BenchStepProducts>(env, "benchStepProducts"));
  RegisterCoreProbe(env, exports);
}
