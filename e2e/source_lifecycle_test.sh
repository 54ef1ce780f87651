#!/usr/bin/env bash
# GitRepository life cycle over git://: include (fromPath → toPath, observed
# fields, re-triggered when the included repository changes, IncludeUnavailable
# while missing), recurseSubmodules, suspend/resume, a requested reconcile,
# and garbage collection of old artifacts (--artifact-retention-records=2).
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-lifecycle.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"' EXIT

start_source_stack --artifact-retention-ttl=1s --artifact-retention-records=2
start_git_server
url() { echo "git://127.0.0.1:$GIT_PORT/$1.git"; }

new_repo lib
mkdir -p "$WORK/src/lib/config"
echo "v1" >"$WORK/src/lib/config/version.txt"
echo "not included" >"$WORK/src/lib/other.txt"
lib1="$(commit_push lib "lib v1")"
new_repo app
echo "app" >"$WORK/src/app/app.txt"
app1="$(commit_push app "app v1")"

# --- include -----------------------------------------------------------------
gitrepo app "$(url app)" "  ref: {branch: main}
  include:
  - repository: {name: lib}
    fromPath: config
    toPath: vendor/lib-config"
wait_reason app NotFound
[[ "$(condition gitrepository/app flux-system IncludeUnavailable status)" == True ]] || fail "IncludeUnavailable"
[[ "$(condition gitrepository/app flux-system IncludeUnavailable message)" == "could not get resource for include 'lib'"* ]] ||
  fail "include message: $(condition gitrepository/app flux-system IncludeUnavailable message)"
gitrepo lib "$(url lib)" "  ref: {branch: main}"
wait_ready lib
wait_ready app 20
listing() { curl -fsS "$(jp gitrepository/$1 flux-system '{.status.artifact.url}')" | tar -tzf - | sort | tr '\n' ' '; }
[[ "$(listing app)" == "app.txt vendor/ vendor/lib-config/ vendor/lib-config/version.txt " ]] || fail "include listing: $(listing app)"
[[ "$(jp gitrepository/app flux-system '{.status.includedArtifacts[0].revision}')" == "main@sha1:$lib1" ]] || fail "includedArtifacts"
[[ "$(jp gitrepository/app flux-system '{.status.observedInclude[0].toPath}')" == "vendor/lib-config" ]] || fail "observedInclude"
[[ -z "$(condition gitrepository/app flux-system IncludeUnavailable status)" ]] || fail "IncludeUnavailable kept"
app_digest="$(jp gitrepository/app flux-system '{.status.artifact.digest}')"

# A change in the included repository re-triggers the includer (same app revision, new digest).
echo "v2" >"$WORK/src/lib/config/version.txt"
lib2="$(commit_push lib "lib v2")"
request_reconcile gitrepository/lib flux-system
wait_until 30 "app to include lib v2" bash -c "[[ \"\$(kubectl get gitrepository/app -n flux-system -o jsonpath='{.status.includedArtifacts[0].revision}')\" == main@sha1:$lib2 ]]"
[[ "$(jp gitrepository/app flux-system '{.status.artifact.digest}')" != "$app_digest" ]] || fail "include change did not rebuild"
curl -fsS "$(jp gitrepository/app flux-system '{.status.artifact.url}')" | tar -xzOf - vendor/lib-config/version.txt | grep -qx v2 ||
  fail "included content not updated"
log "include: ok"

# --- submodules --------------------------------------------------------------
new_repo parent
git -C "$WORK/src/parent" -c protocol.file.allow=always submodule add -q "$(url lib)" libs/lib 2>/dev/null
echo "parent" >"$WORK/src/parent/p.txt"
commit_push parent "parent with submodule" >/dev/null
gitrepo parent "$(url parent)" "  ref: {branch: main}
  recurseSubmodules: true"
gitrepo parent-flat "$(url parent)" "  ref: {branch: main}"
wait_ready parent
wait_ready parent-flat
[[ "$(listing parent)" == *"libs/lib/config/version.txt"* ]] || fail "submodule not checked out: $(listing parent)"
[[ "$(listing parent-flat)" != *"libs/lib/config"* ]] || fail "submodule checked out without recurseSubmodules"
[[ "$(jp gitrepository/parent flux-system '{.status.observedRecurseSubmodules}')" == true ]] || fail "observedRecurseSubmodules"
log "submodules: ok"

# --- suspend / resume ----------------------------------------------------------
kubectl patch gitrepository/app -n flux-system --type=merge -p '{"spec":{"suspend":true}}' >/dev/null
echo "app2" >"$WORK/src/app/app.txt"
app2="$(commit_push app "app v2")"
request_reconcile gitrepository/app flux-system
sleep 2
[[ "$(revision app)" == "main@sha1:$app1" ]] || fail "suspended object reconciled"
kubectl patch gitrepository/app -n flux-system --type=merge -p '{"spec":{"suspend":false}}' >/dev/null
wait_until 30 "app resumed at $app2" bash -c "[[ \"\$(kubectl get gitrepository/app -n flux-system -o jsonpath='{.status.artifact.revision}')\" == main@sha1:$app2 ]]"
log "suspend/resume: ok"

# --- garbage collection: at most 2 artifacts are kept -------------------------
for i in 3 4 5; do
  echo "app$i" >"$WORK/src/app/app.txt"
  sha="$(commit_push app "app v$i")"
  sleep 1.1
  request_reconcile gitrepository/app flux-system
  wait_until 30 "app at v$i" bash -c "[[ \"\$(kubectl get gitrepository/app -n flux-system -o jsonpath='{.status.artifact.revision}')\" == main@sha1:$sha ]]"
done
sleep 1.1
request_reconcile gitrepository/app flux-system
wait_until 20 "garbage collection" bash -c "(( \$(ls $WORK/storage/gitrepository/flux-system/app/*.tar.gz | wc -l) <= 2 ))"
[[ -f "$WORK/storage/gitrepository/flux-system/app/$sha.tar.gz" ]] || fail "current artifact collected"

# Deleting the object removes its artifacts and its fetch cache.
kubectl delete gitrepository/app -n flux-system --wait=true --timeout=20s >/dev/null
[[ ! -d "$WORK/storage/gitrepository/flux-system/app" || -z "$(ls -A "$WORK/storage/gitrepository/flux-system/app")" ]] || fail "artifacts kept after delete"
[[ ! -d "$WORK/git-cache/flux-system/app.git" ]] || fail "fetch cache kept after delete"
# Without includes the persistent work tree and the archive entry cache are
# used (lib.worktree holds lib's checkout); deletion removes them too.
[[ -f "$WORK/git-cache/flux-system/lib.worktree/config/version.txt" ]] || fail "no persistent work tree for lib"
[[ -s "$WORK/git-cache/flux-system/lib.entries" ]] || fail "no archive entry cache for lib"
kubectl delete gitrepository/lib -n flux-system --wait=true --timeout=20s >/dev/null
leftover="$(ls -A "$WORK/git-cache/flux-system" | grep '^lib\.' || true)"
[[ -z "$leftover" ]] || fail "caches kept after delete: $leftover"
log "PASS: source lifecycle"
