#!/usr/bin/env bash
# The demo: dev-apiserver + the controllers + a local Git repository,
# reconciled into objects you can `kubectl get`. Processes keep running after
# the script ends; `tools/demo.sh stop` stops them.
#
#   FLUXCPP_DEMO_DIR  scratch folder (default /tmp/fluxcpp-demo)
set -euo pipefail
export FLUXCPP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WORK="${FLUXCPP_DEMO_DIR:-/tmp/fluxcpp-demo}"
mkdir -p "$WORK"
# shellcheck source=../e2e/lib.sh
source "$FLUXCPP_ROOT/e2e/lib.sh"

stop_all
if [[ "${1:-}" == "stop" ]]; then
  log "demo stopped"
  exit 0
fi
rm -rf "${WORK:?}"/{apiserver,storage,git,src,logs,kubeconfig}
mkdir -p "$WORK/logs"
trap 'log "demo failed; logs in $WORK/logs"; stop_all' ERR

start_apiserver
install_manifests
start_controllers
start_git_server
new_repo demo
cp -r "$FLUXCPP_ROOT/e2e/testdata/demo-repo/." "$WORK/src/demo/"
sha="$(commit_push demo "Add demo app and infra")"
log "pushed main@sha1:$sha to git://127.0.0.1:$GIT_PORT/demo.git"

sed "s#GIT_URL#git://127.0.0.1:$GIT_PORT/demo.git#" "$FLUXCPP_ROOT/e2e/testdata/flux-objects.yaml" | kubectl apply -f -
kubectl wait --for=condition=Ready --timeout=90s -n flux-system gitrepository/demo kustomization/apps kustomization/infra
trap - ERR

echo
kubectl get gitrepositories,kustomizations -A
echo
kubectl get namespace demo
echo
kubectl get configmaps,deployments,services -n demo
echo
cat <<MSG
The demo keeps running. Try:
  export KUBECONFIG=$KUBECONFIG
  kubectl get gitrepositories,kustomizations -A
  (edit $WORK/src/demo, commit, git push) and watch it applied within the interval, or
  kubectl annotate --overwrite gitrepository/demo -n flux-system reconcile.fluxcd.io/requestedAt="\$(date +%s)"
Logs: $WORK/logs/   Stop: tools/demo.sh stop
MSG
