# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 9: what following guest threads costs a Linux system nobody calls
from (issue 13). Debian's kernel (the tests' boot, tests/lib/linux.py) boots,
runs an empty /init script and powers off under qemu-system-x86_64: no
plugin, QEMU's libempty.so, libbackdoor.so as it is by default (threads
followed: a callback per switch instruction executed), and with
regions-by=vcpu (no switch callbacks); CPU time of the whole run."""
import os

import linux
from harness import Failure
from measure import run
from qemu import FIRMWARE, plugin_arg, qemu_bin, qemu_plugin
from stats import paired_ratio

ROWS = ("9",)


def measure(s):
    try:
        linux.ensure_kernel()
    except Exception as e:  # a kernel that cannot be fetched skips the row
        s.details.append("row 9 skipped: %s" % e)
        return
    empty = qemu_plugin("libempty.so")
    if empty is None:
        raise Failure("QEMU's libempty.so is not installed with the QEMU in use")
    initrd = s.path("boot-initramfs.cpio.gz")
    linux.build_initramfs(initrd, "true\n")
    base = [qemu_bin("qemu-system-x86_64")] + FIRMWARE + linux.QEMU_ARGS + [
        "-cpu", "max", "-kernel", linux.VMLINUX, "-initrd", initrd,
        "-append", linux.APPEND, "-serial", "file:" + os.devnull]

    def boot(*plugin):
        return lambda: run(base + list(plugin), timeout=300).cpu

    s.interleaved("9 system: Linux boot, nothing called", [
        ("b.none", boot()),
        ("b.empty", boot("-plugin", plugin_arg(empty))),
        ("b.bd", boot("-plugin", s.backdoor(summary="none"))),
        ("b.vcpu", boot("-plugin", s.backdoor(summary="none", regions_by="vcpu"))),
    ])
    samples = s.samples
    name = "Linux boot to poweroff, nothing called (qemu-system-x86_64), s CPU"
    s.add("9", name, "no plugin", samples["b.none"], "s", 1.0, "no plugin")
    s.add("9", name, "QEMU's libempty.so", samples["b.empty"], "s",
          paired_ratio(samples["b.empty"], samples["b.none"]), "no plugin")
    s.add("9", name, "libbackdoor.so, threads followed (default)", samples["b.bd"], "s",
          paired_ratio(samples["b.bd"], samples["b.none"]), "no plugin", "<= 1.05",
          label="Linux boot with the plugin, threads followed")
    s.add("9", name, "libbackdoor.so, regions-by=vcpu", samples["b.vcpu"], "s",
          paired_ratio(samples["b.vcpu"], samples["b.none"]), "no plugin")
