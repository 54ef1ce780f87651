#!/usr/bin/env bash
# Runs every test: unit + conformance + e2e on the regular build, the manifest
# checks, then the unit tests again under ASan/UBSan. Expects tools/build.sh to
# have built build/ (tools/run.sh test does both).
#   FLUXCPP_SKIP_SANITIZERS=1  skip the sanitizer pass (local iteration only)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="$(nproc)"
start=$SECONDS

echo "== manifest checks"
python3 manifests/check_structural.py

echo "== unit and conformance tests"
ctest --test-dir build -L unit --output-on-failure -j "$jobs"

echo "== end-to-end tests"
ctest --test-dir build -L e2e --output-on-failure -j 1

if [[ "${FLUXCPP_SKIP_SANITIZERS:-}" != 1 ]]; then
  echo "== unit tests under ASan/UBSan"
  BUILD_DIR="$root/build-asan" CMAKE_ARGS="-DFLUXCPP_SANITIZE=ON" "$root/tools/build.sh"
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -L unit --output-on-failure -j "$jobs"
fi
echo "== all tests passed in $((SECONDS - start))s"
