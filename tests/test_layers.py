# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin's layers (README, "Layout"): one folder each under plugin/,
and dependencies that run one way. Checked twice: the #include lines of the
sources, and the functions each object file calls (callbacks handed down at
install are values, not calls, so they pass)."""
import collections
import glob
import os
import re
import subprocess

from harness import BUILD, ROOT

PLUGIN = os.path.join(ROOT, "plugin")
# What each layer may use besides itself and the public headers.
MAY_USE = {
    "core": {"translate", "dispatch", "commands", "qemu", "output"},
    "translate": {"qemu"},
    "dispatch": {"translate", "commands", "qemu", "output"},
    "commands": {"qemu", "output"},
    "qemu": set(),
    "output": set(),
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    return sorted(glob.glob(os.path.join(PLUGIN, "*", "*.[ch]")))


def layer_of(path):
    return os.path.relpath(path, PLUGIN).split(os.sep)[0]


def resolve(including, name):
    """The plugin file an include names, or None (a public header)."""
    for base in (os.path.dirname(including), PLUGIN):
        path = os.path.normpath(os.path.join(base, name))
        if path.startswith(PLUGIN + os.sep) and os.path.exists(path):
            return path
    return None


def include_graph():
    graph = {}
    for path in sources():
        names = INCLUDE.findall(open(path).read())
        graph[path] = [p for p in (resolve(path, n) for n in names) if p is not None]
    return graph


def test_every_file_is_in_a_layer(t):
    loose = [f for f in os.listdir(PLUGIN) if os.path.isfile(os.path.join(PLUGIN, f))]
    t.eq(loose, [], "files directly in plugin/ (each belongs to a layer folder)")
    t.eq(sorted({layer_of(p) for p in sources()}), sorted(MAY_USE), "the layer folders")


def test_includes_run_downward(t):
    broken = []
    for path, targets in include_graph().items():
        for target in targets:
            a, b = layer_of(path), layer_of(target)
            if a != b and b not in MAY_USE[a]:
                broken.append("%s includes %s" % (os.path.relpath(path, ROOT),
                                                 os.path.relpath(target, ROOT)))
    t.eq(broken, [], "includes against the layer rules")


def test_no_include_cycle(t):
    graph = include_graph()
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                cycles.append([os.path.relpath(p, PLUGIN) for p in stack[stack.index(nxt):]])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [])
    t.eq(cycles, [], "include cycles")


def symbols(obj, flag):
    out = subprocess.run(["nm", flag, obj], capture_output=True, text=True, check=True).stdout
    return [line.split()[-1] for line in out.splitlines() if line.strip()]


def test_calls_run_downward(t):
    objects = sorted(glob.glob(os.path.join(BUILD, "plugin", "*", "*.o")))
    t.check(len(objects) == len(glob.glob(os.path.join(PLUGIN, "*", "*.c"))),
            "every plugin source has an object (make plugin)", objects)
    defined_in = {}
    for obj in objects:
        for line in subprocess.run(["nm", "--defined-only", obj], capture_output=True,
                                   text=True, check=True).stdout.splitlines():
            kind, name = line.split()[-2:]
            if kind.isupper():
                defined_in[name] = layer_of(obj.replace(os.path.join(BUILD, "plugin"), PLUGIN))
    broken = collections.defaultdict(list)
    for obj in objects:
        a = layer_of(obj.replace(os.path.join(BUILD, "plugin"), PLUGIN))
        for name in symbols(obj, "--undefined-only"):
            b = defined_in.get(name)
            if b is not None and b != a and b not in MAY_USE[a]:
                broken[os.path.relpath(obj, BUILD)].append("%s (%s)" % (name, b))
    t.eq(dict(broken), {}, "references to functions or data of a higher layer")


WEAK_TEST = re.compile(r"\bqemu_plugin_\w+\s*[!=]=\s*NULL|NULL\s*[!=]=\s*qemu_plugin_\w+")
# A capability judged from the level's number: qemu_api_level() compared,
# or a level variable compared with a number (api < 5).
LEVEL_TEST = re.compile(r"\bqemu_api_level\(\)\s*[<>=!]|\bapi\s*[<>]=?\s*\d")


def test_capabilities_only_through_qemu_compat(t):
    """What the running QEMU offers is asked of qemu_caps: only
    qemu/qemu_compat.c tests whether a weak QEMU function exists or compares
    plugin API levels (qemu_api_level() is for messages)."""
    found = []
    for path in sources():
        if os.path.relpath(path, PLUGIN) == os.path.join("qemu", "qemu_compat.c"):
            continue
        for n, line in enumerate(open(path), 1):
            if WEAK_TEST.search(line) or LEVEL_TEST.search(line):
                found.append("%s:%d: %s" % (os.path.relpath(path, ROOT), n, line.strip()))
    t.eq(found, [], "tests of QEMU's weak symbols or levels outside qemu/qemu_compat.c")
