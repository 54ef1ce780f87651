#!/usr/bin/env bash
# Installs every Debian package the build, the demo and the tests need.
# Idempotent; run as root on Debian 12.
# Usage: tools/install-deps.sh [--build-only]   (--build-only: what compiling needs, e.g. in a container build)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # libraries (see README "Dependencies")
  libabsl-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libgit2-dev libyaml-cpp-dev libcpp-httplib-dev libssl-dev zlib1g-dev libboost-dev
  nlohmann-json3-dev libre2-dev libarchive-dev catch2 libicu-dev libgpgme-dev
)
[[ "${1:-}" == --build-only ]] || packages+=(
  # end-to-end tests and demo
  kubectl curl python3 python3-yaml procps
  # dev-apiserver e2e: the Python client suite (e2e/apiserver_python_test.py)
  python3-kubernetes
  # real Git servers and signing tools for e2e/source_*
  gnupg lighttpd lighttpd-mod-openssl openssh-server openssh-client openssl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all ${#packages[@]} packages present"
