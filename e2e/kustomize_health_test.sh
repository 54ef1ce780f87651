#!/usr/bin/env bash
# Kustomization e2e: health checks that do not hold workers (Flux issue
# #5622). With ONE worker (--concurrent=1) a Kustomization whose Deployment
# never becomes Available must not delay a healthy one; it fails with Flux's
# HealthCheckFailed message after its timeout; a new source revision cancels
# a pending health wait; wait: true and healthChecks both gate Ready.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-health.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_source_controller
start_kustomize_controller --concurrent=1
start_git_server
new_repo health
cp -r "$FLUXCPP_ROOT/e2e/testdata/kustomize/health/." "$WORK/src/health/"
sha1="$(commit_push health "stuck and healthy apps")"

kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: health, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/health.git", ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: stuck, namespace: flux-system}
spec:
  interval: 10m
  retryInterval: 1m
  timeout: 30s
  sourceRef: {kind: GitRepository, name: health}
  path: ./stuck
  prune: true
  wait: true
YAML
wait_condition 30 "stuck to start its health checks" kustomization/stuck flux-system Healthy status Unknown
[[ "$(condition kustomization/stuck flux-system Reconciling message)" == "Running health checks for revision main@sha1:$sha1 with a timeout of 30s" ]] ||
  fail "Reconciling message: $(condition kustomization/stuck flux-system Reconciling message)"
[[ "$(condition kustomization/stuck flux-system Ready status)" == Unknown ]] || fail "stuck Ready should be Unknown while waiting"
[[ -n "$(jp kustomization/stuck flux-system '{.status.inventory.entries[*].id}')" ]] || fail "inventory not recorded while waiting"
t0=$SECONDS
kubectl apply -f - >/dev/null <<YAML
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: healthy, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: health}
  path: ./healthy
  prune: true
  wait: true
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: checks, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: health}
  path: ./healthy
  prune: false
  healthChecks:
    - {kind: Deployment, name: app, namespace: healthy}
YAML
wait_until 10 "healthy and checks Ready while stuck still waits (one worker)" bash -c \
  "[[ \"\$(kubectl get kustomization/healthy -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}')\" == True &&
     \"\$(kubectl get kustomization/checks -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}')\" == True ]]"
[[ "$(condition kustomization/stuck flux-system Healthy status)" == Unknown ]] || fail "stuck finished too early"
log "healthy Kustomizations Ready in $((SECONDS - t0))s while 'stuck' waits on health with the only worker free"
[[ "$(condition kustomization/healthy flux-system Healthy message)" == "Health check passed in "* ]] || fail "healthy Healthy message"
[[ "$(condition kustomization/checks flux-system Healthy status)" == True ]] || fail "checks Healthy"

# --- the stuck rollout fails after the timeout with Flux's message --------
wait_condition 45 "stuck HealthCheckFailed" kustomization/stuck flux-system Ready reason HealthCheckFailed
msg="$(condition kustomization/stuck flux-system Ready message)"
[[ "$msg" =~ ^health\ check\ failed\ after\ [0-9.]+m?s:\ timeout\ waiting\ for:\ \[Deployment/stuck/app\ status:\ \'InProgress\'\]$ ]] ||
  fail "HealthCheckFailed message: $msg"
[[ "$(condition kustomization/stuck flux-system Healthy status)" == False ]] || fail "Healthy should be False"
[[ "$(condition kustomization/stuck flux-system Healthy reason)" == HealthCheckFailed ]] || fail "Healthy reason"
[[ "$(condition kustomization/stuck flux-system Reconciling reason)" == ProgressingWithRetry ]] || fail "Reconciling reason after failure"
[[ -z "$(jp kustomization/stuck flux-system '{.status.lastAppliedRevision}')" ]] || fail "lastAppliedRevision set on failure"
[[ "$(jp kustomization/stuck flux-system '{.status.lastAttemptedRevision}')" == "main@sha1:$sha1" ]] || fail "lastAttemptedRevision"
[[ "$(jp kustomization/stuck flux-system '{.status.history[0].lastReconciledStatus}')" == HealthCheckFailed ]] || fail "history"
log "stuck: $msg"

# --- a new revision cancels a pending wait; the fixed rollout becomes Ready --
sed -i 's/podinfo:6.5.0/podinfo:6.5.1/' "$WORK/src/health/stuck/deployment.yaml"
sha2="$(commit_push health "still stuck, new image")"
request_reconcile gitrepository/health flux-system
wait_until 30 "stuck waiting on revision $sha2" bash -c \
  "[[ \"\$(kubectl get kustomization/stuck -n flux-system -o 'jsonpath={.status.conditions[?(@.type==\"Reconciling\")].message}')\" == *$sha2* ]]"
sed -i '/simulate/d; /leaves this rollout/d; /annotations:/d' "$WORK/src/health/stuck/deployment.yaml"
sha3="$(commit_push health "let the rollout finish")"
request_reconcile gitrepository/health flux-system
wait_until 20 "stuck Ready at $sha3 (pending wait for $sha2 cancelled)" bash -c \
  "[[ \"\$(kubectl get kustomization/stuck -n flux-system -o jsonpath='{.status.lastAppliedRevision}')\" == main@sha1:$sha3 ]]"
[[ "$(condition kustomization/stuck flux-system Ready status)" == True ]] || fail "stuck not Ready"
[[ "$(condition kustomization/stuck flux-system Healthy status)" == True ]] || fail "stuck not Healthy"
[[ -z "$(condition kustomization/stuck flux-system Reconciling status)" ]] || fail "Reconciling left behind"
wait_until 10 "HealthCheckCanceled event" bash -c "kubectl get events -n flux-system | grep -q HealthCheckCanceled"
log "PASS: kustomize health (non-blocking waits, failure message, cancel on new revision)"
