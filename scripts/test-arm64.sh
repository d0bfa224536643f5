#!/usr/bin/env bash
# The linux-arm64 prebuild under emulation (npm run test:arm64): cross-builds it when missing or
# older than the native sources (--rebuild: always), then runs a subset of the suite with an arm64
# Node under qemu-aarch64-static, loading that prebuild. Called explicitly, so no binfmt is needed;
# vitest's workers are threads for the same reason (a fork would exec the arm64 node directly).
# Emulated timings mean nothing (OpenBLAS picks generic ARMv8 kernels under qemu).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
addon="$PWD/prebuilds/linux-arm64/nalu.node"
files=(test/small-gemm.test.ts test/units-toy.test.ts test/fit.test.ts test/learning.test.ts test/save-load.test.ts)

if [ "${1:-}" = --rebuild ] || [ ! -f "$addon" ] || [ -n "$(find native cmake CMakeLists.txt -newer "$addon" -print -quit)" ]; then
  node scripts/prebuildify.js linux-arm64
else
  echo "test:arm64: reusing ${addon#"$PWD/"} (newer than native/, cmake/ and CMakeLists.txt)"
fi
node_arm64="$(node scripts/arm64.js node)"
# vitest's bundler (rolldown) has a native binding per platform; the checkout has the x64 one.
rolldown="$(node scripts/arm64.js rolldown)"

run_arm64() {
  env -u QEMU_LD_PREFIX NALU_NATIVE_PATH="$addon" NAPI_RS_NATIVE_LIBRARY_PATH="$rolldown" \
    qemu-aarch64-static "$node_arm64" "$@"
}
run_arm64 -e '
  const { native } = require("./dist/cjs/binding.js");
  if (process.arch !== "arm64") throw new Error(`process.arch is ${process.arch}`);
  const maps = require("fs").readFileSync("/proc/self/maps", "utf8");
  const mine = [...new Set(maps.split("\n").map((l) => l.split(/\s+/)[5]).filter((p) => p && p.includes("/prebuilds/")))];
  console.log(`test:arm64: node ${process.version} ${process.arch} under qemu-aarch64-static, ${native.getNumThreads()} OpenMP threads; mapped: ${mine.join(", ")}`);
'
report="$(mktemp -d)/vitest-arm64.json"
status=0
run_arm64 node_modules/vitest/vitest.mjs run --pool=threads --reporter=default --reporter=json --outputFile="$report" "${files[@]}" ||
  status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`test:arm64: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped (${r.testResults.length} files, under qemu) in ${process.argv[2]} s`);
' "$report" "$((SECONDS - start))" || status=1
exit "$status"
