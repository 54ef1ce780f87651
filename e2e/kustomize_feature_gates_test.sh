#!/usr/bin/env bash
# Kustomization e2e: the feature gates MigrateAPIVersion and GroupChangeLog,
# off then on, against the same objects.
#
# A CRD serves example.com/v1alpha1 and v1. A Widget is first written through
# v1alpha1 by another tool (field manager legacy-tool), and Git declares it
# as example.com/v1.
#   - gates off: the apply leaves legacy-tool's managed-fields entry on
#     v1alpha1, and the log line "server-side apply completed" maps each
#     object to its action;
#   - gates on (controller restarted): the next apply moves every entry to
#     example.com/v1, and the log line groups the object names per action.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-gates.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
    - name: v1alpha1
      served: true
      storage: false
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
YAML
kubectl wait --for=condition=Established --timeout=30s crd/widgets.example.com >/dev/null
kubectl create namespace gates >/dev/null
kubectl create --field-manager=legacy-tool -f - >/dev/null <<'YAML'
apiVersion: example.com/v1alpha1
kind: Widget
metadata: {name: gadget, namespace: gates}
spec: {size: small, color: red}
YAML
entry_version() {  # entry_version MANAGER
  kubectl get widgets.v1.example.com gadget -n gates \
    -o "jsonpath={.metadata.managedFields[?(@.manager==\"$1\")].apiVersion}"
}
[[ "$(entry_version legacy-tool)" == example.com/v1alpha1 ]] || fail "legacy-tool entry: $(entry_version legacy-tool)"
# change_log_has FILE MODE: some "server-side apply completed" line's output
# is grouped (MODE=grouped: {"configured": [..., "Widget/gates/gadget"]}) or
# flat (MODE=flat: {"Widget/gates/gadget": "configured"}).
change_log_has() {
  python3 - "$1" "$2" <<'PY'
import json, sys
want = sys.argv[2]
for line in open(sys.argv[1]):
    try:
        rec = json.loads(line)
    except ValueError:
        continue
    if rec.get("msg") != "server-side apply completed":
        continue
    out = json.loads(rec["output"])
    if want == "grouped" and "Widget/gates/gadget" in out.get("configured", []):
        sys.exit(0)
    if want == "flat" and out.get("Widget/gates/gadget") == "configured":
        sys.exit(0)
sys.exit(1)
PY
}

start_source_controller
start_kc() {  # start_kc LOGNAME [FLAGS...]
  local name="$1"; shift
  start_bg "$name" "$BIN/kustomize-controller" --kubeconfig "$KUBECONFIG" \
    --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)" --requeue-dependency=2s "$@"
}
start_kc kc-default
start_git_server
new_repo gates
cat >"$WORK/src/gates/widget.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: gadget, namespace: gates}
spec: {size: large}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: gates}
data: {k: v}
YAML
sha="$(commit_push gates "widget")"
kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: gates, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/gates.git", ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: gates, namespace: flux-system}
spec: {interval: 10m, prune: true, path: ./, sourceRef: {kind: GitRepository, name: gates}}
YAML
wait_until 40 "applied with default gates" bash -c \
  "[[ \"\$(kubectl get kustomization/gates -n flux-system -o jsonpath='{.status.lastAppliedRevision}')\" == main@sha1:$sha ]]"
[[ "$(kubectl get widgets.v1.example.com gadget -n gates -o jsonpath='{.spec.size}')" == large ]] || fail "Widget not applied"
[[ "$(entry_version legacy-tool)" == example.com/v1alpha1 ]] ||
  fail "gates off: legacy-tool entry moved to $(entry_version legacy-tool)"
change_log_has "$WORK/logs/kc-default.log" flat || fail "flat change log: $(grep 'apply completed' "$WORK/logs/kc-default.log")"
! change_log_has "$WORK/logs/kc-default.log" grouped || fail "grouped change log with GroupChangeLog off"
log "gates off: legacy-tool entry stays on v1alpha1; log output is per object"

# Restart with the gates on; a spec change makes the next run apply.
kill -TERM "$(awk '$2=="kc-default"{print $1}' "$WORK/pids")"
start_kc kc-gates --feature-gates=MigrateAPIVersion=true,GroupChangeLog=true
kubectl patch kustomization gates -n flux-system --type merge -p '{"spec":{"commonMetadata":{"labels":{"rev":"2"}}}}' >/dev/null
wait_until 40 "legacy-tool entry migrated" bash -c \
  "[[ \"\$(kubectl get widgets.v1.example.com gadget -n gates -o 'jsonpath={.metadata.managedFields[?(@.manager==\"legacy-tool\")].apiVersion}')\" == example.com/v1 ]]"
versions="$(kubectl get widgets.v1.example.com gadget -n gates -o 'jsonpath={.metadata.managedFields[*].apiVersion}')"
[[ "$versions" != *v1alpha1* ]] || fail "entries left on v1alpha1: $versions"
[[ "$(kubectl get widgets.v1.example.com gadget -n gates -o jsonpath='{.spec.color}')" == red ]] ||
  fail "legacy-tool's field lost in the migration"
wait_until 20 "grouped change log" change_log_has "$WORK/logs/kc-gates.log" grouped
! change_log_has "$WORK/logs/kc-gates.log" flat || fail "per-object change log with GroupChangeLog on"
log "gates on: managed fields on [$versions]; log output grouped per action"
log "PASS: kustomize feature gates (MigrateAPIVersion, GroupChangeLog)"
