#!/usr/bin/env python3
"""Static checks for the CustomResourceDefinitions shipped in manifests/.

Checks, for every CRD found in the given files (default: the *.yaml files next
to this script):

* the schema is *structural* in the Kubernetes sense: every node has a type
  (unless x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields
  allows otherwise), objects do not mix properties and additionalProperties,
  arrays have items, allOf/anyOf/oneOf/not carry only value validations, and
  metadata is not constrained beyond name/generateName;
* only known schema keywords are used (catches typos such as "requried");
* required lists name existing properties, enums match their type, patterns
  compile and avoid constructs RE2 rejects, formats are known;
* every default is valid against the node it sits on (type, enum, pattern,
  lengths, bounds, required fields, no fields that would be pruned);
* x-kubernetes-validations rules are non-empty, balanced, and every
  `self.<field>` they read is a declared property;
* names, versions (exactly one storage version), subresources and printer
  columns are consistent;
* a few example objects (valid and invalid on purpose) are validated against
  the GitRepository and Kustomization schemas.

Usage: check_structural.py [FILE...]   (python3 stdlib + PyYAML only)
Exit status 0 when no problem was found, 1 otherwise.
"""

import glob
import os
import re
import sys

import yaml

TYPES = {"object", "array", "string", "integer", "number", "boolean"}
FORMATS = {
    "", "int32", "int64", "float", "double", "byte", "binary", "date",
    "date-time", "password", "uri", "email", "hostname", "ipv4", "ipv6",
    "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5", "duration", "isbn",
    "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor",
    "bsonobjectid", "datetime", "uri-reference",
}
SCHEMA_KEYS = {
    "type", "format", "description", "title", "default", "enum", "pattern",
    "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems",
    "minProperties", "maxProperties", "required", "properties",
    "additionalProperties", "items", "allOf", "anyOf", "oneOf", "not",
    "nullable", "example", "externalDocs",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource", "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
    "x-kubernetes-validations",
}
# Keywords a schema inside allOf/anyOf/oneOf/not may not carry (structural rule).
JUNCTOR_FORBIDDEN = {
    "type", "description", "title", "default", "additionalProperties",
    "nullable", "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource",
}
PRINTER_TYPES = {"integer", "number", "string", "boolean", "date"}
# Constructs Go's RE2 does not support.
RE2_UNSUPPORTED = [r"(?=", r"(?!", r"(?<=", r"(?<!", r"\1", r"\2", r"(?P="]


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    # ---- schema walk -------------------------------------------------
    def walk(self, node, path, in_junctor=False, under_preserve=False):
        if not isinstance(node, dict):
            self.err(path, "schema node is not a mapping")
            return
        for key in node:
            if key not in SCHEMA_KEYS:
                self.err(path, f"unknown schema keyword {key!r}")
        typ = node.get("type")
        preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
        int_or_string = node.get("x-kubernetes-int-or-string") is True

        if in_junctor:
            for key in JUNCTOR_FORBIDDEN & set(node):
                self.err(path, f"{key!r} is not allowed inside allOf/anyOf/oneOf/not")
        elif typ is None:
            if not (preserve or int_or_string):
                self.err(path, "missing type (structural schemas need one on every node)")
        elif typ not in TYPES:
            self.err(path, f"invalid type {typ!r}")
        if int_or_string and typ is not None:
            self.err(path, "x-kubernetes-int-or-string nodes must not set type")

        if "description" in node and not isinstance(node["description"], str):
            self.err(path, "description must be a string")
        if "format" in node and node["format"] not in FORMATS:
            self.err(path, f"unknown format {node['format']!r}")
        if "format" in node and typ not in (None, "string", "integer", "number"):
            self.err(path, f"format on a {typ} node")

        if "pattern" in node:
            pat = node["pattern"]
            if not isinstance(pat, str):
                self.err(path, "pattern must be a string")
            else:
                try:
                    re.compile(pat)
                except re.error as exc:
                    self.err(path, f"pattern does not compile: {exc}")
                for bad in RE2_UNSUPPORTED:
                    if bad in pat:
                        self.err(path, f"pattern uses {bad!r}, which RE2 does not support")
            if typ not in (None, "string"):
                self.err(path, f"pattern on a {typ} node")
        for lo, hi in (("minLength", "maxLength"), ("minimum", "maximum"),
                       ("minItems", "maxItems"), ("minProperties", "maxProperties")):
            for key in (lo, hi):
                if key in node and (isinstance(node[key], bool)
                                    or not isinstance(node[key], (int, float))):
                    self.err(path, f"{key} must be a number")
            if lo in node and hi in node and node[lo] > node[hi]:
                self.err(path, f"{lo} > {hi}")
        if ("minLength" in node or "maxLength" in node) and typ not in (None, "string"):
            self.err(path, f"minLength/maxLength on a {typ} node")

        if "enum" in node:
            if not isinstance(node["enum"], list) or not node["enum"]:
                self.err(path, "enum must be a non-empty list")
            else:
                for value in node["enum"]:
                    problem = type_problem(value, typ, node)
                    if problem:
                        self.err(path, f"enum value {value!r}: {problem}")

        props = node.get("properties")
        addl = node.get("additionalProperties")
        if props is not None:
            if typ not in (None, "object"):
                self.err(path, f"properties on a {typ} node")
            if not isinstance(props, dict):
                self.err(path, "properties must be a mapping")
                props = {}
            for name, sub in props.items():
                self.walk(sub, f"{path}.{name}", under_preserve=under_preserve or preserve)
        if addl is not None:
            if props is not None:
                self.err(path, "properties and additionalProperties are mutually exclusive")
            if isinstance(addl, dict):
                self.walk(addl, f"{path}[*]", under_preserve=under_preserve or preserve)
            elif addl is not True and addl is not False:
                self.err(path, "additionalProperties must be a schema or a boolean")
            elif addl is False:
                self.err(path, "additionalProperties: false is not allowed in CRD schemas")
        if "required" in node:
            req = node["required"]
            if not isinstance(req, list) or not all(isinstance(r, str) for r in req):
                self.err(path, "required must be a list of strings")
            elif len(set(req)) != len(req):
                self.err(path, "required has duplicates")
            elif not in_junctor and not preserve:
                missing = [r for r in req if r not in (props or {})]
                if missing:
                    self.err(path, f"required names undeclared properties {missing}")

        if typ == "array" and "items" not in node:
            self.err(path, "array without items")
        if "items" in node:
            if typ not in (None, "array"):
                self.err(path, f"items on a {typ} node")
            if not isinstance(node["items"], dict):
                self.err(path, "items must be a single schema (tuples are not allowed)")
            else:
                self.walk(node["items"], f"{path}[]", under_preserve=under_preserve or preserve)

        for junctor in ("allOf", "anyOf", "oneOf"):
            for i, sub in enumerate(node.get(junctor, []) or []):
                self.walk(sub, f"{path}.{junctor}[{i}]", in_junctor=True)
        if "not" in node:
            self.walk(node["not"], f"{path}.not", in_junctor=True)

        if "x-kubernetes-validations" in node:
            self.check_cel(node, path)

        if "default" in node:
            if in_junctor:
                pass  # already reported
            else:
                for problem in validate(node["default"], node, "default"):
                    self.err(path, f"default {node['default']!r} is invalid: {problem}")

    def check_cel(self, node, path):
        rules = node["x-kubernetes-validations"]
        if not isinstance(rules, list) or not rules:
            self.err(path, "x-kubernetes-validations must be a non-empty list")
            return
        props = node.get("properties") or {}
        for i, item in enumerate(rules):
            where = f"{path}.x-kubernetes-validations[{i}]"
            if not isinstance(item, dict):
                self.err(where, "must be a mapping")
                continue
            for key in item:
                if key not in ("rule", "message", "messageExpression", "reason",
                               "fieldPath", "optionalOldSelf"):
                    self.err(where, f"unknown key {key!r}")
            rule = item.get("rule")
            if not isinstance(rule, str) or not rule.strip():
                self.err(where, "rule must be a non-empty string")
                continue
            if "message" in item and (not isinstance(item["message"], str)
                                      or "\n" in item["message"]):
                self.err(where, "message must be a single-line string")
            if not balanced(rule):
                self.err(where, f"unbalanced brackets or quotes in {rule!r}")
            stripped = re.sub(r"'[^']*'|\"[^\"]*\"", "''", rule)
            for field in re.findall(r"\bself\.([A-Za-z_][A-Za-z0-9_]*)", stripped):
                if field not in props and not node.get("x-kubernetes-preserve-unknown-fields"):
                    self.err(where, f"rule reads self.{field}, which is not a declared property")
            if node.get("type") == "object" and "self" not in stripped:
                self.err(where, "rule does not reference self")

    # ---- CRD level ---------------------------------------------------
    def check_crd(self, crd, src):
        name = crd.get("metadata", {}).get("name", "?")
        where = f"{src}:{name}"
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        group = spec.get("group")
        if name != f"{names.get('plural')}.{group}":
            self.err(where, "metadata.name must be <plural>.<group>")
        for key in ("kind", "plural", "singular", "listKind"):
            if not names.get(key):
                self.err(where, f"spec.names.{key} missing")
        if names.get("plural") and names["plural"] != names["plural"].lower():
            self.err(where, "plural must be lowercase")
        if spec.get("scope") not in ("Namespaced", "Cluster"):
            self.err(where, "spec.scope must be Namespaced or Cluster")
        versions = spec.get("versions") or []
        if not versions:
            self.err(where, "no versions")
        storage = [v for v in versions if v.get("storage")]
        if len(storage) != 1:
            self.err(where, f"exactly one storage version required, found {len(storage)}")
        for version in versions:
            vwhere = f"{where}/{version.get('name')}"
            if not version.get("served"):
                self.err(vwhere, "version not served")
            schema = ((version.get("schema") or {}).get("openAPIV3Schema"))
            if not isinstance(schema, dict):
                self.err(vwhere, "missing schema.openAPIV3Schema")
                continue
            if schema.get("type") != "object":
                self.err(vwhere, "root schema must be type: object")
            self.check_root(schema, vwhere)
            self.walk(schema, vwhere)
            sub = version.get("subresources") or {}
            if "status" in sub and "status" not in (schema.get("properties") or {}):
                self.err(vwhere, "status subresource without a status property")
            for col in version.get("additionalPrinterColumns") or []:
                cwhere = f"{vwhere} column {col.get('name')!r}"
                if col.get("type") not in PRINTER_TYPES:
                    self.err(cwhere, f"invalid type {col.get('type')!r}")
                if not str(col.get("jsonPath", "")).startswith("."):
                    self.err(cwhere, "jsonPath must start with '.'")
                if not balanced(str(col.get("jsonPath", ""))):
                    self.err(cwhere, "unbalanced jsonPath")
        return name

    def check_root(self, schema, where):
        props = schema.get("properties") or {}
        meta = props.get("metadata")
        if meta is not None:
            extra = set(meta) - {"type", "description"}
            if set((meta.get("properties") or {})) - {"name", "generateName"}:
                self.err(where, "metadata may only constrain name and generateName")
            elif extra - {"properties"}:
                self.err(where, f"metadata carries {sorted(extra)}; only type is allowed")
        for key in ("apiVersion", "kind"):
            if key in props and props[key].get("type") != "string":
                self.err(where, f"{key} must be a string")


def type_problem(value, typ, node):
    if typ is None:
        if node.get("x-kubernetes-int-or-string"):
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                return "must be an integer or a string"
        return None
    if typ == "string":
        return None if isinstance(value, str) else "must be a string"
    if typ == "boolean":
        return None if isinstance(value, bool) else "must be a boolean"
    if typ == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "must be an integer"
    if typ == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if typ == "object":
        return None if isinstance(value, dict) else "must be an object"
    if typ == "array":
        return None if isinstance(value, list) else "must be an array"
    return f"unknown type {typ!r}"


def validate(value, node, path):
    """Validate an instance against a (structural) schema node. Returns a list of problems."""
    problems = []
    typ = node.get("type")
    if value is None:
        if not node.get("nullable"):
            problems.append(f"{path}: null is not allowed")
        return problems
    problem = type_problem(value, typ, node)
    if problem:
        return [f"{path}: {problem}"]
    if "enum" in node and value not in node["enum"]:
        problems.append(f"{path}: {value!r} not in {node['enum']}")
    if isinstance(value, str):
        if "pattern" in node and not re.search(node["pattern"], value):
            problems.append(f"{path}: {value!r} does not match {node['pattern']}")
        if "minLength" in node and len(value) < node["minLength"]:
            problems.append(f"{path}: shorter than {node['minLength']}")
        if "maxLength" in node and len(value) > node["maxLength"]:
            problems.append(f"{path}: longer than {node['maxLength']}")
        if node.get("format") == "date-time" and not re.match(
                r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value):
            problems.append(f"{path}: {value!r} is not an RFC 3339 date-time")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            problems.append(f"{path}: below minimum {node['minimum']}")
        if "maximum" in node and value > node["maximum"]:
            problems.append(f"{path}: above maximum {node['maximum']}")
        if node.get("format") == "int64" and not -2**63 <= value < 2**63:
            problems.append(f"{path}: out of int64 range")
    if isinstance(value, list):
        if "minItems" in node and len(value) < node["minItems"]:
            problems.append(f"{path}: fewer than {node['minItems']} items")
        if "maxItems" in node and len(value) > node["maxItems"]:
            problems.append(f"{path}: more than {node['maxItems']} items")
        for i, item in enumerate(value):
            problems += validate(item, node.get("items") or {}, f"{path}[{i}]")
    if isinstance(value, dict):
        props = node.get("properties")
        addl = node.get("additionalProperties")
        preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
        for req in node.get("required") or []:
            if req not in value:
                problems.append(f"{path}: missing required field {req!r}")
        for key, sub in value.items():
            if props is not None and key in props:
                problems += validate(sub, props[key], f"{path}.{key}")
            elif isinstance(addl, dict):
                problems += validate(sub, addl, f"{path}.{key}")
            elif not preserve and addl is not True:
                problems.append(f"{path}: unknown field {key!r} (would be pruned)")
    return problems


def balanced(text):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    quote = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in ("'", '"'):
            quote = ch
        elif ch in "([{":
            stack.append(ch)
        elif ch in ")]}":
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack and quote is None


# ---- example objects ---------------------------------------------------
EXAMPLES = [
    # (crd name, expected valid?, object)
    ("gitrepositories.source.toolkit.fluxcd.io", True, {
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "podinfo", "namespace": "default"},
        "spec": {"url": "https://github.com/stefanprodan/podinfo", "interval": "1m0s",
                 "timeout": "60s", "ref": {"branch": "master"},
                 "secretRef": {"name": "auth"},
                 "verify": {"mode": "HEAD", "secretRef": {"name": "pgp"}},
                 "include": [{"repository": {"name": "other"}, "toPath": "x"}],
                 "sparseCheckout": ["./deploy"], "ignore": "/*\n!/deploy\n"},
        "status": {"observedGeneration": 1,
                   "conditions": [{"type": "Ready", "status": "True",
                                   "reason": "Succeeded", "observedGeneration": 1,
                                   "lastTransitionTime": "2024-01-01T00:00:00Z",
                                   "message": "stored artifact for revision 'master@sha1:"
                                              + "a" * 40 + "'"}],
                   "artifact": {"path": "gitrepository/default/podinfo/" + "a" * 40 + ".tar.gz",
                                "url": "http://source-controller.flux-system.svc.cluster.local./"
                                       "gitrepository/default/podinfo/" + "a" * 40 + ".tar.gz",
                                "revision": "master@sha1:" + "a" * 40,
                                "digest": "sha256:" + "b" * 64,
                                "lastUpdateTime": "2024-01-01T00:00:00Z", "size": 1234}}}),
    ("gitrepositories.source.toolkit.fluxcd.io", False, {
        "metadata": {"name": "scp"},
        "spec": {"url": "git@github.com:org/repo.git", "interval": "1m"}}),
    ("gitrepositories.source.toolkit.fluxcd.io", False, {
        "metadata": {"name": "hours-timeout"},
        "spec": {"url": "ssh://git@github.com/org/repo", "interval": "1h", "timeout": "1h"}}),
    ("gitrepositories.source.toolkit.fluxcd.io", False, {
        "metadata": {"name": "bad-digest"},
        "spec": {"url": "https://x/y", "interval": "1m"},
        "status": {"artifact": {"path": "p", "url": "u", "revision": "r",
                                "digest": "no-algorithm",
                                "lastUpdateTime": "2024-01-01T00:00:00Z"}}}),
    ("gitrepositories.source.toolkit.fluxcd.io", False, {
        "metadata": {"name": "bad-condition"},
        "spec": {"url": "https://x/y", "interval": "1m"},
        "status": {"conditions": [{"type": "Ready", "status": "Yes", "reason": "1bad",
                                   "message": "", "lastTransitionTime": "now"}]}}),
    ("kustomizations.kustomize.toolkit.fluxcd.io", True, {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {"interval": "10m", "retryInterval": "1m", "timeout": "5m", "prune": True,
                 "wait": True, "force": False, "path": "./apps",
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                 "targetNamespace": "apps", "commonMetadata": {"labels": {"team": "a"}},
                 "patches": [{"patch": "- op: add\n  path: /x\n  value: 1\n",
                              "target": {"kind": "Deployment", "labelSelector": "app=x"}}],
                 "images": [{"name": "podinfo", "newTag": "6.0.0"}],
                 "postBuild": {"substitute": {"cluster": "prod"},
                               "substituteFrom": [{"kind": "ConfigMap", "name": "vars",
                                                   "optional": True}],
                               "substituteStrategy": "Always"},
                 "decryption": {"provider": "sops", "secretRef": {"name": "sops-age"}},
                 "kubeConfig": {"secretRef": {"name": "kubeconfig", "key": "value"}},
                 "healthChecks": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                   "name": "podinfo", "namespace": "apps"}],
                 "healthCheckExprs": [{"apiVersion": "example.com/v1", "kind": "Thing",
                                       "current": "status.ready == true"}],
                 "dependsOn": [{"name": "infra", "readyExpr": "dep.status.x == 1"}],
                 "ignore": [{"paths": ["/spec/replicas"],
                             "target": {"kind": "Deployment"}}],
                 "deletionPolicy": "WaitForTermination",
                 "buildMetadata": ["originAnnotations"]},
        "status": {"observedGeneration": 2, "lastAppliedRevision": "main@sha1:" + "c" * 40,
                   "inventory": {"entries": [{"id": "default_podinfo_apps_Deployment",
                                              "v": "v1"}]},
                   "history": [{"digest": "sha256:" + "d" * 64,
                                "firstReconciled": "2024-01-01T00:00:00Z",
                                "lastReconciled": "2024-01-01T00:01:00Z",
                                "lastReconciledDuration": "1.2s",
                                "lastReconciledStatus": "ReconciliationSucceeded",
                                "totalReconciliations": 3,
                                "metadata": {"revision": "main@sha1:" + "c" * 40}}]}}),
    ("kustomizations.kustomize.toolkit.fluxcd.io", False, {
        "metadata": {"name": "no-prune"},
        "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "x"}}}),
    ("kustomizations.kustomize.toolkit.fluxcd.io", False, {
        "metadata": {"name": "bad-kind"},
        "spec": {"interval": "10m", "prune": False,
                 "sourceRef": {"kind": "HelmRepository", "name": "x"}}}),
    ("kustomizations.kustomize.toolkit.fluxcd.io", False, {
        "metadata": {"name": "bad-substitute-kind"},
        "spec": {"interval": "10m", "prune": False,
                 "sourceRef": {"kind": "GitRepository", "name": "x"},
                 "postBuild": {"substituteFrom": [{"kind": "Pod", "name": "x"}]}}}),
    ("kustomizations.kustomize.toolkit.fluxcd.io", False, {
        "metadata": {"name": "long-namespace"},
        "spec": {"interval": "10m", "prune": False, "targetNamespace": "n" * 64,
                 "sourceRef": {"kind": "GitRepository", "name": "x"}}}),
]


def check_examples(checker, schemas):
    count = 0
    for crd_name, want_valid, obj in EXAMPLES:
        schema = schemas.get(crd_name)
        if schema is None:
            continue
        count += 1
        obj = dict(obj)
        obj.setdefault("apiVersion", "x/v1")
        obj.setdefault("kind", "X")
        name = obj.pop("metadata")["name"]  # ObjectMeta is validated by the API server itself
        problems = validate(obj, schema, "object")
        if want_valid and problems:
            checker.err(f"example {crd_name}/{name}", "should be valid: " + "; ".join(problems))
        if not want_valid and not problems:
            checker.err(f"example {crd_name}/{name}", "should be rejected but validates")
    return count


def self_test():
    """The checker must flag each of these broken schemas."""
    broken = [
        {"type": "object", "properties": {"a": {"description": "no type"}}},
        {"type": "object", "properties": {"a": {"type": "string", "default": 5}}},
        {"type": "object", "properties": {"a": {"type": "string", "enum": ["x"], "default": "y"}}},
        {"type": "object", "properties": {"a": {"type": "array"}}},
        {"type": "object", "properties": {"a": {"type": "object", "requried": ["b"]}}},
        {"type": "object", "required": ["zzz"], "properties": {"a": {"type": "string"}}},
        {"type": "object", "properties": {"a": {"type": "string", "pattern": "(?=x)"}}},
        {"type": "object", "properties": {"a": {"type": "object", "default": {"b": 1},
                                                "properties": {"c": {"type": "integer"}}}}},
        {"type": "object", "properties": {"a": {"type": "object",
                                                "x-kubernetes-validations": [
                                                    {"rule": "has(self.nope)", "message": "m"}],
                                                "properties": {"b": {"type": "string"}}}}},
        {"type": "object", "properties": {"a": {"type": "string", "anyOf": [{"type": "string"}]}}},
    ]
    failures = 0
    for i, schema in enumerate(broken):
        checker = Checker()
        checker.walk(schema, f"selftest[{i}]")
        if not checker.errors:
            print(f"self-test {i}: broken schema not detected: {schema}")
            failures += 1
    ok = Checker()
    ok.walk({"type": "object", "properties": {
        "a": {"x-kubernetes-int-or-string": True, "default": 1},
        "b": {"x-kubernetes-preserve-unknown-fields": True},
        "c": {"type": "object", "default": {"x": -1},
              "properties": {"x": {"type": "integer", "format": "int64"}}}}}, "selftest-ok")
    if ok.errors:
        print("self-test: valid schema flagged: " + "; ".join(ok.errors))
        failures += 1
    return failures


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    files = argv[1:] or sorted(glob.glob(os.path.join(here, "*.yaml")))
    checker = Checker()
    crds = 0
    schemas = {}
    for path in files:
        with open(path, encoding="utf-8") as handle:
            docs = [d for d in yaml.safe_load_all(handle) if d]
        for doc in docs:
            if doc.get("kind") != "CustomResourceDefinition":
                continue
            if doc.get("apiVersion") != "apiextensions.k8s.io/v1":
                checker.err(path, "CRDs must use apiextensions.k8s.io/v1")
            crds += 1
            name = checker.check_crd(doc, os.path.basename(path))
            for version in doc["spec"].get("versions") or []:
                if version.get("storage"):
                    schemas[name] = (version.get("schema") or {}).get("openAPIV3Schema") or {}
    examples = check_examples(checker, schemas)
    selftest_failures = self_test()
    for error in checker.errors:
        print("ERROR " + error)
    failed = len(checker.errors) + selftest_failures
    print(f"checked {crds} CRDs and {examples} example objects")
    print(f"check_structural: {crds + examples - len(checker.errors)} passed, {failed} failed")
    return 1 if failed or crds == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
