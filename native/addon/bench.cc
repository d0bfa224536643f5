// benchSgemm(n, reps): times cblas_sgemm on n×n×n (the benchmark's peak reference, measured in
// the same process and thread count as the training it is compared with).
#include "bench.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>

#include "args.h"
#include "kernels/core.h"
#include "kernels/threads.h"

namespace {
Napi::Value BenchSgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int n = int(args::integer(info[0], "n", 1, 16384));
  const int reps = int(args::integer(info[1], "reps", 1, 1000));
  nalu::applyNumThreads();
  const size_t nn = size_t(n) * n;
  nalu::Buffer a(nn), b(nn), c(nn);
  for (size_t i = 0; i < nn; ++i) {
    a[i] = float(i % 7) * 0.25f - 0.5f;
    b[i] = float(i % 5) * 0.25f - 0.5f;
  }
  auto run = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
  };
  run();  // warm-up: thread team, page faults
  Napi::Array secs = Napi::Array::New(env, reps);
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    run();
    secs.Set(uint32_t(r), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return secs;
}

// benchStepProducts(batch, inputs, units, reps): times the six products of a NALU training step
// (first layer, input gate, shared W) through the same gemm wrapper as the layer, and nothing
// else: x·W, log(|x|+ε)·W and x·G, then xᵀ·δa, log(|x|+ε)ᵀ·δl (added) and xᵀ·δz. Their rate is
// the ceiling the step's matmuls set, before any element-wise work.
Napi::Value BenchStepProducts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int B = int(args::integer(info[0], "batch", 1, 65536));
  const int I = int(args::integer(info[1], "inputs", 1, 65536));
  const int O = int(args::integer(info[2], "units", 1, 65536));
  const int reps = int(args::integer(info[3], "reps", 1, 1000));
  if (int64_t(B) * std::max(I, O) > nalu::kMaxElements || int64_t(I) * O > nalu::kMaxElements)
    throw Napi::RangeError::New(env, "benchStepProducts: batch × max(inputs, units) and inputs × units must be at most 2^31 - 1");
  nalu::applyNumThreads();
  nalu::Buffer x(size_t(B) * I, 0.5f), lx(size_t(B) * I, -0.25f), W(size_t(I) * O, 0.01f), G(size_t(I) * O, 0.02f);
  nalu::Buffer a(size_t(B) * O), l(size_t(B) * O), z(size_t(B) * O), dW(size_t(I) * O), dG(size_t(I) * O);
  auto run = [&] {
    nalu::gemm(false, false, B, O, I, 1, x.data(), W.data(), 0, a.data());
    nalu::gemm(false, false, B, O, I, 1, lx.data(), W.data(), 0, l.data());
    nalu::gemm(false, false, B, O, I, 1, x.data(), G.data(), 0, z.data());
    nalu::gemm(true, false, I, O, B, 1, x.data(), a.data(), 0, dW.data());
    nalu::gemm(true, false, I, O, B, 1, lx.data(), l.data(), 1, dW.data());
    nalu::gemm(true, false, I, O, B, 1, x.data(), z.data(), 0, dG.data());
  };
  run();
  Napi::Array secs = Napi::Array::New(env, reps);
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    run();
    secs.Set(uint32_t(r), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return secs;
}
}  // namespace

void RegisterBench(Napi::Env env, Napi::Object exports) {
  exports.Set("benchSgemm", Napi::Function::New<BenchSgemm>(env, "benchSgemm"));
  exports.Set("benchStepProducts", Napi::Function::New<BenchStepProducts>(env, "benchStepProducts"));
}
