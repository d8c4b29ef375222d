# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 9: what following guest threads costs a Linux system nobody calls
from (issue 13). Debian's kernel (the tests' boot, tests/lib/linux.py) boots,
runs an empty /init script and powers off, under qemu-system-x86_64 and
under qemu-system-aarch64 -M virt: no plugin, QEMU's libempty.so,
libbackdoor.so as it is by default (threads followed, which plants switch
callbacks only from the first call that asks which thread runs: none here),
and with regions-by=vcpu (never any switch callback); CPU time of the whole
run."""
import os

import linux
from harness import Failure
from measure import run
from qemu import FIRMWARE, plugin_arg, qemu_bin, qemu_plugin
from stats import paired_ratio

ROWS = ("9",)
# Not riscv64: its boots took 0.35 to 2.4 s of CPU from run to run of one
# command (all of them reaching the end of /init), a spread no plugin
# ratio survives; its switches are followed as arm64's are.
ARCHES = (("x86_64", "b"), ("aarch64", "a"))


def measure(s):
    empty = qemu_plugin("libempty.so")
    if empty is None:
        raise Failure("QEMU's libempty.so is not installed with the QEMU in use")
    for arch, key in ARCHES:
        try:
            linux.ensure_kernel(arch)
        except Exception as e:  # a kernel that cannot be fetched skips its half
            s.details.append("row 9 %s skipped: %s" % (arch, e))
            continue
        measure_arch(s, arch, key, empty)


def measure_arch(s, arch, key, empty):
    k = linux.KERNELS[arch]
    initrd = s.path("boot-initramfs-%s.cpio.gz" % arch)
    linux.build_initramfs(initrd, "true\n", arch=arch)
    console = s.path("boot-console-%s.txt" % arch)
    base = [qemu_bin(k.qemu)] + (FIRMWARE if k.firmware else []) + k.machine + [
        "-cpu", k.cpu, "-kernel", k.image, "-initrd", initrd,
        "-append", linux.APPEND.replace("console=ttyS0", "console=" + k.console),
        "-serial", "file:" + console]

    def boot(*plugin):
        def timed():
            # A boot counts only if /init ran to its end: a kernel that
            # panicked powers off at once, with a fraction of the time.
            for attempt in range(3):
                r = run(base + list(plugin), timeout=300)
                with open(console, errors="replace") as f:
                    text = f.read()
                if linux.END in text:
                    return r.cpu
                s.details.append("row 9 %s: a boot did not reach the end of /init (%.2f s "
                                 "CPU), run again; its console ended: %r"
                                 % (arch, r.cpu, text[-300:]))
            raise Failure("row 9 %s: three boots in a row did not reach the end of /init"
                          % arch)
        return timed

    s.interleaved("9 system: Linux boot (%s), nothing called" % arch, [
        (key + ".none", boot()),
        (key + ".empty", boot("-plugin", plugin_arg(empty))),
        (key + ".bd", boot("-plugin", s.backdoor(summary="none"))),
        (key + ".vcpu", boot("-plugin", s.backdoor(summary="none", regions_by="vcpu"))),
    ])
    samples = s.samples
    name = "Linux boot to poweroff, nothing called (%s), s CPU" % k.qemu
    s.add("9", name, "no plugin", samples[key + ".none"], "s", 1.0, "no plugin")
    s.add("9", name, "QEMU's libempty.so", samples[key + ".empty"], "s",
          paired_ratio(samples[key + ".empty"], samples[key + ".none"]), "no plugin")
    s.add("9", name, "libbackdoor.so, threads followed (default)", samples[key + ".bd"], "s",
          paired_ratio(samples[key + ".bd"], samples[key + ".none"]), "no plugin", "<= 1.05",
          label="Linux boot (%s) with the plugin, threads followed" % arch)
    s.add("9", name, "libbackdoor.so, regions-by=vcpu", samples[key + ".vcpu"], "s",
          paired_ratio(samples[key + ".vcpu"], samples[key + ".none"]), "no plugin")
