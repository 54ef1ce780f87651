#!/usr/bin/env bash
# kustomize build benchmark: `fluxcpp kustomize build` vs `kubectl kustomize`
# (kustomize v5.5.0), whole processes, in one run:
#   (a) the conformance corpus (expected-output cases kustomize agrees with):
#       per case the median wall time of RUNS runs of each tool, with the
#       corpus options (--reorder none unless options.txt says otherwise);
#       reports the sum and median of the per-case medians and the ratio
#       (target: fluxcpp >= 10x faster);
#   (b) a generated overlay tree of ~4,000 resources (kustomize issue #5084
#       shape, gen_overlay_tree.py): median wall time and peak RSS (the
#       child's ru_maxrss, via /usr/bin/time) of each; targets: fluxcpp <= 0.2 s and
#       >= 10x less peak RSS than kubectl. Outputs are also compared.
#
#   FLUXCPP_BIN_DIR=build/bin tools/bench/kustomize/run.sh
# Env: RUNS (corpus runs per case, default 3), TREE_RUNS (default 3),
#      APPS (apps in the tree, 3 resources each, default 1334),
#      FLUXCPP_SHARED_DIR (default ../shared). Not part of ctest.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${FLUXCPP_ROOT:-$(cd "$HERE/../../.." && pwd)}"
BIN="${FLUXCPP_BIN_DIR:-$ROOT/build/bin}"
SHARED="${FLUXCPP_SHARED_DIR:-$ROOT/../shared}"
WORK="$(mktemp -d /tmp/fluxcpp-bench-kustomize.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
python3 "$HERE/gen_overlay_tree.py" "$WORK/tree" "${APPS:-1334}"

exec python3 - "$BIN/fluxcpp" "$SHARED/conformance/kustomize" "$WORK" "${RUNS:-3}" "${TREE_RUNS:-3}" <<'PY'
import os, shutil, statistics, subprocess, sys, time

fluxcpp, corpus, work, runs, tree_runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

TIME = "/usr/bin/time"
RSS_FILE = os.path.join(work, "rss")

def run(cmd, cwd, rss=False):
    """(seconds, peak RSS bytes or 0, exit code, stdout) of one whole process.
    Peak RSS comes from GNU time's %M (the child's own ru_maxrss; measuring
    from this Python process would count its pre-exec pages)."""
    if rss:
        cmd = [TIME, "-f", "%M", "-o", RSS_FILE] + cmd
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    peak = 0
    if rss:
        lines = open(RSS_FILE).read().split()
        peak = int(lines[-1]) * 1024
    return dt, peak, p.returncode, p.stdout

def tools(args):
    return {"fluxcpp": [fluxcpp, "kustomize", "build"] + args, "kubectl": ["kubectl", "kustomize"] + args}

# (a) conformance corpus
cases = []
with open(os.path.join(corpus, "cases.tsv")) as f:
    next(f)
    for line in f:
        c = line.rstrip("\n").split("\t")
        if c[1] == "expected-output" and c[2] == "PASS":
            cases.append(c[0])
med = {"fluxcpp": [], "kubectl": []}
mismatches = 0
for name in cases:
    d = os.path.join(corpus, "cases", name)
    opts = open(os.path.join(d, "options.txt")).read().split() if os.path.exists(os.path.join(d, "options.txt")) else []
    args = ["--reorder", "none"]
    if "reorder=legacy" in opts: args = ["--reorder", "legacy"]
    if "reorder=unspecified" in opts: args = []
    args.append(open(os.path.join(d, "build-dir")).read().strip())
    case_dir = os.path.join(work, "case")
    shutil.rmtree(case_dir, ignore_errors=True)
    shutil.copytree(os.path.join(d, "input"), case_dir, symlinks=True)
    outs = {}
    for tool, cmd in tools(args).items():
        samples = [run(cmd, case_dir) for _ in range(runs)]
        med[tool].append(statistics.median(s[0] for s in samples))
        outs[tool] = samples[0][2:]
    mismatches += outs["fluxcpp"] != outs["kubectl"]
sf, sk = sum(med["fluxcpp"]), sum(med["kubectl"])
mf, mk = statistics.median(med["fluxcpp"]), statistics.median(med["kubectl"])
print(f"(a) conformance corpus: {len(cases)} cases x {runs} runs, whole process; outputs differing: {mismatches}")
print(f"    fluxcpp kustomize build: median {mf*1000:.2f} ms/case, total {sf:.3f} s")
print(f"    kubectl kustomize:       median {mk*1000:.2f} ms/case, total {sk:.3f} s")
print(f"    speed-up: {mk/mf:.1f}x (median), {sk/sf:.1f}x (total)  [target >= 10x]")

# (b) generated overlay tree
tree = os.path.join(work, "tree")
res = {}
for tool, cmd in tools(["overlay"]).items():
    samples = [run(cmd, tree, rss=os.access(TIME, os.X_OK)) for _ in range(tree_runs)]
    res[tool] = (statistics.median(s[0] for s in samples), max(s[1] for s in samples), samples[0][2], samples[0][3])
n = sum(1 for l in res["kubectl"][3].split(b"\n") if l.startswith(b"kind: "))
same = res["fluxcpp"][2:] == res["kubectl"][2:]
print(f"(b) overlay tree: {n} resources, median of {tree_runs} runs; outputs identical: {same}")
for tool in ("fluxcpp", "kubectl"):
    t, rss, rc, _ = res[tool]
    print(f"    {tool:8s} wall {t:.3f} s  peak RSS {rss/2**20:.1f} MiB  exit {rc}")
tf, rf = res["fluxcpp"][0], res["fluxcpp"][1]
tk, rk = res["kubectl"][0], res["kubectl"][1]
print(f"    fluxcpp: {tf:.3f} s [target <= 0.2 s], {tk/tf:.1f}x faster, {rk/rf:.1f}x less peak RSS [target >= 10x]")
PY
