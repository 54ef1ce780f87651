#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries BINARY loads
# (one per line), so a runtime image installs exactly those. glibc and
# libgcc are in every Debian image and are left out.
# Usage: tools/container/runtime-packages.sh BINARY
set -euo pipefail
binary="${1:?usage: runtime-packages.sh BINARY}"

# dpkg records a file under one spelling (/lib or /usr/lib, symlink or target).
owner() {
  local lib="$1" real candidate
  real="$(readlink -f "$lib")"
  for candidate in "$lib" "$real" "/usr${lib#/usr}" "${lib#/usr}" "/usr${real#/usr}" "${real#/usr}"; do
    if out="$(dpkg -S "$candidate" 2>/dev/null)"; then
      echo "${out%%:*}"
      return 0
    fi
  done
  echo "runtime-packages: no package owns $lib" >&2
  return 1
}

ldd "$binary" | awk '/=> \//{print $3}' | while read -r lib; do owner "$lib"; done |
  sort -u | { grep -v -x -E 'libc6|libgcc-s1' || true; }
