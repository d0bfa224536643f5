#!/bin/bash
# Fails when GCC leaves a `#pragma omp simd` loop of native/kernels scalar in the AVX2 clone, or
# in the AVX-512 one (x86-64-v4: the clones of NALU_CLONES_WIDE).
# It happened silently once: composing vm::exp and vm::log let GCC thread float range facts
# into 8-bit booleans it could not vectorize, and the NALU gate ran in scalars.
set -euo pipefail
cd "$(dirname "$0")/.."
inc=$(node -p "require('node-addon-api').include_dir")
bad=0
# Element-wise passes are parallelChunks over a clone-compiled `#pragma omp simd` loop, which this
# check sees; `omp parallel for simd` loops it would not.
for f in native/kernels/*.cc; do
  for ln in $(grep -n "pragma omp parallel for simd" "$f" | cut -d: -f1); do
    echo "omp parallel for simd (use parallelChunks and an omp simd loop): $f:$ln"
    bad=1
  done
done
# Loops left scalar on purpose (a libm call) say why in a comment starting "// scalar:".
grep -n "// scalar:" native/kernels/*.cc | sed 's/^\([^:]*:[0-9]*\): *\/\/ scalar: */scalar by design: \1: /' || true
for arch in x86-64-v3 x86-64-v4; do
for f in native/kernels/*.cc; do
  rep=$(g++ -O3 -fPIC -fno-math-errno -fno-trapping-math -fopenmp -std=gnu++17 -march=$arch -DNALU_NO_CLONES \
    -I"$inc" $(pkg-config --cflags openblas 2>/dev/null || true) -c "$f" -o /dev/null -fopt-info-vec-optimized 2>&1)
  for ln in $(grep -n "pragma omp simd" "$f" | cut -d: -f1); do
    # GCC reports the loop at the pragma (lambdas), its `for` or a statement in the body.
    # A here-string, not `echo | grep -q`: grep -q exits at its first match, and under pipefail the
    # echo that SIGPIPE cut short would fail the test.
    if ! grep -qE "$(basename "$f"):($ln|$((ln + 1))|$((ln + 2))|$((ln + 3))):[0-9]+: optimized: loop vectorized" <<<"$rep"; then
      echo "not vectorized ($arch): $f:$((ln + 1)): $(sed -n "$((ln + 1))p" "$f" | sed 's/^ *//')"
      bad=1
    fi
  done
done
done
[ $bad = 0 ] && echo "check-vectorized: every omp simd loop in native/kernels is vectorized for AVX2 and AVX-512"
exit $bad
