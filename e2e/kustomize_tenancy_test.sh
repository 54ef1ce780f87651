#!/usr/bin/env bash
# Kustomization e2e: multi-tenancy lockdown (--no-cross-namespace-refs,
# --default-service-account) against dev-apiserver enforcing RBAC.
#
# The controllers connect as the kubeconfig's admin (system:masters, may
# impersonate anyone). The tenant namespace tenant-a has a ServiceAccount
# `tenant` bound to the `admin` ClusterRole by a RoleBinding in tenant-a only;
# kustomize-controller impersonates it for every Kustomization without
# spec.serviceAccountName. Checked:
#   - a Kustomization referencing another namespace's GitRepository is
#     Stalled, AccessDenied, and applies nothing;
#   - namespaced objects in tenant-a are applied (as the tenant);
#   - a Namespace (stage 1, next to a ConfigMap of the last stage) and a
#     ClusterRole are Ready=False ReconciliationFailed with kube's Forbidden
#     message naming the object, and nothing of the failed stage or later is
#     applied;
#   - a ConfigMap in another tenant's namespace is forbidden the same way.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-tenancy.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

# kubectl sends no bearer token over plain HTTP: serve HTTPS (the kubeconfig
# carries the generated CA).
APISERVER_ARGS="--tls --authorization-mode=RBAC" start_apiserver
install_manifests
start_source_controller
start_kustomize_controller --no-cross-namespace-refs=true --default-service-account=tenant --no-remote-bases=true
start_git_server
new_repo tenant
cp -r "$FLUXCPP_ROOT/e2e/testdata/kustomize/tenant/." "$WORK/src/tenant/"
sha="$(commit_push tenant "tenant objects")"

# The tenant: admin in tenant-a only.
TENANT=system:serviceaccount:tenant-a:tenant
kubectl create namespace tenant-a >/dev/null
kubectl create namespace tenant-b >/dev/null
kubectl create serviceaccount tenant -n tenant-a >/dev/null
kubectl create rolebinding tenant-admin -n tenant-a --clusterrole=admin --serviceaccount=tenant-a:tenant >/dev/null
[[ "$(kubectl auth can-i create configmaps -n tenant-a --as "$TENANT" 2>/dev/null)" == yes ]] ||
  fail "RBAC setup: tenant cannot create ConfigMaps in tenant-a"
[[ "$(kubectl auth can-i create namespaces --as "$TENANT" 2>/dev/null)" == no ]] ||
  fail "RBAC not enforced: tenant may create Namespaces"
[[ "$(kubectl auth can-i create configmaps -n tenant-b --as "$TENANT" 2>/dev/null)" == no ]] ||
  fail "RBAC not enforced: tenant may write in tenant-b"
log "RBAC enforced: $TENANT is admin in tenant-a only"

field() { kubectl get "kustomization/$1" -n tenant-a -o "jsonpath={.status.conditions[?(@.type==\"$2\")].$3}" 2>/dev/null; }
ready_reason_is() { [[ "$(field "$1" Ready reason)" == "$2" ]]; }
tenant_ks() {  # tenant_ks NAME PATH
  kubectl apply -f - >/dev/null <<YAML
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: $1, namespace: tenant-a}
spec:
  interval: 10m
  retryInterval: 5s
  sourceRef: {kind: GitRepository, name: tenant}
  path: $2
  prune: true
YAML
}

# --- cross-namespace source reference ----------------------------------------
kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: platform, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/tenant.git", ref: {branch: main}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: tenant, namespace: tenant-a}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/tenant.git", ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: sneaky, namespace: tenant-a}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: platform, namespace: flux-system}
  path: ./apps
  prune: true
YAML
wait_until 20 "cross-namespace source refused" ready_reason_is sneaky AccessDenied
[[ "$(field sneaky Ready message)" == "can't access 'GitRepository/flux-system/platform', cross-namespace references have been blocked" ]] ||
  fail "AccessDenied message: $(field sneaky Ready message)"
[[ "$(field sneaky Stalled status)" == True ]] || fail "not Stalled"
[[ "$(field sneaky Stalled reason)" == AccessDenied ]] || fail "Stalled reason: $(field sneaky Stalled reason)"
! kubectl get configmap tenant-config -n tenant-a >/dev/null 2>&1 || fail "applied despite AccessDenied"
log "cross-namespace sourceRef refused (Stalled, AccessDenied)"

# --- namespaced objects in the tenant's namespace: applied --------------------
tenant_ks apps ./apps
wait_until 30 "tenant apps applied" bash -c \
  "[[ \"\$(kubectl get kustomization/apps -n tenant-a -o jsonpath='{.status.lastAppliedRevision}')\" == main@sha1:$sha ]]"
[[ "$(field apps Ready status)" == True ]] || fail "apps not Ready: $(field apps Ready message)"
for o in configmap/tenant-config serviceaccount/tenant-app deployment/tenant-web; do
  kubectl get "$o" -n tenant-a >/dev/null || fail "$o not applied"
done
[[ "$(kubectl get configmap tenant-config -n tenant-a -o jsonpath='{.metadata.labels.kustomize\.toolkit\.fluxcd\.io/name}')" == apps ]] ||
  fail "owner label missing"
log "tenant applied its namespaced objects as $TENANT"

# --- cluster-scoped objects: forbidden, nothing applied half-way ---------------
tenant_ks escape ./escape
tenant_ks escalate ./escalate
wait_until 30 "Namespace refused" ready_reason_is escape ReconciliationFailed
msg="$(field escape Ready message)"
[[ "$msg" == "Namespace/tenant-a-escape dry-run failed (Forbidden): "* ]] || fail "Namespace message: $msg"
# kube treats a namespace's own name as the request namespace, hence "in the namespace".
[[ "$msg" == *"namespaces \"tenant-a-escape\" is forbidden: User \"$TENANT\" cannot patch resource \"namespaces\" in API group \"\" in the namespace \"tenant-a-escape\""* ]] ||
  fail "Namespace message is not kube's Forbidden: $msg"
log "Namespace refused: $msg"
wait_until 30 "ClusterRole refused" ready_reason_is escalate ReconciliationFailed
msg="$(field escalate Ready message)"
[[ "$msg" == "ClusterRole/tenant-a-escalate dry-run failed (Forbidden): "* &&
   "$msg" == *"clusterroles.rbac.authorization.k8s.io \"tenant-a-escalate\" is forbidden: User \"$TENANT\" cannot patch resource \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope"* ]] ||
  fail "ClusterRole message: $msg"
log "ClusterRole refused: $msg"
! kubectl get namespace tenant-a-escape >/dev/null 2>&1 || fail "tenant created a Namespace"
! kubectl get clusterrole tenant-a-escalate >/dev/null 2>&1 || fail "tenant created a ClusterRole"
! kubectl get configmap escape-marker -n tenant-a >/dev/null 2>&1 || fail "applied the last stage after stage 1 failed"
[[ -z "$(kubectl get kustomization/escape -n tenant-a -o jsonpath='{.status.inventory.entries}')" ]] ||
  fail "escape has an inventory: $(kubectl get kustomization/escape -n tenant-a -o jsonpath='{.status.inventory.entries}')"
[[ "$(field escape Stalled status)" != True ]] || fail "a Forbidden apply must be retried, not Stalled"

# --- another tenant's namespace: forbidden --------------------------------------
tenant_ks elsewhere ./elsewhere
wait_until 30 "other namespace refused" ready_reason_is elsewhere ReconciliationFailed
msg="$(field elsewhere Ready message)"
[[ "$msg" == "ConfigMap/tenant-b/intruder dry-run failed (Forbidden): "* &&
   "$msg" == *"configmaps \"intruder\" is forbidden: User \"$TENANT\" cannot patch resource \"configmaps\" in API group \"\" in the namespace \"tenant-b\""* ]] ||
  fail "other-namespace message: $msg"
! kubectl get configmap intruder -n tenant-b >/dev/null 2>&1 || fail "tenant wrote into tenant-b"
log "other namespace refused: $msg"

# The refusals did not disturb the tenant's own Kustomization.
[[ "$(field apps Ready status)" == True ]] || fail "apps lost Ready: $(field apps Ready message)"
log "PASS: kustomize tenancy (cross-namespace refusal; impersonated tenant limited to its namespace by RBAC)"
