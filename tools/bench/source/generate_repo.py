#!/usr/bin/env python3
"""Generates the benchmark repository with `git fast-import`: FILES files
(about 1 KiB of YAML-like text each, spread over 100 directories) added in
the first commit, then COMMITS-1 commits that each rewrite 5 files.
Deterministic (fixed seed, fixed dates). Usage: generate_repo.py BARE_DIR
[FILES] [COMMITS]"""
import random
import subprocess
import sys

def main():
    bare = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    commits = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rng = random.Random(42)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", bare], check=True)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]

    def content(i, rev):
        lines = [f"# file {i} revision {rev}", "apiVersion: v1", "kind: ConfigMap", "metadata:",
                 f"  name: cm-{i}", "data:"]
        for k in range(24):
            lines.append(f"  key{k}: {rng.choice(words)}-{rng.randint(0, 10**9)}")
        return ("\n".join(lines) + "\n").encode()

    def path(i):
        return f"dir{i % 100:03d}/file{i:05d}.yaml"

    out = []
    def blob_cmd(data, mark):
        out.append(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")

    mark = 1
    when = 1700000000
    # commit 1: every file
    marks = []
    for i in range(files):
        blob_cmd(content(i, 0), mark)
        marks.append(mark)
        mark += 1
    def commit(msg, changes, parent):
        nonlocal mark, when
        when += 60
        m = mark
        mark += 1
        msg = msg.encode()
        s = b"commit refs/heads/main\nmark :%d\ncommitter Bench <bench@fluxcpp.dev> %d +0000\ndata %d\n%s\n" % (
            m, when, len(msg), msg)
        if parent:
            s += b"from :%d\n" % parent
        for p, bm in changes:
            s += b"M 100644 :%d %s\n" % (bm, p.encode())
        out.append(s + b"\n")
        return m
    parent = commit("Initial import", [(path(i), marks[i]) for i in range(files)], None)
    for c in range(1, commits):
        changes = []
        for _ in range(5):
            i = rng.randrange(files)
            blob_cmd(content(i, c), mark)
            changes.append((path(i), mark))
            mark += 1
        parent = commit(f"Change {c}", changes, parent)
    subprocess.run(["git", "-C", bare, "fast-import", "--quiet"], input=b"".join(out), check=True)
    subprocess.run(["git", "-C", bare, "gc", "-q"], check=True)

if __name__ == "__main__":
    main()
