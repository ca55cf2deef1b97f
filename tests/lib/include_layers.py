#!/usr/bin/env python3
"""Dependencies between the folders of src/ point one way.

Reads every #include "folder/file.h" under src/ and fails, naming the file,
the line and the include, when:
  - two folders include each other, directly or through others (a cycle);
  - a folder includes one that comes after it in the layer order of
    src/meson.build (the order its subdir() lines are in).
Run by meson as the unit test 'include-layers'; also usable by hand:
  tests/lib/include_layers.py [SRC_DIR]
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_-]+)/[^"]+"')
SUBDIR = re.compile(r"^\s*subdir\('([a-z0-9_-]+)'\)")


def layer_order(src):
    order = []
    with open(os.path.join(src, "meson.build")) as f:
        for line in f:
            m = SUBDIR.match(line)
            if m:
                order.append(m.group(1))
    return order


def edges(src, folders):
    found = {}  # (from, to) -> first "file:line: #include ..."
    for folder in folders:
        top = os.path.join(src, folder)
        for root, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, name)
                with open(path, errors="replace") as f:
                    for no, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m or m.group(1) == folder or m.group(1) not in folders:
                            continue
                        key = (folder, m.group(1))
                        rel = os.path.relpath(path, os.path.dirname(src))
                        found.setdefault(key, "%s:%d: %s" % (rel, no, line.strip()))
    return found


def find_cycle(graph):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("CALLBRIDGE_SOURCE_ROOT", "."), "src")
    order = layer_order(src)
    folders = set(order) | {d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d))}
    found = edges(src, folders)
    graph = {}
    for a, b in found:
        graph.setdefault(a, set()).add(b)
    failures = []
    cycle = find_cycle(graph)
    if cycle:
        failures.append("folder cycle: " + " -> ".join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            failures.append("  " + found[(a, b)])
    rank = {f: i for i, f in enumerate(order)}
    for (a, b), where in sorted(found.items()):
        if a not in rank or b not in rank:
            failures.append("%s: folder %s is not in src/meson.build's layer order" %
                            (where, a if a not in rank else b))
        elif rank[b] > rank[a]:
            failures.append("%s: %s/ includes %s/, which comes after it in the layer order (src/meson.build)" %
                            (where, a, b))
    for line in failures:
        print(line)
    print("include-layers: %d folders, %d folder-to-folder includes, %d problems" %
          (len(order), len(found), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
