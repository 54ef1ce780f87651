#!/usr/bin/env bash
# Kustomization e2e: taking over objects created by kubectl, and what is
# ignored (spec §10.10 metadata cleanup, drift-ignore rules; §10.7 ignored
# files).
#
#   1. Objects first created with client-side `kubectl apply` (annotation
#      kubectl.kubernetes.io/last-applied-configuration, manager
#      kubectl-client-side-apply) and with `kubectl create` (manager
#      kubectl-create) are taken over: the annotation goes, the kubectl
#      managers' field ownership moves to kustomize-controller's apply entry,
#      so a field (and a label) removed from Git really disappears.
#   2. The source's ignore rules (GitRepository spec.ignore and a
#      .sourceignore file) keep files out of the artifact, hence out of the
#      generated kustomization.yaml: an unparsable YAML file and a valid
#      ConfigMap in ignored folders neither break the build nor get applied.
#   3. Kustomization spec.ignore: a path matched by a rule keeps the value a
#      user set by hand, while other drift on the same object is reverted; a
#      rule's target limits it to the objects it selects.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-takeover.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_source_controller
start_kustomize_controller
start_git_server
NS=takeover
kubectl create namespace "$NS" >/dev/null

managers() { kubectl get "$1" -n "$NS" -o jsonpath='{range .metadata.managedFields[*]}{.manager}/{.operation} {end}'; }
data_key() { kubectl get "configmap/$1" -n "$NS" -o "jsonpath={.data.$2}"; }
has_data_key() { kubectl get "configmap/$1" -n "$NS" -o json | python3 -c "import json,sys; sys.exit(0 if '$2' in json.load(sys.stdin).get('data',{}) else 1)"; }

# --- objects made by hand before Flux ------------------------------------------
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: legacy, namespace: $NS, labels: {team: platform}}
data: {keep: "1", drop: "2"}
YAML
kubectl create configmap created -n "$NS" --from-literal=keep=1 --from-literal=drop=2 >/dev/null
[[ -n "$(kubectl get configmap/legacy -n "$NS" -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}')" ]] ||
  fail "client-side apply left no last-applied-configuration"
[[ "$(managers configmap/legacy)" == *"kubectl-client-side-apply/Update"* ]] || fail "legacy managers: $(managers configmap/legacy)"
[[ "$(managers configmap/created)" == *"kubectl-create/Update"* ]] || fail "created managers: $(managers configmap/created)"
log "before: legacy [$(managers configmap/legacy)] created [$(managers configmap/created)]"

new_repo takeover
mkdir -p "$WORK/src/takeover/app" "$WORK/src/takeover/app/notes" "$WORK/src/takeover/app/drafts"
cat >"$WORK/src/takeover/app/configmaps.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: legacy, namespace: $NS, labels: {team: platform}}
data: {keep: "1", drop: "2", tuned: "from-git"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: created, namespace: $NS}
data: {keep: "1", drop: "2", tuned: "from-git"}
YAML
# Ignored by GitRepository spec.ignore: would break the generated kustomization.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n' >"$WORK/src/takeover/app/notes/broken.yaml"
# Ignored by .sourceignore: valid, but must not be applied.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: draft, namespace: %s}\ndata: {k: v}\n' "$NS" \
  >"$WORK/src/takeover/app/drafts/draft.yaml"
printf '# work in progress\napp/drafts/\n' >"$WORK/src/takeover/.sourceignore"
sha1="$(commit_push takeover "configmaps")"

kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: takeover, namespace: flux-system}
spec:
  interval: 1m
  url: "git://127.0.0.1:$GIT_PORT/takeover.git"
  ref: {branch: main}
  ignore: |
    app/notes/
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: takeover, namespace: flux-system}
spec:
  interval: 10m
  retryInterval: 2s
  sourceRef: {kind: GitRepository, name: takeover}
  path: ./app
  prune: true
  ignore:
    - paths: ["/data/tuned"]
      target: {kind: ConfigMap, name: legacy}
YAML
applied_at() { [[ "$(jp kustomization/takeover flux-system '{.status.lastAppliedRevision}')" == "main@sha1:$1" ]]; }
wait_until 40 "first apply" applied_at "$sha1"
[[ "$(condition kustomization/takeover flux-system Ready status)" == True ]] ||
  fail "not Ready: $(condition kustomization/takeover flux-system Ready message)"

# --- 2. ignored files --------------------------------------------------------------
! kubectl get configmap draft -n "$NS" >/dev/null 2>&1 || fail "a .sourceignore'd file was applied"
inv="$(jp kustomization/takeover flux-system '{.status.inventory.entries[*].id}')"
[[ "$inv" == "takeover_created__ConfigMap takeover_legacy__ConfigMap" ]] || fail "inventory: $inv"
log "ignored files (spec.ignore app/notes/, .sourceignore app/drafts/) stayed out of the build: inventory $inv"

# --- 1. takeover ----------------------------------------------------------------------
[[ -z "$(kubectl get configmap/legacy -n "$NS" -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}')" ]] ||
  fail "last-applied-configuration kept"
for cm in legacy created; do
  m="$(managers "configmap/$cm")"
  [[ "$m" != *kubectl* ]] || fail "$cm still has kubectl managers: $m"
  [[ "$m" == *"kustomize-controller/Apply"* ]] || fail "$cm not owned by kustomize-controller: $m"
done
log "after takeover: legacy [$(managers configmap/legacy)] created [$(managers configmap/created)]"

cat >"$WORK/src/takeover/app/configmaps.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: legacy, namespace: $NS}
data: {keep: "1", tuned: "from-git"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: created, namespace: $NS}
data: {keep: "1", tuned: "from-git"}
YAML
sha2="$(commit_push takeover "drop a key and a label")"
request_reconcile gitrepository/takeover flux-system
wait_until 40 "second apply" applied_at "$sha2"
for cm in legacy created; do
  ! has_data_key "$cm" drop || fail "$cm: data.drop removed from Git but still in the cluster"
  [[ "$(data_key "$cm" keep)" == 1 ]] || fail "$cm: data.keep lost"
done
[[ -z "$(kubectl get configmap/legacy -n "$NS" -o jsonpath='{.metadata.labels.team}')" ]] ||
  fail "label team removed from Git but still in the cluster"
log "fields and labels removed from Git disappeared from kubectl-made objects"

# --- 3. spec.ignore drift rules -------------------------------------------------------
kubectl patch configmap legacy -n "$NS" --type merge -p '{"data":{"tuned":"by-hand","keep":"by-hand"}}' >/dev/null
kubectl patch configmap created -n "$NS" --type merge -p '{"data":{"tuned":"by-hand"}}' >/dev/null
request_reconcile kustomization/takeover flux-system
wait_until 30 "drift corrected on keep" bash -c "[[ \"\$(kubectl get configmap/legacy -n $NS -o jsonpath='{.data.keep}')\" == 1 ]]"
wait_until 30 "drift corrected on the unmatched object" bash -c \
  "[[ \"\$(kubectl get configmap/created -n $NS -o jsonpath='{.data.tuned}')\" == from-git ]]"
[[ "$(data_key legacy tuned)" == by-hand ]] || fail "ignored path /data/tuned reverted: $(data_key legacy tuned)"
[[ "$(condition kustomization/takeover flux-system Ready status)" == True ]] ||
  fail "not Ready: $(condition kustomization/takeover flux-system Ready message)"
log "spec.ignore: /data/tuned on ConfigMap/legacy kept 'by-hand'; other drift reverted"
log "PASS: kustomize takeover (kubectl apply/create objects taken over, ignored files and paths)"
