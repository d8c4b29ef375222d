# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin binary itself: what it exports, and that one build loads in
QEMU 10.0 (API 4) as in 10.2 (API 5)."""
import subprocess

from harness import PLUGIN


def symbols(*flags):
    out = subprocess.run(["nm", "-D"] + list(flags) + [PLUGIN], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1]: line.split()[-2] for line in out.splitlines()}


def test_exports_only_the_entry_points(t):
    defined = symbols("--defined-only")
    t.eq(sorted(defined), ["qemu_plugin_install", "qemu_plugin_version"],
         "everything else is hidden")


def test_newer_api_functions_are_weak(t):
    """API 4 and 5 functions are weak references, so the dynamic loader of a
    QEMU without them does not refuse the plugin; it checks at install."""
    undefined = symbols("--undefined-only")
    for name in ("qemu_plugin_read_memory_vaddr", "qemu_plugin_write_register",
                 "qemu_plugin_write_memory_vaddr"):
        t.eq(undefined.get(name), "w", name + " is a weak reference", undefined)
    t.eq(undefined.get("qemu_plugin_read_register"), "U", "API 2 functions are plain")
