// benchSgemm(n, reps): times cblas_sgemm on n×n×n (the benchmark's peak reference, measured in
// the same process and thread count as the training it is compared with).
#include "bench.h"

#include <cblas.h>

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
}  // namespace

void RegisterBench(Napi::Env env, Napi::Object exports) {
  exports.Set("benchSgemm", Napi::Function::New<BenchSgemm>(env, "benchSgemm"));
}
