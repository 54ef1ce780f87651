#!/usr/bin/env bash
# End-to-end check of dev-apiserver with the real kubectl (v1.32).
# Usage: kubectl_smoke_test.sh <path to dev-apiserver binary>
set -euo pipefail

BIN=${1:?usage: kubectl_smoke_test.sh <dev-apiserver binary>}
if ! command -v kubectl >/dev/null; then
  echo "SKIP: kubectl not installed"
  exit 77
fi
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
export KUBECONFIG=$TMP/kubeconfig
export KUBECACHEDIR=$TMP/cache
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- server log (tail) ---" >&2
  tail -n 30 "$TMP/server.log" >&2 || true
  exit 1
}
step() { echo "=== $*"; }
# expect_eq <actual> <expected> <what>
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"; }
# expect_grep <pattern> <text> <what>
expect_grep() { grep -qE -- "$1" <<<"$2" || fail "$3: no match for /$1/ in:
$2"; }

start_server() {
  rm -f "$KUBECONFIG"
  "$BIN" --listen 127.0.0.1:0 --data-dir "$TMP/data" --kubeconfig-out "$KUBECONFIG" >>"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [[ -s "$KUBECONFIG" ]] && kubectl version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "server did not come up"
}

step "start"
start_server
expect_grep 'Server Version: v1.32.0-fluxcpp' "$(kubectl version)" "kubectl version"
expect_grep '^default +Active' "$(kubectl get ns)" "default namespace"

step "create namespace (protobuf body)"
kubectl create namespace smoke
expect_eq "$(kubectl get ns smoke -o jsonpath='{.status.phase}')" "Active" "namespace phase"
expect_grep 'namespaces "smoke" already exists' "$(kubectl create namespace smoke 2>&1 || true)" "AlreadyExists"

step "client-side apply of a ConfigMap and a Deployment, then a change"
cat >"$TMP/app.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: smoke
  labels: {app: web}
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: smoke
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
YAML
out=$(kubectl apply -f "$TMP/app.yaml")
expect_grep 'configmap/settings created' "$out" "apply cm"
expect_grep 'deployment.apps/web created' "$out" "apply deploy"
expect_eq "$(kubectl get deploy web -n smoke -o jsonpath='{.metadata.generation}')" "1" "generation after create"
sed -i 's/nginx:1.25/nginx:1.27/; s/color: blue/color: green/; /name: B/d' "$TMP/app.yaml"
out=$(kubectl apply -f "$TMP/app.yaml")
expect_grep 'deployment.apps/web configured' "$out" "re-apply deploy"
expect_eq "$(kubectl get deploy web -n smoke -o jsonpath='{.spec.template.spec.containers[0].image}')" "nginx:1.27" "image updated"
expect_eq "$(kubectl get deploy web -n smoke -o jsonpath='{.spec.template.spec.containers[0].env[*].name}')" "A" "env B removed"
expect_eq "$(kubectl get deploy web -n smoke -o jsonpath='{.metadata.generation}')" "2" "generation bumped"
expect_eq "$(kubectl get cm settings -n smoke -o jsonpath='{.data.color}')" "green" "cm updated"
rv_before=$(kubectl get deploy web -n smoke -o jsonpath='{.metadata.resourceVersion}')
expect_grep 'deployment.apps/web unchanged' "$(kubectl apply -f "$TMP/app.yaml")" "no-op apply"
expect_eq "$(kubectl get deploy web -n smoke -o jsonpath='{.metadata.resourceVersion}')" "$rv_before" "no-op keeps resourceVersion"
expect_grep '^web +[02]/2 +[02] +[02] ' "$(kubectl get deploy -n smoke)" "deployment columns"
expect_grep '^settings +1 ' "$(kubectl get cm -n smoke --no-headers)" "configmap DATA column"

step "simulated rollout, scale"
expect_grep 'successfully rolled out' "$(timeout 20 kubectl rollout status deploy/web -n smoke)" "rollout status"
kubectl scale deploy web -n smoke --replicas=3 >/dev/null
kubectl wait --for=jsonpath='{.status.readyReplicas}'=3 deploy/web -n smoke --timeout=10s >/dev/null
expect_eq "$(kubectl get deploy web -n smoke -o jsonpath='{.spec.replicas}')" "3" "scaled"

step "server-side apply twice, removing a field"
cat >"$TMP/ssa.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: smoke
  labels: {keep: "yes", drop: "yes"}
data:
  keep: "1"
  drop: "2"
YAML
expect_grep 'configmap/ssa serverside-applied' "$(kubectl apply --server-side -f "$TMP/ssa.yaml")" "ssa create"
expect_eq "$(kubectl get cm ssa -n smoke -o jsonpath='{.data.drop}')" "2" "applied field present"
expect_eq "$(kubectl get cm ssa -n smoke -o jsonpath='{.metadata.managedFields[0].manager}/{.metadata.managedFields[0].operation}')" "kubectl/Apply" "managedFields entry"
sed -i '/drop: "2"/d; s/, drop: "yes"//' "$TMP/ssa.yaml"
kubectl apply --server-side -f "$TMP/ssa.yaml" >/dev/null
expect_eq "$(kubectl get cm ssa -n smoke -o jsonpath='{.data}')" '{"keep":"1"}' "field removed by re-apply"
expect_eq "$(kubectl get cm ssa -n smoke -o jsonpath='{.metadata.labels}')" '{"keep":"yes"}' "label removed by re-apply"
rv_before=$(kubectl get cm ssa -n smoke -o jsonpath='{.metadata.resourceVersion}')
kubectl apply --server-side -f "$TMP/ssa.yaml" >/dev/null
expect_eq "$(kubectl get cm ssa -n smoke -o jsonpath='{.metadata.resourceVersion}')" "$rv_before" "no-op server-side apply"

step "patch types"
kubectl patch cm settings -n smoke --type=merge -p '{"data":{"size":"xl"}}' >/dev/null
kubectl patch cm settings -n smoke --type=json -p '[{"op":"remove","path":"/data/color"}]' >/dev/null
expect_eq "$(kubectl get cm settings -n smoke -o jsonpath='{.data}')" '{"size":"xl"}' "merge+json patch"
expect_grep 'testing value /data/size failed' "$(kubectl patch cm settings -n smoke --type=json -p '[{"op":"test","path":"/data/size","value":"s"}]' 2>&1 || true)" "failed json patch test"

step "CRD, custom resource, defaulting"
kubectl apply -f "$HERE/testdata/widget-crd.yaml" >/dev/null
kubectl wait --for=condition=Established crd/widgets.test.fluxcpp.io --timeout=10s >/dev/null
expect_grep 'widgets +wd +test.fluxcpp.io/v1 +true +Widget' "$(kubectl api-resources --api-group=test.fluxcpp.io)" "api-resources"
kubectl apply -f "$HERE/testdata/widget.yaml" >/dev/null
expect_eq "$(kubectl get widget w1 -n smoke -o jsonpath='{.spec.interval}|{.spec.ref.branch}|{.status.observedGeneration}')" "5m|main|-1" "schema defaults"
expect_eq "$(kubectl get wd w1 -n smoke -o jsonpath='{.metadata.generation}')" "1" "CR generation"

step "status subresource, kubectl wait, printer columns"
kubectl patch widget w1 -n smoke --subresource=status --type=merge \
  -p '{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Succeeded","message":"ok","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}' >/dev/null
kubectl patch widget w1 -n smoke --type=merge -p '{"status":{"observedGeneration":99}}' >/dev/null
expect_eq "$(kubectl get widget w1 -n smoke -o jsonpath='{.status.observedGeneration}|{.metadata.generation}')" "1|1" "main resource ignores status"
expect_grep 'condition met' "$(kubectl wait --for=condition=Ready widget/w1 -n smoke --timeout=10s)" "kubectl wait"
out=$(kubectl get widgets -n smoke)
expect_grep '^NAME +URL +READY +AGE' "$out" "printer column headers"
expect_grep '^w1 +https://example.com/repo +True +[0-9]+s' "$out" "printer column values"
out=$(kubectl get widgets,configmaps -A)
expect_grep 'smoke +widget.test.fluxcpp.io/w1 +https://example.com/repo +True' "$out" "multi-resource get -A"
expect_grep 'smoke +configmap/settings' "$out" "multi-resource get -A (cm)"
out=$(kubectl get widget w1 -n smoke -o yaml)
expect_grep '^kind: Widget' "$out" "-o yaml kind"
expect_grep 'uid: [0-9a-f-]{36}' "$out" "-o yaml uid"
expect_grep 'creationTimestamp: "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"' "$out" "-o yaml creationTimestamp"

step "errors read like kube-apiserver's"
expect_grep 'Error from server \(NotFound\): widgets.test.fluxcpp.io "nope" not found' "$(kubectl get widget nope -n smoke 2>&1 || true)" "NotFound message"
expect_grep 'namespaces "ghost" not found' "$(kubectl create configmap x -n ghost 2>&1 || true)" "missing namespace"

step "watch"
(timeout 3 kubectl get cm -n smoke -w --output-watch-events >"$TMP/watch.out" 2>&1 || true) &
WATCH_PID=$!
sleep 1
kubectl patch cm settings -n smoke --type=merge -p '{"data":{"w":"1"}}' >/dev/null
kubectl delete cm ssa -n smoke >/dev/null
wait $WATCH_PID
watch_out=$(cat "$TMP/watch.out")
expect_grep '^ADDED +settings' "$watch_out" "watch initial ADDED"
expect_grep '^MODIFIED +settings +2 ' "$watch_out" "watch MODIFIED"
expect_grep '^DELETED +ssa' "$watch_out" "watch DELETED"

step "finalizers hold deletion"
kubectl patch widget w1 -n smoke --type=merge -p '{"metadata":{"finalizers":["test.fluxcpp.io/hold"]}}' >/dev/null
kubectl delete widget w1 -n smoke --wait=false >/dev/null
expect_grep '^[0-9]{4}-.*Z$' "$(kubectl get widget w1 -n smoke -o jsonpath='{.metadata.deletionTimestamp}')" "deletionTimestamp set"
kubectl patch widget w1 -n smoke --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null
expect_grep 'NotFound' "$(kubectl get widget w1 -n smoke 2>&1 || true)" "deleted after finalizer removal"

step "dry run"
kubectl create configmap dry -n smoke --from-literal=a=b --dry-run=server >/dev/null
expect_grep 'NotFound' "$(kubectl get cm dry -n smoke 2>&1 || true)" "dry-run stores nothing"

step "kill -9 and restart on the same data dir"
kubectl apply -f "$HERE/testdata/widget.yaml" >/dev/null
rv_before=$(kubectl get cm settings -n smoke -o jsonpath='{.metadata.resourceVersion}')
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
start_server
expect_eq "$(kubectl get cm settings -n smoke -o jsonpath='{.data.w}')" "1" "ConfigMap survived"
expect_eq "$(kubectl get widget w1 -n smoke -o jsonpath='{.spec.url}')" "https://example.com/repo" "custom resource survived"
kubectl create configmap after-restart -n smoke --from-literal=a=b >/dev/null
rv_after=$(kubectl get cm after-restart -n smoke -o jsonpath='{.metadata.resourceVersion}')
(( rv_after > rv_before )) || fail "resourceVersion did not grow across restart ($rv_before -> $rv_after)"

step "namespace deletion removes its contents"
kubectl delete namespace smoke --timeout=20s >/dev/null
expect_grep 'NotFound' "$(kubectl get ns smoke 2>&1 || true)" "namespace gone"
expect_eq "$(kubectl get widgets -A -o name)" "" "namespaced contents gone"

echo "PASS"
