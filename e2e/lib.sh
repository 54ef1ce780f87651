#!/usr/bin/env bash
# Shared helpers for the demo and the end-to-end tests: start dev-apiserver,
# the controllers and a Git server as real processes, talk to them with real
# kubectl and git. Source it; it expects FLUXCPP_ROOT and WORK (a scratch dir).
#
# Every process started here is recorded in $WORK/pids; stop_all kills them.

set -euo pipefail

FLUXCPP_ROOT="${FLUXCPP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BIN="${FLUXCPP_BIN_DIR:-$FLUXCPP_ROOT/build/bin}"
: "${WORK:?WORK must be set}"
mkdir -p "$WORK/logs"
export KUBECONFIG="$WORK/kubeconfig"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() {
  log "FAIL: $*"
  dump_logs
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_bg NAME CMD... : runs CMD in its own session, logs to $WORK/logs/NAME.log
start_bg() {
  local name="$1"; shift
  setsid "$@" >"$WORK/logs/$name.log" 2>&1 < /dev/null &
  echo "$! $name" >>"$WORK/pids"
  disown "$!"
}

stop_all() {
  [[ -f "$WORK/pids" ]] || return 0
  while read -r pid name; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done <"$WORK/pids"
  sleep 0.5
  while read -r pid name; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done <"$WORK/pids"
  rm -f "$WORK/pids"
}

dump_logs() {
  [[ "${FLUXCPP_QUIET_LOGS:-}" == 1 ]] && return 0
  for f in "$WORK"/logs/*.log; do
    [[ -f "$f" ]] || continue
    echo "----- $(basename "$f") (last 40 lines) -----" >&2
    tail -n 40 "$f" >&2 || true
  done
}

# wait_until SECONDS DESCRIPTION CMD... : polls CMD every 0.2s.
wait_until() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${timeout}s waiting for: $what"
    sleep 0.2
  done
}

# start_apiserver : dev-apiserver on a free port, kubeconfig in $KUBECONFIG.
# APISERVER_ARGS (optional, word-split) is appended to the defaults, e.g.
# APISERVER_ARGS="--authorization-mode=RBAC".
start_apiserver() {
  API_PORT="$(free_port)"
  local -a extra=()
  read -ra extra <<<"${APISERVER_ARGS:-}"
  start_bg dev-apiserver "$BIN/dev-apiserver" --listen "127.0.0.1:$API_PORT" --data-dir "$WORK/apiserver" \
    --kubeconfig-out "$KUBECONFIG" "${extra[@]}"
  wait_until 20 "dev-apiserver to serve" kubectl get --raw /version
  log "dev-apiserver on 127.0.0.1:$API_PORT (KUBECONFIG=$KUBECONFIG)"
}

install_manifests() {
  kubectl apply -f "$FLUXCPP_ROOT/manifests/" >"$WORK/logs/kubectl-apply-manifests.log"
  kubectl wait --for=condition=Established --timeout=30s \
    crd/gitrepositories.source.toolkit.fluxcd.io crd/kustomizations.kustomize.toolkit.fluxcd.io >/dev/null
}

# start_source_controller [FLAGS...]: source-controller with artifacts on
# 127.0.0.1:$STORAGE_PORT (set here), storage under $WORK/storage.
start_source_controller() {
  STORAGE_PORT="$(free_port)"
  start_bg source-controller "$BIN/source-controller" --kubeconfig "$KUBECONFIG" \
    --storage-path "$WORK/storage" --storage-addr "127.0.0.1:$STORAGE_PORT" --storage-adv-addr "127.0.0.1:$STORAGE_PORT" \
    --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)" "$@"
}

# start_kustomize_controller [FLAGS...]: kustomize-controller requeueing
# dependencies every 2s; FLAGS come last and win.
start_kustomize_controller() {
  start_bg kustomize-controller "$BIN/kustomize-controller" --kubeconfig "$KUBECONFIG" \
    --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)" --requeue-dependency=2s "$@"
}

start_controllers() {
  ARTIFACT_GRPC_PORT="$(free_port)"
  EVENTS_GRPC_PORT="$(free_port)"
  local events="grpc://127.0.0.1:$EVENTS_GRPC_PORT"
  start_bg notification-controller "$BIN/notification-controller" --kubeconfig "$KUBECONFIG" \
    --events-addr "127.0.0.1:$(free_port)" --grpc-addr "127.0.0.1:$EVENTS_GRPC_PORT" \
    --receiverAddr "127.0.0.1:$(free_port)" \
    --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)" --log-level=debug
  start_source_controller --artifact-grpc-addr "127.0.0.1:$ARTIFACT_GRPC_PORT" --events-addr "$events" \
    --artifact-retention-ttl=2s
  start_kustomize_controller --source-grpc-addr "127.0.0.1:$ARTIFACT_GRPC_PORT" --events-addr "$events"
  log "controllers started (artifacts on 127.0.0.1:$STORAGE_PORT)"
}

# Git: a bare repository served by `git daemon`, and a work tree to commit from.
start_git_server() {
  GIT_PORT="$(free_port)"
  mkdir -p "$WORK/git"
  start_bg git-daemon git daemon --base-path="$WORK/git" --export-all --reuseaddr --listen=127.0.0.1 \
    --port="$GIT_PORT" "$WORK/git"
  wait_until 10 "git daemon" bash -c "exec 3<>/dev/tcp/127.0.0.1/$GIT_PORT"
}

# new_repo NAME : creates $WORK/git/NAME.git and a clone in $WORK/src/NAME on branch main.
new_repo() {
  local name="$1"
  git init -q --bare -b main "$WORK/git/$name.git"
  git clone -q "$WORK/git/$name.git" "$WORK/src/$name" 2>/dev/null
  git -C "$WORK/src/$name" checkout -q -b main 2>/dev/null || true
  git -C "$WORK/src/$name" config user.email demo@fluxcpp.dev
  git -C "$WORK/src/$name" config user.name "fluxcpp demo"
}

# commit_push NAME MESSAGE : commits everything in the work tree and pushes main; prints the commit SHA.
commit_push() {
  local name="$1" msg="$2"
  git -C "$WORK/src/$name" add -A
  git -C "$WORK/src/$name" commit -q -m "$msg"
  git -C "$WORK/src/$name" push -q origin main 2>/dev/null
  git -C "$WORK/src/$name" rev-parse HEAD
}

# jp KIND/NAME NAMESPACE JSONPATH
jp() { kubectl get "$1" -n "$2" -o "jsonpath=$3"; }

condition() {  # condition KIND/NAME NS TYPE FIELD
  jp "$1" "$2" "{.status.conditions[?(@.type==\"$3\")].$4}"
}

condition_is() {  # condition_is KIND/NAME NS TYPE FIELD VALUE
  [[ "$(condition "$1" "$2" "$3" "$4" 2>/dev/null)" == "$5" ]]
}

# wait_condition SECONDS DESCRIPTION KIND/NAME NS TYPE FIELD VALUE : until the
# condition's FIELD (status, reason, message) equals VALUE.
wait_condition() {
  local timeout="$1" what="$2"; shift 2
  wait_until "$timeout" "$what" condition_is "$@"
}

request_reconcile() {  # request_reconcile KIND/NAME NS
  kubectl annotate --overwrite "$1" -n "$2" "reconcile.fluxcd.io/requestedAt=$(date +%s%N)" >/dev/null
}
