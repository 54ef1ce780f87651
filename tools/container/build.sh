#!/usr/bin/env bash
# Builds the container image of every controller (needs a Docker daemon).
# Usage: tools/container/build.sh [TAG]   (default 0.1.0, the manifests' tag)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tag="${1:-0.1.0}"
for binary in source-controller kustomize-controller notification-controller; do
  extra=""
  [[ "$binary" == source-controller ]] && extra="gpg gpgconf"  # gpgme runs gpg (spec.verify)
  docker build -f "$root/tools/container/Dockerfile" --build-arg "BINARY=$binary" --build-arg "EXTRA_PACKAGES=$extra" \
    -t "ghcr.io/fluxcpp/$binary:$tag" "$root"
done
