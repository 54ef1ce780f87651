#!/usr/bin/env bash
# Leader election: as in Flux, only the elected source-controller serves
# artifacts (--storage-addr); a standby does not listen until it takes over,
# then serves the artifacts it builds.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-leader.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
mkdir -p "$WORK/git" "$WORK/src"
start_git_server
new_repo app
echo "hello" >"$WORK/src/app/README.md"
sha="$(commit_push app "Initial commit")"

# port_except PORT... : a free port other than the given ones (free_port may
# hand out a port again until someone binds it).
port_except() {
  local p
  while p="$(free_port)"; [[ " $* " == *" $p "* ]]; do :; done
  echo "$p"
}
# start_replica NAME PORT : a source-controller candidate for the same Lease.
start_replica() {
  local metrics health
  metrics="$(port_except "$2" "${port_a:-}")"
  health="$(port_except "$2" "${port_a:-}" "$metrics")"
  start_bg "$1" "$BIN/source-controller" --kubeconfig "$KUBECONFIG" \
    --storage-path "$WORK/storage-$1" --storage-addr "127.0.0.1:$2" --storage-adv-addr "127.0.0.1:$2" \
    --artifact-grpc-addr "" --metrics-addr "127.0.0.1:$metrics" --health-addr "127.0.0.1:$health" \
    --git-cache-path "$WORK/git-cache-$1" --enable-leader-election --leader-election-release-on-cancel \
    --leader-election-lease-duration=4s --leader-election-renew-deadline=3s --leader-election-retry-period=500ms
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_a="$(free_port)"
start_replica replica-a "$port_a"
wait_until 30 "replica-a serving" listening "$port_a"
gitrepo app "git://127.0.0.1:$GIT_PORT/app.git" "  ref: {branch: main}"
wait_ready app
[[ "$(revision app)" == "main@sha1:$sha" ]] || fail "revision"
curl -fsS -o /dev/null "$(jp gitrepository/app flux-system '{.status.artifact.url}')" || fail "leader does not serve"

port_b="$(port_except "$port_a")"
start_replica replica-b "$port_b"
sleep 3  # several retry periods: the standby has tried and failed to take the Lease
! listening "$port_b" || fail "standby serves artifacts"
grep -q "artifact server started" "$WORK/logs/replica-b.log" && fail "standby started its artifact server"

# Graceful stop of the leader releases the Lease; the standby takes over.
pid_a="$(awk '$2 == "replica-a" {print $1}' "$WORK/pids")"
kill -TERM -- "-$pid_a"
wait_until 30 "replica-b serving" listening "$port_b"
request_reconcile gitrepository/app flux-system
wait_until 30 "artifact served by replica-b" bash -c \
  "curl -fsS -o /dev/null \"\$(kubectl get gitrepository/app -n flux-system -o jsonpath='{.status.artifact.url}')\" &&
   kubectl get gitrepository/app -n flux-system -o jsonpath='{.status.artifact.url}' | grep -q ':$port_b/'"
log "PASS: source leader"
