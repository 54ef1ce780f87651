#!/usr/bin/python3
"""dev-apiserver with Debian's python3-kubernetes client (issue 3): typed
list/watch with resume from a resourceVersion, a 410 Gone on an expired
version followed by a relist, and a dynamic-client server-side apply.

Run with FLUXCPP_BIN_DIR set; exits 77 (skip) without python3-kubernetes."""
import concurrent.futures
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    from kubernetes import client, config, dynamic, watch
    from kubernetes.client.rest import ApiException
except ImportError:
    print("python3-kubernetes is not installed; skipping")
    sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    bin_dir = os.environ.get("FLUXCPP_BIN_DIR") or os.path.join(os.path.dirname(__file__), "..", "build", "bin")
    work = tempfile.mkdtemp(prefix="fluxcpp-e2e-pyapi.")
    kubeconfig = os.path.join(work, "kubeconfig")
    proc = subprocess.Popen(
        [os.path.join(bin_dir, "dev-apiserver"), "--listen", f"127.0.0.1:{free_port()}", "--data-dir",
         os.path.join(work, "data"), "--kubeconfig-out", kubeconfig, "--tls"],
        stdout=open(os.path.join(work, "server.log"), "w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 20
        while not os.path.exists(kubeconfig):
            assert time.time() < deadline, "server did not start"
            time.sleep(0.1)
        config.load_kube_config(config_file=kubeconfig)
        core = client.CoreV1Api()

        # List, then watch from the list's resourceVersion: only new events arrive.
        core.create_namespaced_config_map("default", {"metadata": {"name": "first"}, "data": {"a": "1"}})
        listed = core.list_namespaced_config_map("default")
        assert [c.metadata.name for c in listed.items] == ["first"], listed.items
        rv = listed.metadata.resource_version
        core.create_namespaced_config_map("default", {"metadata": {"name": "second"}, "data": {"a": "2"}})
        w = watch.Watch()
        seen = []
        for ev in w.stream(core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=2):
            seen.append((ev["type"], ev["object"].metadata.name))
            rv = ev["object"].metadata.resource_version
            if len(seen) == 1:
                w.stop()
        assert seen == [("ADDED", "second")], seen
        # Resume after the last seen version.
        core.patch_namespaced_config_map("second", "default", {"data": {"a": "3"}})
        for ev in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=rv,
                                       timeout_seconds=1):
            seen.append((ev["type"], ev["object"].metadata.name))
        assert seen[1:] == [("MODIFIED", "second")], seen
        print("list/watch with resume: ok")

        # Push the history past its window (10,000 events): an old version is 410 Gone.
        old_rv = rv
        api = client.CoreV1Api()

        def bump(i):
            api.patch_namespaced_config_map("first", "default", {"data": {"n": str(i)}})

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(bump, range(10100)))
        gone = False
        try:
            for ev in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=old_rv,
                                           timeout_seconds=2):
                pass
        except ApiException as e:
            gone = e.status == 410
        assert gone, "expected 410 Gone for an expired resourceVersion"
        relisted = core.list_namespaced_config_map("default")
        assert {c.metadata.name for c in relisted.items} == {"first", "second"}
        print("410 Gone then relist: ok")

        # Dynamic client: server-side apply of a custom resource.
        dyn = dynamic.DynamicClient(client.ApiClient())
        crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
        crds.create(body={
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "properties": {"spec": {"type": "object", "properties": {
                             "size": {"type": "integer", "default": 1, "maximum": 10}}}}}}}]}})
        time.sleep(0.3)
        dyn = dynamic.DynamicClient(client.ApiClient())
        widgets = dyn.resources.get(api_version="example.com/v1", kind="Widget")
        body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"},
                "spec": {"junk": True}}
        # python3-kubernetes 22.6 only sends apply bodies given as text.
        widgets.server_side_apply(body=json.dumps(body), name="w", namespace="default", field_manager="pytest")
        got = widgets.get(name="w", namespace="default")
        assert got.spec.size == 1, got.spec
        assert "junk" not in got.to_dict()["spec"], got
        try:
            body["spec"] = {"size": 11}
            widgets.server_side_apply(body=json.dumps(body), name="w", namespace="default", field_manager="pytest")
            raise AssertionError("expected 422")
        except ApiException as e:
            text = e.body.decode() if isinstance(e.body, bytes) else str(e.body)
            assert e.status == 422 and "should be less than or equal to 10" in text, text
        print("dynamic apply: ok")
        print("PASS")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
