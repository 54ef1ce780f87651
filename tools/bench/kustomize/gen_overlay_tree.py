#!/usr/bin/env python3
"""Writes a kustomize overlay tree shaped like kustomize issue #5084.

  gen_overlay_tree.py OUT [APPS]

OUT/base: APPS apps (default 1334), each one file app-<i>.yaml with a
Deployment, a Service and a ConfigMap (3 * APPS resources, ~4,000 by default),
listed in base/kustomization.yaml. OUT/overlay: namePrefix, labels (with
selectors), commonAnnotations, an images override, a strategic-merge patch
targeting every Deployment, a JSON 6902 patch on every Service and a
configMapGenerator. Build OUT/overlay.
"""
import os
import sys

APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  labels:
    app: app-{i}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      containers:
      - name: main
        image: registry.example.com/team/app:1.0.{i}
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: app-{i}-config
        resources:
          requests:
            cpu: 10m
            memory: 32Mi
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  selector:
    app: app-{i}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}-config
data:
  LOG_LEVEL: info
  APP_INDEX: "{i}"
"""

OVERLAY = """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
namePrefix: prod-
resources:
- ../base
labels:
- pairs:
    env: prod
  includeSelectors: true
commonAnnotations:
  owner: platform-team
images:
- name: registry.example.com/team/app
  newName: registry.example.com/prod/app
  newTag: "2.0"
configMapGenerator:
- name: shared
  literals:
  - REGION=eu-west-1
patches:
- target:
    kind: Deployment
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    spec:
      replicas: 3
      template:
        spec:
          containers:
          - name: main
            resources:
              limits:
                memory: 128Mi
- target:
    kind: Service
  patch: |-
    - op: add
      path: /spec/sessionAffinity
      value: ClientIP
"""


def main():
    out = sys.argv[1]
    apps = int(sys.argv[2]) if len(sys.argv) > 2 else 1334
    os.makedirs(os.path.join(out, "base"), exist_ok=True)
    os.makedirs(os.path.join(out, "overlay"), exist_ok=True)
    names = []
    for i in range(apps):
        name = f"app-{i}.yaml"
        names.append(name)
        with open(os.path.join(out, "base", name), "w") as f:
            f.write(APP.format(i=i))
    with open(os.path.join(out, "base", "kustomization.yaml"), "w") as f:
        f.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
        f.writelines(f"- {n}\n" for n in names)
    with open(os.path.join(out, "overlay", "kustomization.yaml"), "w") as f:
        f.write(OVERLAY)


if __name__ == "__main__":
    main()
