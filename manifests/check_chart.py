#!/usr/bin/env python3
"""Keeps charts/fluxcpp in step with manifests/.

1. The chart's CRDs (charts/fluxcpp/files/crds/*.yaml) must be byte-identical
   copies of the CRD files here. `check_chart.py --sync` rewrites the copies.
2. When a helm binary is found ($HELM, then PATH), the chart rendered with its
   default values (`helm template fluxcpp charts/fluxcpp -n flux-system
   --set namespace.create=true`) must contain exactly the objects of
   manifests/*.yaml, ignoring the labels and annotations only Helm adds
   (app.kubernetes.io/managed-by, helm.sh/chart, helm.sh/resource-policy).
   A few non-default value sets are rendered too and checked for expected
   differences. Without helm this part is skipped (and said so).

Usage: check_chart.py [--sync]    (python3 stdlib + PyYAML only)
"""

import glob
import os
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHART = os.path.join(ROOT, "charts", "fluxcpp")
CHART_CRDS = os.path.join(CHART, "files", "crds")
HELM_ONLY_LABELS = {"app.kubernetes.io/managed-by", "helm.sh/chart"}
HELM_ONLY_ANNOTATIONS = {"helm.sh/resource-policy"}


def load_docs(text):
    return [d for d in yaml.safe_load_all(text) if d]


def crd_files():
    """Maps CRD name -> path of its file in manifests/."""
    result = {}
    for path in sorted(glob.glob(os.path.join(HERE, "*.yaml"))):
        with open(path, encoding="utf-8") as handle:
            for doc in load_docs(handle.read()):
                if doc.get("kind") == "CustomResourceDefinition":
                    result[doc["metadata"]["name"]] = path
    return result


def chart_crd_path(crd_name):
    return os.path.join(CHART_CRDS, crd_name.split(".", 1)[0] + ".yaml")


def check_crd_copies(errors, sync):
    wanted = crd_files()
    for name, src in wanted.items():
        dst = chart_crd_path(name)
        if sync:
            os.makedirs(CHART_CRDS, exist_ok=True)
            shutil.copyfile(src, dst)
            print(f"synced {os.path.relpath(dst, ROOT)}")
            continue
        if not os.path.exists(dst):
            errors.append(f"{os.path.relpath(dst, ROOT)} missing (run check_chart.py --sync)")
        elif open(src, "rb").read() != open(dst, "rb").read():
            errors.append(f"{os.path.relpath(dst, ROOT)} differs from "
                          f"{os.path.relpath(src, ROOT)} (run check_chart.py --sync)")
    expected = {chart_crd_path(n) for n in wanted}
    for extra in sorted(set(glob.glob(os.path.join(CHART_CRDS, "*.yaml"))) - expected):
        errors.append(f"{os.path.relpath(extra, ROOT)} has no counterpart in manifests/")
    return len(wanted)


def find_helm():
    helm = os.environ.get("HELM") or shutil.which("helm")
    if helm and os.access(helm, os.X_OK):
        return helm
    return None


def render(helm, *sets):
    cmd = [helm, "template", "fluxcpp", CHART, "--namespace", "flux-system"]
    for item in sets:
        cmd += ["--set", item]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return load_docs(out)


def key(obj):
    meta = obj.get("metadata", {})
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace", ""), meta.get("name"))


def strip_helm(obj):
    meta = obj.get("metadata", {})
    for field, drop in (("labels", HELM_ONLY_LABELS), ("annotations", HELM_ONLY_ANNOTATIONS)):
        values = meta.get(field)
        if values is not None:
            for k in drop:
                values.pop(k, None)
            if not values:
                del meta[field]
    return obj


def diff(a, b, path=""):
    """First few differences between two YAML values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(f"{path}.{k}: only in chart")
            elif k not in b:
                out.append(f"{path}.{k}: only in manifests")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items in manifests, {len(b)} in chart"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
        return out
    if a != b:
        return [f"{path}: manifests {a!r} != chart {b!r}"]
    return []


def manifest_objects():
    objs = {}
    for path in sorted(glob.glob(os.path.join(HERE, "*.yaml"))):
        with open(path, encoding="utf-8") as handle:
            for doc in load_docs(handle.read()):
                objs[key(doc)] = doc
    return objs


def check_render(errors, helm):
    checks = 0
    want = manifest_objects()
    got = {key(o): strip_helm(o) for o in render(helm, "namespace.create=true")}
    for k in sorted(set(want) | set(got), key=str):
        checks += 1
        if k not in got:
            errors.append(f"default render lacks {k}")
        elif k not in want:
            errors.append(f"default render has extra {k}")
        else:
            for line in diff(want[k], got[k])[:10]:
                errors.append(f"{k[1]}/{k[3]}{line}")

    # Variants: each renders and shows the expected difference.
    def kinds(docs):
        return sorted({d["kind"] for d in docs})

    variants = [
        (("installCRDs=false",),
         lambda docs: "CustomResourceDefinition" not in kinds(docs)),
        (("namespace.create=false",),
         lambda docs: "Namespace" not in kinds(docs)),
        (("sourceController.create=false", "kustomizeController.create=false",
          "notificationController.create=false"),
         lambda docs: kinds(docs) == ["ClusterRole", "CustomResourceDefinition"]),
        (("notificationController.create=false",),
         lambda docs: all("--events-addr" not in " ".join(c.get("args", []))
                          for d in docs if d["kind"] == "Deployment"
                          for c in d["spec"]["template"]["spec"]["containers"])),
        (("kustomizeController.concurrent=20", "logLevel=debug",
          "kustomizeController.extraArgs={--no-remote-bases=true}"),
         lambda docs: [c["args"] for d in docs if d.get("kind") == "Deployment"
                       and d["metadata"]["name"] == "kustomize-controller"
                       for c in d["spec"]["template"]["spec"]["containers"]][0][-3:]
         == ["--enable-leader-election", "--concurrent=20", "--no-remote-bases=true"]
         and all("--log-level=debug" in c["args"] for d in docs if d["kind"] == "Deployment"
                 for c in d["spec"]["template"]["spec"]["containers"])),
        (("image.registry=example.org/flux", "image.tag=1.2.3",
          "sourceController.image.repository=other/src"),
         lambda docs: sorted(c["image"] for d in docs if d["kind"] == "Deployment"
                             for c in d["spec"]["template"]["spec"]["containers"])
         == ["example.org/flux/kustomize-controller:1.2.3",
             "example.org/flux/notification-controller:1.2.3", "other/src:1.2.3"]),
        (("networkPolicy.create=true",),
         lambda docs: sum(d["kind"] == "NetworkPolicy" for d in docs) == 3),
        (("rbac.clusterReconciler=false", "rbac.aggregateRoles=false"),
         lambda docs: sorted(d["metadata"]["name"] for d in docs
                             if d["kind"].startswith("ClusterRole"))
         == ["crd-controller-flux-system", "crd-controller-flux-system"]),
    ]
    for sets, predicate in variants:
        checks += 1
        try:
            docs = render(helm, *sets)
        except subprocess.CalledProcessError as exc:
            errors.append(f"render with {sets} failed: {exc.stderr.strip()}")
            continue
        if not predicate(docs):
            errors.append(f"render with {sets} does not show the expected change")
    return checks


def main(argv):
    sync = "--sync" in argv[1:]
    errors = []
    checks = check_crd_copies(errors, sync)
    if sync:
        return 0
    helm = find_helm()
    if helm:
        checks += check_render(errors, helm)
    else:
        print("check_chart: no helm binary ($HELM or PATH); render comparison skipped")
    for error in errors:
        print("ERROR " + error)
    print(f"check_chart: {checks - len(errors)} passed, {len(errors)} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
