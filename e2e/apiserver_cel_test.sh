#!/usr/bin/env bash
# CRD x-kubernetes-validations (CEL) in dev-apiserver, checked with real
# kubectl: the Flux CRDs' rules are enforced, a CRD of our own exercises
# messages, messageExpression, reasons, fieldPath, transition rules
# (oldSelf, optionalOldSelf), list-map correlation and the Kubernetes CEL
# libraries; a CRD whose rule does not compile is rejected with 422.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-cel.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

expect_fail() {  # expect_fail PATTERN CMD... : CMD must fail and print PATTERN (fixed string)
  local pattern="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then fail "expected failure: $* (got: $out)"; fi
  grep -qF -- "$pattern" <<<"$out" || fail "expected '$pattern' from: $*; got: $out"
}
apply_ok() {  # apply_ok FILE
  kubectl apply -f "$1" >/dev/null 2>"$WORK/apply.err" || fail "apply $1 failed: $(cat "$WORK/apply.err")"
}

start_apiserver
install_manifests
kubectl create namespace apps >/dev/null

log "Flux CRDs: Kustomization spec.kubeConfig needs exactly one of secretRef / configMapRef"
cat >"$WORK/ks-bad.yaml" <<'YAML'
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: remote, namespace: apps}
spec:
  interval: 5m
  prune: true
  sourceRef: {kind: GitRepository, name: repo}
  kubeConfig:
    secretRef: {name: kc}
    configMapRef: {name: cm}
YAML
expect_fail 'The Kustomization "remote" is invalid: spec.kubeConfig: Invalid value: "object": exactly one of secretRef or configMapRef must be set' \
  kubectl apply -f "$WORK/ks-bad.yaml"
sed '/configMapRef/d' "$WORK/ks-bad.yaml" >"$WORK/ks-good.yaml"
apply_ok "$WORK/ks-good.yaml"

log "Flux CRDs: GitRepository serviceAccountName needs a cloud provider"
cat >"$WORK/repo-bad.yaml" <<'YAML'
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: apps}
spec:
  interval: 1m
  url: https://example.com/repo.git
  serviceAccountName: sa
YAML
expect_fail "spec: Invalid value: \"object\": serviceAccountName can only be set when provider is 'azure' or 'aws'" \
  kubectl apply -f "$WORK/repo-bad.yaml"
sed '/serviceAccountName/d' "$WORK/repo-bad.yaml" >"$WORK/repo-good.yaml"
apply_ok "$WORK/repo-good.yaml"

log "own CRD with rules"
cat >"$WORK/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.cel.example.com}
spec:
  group: cel.example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-validations:
        - rule: self.metadata.name.size() <= 12
          message: widget names are at most 12 characters
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: self.minReplicas <= self.maxReplicas
              messageExpression: "'minReplicas (' + string(self.minReplicas) + ') must not exceed maxReplicas (' + string(self.maxReplicas) + ')'"
            - rule: "!has(oldSelf.maxReplicas) || self.maxReplicas >= oldSelf.maxReplicas"
              message: maxReplicas may not decrease
              reason: FieldValueForbidden
              fieldPath: .maxReplicas
            - rule: self.tags.isSorted() && self.tags.all(t, t.find('^[a-z]+$') == t)
            properties:
              minReplicas: {type: integer}
              maxReplicas: {type: integer}
              weight: {type: number}
              tags:
                type: array
                items: {type: string}
                default: []
              storageClass:
                type: string
                x-kubernetes-validations:
                - rule: self == oldSelf
                  message: storageClass is immutable
              owner:
                type: string
                x-kubernetes-validations:
                - rule: "oldSelf.hasValue() || self.startsWith('team-')"
                  optionalOldSelf: true
                  message: owner must start with team- when set
              memory:
                type: string
                x-kubernetes-validations:
                - rule: isQuantity(self) && quantity(self).isLessThan(quantity('1Gi'))
                  message: memory must be a quantity below 1Gi
              endpoint:
                type: string
                x-kubernetes-validations:
                - rule: isURL(self) && url(self).getScheme() == 'https'
                  messageExpression: "'endpoint ' + self + ' must be an https URL'"
                  reason: FieldValueRequired
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    port: {type: integer}
                  x-kubernetes-validations:
                  - rule: "!has(oldSelf.port) || self.port == oldSelf.port"
                    message: a named port keeps its number
YAML
apply_ok "$WORK/crd.yaml"
kubectl wait --for=condition=Established --timeout=30s crd/widgets.cel.example.com >/dev/null
wait_until 20 "widgets to be served" kubectl get widgets -n apps

widget() {  # widget NAME SPEC-YAML-FLOW
  printf 'apiVersion: cel.example.com/v1\nkind: Widget\nmetadata: {name: %s, namespace: apps}\nspec: %s\n' "$1" "$2" \
    >"$WORK/w.yaml"
  echo "$WORK/w.yaml"
}

expect_fail 'The Widget "w" is invalid: spec: Invalid value: "object": minReplicas (3) must not exceed maxReplicas (2)' \
  kubectl apply -f "$(widget w '{minReplicas: 3, maxReplicas: 2}')"
expect_fail "spec: Invalid value: \"object\": failed rule: self.tags.isSorted() && self.tags.all(t, t.find('^[a-z]+\$') == t)" \
  kubectl apply -f "$(widget w '{minReplicas: 1, maxReplicas: 2, tags: [b, a]}')"
expect_fail 'spec.owner: Invalid value: "string": owner must start with team- when set' \
  kubectl apply -f "$(widget w '{minReplicas: 1, maxReplicas: 2, owner: ops}')"
# rules at the root name no field, as kube's "<nil>"
expect_fail 'The Widget "a-very-long-widget" is invalid: <nil>: Invalid value: "object": widget names are at most 12 characters' \
  kubectl apply -f "$(widget a-very-long-widget '{minReplicas: 1, maxReplicas: 2}')"
expect_fail 'spec.memory: Invalid value: "string": memory must be a quantity below 1Gi' \
  kubectl apply -f "$(widget w '{minReplicas: 1, maxReplicas: 2, memory: 2Gi}')"
expect_fail 'spec.endpoint: Required value: endpoint http://x must be an https URL' \
  kubectl apply -f "$(widget w '{minReplicas: 1, maxReplicas: 2, endpoint: "http://x"}')"
# several failures come back together, as kube collects them
out="$(kubectl apply -f "$(widget w '{minReplicas: 5, maxReplicas: 2, tags: [B], owner: x}')" 2>&1 || true)"
for want in 'must not exceed maxReplicas' 'failed rule: self.tags.isSorted()' 'owner must start with team-'; do
  grep -qF -- "$want" <<<"$out" || fail "expected '$want' in: $out"
done
apply_ok "$(widget w '{minReplicas: 1, maxReplicas: 3, tags: [a, b], storageClass: fast, owner: team-a, memory: 512Mi, endpoint: "https://e.com:8443/x", ports: [{name: http, port: 80}]}')"

log "transition rules on update"
expect_fail 'The Widget "w" is invalid: spec.maxReplicas: Forbidden: maxReplicas may not decrease' \
  kubectl apply -f "$(widget w '{minReplicas: 1, maxReplicas: 2, tags: [a, b], storageClass: fast, owner: team-a, memory: 512Mi, endpoint: "https://e.com:8443/x", ports: [{name: http, port: 80}]}')"
expect_fail 'spec.storageClass: Invalid value: "string": storageClass is immutable' \
  kubectl patch widget w -n apps --type merge -p '{"spec":{"storageClass":"slow"}}'
expect_fail 'spec.ports[0]: Invalid value: "object": a named port keeps its number' \
  kubectl patch widget w -n apps --type merge -p '{"spec":{"ports":[{"name":"http","port":81}]}}'
# a new list entry has no old value: its transition rule does not run
kubectl patch widget w -n apps --type merge -p '{"spec":{"ports":[{"name":"http","port":80},{"name":"dns","port":53}]}}' \
  >/dev/null || fail "adding a port was rejected"
# owner had a value before: optionalOldSelf lets it keep any value
kubectl patch widget w -n apps --type merge -p '{"spec":{"owner":"ops","maxReplicas":4}}' >/dev/null ||
  fail "update with an old owner was rejected"
[[ "$(kubectl get widget w -n apps -o jsonpath='{.spec.maxReplicas}/{.spec.owner}')" == "4/ops" ]] ||
  fail "update not stored"

log "a CRD whose rule does not compile is invalid"
sed -e 's/widgets.cel.example.com/gadgets.cel.example.com/; s/kind: Widget, plural: widgets, singular: widget, listKind: WidgetList/kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList/' \
  -e 's/- rule: self.minReplicas <= self.maxReplicas/- rule: self.minReplicas <=/' "$WORK/crd.yaml" >"$WORK/crd-bad.yaml"
expect_fail 'The CustomResourceDefinition "gadgets.cel.example.com" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.minReplicas <="' \
  kubectl apply -f "$WORK/crd-bad.yaml"
expect_fail 'compilation failed' kubectl apply -f "$WORK/crd-bad.yaml"
kubectl get crd gadgets.cel.example.com >/dev/null 2>&1 && fail "invalid CRD was stored"

log "PASS"
