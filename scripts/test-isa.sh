#!/usr/bin/env bash
# Runs the test suite against builds of one instruction set each (no runtime clones): AVX2
# (x86-64-v3) and baseline x86-64, and AVX-512 (x86-64-v4) where this CPU has it. The default
# build picks its clones by CPU, so the tests would otherwise never run the code other CPUs get.
# Then test/isa-fingerprint.test.ts compares the builds' fingerprints with the default build's.
# Usage: scripts/test-isa.sh [isa…] (default: x86-64-v3 x86-64, and x86-64-v4 on AVX-512)
set -euo pipefail
cd "$(dirname "$0")/.."
isas=("$@")
if ((${#isas[@]} == 0)); then
  isas=(x86-64-v3 x86-64)
  grep -qw avx512f /proc/cpuinfo && isas+=(x86-64-v4)
fi
# Tests whose outcome no instruction set changes (documents, statistics, CSVs, exports read back,
# the CLI's reach, the sweep's queue), run once by npm test.
same='test/{readme,readme-cli,api-docs,onnx,tfjs,keras,explain,discover,csv,restarts,tasks-compare,tasks-stats,units-doc,cli-reach,plot,sweep,sweep-robust,run-identity}.test.ts'
status=0
builds="default=build/Release/nalu.node"
for isa in "${isas[@]}"; do
  out="build-isa-$isa"
  echo "test:isa: $isa ($out)"
  npx cmake-js build --out "$out" --CDNALU_ISA="$isa" >/dev/null
  NALU_NATIVE_PATH="$PWD/$out/Release/nalu.node" npx vitest run --exclude "$same" || status=1
  builds+=",$isa=$out/Release/nalu.node"
done
NALU_ISA_BUILDS="$builds" npx vitest run test/isa-fingerprint.test.ts || status=1
exit "$status"
