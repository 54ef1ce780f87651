#!/usr/bin/env bash
# GitRepository refs over git:// (git daemon): branch, tag, semver range,
# commit (alone and with a branch), full ref name, unknown refs, ignore rules,
# sparse checkout, an oversized repository, and the no-op reconcile.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-refs.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_source_stack --git-max-fetch-size=300000
start_git_server
new_repo app
mkdir -p "$WORK/src/app/deploy/prod" "$WORK/src/app/deploy/dev" "$WORK/src/app/docs"
echo "kind: ConfigMap" >"$WORK/src/app/deploy/prod/cm.yaml"
echo "kind: Secret" >"$WORK/src/app/deploy/dev/s.yaml"
echo "# docs" >"$WORK/src/app/docs/index.md"
echo "binary" >"$WORK/src/app/logo.png"
printf 'docs/\n' >"$WORK/src/app/.sourceignore"
sha1="$(commit_push app "First commit")"
git -C "$WORK/src/app" tag v1.0.0
git -C "$WORK/src/app" tag -a v1.1.0 -m "release 1.1.0"
echo "v2" >"$WORK/src/app/deploy/prod/v2.yaml"
sha2="$(commit_push app "Second commit with a rather long subject line that goes on and on")"
git -C "$WORK/src/app" tag v2.0.0-rc.1
git -C "$WORK/src/app" push -q origin --tags 2>/dev/null
git -C "$WORK/src/app" push -q origin "$sha1:refs/pull/1/head" 2>/dev/null
git -C "$WORK/src/app" checkout -q -b feature
echo "feature" >"$WORK/src/app/feature.txt"
sha3="$(git -C "$WORK/src/app" add -A && git -C "$WORK/src/app" commit -q -m "Feature" && git -C "$WORK/src/app" rev-parse HEAD)"
git -C "$WORK/src/app" push -q origin feature 2>/dev/null
url="git://127.0.0.1:$GIT_PORT/app.git"

gitrepo branch "$url" "  ref: {branch: main}"
gitrepo tag "$url" "  ref: {tag: v1.1.0}"
gitrepo semver "$url" "  ref: {semver: '>=1.0.0 <2.0.0'}"
gitrepo commit "$url" "  ref: {commit: $sha3}"
gitrepo commit-branch "$url" "  ref: {branch: main, commit: $sha1}"
gitrepo name "$url" "  ref: {name: refs/pull/1/head}"
gitrepo no-branch "$url" "  ref: {branch: nope}"
gitrepo no-semver "$url" "  ref: {semver: '>=5.0.0'}"
gitrepo ignore "$url" "  ref: {branch: main}
  ignore: |
    /deploy/dev/"
gitrepo sparse "$url" "  ref: {branch: main}
  sparseCheckout: [./deploy/prod]"
gitrepo sparse-missing "$url" "  ref: {branch: main}
  sparseCheckout: [nothere]"

for r in branch tag semver commit commit-branch name ignore sparse; do wait_ready $r; done
[[ "$(revision branch)" == "main@sha1:$sha2" ]] || fail "branch $(revision branch)"
[[ "$(revision tag)" == "v1.1.0@sha1:$sha1" ]] || fail "tag $(revision tag)"
[[ "$(revision semver)" == "v1.1.0@sha1:$sha1" ]] || fail "semver $(revision semver)"
[[ "$(revision commit)" == "sha1:$sha3" ]] || fail "commit $(revision commit)"
[[ "$(revision commit-branch)" == "main@sha1:$sha1" ]] || fail "commit+branch $(revision commit-branch)"
[[ "$(revision name)" == "refs/pull/1/head@sha1:$sha1" ]] || fail "name $(revision name)"
log "refs: ok"

listing() { curl -fsS "$(jp gitrepository/$1 flux-system '{.status.artifact.url}')" | tar -tzf - | sort | tr '\n' ' '; }
# Default exclusions do not apply once .sourceignore has rules: logo.png stays; docs/ is ignored.
[[ "$(listing branch)" == ".sourceignore deploy/ deploy/dev/ deploy/dev/s.yaml deploy/prod/ deploy/prod/cm.yaml deploy/prod/v2.yaml logo.png " ]] ||
  fail "branch listing: $(listing branch)"
[[ "$(listing ignore)" == ".sourceignore deploy/ deploy/prod/ deploy/prod/cm.yaml deploy/prod/v2.yaml logo.png " ]] ||
  fail "ignore listing: $(listing ignore)"
[[ "$(jp gitrepository/ignore flux-system '{.status.observedIgnore}')" == "/deploy/dev/"* ]] || fail "observedIgnore"
[[ "$(listing sparse)" == "deploy/ deploy/prod/ deploy/prod/cm.yaml deploy/prod/v2.yaml " ]] || fail "sparse listing: $(listing sparse)"
[[ "$(jp gitrepository/sparse flux-system '{.status.observedSparseCheckout}')" == '["./deploy/prod"]' ]] || fail "observedSparseCheckout"
log "ignore + sparse: ok"

wait_reason no-branch GitOperationFailed
[[ "$(ready_msg no-branch)" == *"reference 'refs/heads/nope' not found"* ]] || fail "no-branch: $(ready_msg no-branch)"
wait_reason no-semver GitOperationFailed
[[ "$(ready_msg no-semver)" == *"no match found for semver: >=5.0.0"* ]] || fail "no-semver: $(ready_msg no-semver)"
wait_reason sparse-missing GitOperationFailed
[[ "$(ready_msg sparse-missing)" == "failed to sparse checkout directories : sparse checkout dir 'nothere' does not exist in repository" ]] ||
  fail "sparse-missing: $(ready_msg sparse-missing)"

# Events as Flux emits them.
ev="$(kubectl get events -n flux-system --field-selector involvedObject.name=branch -o jsonpath='{range .items[*]}{.reason}={.message}{"\n"}{end}')"
[[ "$ev" == *"NewArtifact=stored artifact for commit 'Second commit with a rather long subject line that...'"* ]] ||
  fail "NewArtifact event: $ev"

# No-op reconcile: requested, no new artifact, trace event, lastHandledReconcileAt.
before="$(jp gitrepository/branch flux-system '{.status.artifact.lastUpdateTime}')"
kubectl annotate --overwrite gitrepository/branch -n flux-system reconcile.fluxcd.io/requestedAt=noop-1 >/dev/null
wait_until 20 "lastHandledReconcileAt" bash -c "[[ \"\$(kubectl get gitrepository/branch -n flux-system -o jsonpath='{.status.lastHandledReconcileAt}')\" == noop-1 ]]"
[[ "$(jp gitrepository/branch flux-system '{.status.artifact.lastUpdateTime}')" == "$before" ]] || fail "no-op rebuilt the artifact"
wait_until 10 "no-op trace event" bash -c "kubectl get events -n flux-system --field-selector involvedObject.name=branch -o jsonpath='{.items[*].message}' | grep -q 'no changes since last reconciliation'"

# Oversized repository (limit 300000 bytes).
new_repo big
head -c 1000000 /dev/urandom >"$WORK/src/big/blob.bin"
commit_push big "Big blob" >/dev/null
gitrepo big "git://127.0.0.1:$GIT_PORT/big.git" "  ref: {branch: main}"
wait_reason big GitOperationFailed
[[ "$(ready_msg big)" == *"exceeds the maximum fetch size of 300000 bytes"* ]] || fail "big: $(ready_msg big)"
[[ -z "$(revision big)" ]] || fail "oversized repository got an artifact"
log "PASS: source refs"
