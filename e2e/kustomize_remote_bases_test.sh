#!/usr/bin/env bash
# Kustomization e2e: kustomize remote bases. An overlay in one repository
# references a base in another (`file://…//base?ref=v1`, a tag the remote
# moved past): kustomize-controller clones it at the tag and applies the
# result; restarted with --no-remote-bases it refuses the same build with a
# BuildFailed naming the URL, and nothing applied is pruned.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-remote-bases.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_controllers
start_git_server

new_repo bases
mkdir -p "$WORK/src/bases/base"
cat > "$WORK/src/bases/base/kustomization.yaml" <<'YAML'
resources: [configmap.yaml]
YAML
cat > "$WORK/src/bases/base/configmap.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: shared, namespace: default}
data: {version: v1}
YAML
commit_push bases "base v1" >/dev/null
git -C "$WORK/src/bases" tag v1 && git -C "$WORK/src/bases" push -q origin v1 2>/dev/null
sed -i 's/version: v1/version: v2/' "$WORK/src/bases/base/configmap.yaml"
commit_push bases "base v2 on main" >/dev/null

new_repo app
url="file://$WORK/git/bases.git//base?ref=v1"
cat > "$WORK/src/app/kustomization.yaml" <<YAML
namePrefix: app-
resources:
  - $url
YAML
commit_push app "overlay on a remote base" >/dev/null
expected="$(kubectl kustomize "$WORK/src/app")"

kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: app, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/app.git", ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: flux-system}
spec: {interval: 10m, sourceRef: {kind: GitRepository, name: app}, path: ./, prune: true}
YAML
wait_condition 30 "app Ready with its remote base" kustomization/app flux-system Ready status True
[[ "$(jp configmap/app-shared default '{.data.version}')" == v1 ]] || fail "remote base not taken at ref v1"
[[ "$expected" == *"name: app-shared"* && "$expected" == *"version: v1"* ]] || fail "kubectl kustomize disagrees: $expected"
log "remote base applied at its tag (configmap/app-shared version v1, as kubectl kustomize builds it)"

# Restart kustomize-controller with --no-remote-bases: the same build is refused.
while read -r pid name; do
  [[ "$name" == kustomize-controller ]] && kill -TERM -- "-$pid" 2>/dev/null || true
done <"$WORK/pids"
sleep 1
start_bg kustomize-controller-2 "$BIN/kustomize-controller" --kubeconfig "$KUBECONFIG" --no-remote-bases \
  --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)"
request_reconcile kustomization/app flux-system
wait_condition 30 "app refused under --no-remote-bases" kustomization/app flux-system Ready reason BuildFailed
msg="$(condition kustomization/app flux-system Ready message)"
[[ "$msg" == *"$url"* && "$msg" == *"remote resources are disabled"* ]] || fail "BuildFailed message: $msg"
kubectl get configmap/app-shared -n default >/dev/null || fail "a failed build pruned the applied object"
log "with --no-remote-bases: $msg"
log "PASS: kustomize remote bases"
