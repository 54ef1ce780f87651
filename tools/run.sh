#!/usr/bin/env bash
# One entry point for the README's two commands:
#   tools/run.sh demo   install deps, build, run the GitOps demo
#   tools/run.sh test   install deps, build, run every test (what CI runs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"

case "${1:-}" in
  demo) "$here/install-deps.sh" && "$here/build.sh" && exec "$here/demo.sh" ;;
  test) "$here/install-deps.sh" && "$here/build.sh" && exec "$here/test.sh" ;;
  *) echo "usage: tools/run.sh demo|test" >&2; exit 2 ;;
esac
