#!/usr/bin/env bash
# Differential test: `fluxcpp kustomize build` against `kubectl kustomize`
# (kustomize v5.5.0), byte for byte on stdout and on the exit status:
#   - every directory under e2e/testdata holding a kustomization.yaml;
#   - the expected-output cases of the kustomize conformance corpus
#     ($FLUXCPP_SHARED_DIR/conformance/kustomize) that kustomize v5.5.0 agrees
#     with (oracle PASS), with the corpus options (--reorder none by default);
#     KUSTOMIZE_DIFF_SAMPLE=N limits them to every k-th case (~N in all);
#   - error-exit parity: broken kustomizations make both exit non-zero.
# Skips (exit 77) when kubectl is not installed.
set -euo pipefail

ROOT="${FLUXCPP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BIN="${FLUXCPP_BIN_DIR:-$ROOT/build/bin}"
SHARED="${FLUXCPP_SHARED_DIR:-$ROOT/../shared}"
CORPUS="$SHARED/conformance/kustomize"
FLUXCPP="$BIN/fluxcpp"
[[ -x "$FLUXCPP" ]] || { echo "FAIL: $FLUXCPP not built" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "SKIP: kubectl not installed" >&2; exit 77; }

WORK="$(mktemp -d /tmp/fluxcpp-e2e-kdiff.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
pass=0
failures=()

# compare LABEL DIR ARGS... : runs both in DIR's parent-independent form.
compare() {
  local label="$1" dir="$2"; shift 2
  local ours theirs ours_rc=0 theirs_rc=0
  ours="$WORK/ours.yaml"; theirs="$WORK/theirs.yaml"
  (cd "$dir" && "$FLUXCPP" kustomize build "$@") >"$ours" 2>"$WORK/ours.err" || ours_rc=$?
  (cd "$dir" && kubectl kustomize "$@") >"$theirs" 2>"$WORK/theirs.err" || theirs_rc=$?
  if [[ "$ours_rc" != "$theirs_rc" ]]; then
    failures+=("$label: exit $ours_rc, kubectl $theirs_rc: $(head -c 300 "$WORK/ours.err") | $(head -c 300 "$WORK/theirs.err")")
  elif ! cmp -s "$ours" "$theirs"; then
    failures+=("$label: output differs: $(diff "$theirs" "$ours" | head -8 | tr '\n' ' ')")
  else
    pass=$((pass + 1))
  fi
}

# 1. Every fixture under e2e/testdata.
fixtures=0
while IFS= read -r kfile; do
  compare "testdata:${kfile#"$ROOT/"}" "$(dirname "$kfile")" .
  fixtures=$((fixtures + 1))
done < <(find "$ROOT/e2e/testdata" -name kustomization.yaml | sort)

# 2. The conformance corpus (expected-output cases kustomize agrees with).
corpus=0
if [[ -f "$CORPUS/cases.tsv" ]]; then
  mapfile -t cases < <(awk -F'\t' 'NR > 1 && $2 == "expected-output" && $3 == "PASS" {print $1}' "$CORPUS/cases.tsv")
  step=1
  if [[ -n "${KUSTOMIZE_DIFF_SAMPLE:-}" && "${#cases[@]}" -gt "$KUSTOMIZE_DIFF_SAMPLE" ]]; then
    step=$(( ${#cases[@]} / KUSTOMIZE_DIFF_SAMPLE ))
  fi
  for ((i = 0; i < ${#cases[@]}; i += step)); do
    c="$CORPUS/cases/${cases[$i]}"
    [[ -d "$c/input" ]] || continue
    args=(--reorder none)
    if [[ -f "$c/options.txt" ]]; then
      grep -qx 'reorder=legacy' "$c/options.txt" && args=(--reorder legacy)
      grep -qx 'reorder=unspecified' "$c/options.txt" && args=()
    fi
    # Copy: both tools must see the same (writable, private) tree.
    rm -rf "$WORK/case" && cp -r "$c/input" "$WORK/case"
    compare "corpus:${cases[$i]}" "$WORK/case" "${args[@]}" "$(cat "$c/build-dir")"
    corpus=$((corpus + 1))
  done
else
  echo "note: no corpus at $CORPUS; only e2e/testdata compared" >&2
fi

# 3. Error-exit parity on broken kustomizations.
mkdir -p "$WORK/broken/missing" "$WORK/broken/badyaml" "$WORK/broken/unknown"
echo 'resources: [missing.yaml]' >"$WORK/broken/missing/kustomization.yaml"
printf 'resources:\n- a.yaml\n  bad: [\n' >"$WORK/broken/badyaml/kustomization.yaml"
echo 'notAField: true' >"$WORK/broken/unknown/kustomization.yaml"
for b in missing badyaml unknown nonexistent-dir; do
  compare "broken:$b" "$WORK/broken" "$b"
  if ! grep -q '^Error: ' "$WORK/ours.err"; then
    failures+=("broken:$b: stderr lacks 'Error: ': $(head -c 200 "$WORK/ours.err")")
  fi
done

total=$((pass + ${#failures[@]}))
echo "kustomize differential: $pass/$total identical ($fixtures fixtures, $corpus corpus cases, 4 broken)"
if ((${#failures[@]})); then
  printf 'FAIL %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "PASS"
