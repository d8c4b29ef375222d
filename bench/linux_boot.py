# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 9: what following guest threads costs a Linux system nobody calls
from (issue 13). Debian's kernel (the tests' boot, tests/lib/linux.py) boots,
runs an empty /init script and powers off, under qemu-system-x86_64 and
under qemu-system-aarch64 -M virt: no plugin, QEMU's libempty.so,
libbackdoor.so as it is by default (threads followed, which plants switch
callbacks only from the first call that asks which thread runs: none here),
and with regions-by=vcpu (never any switch callback); CPU time of the whole
run. Then what following costs a program once a call started it: under
x86-64, /init makes one call and runs 10^6 one-byte dd copies (2 x 10^6
system calls, each with the callback that looks for Linux's exit and
exit_group), threads followed against regions-by=vcpu."""
import os

import linux
from harness import BUILD, Failure
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
        if arch == "x86_64":
            measure_syscalls(s)


def boot_command(k, initrd, console):
    """QEMU booting kernel k with initrd, its console into the file console."""
    return [qemu_bin(k.qemu)] + (FIRMWARE if k.firmware else []) + k.machine + [
        "-cpu", k.cpu, "-kernel", k.image, "-initrd", initrd,
        "-append", linux.APPEND.replace("console=ttyS0", "console=" + k.console),
        "-serial", "file:" + console]


def measure_arch(s, arch, key, empty):
    k = linux.KERNELS[arch]
    initrd = s.path("boot-initramfs-%s.cpio.gz" % arch)
    linux.build_initramfs(initrd, "true\n", arch=arch)
    console = s.path("boot-console-%s.txt" % arch)
    base = boot_command(k, initrd, console)

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


SYSCALL_SCRIPT = ("backdoor present > /dev/null\n"
                  "dd if=/dev/zero of=/dev/null bs=1 count=1000000 2>/dev/null\n")


def measure_syscalls(s):
    k = linux.KERNELS["x86_64"]
    initrd = s.path("syscalls-initramfs.cpio.gz")
    linux.build_initramfs(initrd, SYSCALL_SCRIPT,
                          binaries={"backdoor": os.path.join(BUILD, "backdoor")})
    console = s.path("syscalls-console.txt")
    base = boot_command(k, initrd, console)

    def boot(**options):
        def timed():
            r = run(base + ["-plugin", s.backdoor(summary="none", **options)], timeout=300)
            with open(console, errors="replace") as f:
                if linux.END not in f.read():
                    raise Failure("row 9 system calls: the boot did not reach the end of /init")
            return r.cpu
        return timed

    s.interleaved("9 system: Linux, 2 x 10^6 system calls after a call", [
        ("sc.vcpu", boot(regions_by="vcpu")),
        ("sc.bd", boot()),
    ])
    name = ("Linux (qemu-system-x86_64): one call, then 2 x 10^6 system calls (dd bs=1), "
            "s CPU")
    vcpu, bd = s.samples["sc.vcpu"], s.samples["sc.bd"]
    s.add("9", name, "libbackdoor.so, regions-by=vcpu (no switch or system call followed)",
          vcpu, "s", 1.0, "regions-by=vcpu")
    s.add("9", name, "libbackdoor.so, threads followed (default)", bd, "s",
          paired_ratio(bd, vcpu), "regions-by=vcpu", "<= 1.1",
          label="Linux system calls, threads followed vs by vCPU")
