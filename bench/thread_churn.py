# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 12: guest threads by the ten million (issue 21). The bare-metal
kernel of tests/test_thread_state.py writes 10^7 distinct values to
IA32_FS_BASE, each a new guest thread where regions follow threads (the
default), none where they follow the vCPU (regions-by=vcpu, which keeps no
threads): CPU time and peak resident memory of the two, and without the
plugin for scale."""
import os

from harness import Failure
from measure import run
from qemu import BUILD, DEBUG_EXIT_OK, FIRMWARE, pc_machine, qemu_bin
from stats import paired_ratio

ROWS = ("12",)
KERNEL = os.path.join(BUILD, "baremetal", "x86", "thread_keys.elf")
REPS = 3  # a run of 10^7 threads takes seconds; three pairs settle the ratio


def measure(s):
    if not os.path.exists(KERNEL):
        raise Failure("%s is missing: run 'make all'" % KERNEL)
    keys = 100000 if s.args.quick else 10000000
    console = s.path("thread-keys-console.txt")
    base = [qemu_bin("qemu-system-x86_64")] + FIRMWARE + pc_machine(KERNEL) + [
        "-append", "distinct %d" % keys, "-debugcon", "file:" + console]
    memory = {}

    def boot(key, *plugin):
        def timed():
            r = run(base + list(plugin), timeout=600, expect=DEBUG_EXIT_OK, poll_hwm=True)
            with open(console, errors="replace") as f:
                if "%d keys" % keys not in f.read():
                    raise Failure("row 12: the kernel did not write every key\n" +
                                  r.describe())
            memory.setdefault(key, []).append(r.maxrss_kb / 1024)
            return r.cpu
        return timed

    s.interleaved("12 system: 10^%d guest threads (FS base)" % (len(str(keys)) - 1), [
        ("t.none", boot("t.none")),
        ("t.vcpu", boot("t.vcpu", "-plugin", s.backdoor(summary="none", regions_by="vcpu"))),
        ("t.thread", boot("t.thread", "-plugin", s.backdoor(summary="none"))),
    ], reps=1 if s.args.quick else REPS)
    samples = s.samples
    name = "guest threads: %d FS-base writes on bare metal, s CPU" % keys
    s.add("12", name, "no plugin", samples["t.none"], "s", None)
    s.add("12", name, "libbackdoor.so, regions-by=vcpu (no threads)", samples["t.vcpu"], "s",
          1.0, "regions-by=vcpu")
    s.add("12", name, "libbackdoor.so, threads followed (default, max-threads=65536)",
          samples["t.thread"], "s", paired_ratio(samples["t.thread"], samples["t.vcpu"]),
          "regions-by=vcpu", "<= 2", label="10^7 guest threads: CPU")
    name = "guest threads: %d FS-base writes on bare metal, peak RSS MiB" % keys
    s.add("12", name, "no plugin", memory["t.none"], "MiB", None)
    s.add("12", name, "libbackdoor.so, regions-by=vcpu (no threads)", memory["t.vcpu"], "MiB",
          1.0, "regions-by=vcpu")
    s.add("12", name, "libbackdoor.so, threads followed (default, max-threads=65536)",
          memory["t.thread"], "MiB", paired_ratio(memory["t.thread"], memory["t.vcpu"]),
          "regions-by=vcpu", "<= 2", label="10^7 guest threads: memory")
