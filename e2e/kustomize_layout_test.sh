#!/usr/bin/env bash
# Kustomization e2e: the layout users write (seeds): a root Kustomization
# reconciling clusters/dev, whose Kustomizations form a dependsOn chain
# (infrastructure → apps); an overlay with a component; a
# configMapGenerator-driven rollout; postBuild substitute + substituteFrom
# with an optional missing ConfigMap that appears later (watched); strict
# substitution and a missing required ConfigMap as BuildFailed.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-layout.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_controllers
start_git_server
new_repo fleet
cp -r "$FLUXCPP_ROOT/e2e/testdata/kustomize/layered/." "$WORK/src/fleet/"
sha1="$(commit_push fleet "Initial fleet layout")"
kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/fleet.git", ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec:
  interval: 1m
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ./clusters/dev
  prune: true
YAML

ks_ready() { [[ "$(condition kustomization/$1 flux-system Ready status)" == True ]]; }
wait_until 60 "root, infrastructure and apps Ready" bash -c "
  for k in flux-system infrastructure apps; do
    [[ \"\$(kubectl get kustomization/\$k -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}')\" == True ]] || exit 1
  done"
rev="main@sha1:$sha1"
for k in flux-system infrastructure apps; do
  [[ "$(jp kustomization/$k flux-system '{.status.lastAppliedRevision}')" == "$rev" ]] || fail "$k lastAppliedRevision"
  [[ "$(condition kustomization/$k flux-system Ready message)" == "Applied revision: $rev" ]] || fail "$k Ready message"
done
# wait: true → Healthy condition with Flux's message.
[[ "$(condition kustomization/infrastructure flux-system Healthy status)" == True ]] || fail "infrastructure Healthy"
[[ "$(condition kustomization/infrastructure flux-system Healthy message)" == "Health check passed in "* ]] ||
  fail "Healthy message: $(condition kustomization/infrastructure flux-system Healthy message)"
[[ -z "$(condition kustomization/apps flux-system Healthy status)" ]] || fail "apps has Healthy without checks"
# dependsOn: apps applied after infrastructure (its Namespace existed first).
kubectl get serviceaccount podinfo -n podinfo >/dev/null || fail "infrastructure objects"
# Overlay + component + substitution + commonMetadata.
[[ "$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.spec.replicas}')" == 3 ]] || fail "component patch not applied"
[[ "$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.metadata.labels.env}')" == dev ]] || fail "substitute"
[[ "$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.metadata.labels.tier}')" == frontend ]] || fail "spec.components"
[[ "$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.metadata.labels.app\.kubernetes\.io/part-of}')" == demo ]] ||
  fail "commonMetadata"
[[ "$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.spec.template.metadata.annotations.greeting}')" == "hello from default" ]] ||
  fail "\${var:=default} with the optional ConfigMap missing"
[[ "$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.spec.template.metadata.annotations.literal}')" == '${not_substituted}' ]] ||
  fail "\$\${var} escape"
[[ "$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.spec.template.spec.containers[0].ports[0].protocol}')" == TCP ]] ||
  fail "port protocol"
cm1="$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.spec.template.spec.containers[0].envFrom[0].configMapRef.name}')"
[[ "$cm1" == podinfo-config-* ]] || fail "configMapGenerator name $cm1"
kubectl get configmap "$cm1" -n podinfo >/dev/null || fail "generated ConfigMap"
inv="$(jp kustomization/flux-system flux-system '{.status.inventory.entries[*].id}')"
[[ " $inv " == *" flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization "* ]] || fail "root inventory: $inv"
log "layout applied: root → infrastructure → apps"

# --- the optional ConfigMap appears: the labelled watch re-reconciles apps ---
kubectl create configmap cluster-vars -n flux-system --from-literal=greeting="hello from cluster-vars" >/dev/null
kubectl label configmap cluster-vars -n flux-system reconcile.fluxcd.io/watch=Enabled >/dev/null
wait_until 30 "substituteFrom ConfigMap picked up by watch" bash -c \
  "[[ \"\$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.spec.template.metadata.annotations.greeting}')\" == 'hello from cluster-vars' ]]"
log "substituteFrom ConfigMap applied through the config watch"

# --- configMapGenerator-driven rollout ---------------------------------------
sed -i 's/hello v1/hello v2/' "$WORK/src/fleet/apps/base/podinfo/kustomization.yaml"
sha2="$(commit_push fleet "Roll out a new greeting")"
request_reconcile gitrepository/flux-system flux-system
wait_until 60 "apps at $sha2" bash -c \
  "[[ \"\$(kubectl get kustomization/apps -n flux-system -o jsonpath='{.status.lastAppliedRevision}')\" == main@sha1:$sha2 ]]"
cm2="$(kubectl get deploy podinfo -n podinfo -o jsonpath='{.spec.template.spec.containers[0].envFrom[0].configMapRef.name}')"
[[ "$cm2" != "$cm1" && "$cm2" == podinfo-config-* ]] || fail "rollout did not switch ConfigMap ($cm1 → $cm2)"
[[ "$(kubectl get configmap "$cm2" -n podinfo -o jsonpath='{.data.GREETING}')" == "hello v2" ]] || fail "new ConfigMap data"
wait_until 10 "old generated ConfigMap pruned" bash -c "! kubectl get configmap $cm1 -n podinfo"
log "configMapGenerator rollout: $cm1 → $cm2 (old one pruned)"

# --- bad input: strict substitution and a missing required ConfigMap -------
kubectl apply -f - >/dev/null <<YAML
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: strict, namespace: flux-system}
spec:
  interval: 1m
  retryInterval: 5s
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ./apps/dev
  targetNamespace: strict-ns
  prune: true
  postBuild:
    substitute: {unrelated: "x"}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: needs-vars, namespace: flux-system}
spec:
  interval: 1m
  retryInterval: 5s
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ./apps/dev
  prune: true
  postBuild:
    substituteFrom:
      - {kind: ConfigMap, name: not-there}
YAML
wait_condition 30 "strict Ready=False" kustomization/strict flux-system Ready reason BuildFailed
msg="$(condition kustomization/strict flux-system Ready message)"
[[ "$msg" == *"post build failed for 'Deployment.v1.apps/podinfo'"*'variable not set (strict mode): "cluster_env"'* ]] ||
  fail "strict message: $msg"
! kubectl get namespace strict-ns >/dev/null 2>&1 || true
! kubectl get deploy podinfo -n strict-ns >/dev/null 2>&1 || fail "strict applied half-way"
wait_condition 30 "needs-vars Ready=False" kustomization/needs-vars flux-system Ready reason BuildFailed
msg="$(condition kustomization/needs-vars flux-system Ready message)"
[[ "$msg" == "substitute from 'ConfigMap/not-there' error: "* ]] || fail "needs-vars message: $msg"
log "bad substitution input reported: $msg"

log "PASS: kustomize layout (dependsOn chain, overlays/components, generator rollout, substitution)"
