#!/usr/bin/env bash
# Controller-framework benchmarks (issue #4). Usage:
#   tools/bench/runtime/run.sh [build-dir]        (default: build)
# Builds bench-runtime, bench-runtime-idle and dev-apiserver if needed, then prints the three
# numbers with their targets and the command behind each.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="${1:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"
if [[ ! -x "$build/bin/bench-runtime" || ! -x "$build/bin/bench-runtime-idle" || ! -x "$build/bin/dev-apiserver" ]]; then
  ninja -C "$build" bench-runtime bench-runtime-idle dev-apiserver >/dev/null
fi
bench="$build/bin/bench-runtime"

run() {
  echo "\$ $*"
  "$@" 2>/dev/null | sed 's/^/  /'
}
echo "== informer memory, 10,000 cached Kustomizations (target <= 1.5x their JSON size)"
run "$bench" informer-memory --objects 10000
echo "== reconcile dispatch overhead per item (target <= 20 us)"
run "$bench" dispatch --items 200000 --concurrent 1
echo "== idle controller process, framework alone (target <= 10 MiB RSS)"
run "$bench" idle --dev-apiserver "$build/bin/dev-apiserver" --seconds 5
echo "== shared libraries of the idle process (expected: no libcpp-httplib, libssl, libcrypto or libstdc++)"
echo "\$ ldd $build/bin/bench-runtime-idle"
ldd "$build/bin/bench-runtime-idle" | sed 's/^/  /'
