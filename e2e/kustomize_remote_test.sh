#!/usr/bin/env bash
# Kustomization e2e: spec.kubeConfig (remote clusters, spec §10.14).
#
# Two dev-apiservers: the local cluster (controllers, sources,
# Kustomizations) and a "remote" one (HTTPS, RBAC). Both share a
# service-account signing key, and the remote accepts tokens for the audience
# `remote-cluster`: it trusts the local cluster's service-account issuer, as
# a real remote cluster configured for Kubernetes OIDC would.
#
#   1. kubeConfig.secretRef (key `value`): objects are applied, health-checked
#      (wait: true) and pruned in the remote cluster; the local cluster gets
#      none of them. Keys `value.yaml` and a custom `key` work too; a Secret
#      without the key is Ready=False naming it.
#   2. kubeConfig.configMapRef, provider generic: the controller requests a
#      token for ServiceAccount apps/deployer from the local TokenRequest API
#      (audience remote-cluster) and applies as that identity in the remote
#      cluster, where RBAC limits it to namespace apps (a write elsewhere is
#      Forbidden for system:serviceaccount:apps:deployer). A wrong audience is
#      401; a ConfigMap without serviceAccountName uses
#      --default-kubeconfig-service-account; provider aws is Ready=False
#      naming the provider; secretRef and
#      configMapRef together are refused.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-remote.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

head -c 32 /dev/urandom | base64 >"$WORK/sa-signing-key"
APISERVER_ARGS="--tls --service-account-signing-key-file=$WORK/sa-signing-key" start_apiserver
install_manifests

# The remote cluster.
REMOTE_PORT="$(free_port)"
REMOTE_KUBECONFIG="$WORK/remote-kubeconfig"
start_bg remote-apiserver "$BIN/dev-apiserver" --listen "127.0.0.1:$REMOTE_PORT" --data-dir "$WORK/remote" \
  --kubeconfig-out "$REMOTE_KUBECONFIG" --tls --authorization-mode=RBAC \
  --service-account-signing-key-file="$WORK/sa-signing-key" --api-audiences=remote-cluster
rk() { kubectl --kubeconfig "$REMOTE_KUBECONFIG" "$@"; }
wait_until 20 "remote dev-apiserver to serve" rk get --raw /version
log "remote dev-apiserver on 127.0.0.1:$REMOTE_PORT"
rk create namespace apps >/dev/null
rk create namespace elsewhere >/dev/null
# In the remote cluster the local service account apps/deployer is admin of namespace apps only.
rk create rolebinding deployer-admin -n apps --clusterrole=admin --serviceaccount=apps:deployer >/dev/null

start_source_controller
start_kustomize_controller --feature-gates=ObjectLevelWorkloadIdentity=true --default-kubeconfig-service-account=deployer

start_git_server
new_repo fleet
mkdir -p "$WORK/src/fleet/remote" "$WORK/src/fleet/yaml-key" "$WORK/src/fleet/custom-key" "$WORK/src/fleet/wi" \
  "$WORK/src/fleet/wi-escape" "$WORK/src/fleet/wi-default"
cat >"$WORK/src/fleet/remote/app.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: remote-web, namespace: apps}
spec:
  replicas: 2
  selector: {matchLabels: {app: remote-web}}
  template:
    metadata: {labels: {app: remote-web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: remote-config, namespace: apps}
data: {greeting: hello}
YAML
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml-key, namespace: apps}\ndata: {k: v}\n' \
  >"$WORK/src/fleet/yaml-key/cm.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-custom-key, namespace: apps}\ndata: {k: v}\n' \
  >"$WORK/src/fleet/custom-key/cm.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: via-workload-identity, namespace: apps}\ndata: {k: v}\n' \
  >"$WORK/src/fleet/wi/cm.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: intruder, namespace: elsewhere}\ndata: {k: v}\n' \
  >"$WORK/src/fleet/wi-escape/cm.yaml"
sha="$(commit_push fleet "remote objects")"

kubectl create namespace apps >/dev/null
kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: fleet, namespace: apps}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/fleet.git", ref: {branch: main}}
YAML
kubectl create secret generic remote-value -n apps --from-file=value="$REMOTE_KUBECONFIG" >/dev/null
kubectl create secret generic remote-value-yaml -n apps --from-file=value.yaml="$REMOTE_KUBECONFIG" >/dev/null
kubectl create secret generic remote-custom -n apps --from-file=cluster.conf="$REMOTE_KUBECONFIG" >/dev/null

field() { kubectl get "kustomization/$1" -n apps -o "jsonpath={.status.conditions[?(@.type==\"$2\")].$3}" 2>/dev/null; }
ready_reason_is() { [[ "$(field "$1" Ready reason)" == "$2" ]]; }
applied_at() { [[ "$(kubectl get "kustomization/$1" -n apps -o jsonpath='{.status.lastAppliedRevision}')" == "main@sha1:$2" ]]; }
remote_ks() {  # remote_ks NAME PATH KUBECONFIG-JSON [EXTRA-SPEC-JSON-FIELDS]
  kubectl apply -f - >/dev/null <<YAML
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: $1, namespace: apps}
spec: {interval: 10m, retryInterval: 2s, timeout: 30s, prune: true, path: $2,
       sourceRef: {kind: GitRepository, name: fleet}, kubeConfig: $3 ${4:-}}
YAML
}
local_untouched() {
  local found
  found="$(kubectl get deployments,configmaps -A -l kustomize.toolkit.fluxcd.io/namespace=apps -o name 2>/dev/null)"
  [[ -z "$found" ]] || fail "the local cluster got remote objects: $found"
}

# --- 1. secretRef --------------------------------------------------------------
remote_ks remote ./remote '{secretRef: {name: remote-value}}' ', wait: true'
wait_until 60 "remote Kustomization applied and healthy" applied_at remote "$sha"
[[ "$(field remote Ready status)" == True ]] || fail "remote not Ready: $(field remote Ready message)"
[[ "$(field remote Healthy status)" == True ]] || fail "remote not Healthy: $(field remote Healthy message)"
[[ "$(rk get deployment remote-web -n apps -o jsonpath='{.metadata.labels.kustomize\.toolkit\.fluxcd\.io/name}')" == remote ]] ||
  fail "Deployment not applied in the remote cluster with owner labels"
[[ "$(rk get deployment remote-web -n apps -o jsonpath='{.status.availableReplicas}')" == 2 ]] ||
  fail "remote Deployment not available"
rk get configmap remote-config -n apps >/dev/null || fail "ConfigMap not applied in the remote cluster"
local_untouched
inv="$(kubectl get kustomization/remote -n apps -o jsonpath='{.status.inventory.entries[*].id}')"
[[ "$inv" == *"apps_remote-web_apps_Deployment"* && "$inv" == *"apps_remote-config__ConfigMap"* ]] || fail "inventory: $inv"
log "secretRef (key value): applied and health-checked in the remote cluster, local cluster untouched"

remote_ks remote-yaml ./yaml-key '{secretRef: {name: remote-value-yaml}}'
remote_ks remote-custom ./custom-key '{secretRef: {name: remote-custom, key: cluster.conf}}'
remote_ks remote-wrong-key ./custom-key '{secretRef: {name: remote-value-yaml, key: cluster.conf}}'
wait_until 30 "value.yaml key applied" rk get configmap from-yaml-key -n apps
wait_until 30 "custom key applied" rk get configmap from-custom-key -n apps
wait_until 30 "missing key refused" ready_reason_is remote-wrong-key ReconciliationFailed
msg="$(field remote-wrong-key Ready message)"
[[ "$msg" == "KubeConfig secret 'apps/remote-value-yaml' does not contain the 'cluster.conf' key with a kubeconfig" ]] ||
  fail "missing-key message: $msg"
local_untouched
log "secretRef keys value.yaml and a custom key work; a missing key is named: $msg"

# Prune in the remote cluster.
rm "$WORK/src/fleet/remote/app.yaml"
cat >"$WORK/src/fleet/remote/app.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: remote-web, namespace: apps}
spec:
  replicas: 2
  selector: {matchLabels: {app: remote-web}}
  template:
    metadata: {labels: {app: remote-web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
YAML
sha2="$(commit_push fleet "drop remote-config")"
request_reconcile gitrepository/fleet apps
wait_until 60 "remote Kustomization at the new revision" applied_at remote "$sha2"
wait_until 20 "remote-config pruned in the remote cluster" bash -c \
  "! kubectl --kubeconfig '$REMOTE_KUBECONFIG' get configmap remote-config -n apps"
rk get deployment remote-web -n apps >/dev/null || fail "remote-web pruned by mistake"
local_untouched
log "prune deleted remote-config in the remote cluster only"

# --- 2. configMapRef, provider generic ----------------------------------------------
kubectl create serviceaccount deployer -n apps >/dev/null
# kubectl's own TokenRequest: the remote cluster accepts the token for its audience only.
token="$(kubectl create token deployer -n apps --audience remote-cluster)"
[[ "$(rk --token "$token" auth whoami -o jsonpath='{.status.userInfo.username}')" == system:serviceaccount:apps:deployer ]] ||
  fail "remote cluster does not accept the local service-account token"
local_token="$(kubectl create token deployer -n apps)"
! rk --token "$local_token" auth whoami >/dev/null 2>&1 || fail "remote cluster accepted a token for another audience"
REMOTE_CA="$WORK/remote/pki/ca.crt"
[[ -s "$REMOTE_CA" ]] || fail "remote CA not found at $REMOTE_CA"
kubectl create configmap remote-wi -n apps --from-literal=provider=generic \
  --from-literal=address="https://127.0.0.1:$REMOTE_PORT" --from-file=ca.crt="$REMOTE_CA" \
  --from-literal=audiences=remote-cluster --from-literal=serviceAccountName=deployer >/dev/null
remote_ks wi ./wi '{configMapRef: {name: remote-wi}}'
wait_until 30 "workload-identity Kustomization applied" applied_at wi "$sha2"
[[ "$(field wi Ready status)" == True ]] || fail "wi not Ready: $(field wi Ready message)"
[[ "$(rk get configmap via-workload-identity -n apps -o jsonpath='{.metadata.labels.kustomize\.toolkit\.fluxcd\.io/name}')" == wi ]] ||
  fail "via-workload-identity not applied in the remote cluster"
local_untouched
log "configMapRef generic: applied in the remote cluster with a TokenRequest token"

# The remote cluster sees system:serviceaccount:apps:deployer, whom RBAC keeps in namespace apps.
remote_ks wi-escape ./wi-escape '{configMapRef: {name: remote-wi}}'
wait_until 30 "write outside the account's namespace refused" ready_reason_is wi-escape ReconciliationFailed
msg="$(field wi-escape Ready message)"
[[ "$msg" == "ConfigMap/elsewhere/intruder dry-run failed (Forbidden): "*'User "system:serviceaccount:apps:deployer" cannot patch resource "configmaps" in API group "" in the namespace "elsewhere"'* ]] ||
  fail "wi-escape message: $msg"
! rk get configmap intruder -n elsewhere >/dev/null 2>&1 || fail "intruder written in the remote cluster"
log "the remote cluster authenticated the token as system:serviceaccount:apps:deployer (RBAC applied)"

# Without data.serviceAccountName: --default-kubeconfig-service-account (deployer) in the Kustomization's namespace.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: via-default-account, namespace: apps}\ndata: {k: v}\n' \
  >"$WORK/src/fleet/wi-default/cm.yaml"
sha3="$(commit_push fleet "default account")"
request_reconcile gitrepository/fleet apps
kubectl create configmap remote-wi-default -n apps --from-literal=provider=generic \
  --from-literal=address="127.0.0.1:$REMOTE_PORT" --from-file=ca.crt="$REMOTE_CA" \
  --from-literal=audiences=remote-cluster >/dev/null
remote_ks wi-default ./wi-default '{configMapRef: {name: remote-wi-default}}'
wait_until 30 "default kubeconfig service account applied" applied_at wi-default "$sha3"
rk get configmap via-default-account -n apps >/dev/null || fail "via-default-account not in the remote cluster"
local_untouched
log "configMapRef without serviceAccountName: --default-kubeconfig-service-account used (address without scheme = https)"

# A token for another audience is not accepted by the remote cluster.
kubectl create configmap remote-wrong-audience -n apps --from-literal=provider=generic \
  --from-literal=address="https://127.0.0.1:$REMOTE_PORT" --from-file=ca.crt="$REMOTE_CA" \
  --from-literal=audiences=some-other-cluster --from-literal=serviceAccountName=deployer >/dev/null
remote_ks wi-audience ./wi '{configMapRef: {name: remote-wrong-audience}}'
wait_until 30 "wrong audience refused" ready_reason_is wi-audience ReconciliationFailed
msg="$(field wi-audience Ready message)"
[[ "$msg" == *"Unauthorized"* ]] || fail "wrong-audience message: $msg"
log "a token for another audience is refused: $msg"

# Cloud providers: a clear Ready=False naming the provider.
kubectl create configmap remote-aws -n apps --from-literal=provider=aws \
  --from-literal=cluster=arn:aws:eks:eu-central-1:123456789012:cluster/prod >/dev/null
remote_ks wi-aws ./wi '{configMapRef: {name: remote-aws}}'
wait_until 30 "aws provider refused" ready_reason_is wi-aws ReconciliationFailed
msg="$(field wi-aws Ready message)"
[[ "$msg" == "spec.kubeConfig.configMapRef: provider 'aws' of ConfigMap 'apps/remote-aws' is not supported"* ]] ||
  fail "aws message: $msg"
log "provider aws: $msg"

# Exactly one of secretRef / configMapRef (refused at admission, or by the controller).
if kubectl apply -f - >"$WORK/both.out" 2>&1 <<YAML
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: both, namespace: apps}
spec: {interval: 10m, prune: true, path: ./wi, sourceRef: {kind: GitRepository, name: fleet},
       kubeConfig: {secretRef: {name: remote-value}, configMapRef: {name: remote-wi}}}
YAML
then
  wait_until 30 "both refs refused" ready_reason_is both ReconciliationFailed
  [[ "$(field both Ready message)" == "spec.kubeConfig: exactly one of secretRef or configMapRef must be specified (both are set)" ]] ||
    fail "both message: $(field both Ready message)"
  [[ "$(field both Stalled status)" == True ]] || fail "both refs not Stalled"
  log "secretRef + configMapRef: Stalled, $(field both Ready message)"
else
  grep -q "exactly one of secretRef or configMapRef must be set" "$WORK/both.out" || fail "both refs: $(cat "$WORK/both.out")"
  log "secretRef + configMapRef refused at admission"
fi
local_untouched
log "PASS: kustomize remote (secretRef and configMapRef/generic apply, health-check and prune in the remote cluster)"
