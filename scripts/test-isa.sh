#!/usr/bin/env bash
# Runs the test suite against builds of one instruction set each (no runtime clones): AVX2
# (x86-64-v3) and baseline x86-64. The default build picks its clones by CPU, so on an AVX-512
# machine the tests would otherwise never run the AVX2 or baseline code most users get.
# Usage: scripts/test-isa.sh [isa…] (default: x86-64-v3 x86-64)
set -euo pipefail
cd "$(dirname "$0")/.."
isas=("$@")
((${#isas[@]})) || isas=(x86-64-v3 x86-64)
status=0
for isa in "${isas[@]}"; do
  out="build-isa-$isa"
  echo "test:isa: $isa ($out)"
  npx cmake-js build --out "$out" --CDNALU_ISA="$isa" >/dev/null
  NALU_NATIVE_PATH="$PWD/$out/Release/nalu.node" npx vitest run || status=1
done
exit "$status"
