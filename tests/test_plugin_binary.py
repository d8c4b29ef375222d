# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin binary itself: what it exports and what it needs from QEMU."""
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


def test_qemu_functions_are_weak(t):
    """Every QEMU function is a weak reference, so that no QEMU's dynamic
    loader refuses the plugin for a missing one: the plugin itself tells an
    unusable QEMU apart (tests/test_qemu_versions.py; the markers of its
    levels, qemu_plugin_set_pc among them, it looks up by name)."""
    undefined = symbols("--undefined-only")
    qemu = {name: kind for name, kind in undefined.items() if name.startswith("qemu_plugin_")}
    for name in ("qemu_plugin_read_register", "qemu_plugin_register_vcpu_init_cb",
                 "qemu_plugin_read_memory_vaddr", "qemu_plugin_write_register"):
        t.check(name in qemu, name + " is referenced", qemu)
    t.eq(sorted(n for n, kind in qemu.items() if kind != "w"), [],
         "QEMU functions that are not weak references", qemu)
