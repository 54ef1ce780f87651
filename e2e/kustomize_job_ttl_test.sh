#!/usr/bin/env bash
# Kustomization e2e: Jobs with spec.ttlSecondsAfterFinished that disappear
# during the health wait count as successful (spec §10.12).
#
# Two Kustomizations with wait: true each apply a Job that is still running
# (dev-apiserver leaves it alone); while both wait on health, the Jobs are
# deleted, as the TTL controller does once a Job finishes:
#   - the Job with ttlSecondsAfterFinished: the Kustomization turns
#     Ready=True / Healthy=True ("Health check passed in ...");
#   - the Job without it: the Kustomization keeps waiting and fails with
#     HealthCheckFailed naming the Job as NotFound when its timeout expires.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-jobttl.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_source_controller
start_kustomize_controller
start_git_server
new_repo jobs
job() {  # job NAME [TTL-LINE]
  cat <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
  namespace: default
  annotations: {dev-apiserver.fluxcpp.io/simulate: "false"}
spec:
  ${2:-backoffLimit: 1}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "busybox:1.36", command: ["true"]}]
YAML
}
mkdir -p "$WORK/src/jobs/ttl" "$WORK/src/jobs/nottl"
job migrate "ttlSecondsAfterFinished: 30" >"$WORK/src/jobs/ttl/job.yaml"
job once >"$WORK/src/jobs/nottl/job.yaml"
sha="$(commit_push jobs "jobs")"

kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: jobs, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/jobs.git", ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ttl, namespace: flux-system}
spec: {interval: 10m, retryInterval: 1m, timeout: 30s, wait: true, prune: true, path: ./ttl,
       sourceRef: {kind: GitRepository, name: jobs}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: nottl, namespace: flux-system}
spec: {interval: 10m, retryInterval: 1m, timeout: 30s, wait: true, prune: true, path: ./nottl,
       sourceRef: {kind: GitRepository, name: jobs}}
YAML
field() { condition "kustomization/$1" flux-system "$2" "$3"; }
waiting() { [[ "$(field "$1" Healthy status)" == Unknown ]]; }
wait_until 30 "ttl waiting on its Job" waiting ttl
wait_until 30 "nottl waiting on its Job" waiting nottl
kubectl get job migrate -n default >/dev/null || fail "Job migrate not applied"
log "both Kustomizations wait on a running Job"

# The TTL controller removes finished Jobs; here both go while the checks run.
t0=$SECONDS
kubectl delete job migrate once -n default --wait=false >/dev/null
wait_condition 20 "ttl Ready after its Job disappeared" kustomization/ttl flux-system Ready status True
[[ "$(field ttl Healthy status)" == True && "$(field ttl Healthy message)" == "Health check passed in "* ]] ||
  fail "ttl Healthy: $(field ttl Healthy status) $(field ttl Healthy message)"
[[ "$(jp kustomization/ttl flux-system '{.status.lastAppliedRevision}')" == "main@sha1:$sha" ]] || fail "ttl lastAppliedRevision"
log "Job with ttlSecondsAfterFinished gone during the wait: Ready after $((SECONDS - t0))s"

waiting nottl || fail "nottl stopped waiting: $(field nottl Ready reason) $(field nottl Ready message)"
wait_condition 45 "nottl fails at its timeout" kustomization/nottl flux-system Ready reason HealthCheckFailed
msg="$(field nottl Ready message)"
[[ "$msg" == "health check failed after "*"Job/default/once status: 'NotFound'"* ]] || fail "nottl message: $msg"
log "Job without TTL gone during the wait: $msg"
log "PASS: kustomize job ttl (a vanished TTL Job is success, any other vanished Job is not)"
