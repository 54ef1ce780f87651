#!/usr/bin/env bash
# Configures and builds everything into build/ (binaries in build/bin/).
# BUILD_DIR and extra CMake arguments can be passed through the environment:
#   BUILD_DIR=build-asan CMAKE_ARGS="-DFLUXCPP_SANITIZE=ON" tools/build.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
# shellcheck disable=SC2086
cmake -S "$root" -B "$build_dir" -G Ninja ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$(nproc)" "$@"
