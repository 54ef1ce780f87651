#!/usr/bin/env bash
# Kustomization e2e: the life of applied objects. Prune with a
# `prune: disabled` object kept; drift corrected after `kubectl scale`;
# suspend/resume; a renamed Kustomization keeps its objects; bad input
# (broken YAML, unknown kind) is Ready=False with nothing applied half-way;
# a Job recreated under force; deletionPolicy on deletion.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-life.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_controllers
start_git_server
new_repo life
cp -r "$FLUXCPP_ROOT/e2e/testdata/kustomize/lifecycle/." "$WORK/src/life/"
sha1="$(commit_push life "lifecycle objects")"

ks_field() { kubectl get "kustomization/$1" -n flux-system -o "jsonpath={.status.conditions[?(@.type==\"$2\")].$3}" 2>/dev/null; }
ks_at() {  # ks_at NAME SHA
  [[ "$(kubectl get kustomization/$1 -n flux-system -o jsonpath='{.status.lastAppliedRevision}' 2>/dev/null)" == "main@sha1:$2" ]]
}
ks() {  # ks NAME PATH [extra spec lines...]
  local name="$1" path="$2"; shift 2
  { cat <<YAML
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: $name, namespace: flux-system}
spec:
  interval: 10m
  retryInterval: 3s
  sourceRef: {kind: GitRepository, name: life}
  path: $path
  prune: true
YAML
    for line in "$@"; do echo "  $line"; done; } | kubectl apply -f - >/dev/null
}

kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: life, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/life.git", ref: {branch: main}}
YAML
ks app ./app
wait_until 30 "app applied" ks_at app "$sha1"
kubectl get configmap keep-me prune-me -n life >/dev/null || fail "objects not applied"

# --- drift: kubectl scale is reverted on the next reconcile ----------------
kubectl scale deployment web -n life --replicas=5 >/dev/null
kubectl annotate configmap settings -n life extra=drift >/dev/null
[[ "$(kubectl get deploy web -n life -o jsonpath='{.spec.replicas}')" == 5 ]] || fail "scale did not apply"
request_reconcile kustomization/app flux-system
wait_until 20 "drift corrected" bash -c "[[ \"\$(kubectl get deploy web -n life -o jsonpath='{.spec.replicas}')\" == 1 ]]"
log "drift corrected: replicas 5 → 1"
# An unchanged reconcile does not write: resourceVersion stays.
rv="$(kubectl get deploy web -n life -o jsonpath='{.metadata.resourceVersion}')"
request_reconcile kustomization/app flux-system
sleep 2
[[ "$(kubectl get deploy web -n life -o jsonpath='{.metadata.resourceVersion}')" == "$rv" ]] || fail "no-op reconcile wrote"

# --- prune, with a prune: disabled object kept ------------------------------
python3 - "$WORK/src/life/app/app.yaml" <<'PY'
import sys; p = sys.argv[1]; docs = open(p).read().split('\n---\n')
open(p, 'w').write('\n---\n'.join(d for d in docs if 'keep-me' not in d and 'prune-me' not in d))
PY
sha2="$(commit_push life "drop two ConfigMaps")"
request_reconcile gitrepository/life flux-system
wait_until 30 "app at $sha2" ks_at app "$sha2"
! kubectl get configmap prune-me -n life >/dev/null 2>&1 || fail "prune-me not pruned"
kubectl get configmap keep-me -n life >/dev/null || fail "prune: disabled object deleted"
inv="$(jp kustomization/app flux-system '{.status.inventory.entries[*].id}')"
[[ " $inv " != *"keep-me"* && " $inv " != *"prune-me"* ]] || fail "inventory: $inv"
log "pruned prune-me, kept keep-me (prune: disabled)"

# --- suspend / resume --------------------------------------------------------
kubectl patch kustomization app -n flux-system --type merge -p '{"spec":{"suspend":true}}' >/dev/null
sed -i 's/mode: "one"/mode: "two"/' "$WORK/src/life/app/app.yaml"
sha3="$(commit_push life "change while suspended")"
request_reconcile gitrepository/life flux-system
request_reconcile kustomization/app flux-system
sleep 3
[[ "$(kubectl get configmap settings -n life -o jsonpath='{.data.mode}')" == one ]] || fail "applied while suspended"
kubectl patch kustomization app -n flux-system --type merge -p '{"spec":{"suspend":false}}' >/dev/null
wait_until 30 "applied after resume" ks_at app "$sha3"
[[ "$(kubectl get configmap settings -n life -o jsonpath='{.data.mode}')" == two ]] || fail "not applied after resume"
log "suspend held the change; resume applied it"

# --- renamed Kustomization: objects are adopted, not deleted ----------------
ks app-v2 ./app
wait_until 30 "app-v2 applied" ks_at app-v2 "$sha3"
[[ "$(kubectl get deploy web -n life -o jsonpath='{.metadata.labels.kustomize\.toolkit\.fluxcd\.io/name}')" == app-v2 ]] ||
  fail "not adopted by app-v2"
kubectl delete kustomization app -n flux-system --wait=false >/dev/null
wait_until 20 "old Kustomization gone" bash -c "! kubectl get kustomization app -n flux-system"
kubectl get deploy web -n life >/dev/null || fail "rename deleted the Deployment"
kubectl get configmap settings -n life >/dev/null || fail "rename deleted the ConfigMap"
log "renamed app → app-v2 without losing objects"

# --- bad input --------------------------------------------------------------
ks broken ./broken
ks unknown ./unknown
wait_until 20 "broken BuildFailed" bash -c "[[ \"\$(kubectl get kustomization/broken -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}')\" == BuildFailed ]]"
msg="$(ks_field broken Ready message)"
[[ "$msg" == *bad.yaml* ]] || fail "broken message does not name the file: $msg"
log "broken manifest: $msg"
wait_until 20 "unknown ReconciliationFailed" bash -c "[[ \"\$(kubectl get kustomization/unknown -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}')\" == ReconciliationFailed ]]"
msg="$(ks_field unknown Ready message)"
[[ "$msg" == "Widget/default/w"* ]] || fail "unknown-kind message: $msg"
! kubectl get configmap before-widget -n default >/dev/null 2>&1 || fail "applied half-way before the unknown kind"
log "unknown kind: $msg"

# --- deletionPolicy ---------------------------------------------------------
kubectl patch kustomization app-v2 -n flux-system --type merge -p '{"spec":{"deletionPolicy":"Orphan"}}' >/dev/null
kubectl delete kustomization app-v2 -n flux-system --wait=false >/dev/null
wait_until 20 "app-v2 gone" bash -c "! kubectl get kustomization app-v2 -n flux-system"
kubectl get deploy web -n life >/dev/null || fail "Orphan deleted objects"
ks app-v3 ./app "deletionPolicy: WaitForTermination"
wait_until 30 "app-v3 applied" ks_at app-v3 "$sha3"
kubectl delete kustomization app-v3 -n flux-system --timeout=30s >/dev/null
! kubectl get deploy web -n life >/dev/null 2>&1 || fail "WaitForTermination left the Deployment"
wait_until 10 "namespace life deleted with its Kustomization" bash -c "! kubectl get namespace life"
log "deletionPolicy Orphan kept objects; WaitForTermination deleted them"

# --- force: a Job recreated on an immutable-field change ----------------------
# dev-apiserver rejects changes to a Job's spec.template as kube does (422).
ks job ./job
wait_until 30 "job applied" ks_at job "$sha3"
uid1="$(kubectl get job migrate -n default -o jsonpath='{.metadata.uid}')"
sed -i 's/"v1"/"v2"/' "$WORK/src/life/job/job.yaml"
sha4="$(commit_push life "change the job's template")"
request_reconcile gitrepository/life flux-system
wait_until 30 "immutable change refused without force" bash -c \
  "[[ \"\$(kubectl get kustomization/job -n flux-system -o jsonpath='{.status.lastAttemptedRevision}')\" == main@sha1:$sha4 &&
     \"\$(kubectl get kustomization/job -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}')\" == ReconciliationFailed ]]"
msg="$(ks_field job Ready message)"
[[ "$msg" == 'Job/default/migrate dry-run failed (Invalid): Job.batch "migrate" is invalid: spec.template: Invalid value: '*': field is immutable'* ]] ||
  fail "immutable-field message: $msg"
[[ "$(kubectl get job migrate -n default -o jsonpath='{.metadata.uid}')" == "$uid1" ]] || fail "Job replaced without force"
log "without force: ${msg:0:90}..."
# spec.force: true deletes and re-creates it.
kubectl patch kustomization job -n flux-system --type merge -p '{"spec":{"force":true}}' >/dev/null
wait_until 30 "job at $sha4 under spec.force" ks_at job "$sha4"
uid2="$(kubectl get job migrate -n default -o jsonpath='{.metadata.uid}')"
[[ "$uid2" != "$uid1" ]] || fail "Job not recreated under spec.force"
[[ "$(kubectl get job migrate -n default -o jsonpath='{.spec.template.spec.containers[0].command[1]}')" == v2 ]] ||
  fail "recreated Job is not at v2"
log "Job recreated under spec.force ($uid1 -> $uid2)"
# The kustomize.toolkit.fluxcd.io/force: enabled annotation on the object does the same.
kubectl patch kustomization job -n flux-system --type merge -p '{"spec":{"force":false}}' >/dev/null
python3 - "$WORK/src/life/job/job.yaml" <<'PY'
import sys; p = sys.argv[1]; s = open(p).read()
s = s.replace('"v2"', '"v3"').replace("  namespace: default\n",
    "  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/force: enabled\n", 1)
open(p, 'w').write(s)
PY
sha5="$(commit_push life "change the job again, force annotation")"
request_reconcile gitrepository/life flux-system
wait_until 30 "job at $sha5 under the force annotation" ks_at job "$sha5"
uid3="$(kubectl get job migrate -n default -o jsonpath='{.metadata.uid}')"
[[ "$uid3" != "$uid2" ]] || fail "Job not recreated under the force annotation"
[[ "$(kubectl get job migrate -n default -o jsonpath='{.spec.template.spec.containers[0].command[1]}')" == v3 ]] ||
  fail "recreated Job is not at v3"
log "Job recreated under kustomize.toolkit.fluxcd.io/force: enabled ($uid2 -> $uid3)"

log "PASS: kustomize lifecycle (drift, prune, suspend, rename, bad input, deletionPolicy, force)"
