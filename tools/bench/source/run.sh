#!/usr/bin/env bash
# GitRepository benchmark: a generated repository (10,000 files, 2,000
# commits; generate_repo.py) served by `git daemon`, measured in one run
# against the baseline `git clone --depth 1 && tar czf`.
# Usage: tools/bench/source/run.sh [BIN_DIR]   (BIN_DIR holds source_bench)
# FILES/COMMITS size the repository; VERIFY=1 also checks each incremental
# artifact against a from-scratch archive (slower: not for timing).
# Targets: first artifact ≤ 1.5× baseline; no-op ≤ 10 ms CPU; one new commit
# ≤ 0.2× first artifact; peak RSS ≤ 64 MiB.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="${1:-${FLUXCPP_BIN_DIR:-$HERE/../../../build/bin}}"
WORK="$(mktemp -d /tmp/fluxcpp-bench-source.XXXXXX)"
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$WORK"' EXIT

python3 "$HERE/generate_repo.py" "$WORK/git/bench.git" "${FILES:-10000}" "${COMMITS:-2000}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
git daemon --base-path="$WORK/git" --export-all --reuseaddr --listen=127.0.0.1 --port="$port" "$WORK/git" &
daemon=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
url="git://127.0.0.1:$port/bench.git"
git clone -q "$WORK/git/bench.git" "$WORK/src"

new_commit="cd '$WORK/src' && echo change >> dir000/file00000.yaml && git -c user.name=b -c user.email=b@b commit -qam 'bench change' && git push -q origin main"
# Baseline and source_bench alternate (best of 3 each), so both see the same
# machine load on a shared host.
baseline_ms=999999
best=""
for i in 1 2 3; do
  rm -rf "$WORK/base" "$WORK/base.tar.gz"
  t0=$(date +%s%N)
  # A failed baseline clone (git daemon sometimes drops a shallow fetch under
  # load) is reported and not counted.
  if git clone -q --depth 1 "$url" "$WORK/base" && tar czf "$WORK/base.tar.gz" -C "$WORK/base" --exclude=.git .; then
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    (( ms < baseline_ms )) && baseline_ms=$ms
  else
    echo "baseline run $i failed; not counted" >&2
  fi
  rm -rf "$WORK/run"
  out="$("$BIN/source_bench" --url "$url" --work "$WORK/run" --new-commit-cmd "$new_commit" ${VERIFY:+--verify yes})"
  # keep the run with the fastest first artifact
  if [[ -z "$best" ]] || python3 -c "import json,sys; sys.exit(0 if json.loads('$out')['first_ms'] < json.loads('$best')['first_ms'] else 1)"; then best="$out"; fi
done
python3 - "$best" "$baseline_ms" "$(stat -c %s "$WORK/base.tar.gz")" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); base = float(sys.argv[2]); base_bytes = int(sys.argv[3])
rows = [
  ("artifact size (baseline tar.gz)", f"{r['artifact_bytes']/1e6:.2f} MB ({base_bytes/1e6:.2f} MB)", ""),
  ("baseline git clone --depth 1 && tar czf", f"{base:.0f} ms", ""),
  ("first artifact", f"{r['first_ms']:.0f} ms ({r['first_ms']/base:.2f}x baseline)", "<= 1.5x"),
  ("no-op reconcile", f"{r['noop_ms']:.2f} ms wall, {r['noop_cpu_ms']:.2f} ms CPU", "<= 10 ms CPU"),
  ("one new commit", f"{r['commit_ms']:.0f} ms ({r['commit_ms']/r['first_ms']:.2f}x first)", "<= 0.2x"),
  ("peak RSS", f"{r['peak_rss_kib']/1024:.1f} MiB", "<= 64 MiB"),
]
for name, value, target in rows:
  print(f"{name:42s} {value:40s} {target}")
print(json.dumps(dict(r, baseline_ms=base, baseline_bytes=base_bytes)))
PY
