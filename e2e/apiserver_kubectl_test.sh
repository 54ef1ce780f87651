#!/usr/bin/env bash
# dev-apiserver with real kubectl, over HTTPS with RBAC (issue 3): apply
# (client-side, server-side, conflicts), get in every output form, describe,
# patches of each type, label/annotate, scale, finalizers, wait, explain,
# server-side apply list merging per manager, built-in schemas (explain,
# strict field validation),
# bounded watch, auth can-i --as, tenant 403s worded as kube, Flux CRDs with
# defaulting, pruning and validation errors, simulated workload failures.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-api.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

expect_fail() {  # expect_fail PATTERN CMD... : CMD must fail and print PATTERN (fixed string)
  local pattern="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then fail "expected failure: $* (got: $out)"; fi
  grep -qF -- "$pattern" <<<"$out" || fail "expected '$pattern' from: $*; got: $out"
}
expect_out() {  # expect_out PATTERN CMD...
  local pattern="$1"; shift
  local out
  out="$("$@" 2>&1)" || fail "command failed: $* ($out)"
  grep -qF -- "$pattern" <<<"$out" || fail "expected '$pattern' from: $*; got: $out"
}

cat >"$WORK/tokens.csv" <<'EOF'
tenant-token,system:serviceaccount:apps:tenant,uid-tenant
alice-token,alice,uid-alice,"team-a,devs"
EOF
API_PORT="$(free_port)"
start_bg dev-apiserver "$BIN/dev-apiserver" --listen "127.0.0.1:$API_PORT" --data-dir "$WORK/apiserver" \
  --kubeconfig-out "$KUBECONFIG" --tls --authorization-mode=RBAC --token-auth-file "$WORK/tokens.csv"
wait_until 20 "dev-apiserver to serve" kubectl get --raw /version
grep -q "server: https://" "$KUBECONFIG" || fail "kubeconfig is not https"
sed 's/token: .*/token: tenant-token/' "$KUBECONFIG" >"$WORK/tenant.kubeconfig"
tenant() { KUBECONFIG="$WORK/tenant.kubeconfig" kubectl "$@"; }

log "auth: admin token, client certificate, unknown token"
expect_out "default" kubectl get ns
expect_out "system:masters" kubectl --context dev-cert auth whoami
expect_fail "Unauthorized" kubectl --token nope get ns
expect_out "team-a" kubectl --token alice-token auth whoami

log "RBAC: tenant confined to its namespace"
kubectl create namespace apps >/dev/null
kubectl -n apps create serviceaccount tenant >/dev/null
[[ "$(kubectl auth can-i create deployments -n apps --as system:serviceaccount:apps:tenant 2>&1)" == no ]] ||
  fail "tenant allowed before binding"
kubectl -n apps create rolebinding tenant-admin --clusterrole=cluster-admin --serviceaccount=apps:tenant >/dev/null
[[ "$(kubectl auth can-i create deployments -n apps --as system:serviceaccount:apps:tenant)" == yes ]] ||
  fail "can-i in apps"
[[ "$(kubectl auth can-i create deployments -n default --as system:serviceaccount:apps:tenant 2>&1)" == no ]] ||
  fail "can-i in default"
cat >"$WORK/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
EOF
tenant -n apps apply --server-side -f "$WORK/deploy.yaml" >/dev/null || fail "tenant apply in its namespace"
expect_fail 'deployments.apps "web" is forbidden: User "system:serviceaccount:apps:tenant" cannot patch resource "deployments" in API group "apps" in the namespace "default"' \
  tenant -n default apply --server-side -f "$WORK/deploy.yaml"
expect_fail 'User "system:serviceaccount:apps:tenant" cannot list resource "deployments" in API group "apps" at the cluster scope' \
  tenant get deployments -A
expect_fail 'cannot watch resource "configmaps" in API group "" in the namespace "default"' \
  tenant get --raw '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1'
tenant get --raw '/api/v1/namespaces/apps/configmaps?watch=1&timeoutSeconds=1' >/dev/null || fail "tenant watch in apps"
expect_fail 'users "bob" is forbidden: User "alice" cannot impersonate resource "users"' \
  kubectl --token alice-token get pods --as bob
kubectl create role pod-reader -n apps --verb=get,list --resource=pods,deployments/status >/dev/null
kubectl create rolebinding alice-reads -n apps --role=pod-reader --user=alice >/dev/null
[[ "$(kubectl auth can-i list pods -n apps --as alice)" == yes ]] || fail "alice list pods"
[[ "$(kubectl auth can-i get deployments --subresource=status -n apps --as alice)" == yes ]] || fail "alice deployments/status"
[[ "$(kubectl auth can-i get deployments -n apps --as alice 2>&1)" == no ]] || fail "alice deployments"
[[ "$(kubectl auth can-i list pods -n apps --as bob --as-group team-x 2>&1)" == no ]] || fail "bob"
kubectl create clusterrolebinding team-view --clusterrole=view --group=team-a >/dev/null
[[ "$(kubectl auth can-i list secrets -A --as carol --as-group team-a)" == yes ]] || fail "group binding"

log "CRDs: apply, defaulting, pruning, validation wording"
kubectl apply -f "$FLUXCPP_ROOT/manifests/" >/dev/null
kubectl wait --for=condition=Established --timeout=30s crd/gitrepositories.source.toolkit.fluxcd.io >/dev/null
cat >"$WORK/bad.yaml" <<'EOF'
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: bad}
spec: {url: "ftp://x", interval: 5m}
EOF
expect_fail $'The GitRepository "bad" is invalid: spec.url: Invalid value: "ftp://x": spec.url in body should match \'^(http|https|ssh|git)://.*$\'' \
  kubectl apply -f "$WORK/bad.yaml"
cat >"$WORK/missing.yaml" <<'EOF'
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: missing}
spec: {interval: 5m}
EOF
expect_fail 'The GitRepository "missing" is invalid: spec.url: Required value' kubectl create -f "$WORK/missing.yaml"
cat >"$WORK/extra.yaml" <<'EOF'
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: extra}
spec: {url: "https://example.com/x", interval: 5m, bogus: 1}
EOF
expect_fail 'strict decoding error: unknown field "spec.bogus"' kubectl apply -f "$WORK/extra.yaml"
kubectl apply --validate=false -f "$WORK/extra.yaml" >/dev/null
[[ -z "$(kubectl get gitrepository extra -o jsonpath='{.spec.bogus}')" ]] || fail "spec.bogus not pruned"
[[ "$(kubectl get gitrepository extra -o jsonpath='{.spec.timeout}')" == 60s ]] || fail "spec.timeout not defaulted"
expect_out "FIELD: url <string>" kubectl explain gitrepository.spec.url
expect_out "gitrepositories" kubectl api-resources --api-group=source.toolkit.fluxcd.io
expect_out "selfsubjectaccessreviews" kubectl api-resources
kubectl get all -n apps >/dev/null || fail "get all"

log "client-side apply, get forms, describe, patches"
kubectl apply -f "$WORK/deploy.yaml" >/dev/null
kubectl apply -f "$WORK/deploy.yaml" | grep -q unchanged || fail "re-apply not unchanged"
expect_out "READY" kubectl get deploy web
[[ "$(kubectl get deploy web -o jsonpath='{.spec.replicas}')" == 2 ]] || fail jsonpath
kubectl get deploy web -o json | python3 -c 'import json,sys; assert json.load(sys.stdin)["kind"]=="Deployment"' || fail "-o json"
expect_out "kind: Deployment" kubectl get deploy web -o yaml
expect_out "Replicas:" kubectl describe deploy web
kubectl patch deploy web --type=merge -p '{"metadata":{"labels":{"m":"1"}}}' >/dev/null
kubectl patch deploy web --type=json -p '[{"op":"add","path":"/metadata/labels/j","value":"2"}]' >/dev/null
kubectl patch deploy web --type=strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}' >/dev/null
kubectl label deploy web l=3 >/dev/null
kubectl annotate deploy web a=4 >/dev/null
[[ "$(kubectl get deploy web -o jsonpath='{.metadata.labels.m}{.metadata.labels.j}{.metadata.labels.l}{.metadata.annotations.a}')" == 1234 ]] ||
  fail "patch results"
[[ "$(kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}')" == nginx:1.28 ]] || fail "smp"
kubectl scale deploy web --replicas=4 >/dev/null
kubectl rollout status deploy/web --timeout=20s >/dev/null || fail "rollout status after scale"

log "server-side apply conflicts"
sed 's/replicas: 2/replicas: 7/' "$WORK/deploy.yaml" >"$WORK/deploy7.yaml"
expect_fail 'conflict' kubectl apply --server-side --field-manager=other -f "$WORK/deploy7.yaml"
kubectl apply --server-side --field-manager=other --force-conflicts -f "$WORK/deploy7.yaml" >/dev/null
[[ "$(kubectl get deploy web -o jsonpath='{.spec.replicas}')" == 7 ]] || fail "force-conflicts"

log "server-side apply merges list items per manager"
cat >"$WORK/lists-a.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: lists}
spec:
  selector: {matchLabels: {app: lists}}
  template:
    metadata: {labels: {app: lists}}
    spec:
      containers:
      - name: app
        image: nginx:1
        env: [{name: A, value: "1"}]
        ports: [{containerPort: 80}]
EOF
cat >"$WORK/lists-b.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: lists}
spec:
  template:
    spec:
      containers:
      - name: app
        env: [{name: B, value: "2"}]
      - name: sidecar
        image: busybox
EOF
kubectl apply --server-side --field-manager=a -f "$WORK/lists-a.yaml" >/dev/null
kubectl apply --server-side --field-manager=b -f "$WORK/lists-b.yaml" >/dev/null
lists() { kubectl get deploy lists -o jsonpath='{range .spec.template.spec.containers[*]}{.name}={.image}[{range .env[*]}{.name}{end}]{" "}{end}'; }
[[ "$(lists)" == 'app=nginx:1[AB] sidecar=busybox[] ' ]] || fail "containers/env not merged: $(lists)"
fields="$(kubectl get deploy lists -o json --show-managed-fields)"
grep -qF '"k:{\"name\":\"sidecar\"}"' <<<"$fields" || fail "no per-item ownership in managedFields"
grep -qF '"k:{\"containerPort\":80,\"protocol\":\"TCP\"}"' <<<"$fields" || fail "no port item key in managedFields"
# b changing a's image conflicts on that item field only.
cat >"$WORK/lists-b2.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: lists}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:2
EOF
expect_fail 'conflict with "a" using apps/v1: .spec.template.spec.containers[name="app"].image' \
  kubectl apply --server-side --field-manager=b -f "$WORK/lists-b2.yaml"
# b stops applying its env var and the sidecar (co-owning a's image): only those go.
sed 's/nginx:2/nginx:1/' "$WORK/lists-b2.yaml" >"$WORK/lists-b3.yaml"
kubectl apply --server-side --field-manager=b -f "$WORK/lists-b3.yaml" >/dev/null
[[ "$(lists)" == 'app=nginx:1[A] ' ]] || fail "b's items not removed: $(lists)"

log "built-in schemas: explain and strict field validation"
expect_out "FIELD: replicas <integer>" kubectl explain deployment.spec.replicas
expect_out "containerPort" kubectl explain pod.spec.containers.ports
expect_out "roleRef" kubectl explain rolebinding
cat >"$WORK/unknown.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: unknown}
spec:
  replicas: 1
  replicaz: 2
  selector: {matchLabels: {app: unknown}}
  template:
    metadata: {labels: {app: unknown}}
    spec: {containers: [{name: c, image: nginx}]}
EOF
expect_fail 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"' \
  kubectl apply --validate=strict -f "$WORK/unknown.yaml"
expect_fail 'unknown field "spec.replicaz"' kubectl create -f "$WORK/unknown.yaml"
kubectl apply --validate=false -f "$WORK/unknown.yaml" >/dev/null || fail "--validate=false"

log "finalizers, wait --for=delete, dry run"
kubectl create configmap held --from-literal=a=b >/dev/null
kubectl patch configmap held --type=merge -p '{"metadata":{"finalizers":["example.com/hold"]}}' >/dev/null
kubectl delete configmap held --wait=false >/dev/null
[[ -n "$(kubectl get configmap held -o jsonpath='{.metadata.deletionTimestamp}')" ]] || fail "deletionTimestamp"
kubectl patch configmap held --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null
kubectl wait --for=delete configmap/held --timeout=10s >/dev/null || fail "wait --for=delete"
kubectl create configmap dry --from-literal=a=b --dry-run=server >/dev/null
expect_fail 'configmaps "dry" not found' kubectl get configmap dry

log "wait --for=condition on a status written via the API"
kubectl apply -f "$WORK/extra.yaml" --validate=false >/dev/null
kubectl patch gitrepository extra --subresource=status --type=merge \
  -p '{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Succeeded","message":"ok","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}' >/dev/null
kubectl wait --for=condition=Ready gitrepository/extra --timeout=10s >/dev/null || fail "wait condition"
expect_fail "is invalid" kubectl patch gitrepository extra --subresource=status --type=merge \
  -p '{"status":{"observedGeneration":"x"}}'

log "bounded watch"
( sleep 1; kubectl create configmap watched --from-literal=a=b >/dev/null ) &
out="$(kubectl get configmaps --watch --request-timeout=4s 2>&1 || true)"
wait
grep -q watched <<<"$out" || fail "watch did not show the new configmap: $out"

log "simulated failures and delays"
cat >"$WORK/fail.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}, annotations: {dev-apiserver.fluxcpp.io/fail: DeadlineExceeded}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: crash, annotations: {dev-apiserver.fluxcpp.io/fail: CrashLoopBackOff}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow, annotations: {dev-apiserver.fluxcpp.io/ready-after: 2s}}
spec:
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec: {containers: [{name: c, image: nginx}]}
EOF
kubectl apply -f "$WORK/fail.yaml" >/dev/null
expect_fail "exceeded its progress deadline" kubectl rollout status deploy/broken --timeout=10s
wait_until 10 "crash loop status" bash -c \
  "kubectl get pod crash -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' | grep -q CrashLoopBackOff"
sleep 0.5
[[ "$(kubectl get deploy slow -o jsonpath='{.status.conditions[?(@.type=="Available")].status}')" == False ]] ||
  fail "slow deployment ready before its delay"
kubectl rollout status deploy/slow --timeout=10s >/dev/null || fail "slow deployment never became ready"

log "PASS"
