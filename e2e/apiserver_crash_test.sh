#!/usr/bin/env bash
# dev-apiserver durability (issue 3): writers hammer the server while it is
# kill -9ed; after a restart on the same --data-dir every acknowledged
# write is there, and a watch resumes from a resourceVersion seen before the
# crash.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-crash.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
server="$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
token="$(kubectl config view --minify --raw -o jsonpath='{.users[0].user.token}')"
kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$WORK/ca.crt"
rv_before="$(kubectl get configmaps -o jsonpath='{.metadata.resourceVersion}')"

writer() {  # writer ID: creates configmaps until the server dies, logs acknowledged names
  local id="$1" i=0
  while :; do
    code="$(curl -s --cacert "$WORK/ca.crt" -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' "$server/api/v1/namespaces/default/configmaps" \
      -d "{\"metadata\":{\"name\":\"w$id-$i\"},\"data\":{\"i\":\"$i\"}}" || true)"
    [[ "$code" == 201 ]] || break
    echo "w$id-$i" >>"$WORK/acked-$id"
    i=$((i + 1))
  done
}
for id in 1 2 3 4; do writer "$id" & done
sleep 2
pid="$(awk '$2=="dev-apiserver"{print $1}' "$WORK/pids" | tail -1)"
kill -9 "$pid"
wait
acked="$(cat "$WORK"/acked-* | wc -l)"
((acked > 50)) || fail "only $acked writes acknowledged before the crash"
log "$acked writes acknowledged before kill -9"

# Restart on the same data dir.
start_bg dev-apiserver2 "$BIN/dev-apiserver" --listen "127.0.0.1:$API_PORT" --data-dir "$WORK/apiserver" \
  --kubeconfig-out "$KUBECONFIG"
wait_until 20 "dev-apiserver to restart" kubectl get --raw /version
kubectl get configmaps -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort >"$WORK/present"
missing="$(sort "$WORK"/acked-* | comm -23 - "$WORK/present" | head -5)"
[[ -z "$missing" ]] || fail "acknowledged writes lost after kill -9: $missing"

# A watch from before the crash replays the writes made since.
events="$(kubectl get --raw "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv_before&timeoutSeconds=1" |
  grep -c '"type":"ADDED"' || true)"
((events >= acked)) || fail "watch resumed from $rv_before saw $events ADDED events, want >= $acked"
kubectl create configmap after-restart --from-literal=a=b >/dev/null || fail "write after restart"
log "PASS"
