#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and runs
# the native test files under it. Node itself is not instrumented, so libasan is preloaded and
# leak detection is off (node's own allocations at exit would drown real reports; leaks are
# covered by test/leaks.test.ts). Any ASan/UBSan report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js build --out build-asan --CDNALU_SANITIZE=ON >/dev/null

asan="$(g++ -print-file-name=libasan.so)"
ubsan="$(g++ -print-file-name=libubsan.so)"
log="$(mktemp -d)"
export LD_PRELOAD="$asan $ubsan"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:log_path=$log/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$log/ubsan"
export NALU_NATIVE_PATH="$PWD/build-asan/Release/nalu.node"
# Timing- and RSS-based assertions do not hold under instrumentation; the tests read this.
export NALU_SANITIZED=1

status=0
npx vitest run "${@:-test/}" || status=$?
if compgen -G "$log/*" >/dev/null; then
  echo "test:asan: sanitizer reports:" >&2
  cat "$log"/* >&2
  status=1
fi
exit "$status"
