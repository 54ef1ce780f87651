#!/usr/bin/env bash
# Kustomization e2e: CEL. spec.healthCheckExprs judge a custom kind's health
# (Pending → Ready through the status subresource), dependsOn[].readyExpr
# gates a dependent on the dependency's fields (false → DependencyNotReady
# with Flux's message), and an expression that does not compile is a terminal
# InvalidCELExpression (Ready=False, Stalled=True).
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ks-cel.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_apiserver
install_manifests
start_controllers
start_git_server

kubectl apply -f - >/dev/null <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
            status: {type: object, properties: {phase: {type: string}}}
YAML
kubectl wait --for=condition=Established crd/widgets.example.com --timeout=10s >/dev/null

new_repo cel
mkdir -p "$WORK/src/cel/widgets" "$WORK/src/cel/app"
cat > "$WORK/src/cel/widgets/widget.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: default}
spec: {size: 3}
YAML
cat > "$WORK/src/cel/app/configmap.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: after-widgets, namespace: default}
data: {ok: "yes"}
YAML
commit_push cel "widgets and an app" >/dev/null

kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: cel, namespace: flux-system}
spec: {interval: 1m, url: "git://127.0.0.1:$GIT_PORT/cel.git", ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: widgets, namespace: flux-system, labels: {tier: infra}}
spec:
  interval: 10m
  timeout: 60s
  sourceRef: {kind: GitRepository, name: cel}
  path: ./widgets
  prune: true
  wait: true
  healthCheckExprs:
    - apiVersion: example.com/v1
      kind: Widget
      inProgress: "!has(status.phase) || status.phase == 'Pending'"
      failed: "status.phase == 'Broken'"
      current: "status.phase == 'Ready'"
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: after, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: cel}
  path: ./app
  prune: true
  dependsOn:
    - name: widgets
      readyExpr: >-
        dep.metadata.labels.tier == 'infra' && self.metadata.name == 'after' &&
        dep.status.conditions.exists(c, c.type == 'Healthy' && c.status == 'True')
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: never, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: cel}
  path: ./app
  prune: false
  dependsOn:
    - {name: widgets, readyExpr: "dep.metadata.labels.tier == 'apps'"}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: badcel, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: cel}
  path: ./widgets
  prune: false
  wait: true
  healthCheckExprs:
    - {apiVersion: example.com/v1, kind: Widget, current: "status.conditions.all(c, "}
YAML

# The Widget has no status: the CEL rules say InProgress, so 'widgets' waits and 'after' is held back.
wait_condition 30 "widgets waiting on health" kustomization/widgets flux-system Healthy status Unknown
kubectl get widget/w1 -n default >/dev/null || fail "Widget not applied"
wait_condition 15 "after held back by its readyExpr" kustomization/after flux-system Ready reason DependencyNotReady
[[ "$(condition kustomization/after flux-system Ready message)" == "dependency 'flux-system/widgets' is not ready according to readyExpr eval" ]] ||
  fail "after message: $(condition kustomization/after flux-system Ready message)"
! kubectl get configmap/after-widgets -n default >/dev/null 2>&1 || fail "after applied before its dependency was ready"

# Terminal compile error.
wait_condition 15 "badcel InvalidCELExpression" kustomization/badcel flux-system Ready reason InvalidCELExpression
[[ "$(condition kustomization/badcel flux-system Stalled status)" == True ]] || fail "badcel not Stalled"
msg="$(condition kustomization/badcel flux-system Ready message)"
[[ "$msg" == "Reconciliation failed terminally due to configuration error: spec.healthCheckExprs[0]"* ]] || fail "badcel message: $msg"
log "badcel: $msg"

# The Widget becomes Ready by its status: the CEL rule makes it Current.
kubectl patch widget/w1 -n default --subresource=status --type=merge -p '{"status":{"phase":"Ready"}}' >/dev/null
wait_condition 30 "widgets Ready (CEL current)" kustomization/widgets flux-system Ready status True
[[ "$(condition kustomization/widgets flux-system Healthy message)" == "Health check passed in "* ]] || fail "widgets Healthy message"
request_reconcile kustomization/after flux-system
wait_condition 30 "after Ready once readyExpr holds" kustomization/after flux-system Ready status True
kubectl get configmap/after-widgets -n default >/dev/null || fail "after did not apply"
[[ "$(condition kustomization/never flux-system Ready reason)" == DependencyNotReady ]] || fail "never should stay DependencyNotReady"

# A Broken widget is Failed by the CEL rule: the health check fails early with Flux's message.
kubectl patch widget/w1 -n default --subresource=status --type=merge -p '{"status":{"phase":"Broken"}}' >/dev/null
request_reconcile kustomization/widgets flux-system
wait_condition 30 "widgets HealthCheckFailed (CEL failed)" kustomization/widgets flux-system Ready reason HealthCheckFailed
msg="$(condition kustomization/widgets flux-system Ready message)"
[[ "$msg" == *"Widget/default/w1 status: 'Failed'"* ]] || fail "widgets failure message: $msg"
log "widgets: $msg"
log "PASS: kustomize CEL (healthCheckExprs, readyExpr, InvalidCELExpression)"
