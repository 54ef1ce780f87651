#!/usr/bin/env bash
# Walking skeleton end to end, with real processes: dev-apiserver, git daemon,
# source-controller, kustomize-controller, notification-controller and kubectl.
# A push becomes objects; a change is applied; a removed manifest is pruned.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-loop.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_controllers
start_git_server
new_repo demo
cp -r "$FLUXCPP_ROOT/e2e/testdata/demo-repo/." "$WORK/src/demo/"
sha1="$(commit_push demo "Add demo app")"
sed "s#GIT_URL#git://127.0.0.1:$GIT_PORT/demo.git#" "$FLUXCPP_ROOT/e2e/testdata/flux-objects.yaml" | kubectl apply -f - >/dev/null

# --- first revision -------------------------------------------------------
kubectl wait --for=condition=Ready --timeout=60s -n flux-system gitrepository/demo kustomization/apps kustomization/infra \
  >/dev/null || fail "objects not Ready"

rev="$(jp gitrepository/demo flux-system '{.status.artifact.revision}')"
[[ "$rev" == "main@sha1:$sha1" ]] || fail "artifact revision '$rev' != main@sha1:$sha1"
[[ "$(condition gitrepository/demo flux-system Ready reason)" == Succeeded ]] || fail "GitRepository Ready reason"
[[ "$(condition gitrepository/demo flux-system Ready message)" == "stored artifact for revision 'main@sha1:$sha1'" ]] ||
  fail "GitRepository Ready message: $(condition gitrepository/demo flux-system Ready message)"
[[ "$(condition gitrepository/demo flux-system ArtifactInStorage status)" == True ]] || fail "ArtifactInStorage"
[[ -z "$(condition gitrepository/demo flux-system Reconciling status)" ]] || fail "Reconciling still present"

# The advertised artifact is downloadable and matches its digest.
url="$(jp gitrepository/demo flux-system '{.status.artifact.url}')"
digest="$(jp gitrepository/demo flux-system '{.status.artifact.digest}')"
[[ "$url" == "http://127.0.0.1:$STORAGE_PORT/gitrepository/flux-system/demo/$sha1.tar.gz" ]] || fail "artifact url $url"
curl -fsS -o "$WORK/artifact.tar.gz" "$url" || fail "artifact download"
[[ "sha256:$(sha256sum "$WORK/artifact.tar.gz" | cut -d' ' -f1)" == "$digest" ]] || fail "digest mismatch"
listing="$(tar -tzf "$WORK/artifact.tar.gz")"  # captured first: grep -q would SIGPIPE tar under pipefail
grep -qx 'apps/deployment.yaml' <<<"$listing" || fail "artifact content"
! grep -q '^\.git/' <<<"$listing" || fail ".git archived"

for ks in apps infra; do
  [[ "$(condition kustomization/$ks flux-system Ready reason)" == ReconciliationSucceeded ]] || fail "$ks Ready reason"
  [[ "$(condition kustomization/$ks flux-system Ready message)" == "Applied revision: main@sha1:$sha1" ]] ||
    fail "$ks Ready message: $(condition kustomization/$ks flux-system Ready message)"
  [[ "$(jp kustomization/$ks flux-system '{.status.lastAppliedRevision}')" == "main@sha1:$sha1" ]] || fail "$ks lastAppliedRevision"
done
[[ "$(kubectl get configmap podinfo-config -n demo -o 'jsonpath={.data.greeting}')" == "hello from git" ]] || fail "configmap"
[[ "$(kubectl get deployment podinfo -n demo -o 'jsonpath={.metadata.labels.kustomize\.toolkit\.fluxcd\.io/name}')" == apps ]] ||
  fail "owner label"
kubectl get service podinfo -n demo >/dev/null || fail "service missing"
kubectl get resourcequota demo-quota -n default >/dev/null || fail "plain-directory object missing"
inventory="$(jp kustomization/apps flux-system '{.status.inventory.entries[*].id}')"
for id in _demo__Namespace demo_podinfo-config__ConfigMap demo_podinfo_apps_Deployment demo_podinfo__Service; do
  [[ " $inventory " == *" $id "* ]] || fail "inventory lacks $id: $inventory"
done
log "first revision applied: $sha1"

# --- a change is applied ----------------------------------------------------
sed -i 's/hello from git/hello again/' "$WORK/src/demo/apps/configmap.yaml"
sha2="$(commit_push demo "Change greeting")"
request_reconcile gitrepository/demo flux-system
wait_until 60 "apps to apply $sha2" \
  bash -c "[[ \"\$(kubectl get kustomization/apps -n flux-system -o jsonpath='{.status.lastAppliedRevision}')\" == main@sha1:$sha2 ]]"
[[ "$(kubectl get configmap podinfo-config -n demo -o 'jsonpath={.data.greeting}')" == "hello again" ]] || fail "change not applied"
log "change applied: $sha2"

# --- a removed manifest is pruned -----------------------------------------
git -C "$WORK/src/demo" rm -q apps/service.yaml
sed -i '/service.yaml/d' "$WORK/src/demo/apps/kustomization.yaml"
sha3="$(commit_push demo "Remove the service")"
request_reconcile gitrepository/demo flux-system
wait_until 60 "service pruned" bash -c "! kubectl get service podinfo -n demo"
wait_until 30 "apps at $sha3" \
  bash -c "[[ \"\$(kubectl get kustomization/apps -n flux-system -o jsonpath='{.status.lastAppliedRevision}')\" == main@sha1:$sha3 ]]"
inventory="$(jp kustomization/apps flux-system '{.status.inventory.entries[*].id}')"
[[ " $inventory " != *" demo_podinfo__Service "* ]] || fail "pruned object still in inventory"
kubectl get deployment podinfo -n demo >/dev/null || fail "deployment pruned by mistake"
[[ "$(condition kustomization/apps flux-system Ready status)" == True ]] || fail "apps not Ready after prune"
[[ "$(condition gitrepository/demo flux-system Ready message)" == "stored artifact for revision 'main@sha1:$sha3'" ]] ||
  fail "GitRepository message after prune"

# --- notification-controller received events over gRPC -------------------
grep -q '"reason":"NewArtifact"' "$WORK/logs/notification-controller.log" || fail "no NewArtifact event logged"
grep -q '"reason":"ReconciliationSucceeded"' "$WORK/logs/notification-controller.log" || fail "no Kustomization event logged"

log "PASS: gitops loop (apply, change, prune)"
