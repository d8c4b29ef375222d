# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 12: guest threads by the ten million (issue 21). The bare-metal
kernel of tests/test_thread_state.py writes 10^7 distinct values to
IA32_FS_BASE after its first thread opened a region: each is a switch the
plugin follows where regions follow threads (the default), none where they
follow the vCPU (regions-by=vcpu, which keeps no threads). A key becomes a
thread only when a call asks which thread runs, so these cost a switch
callback each and no thread; the second half has 10^6 keys each naming
itself, each a thread (all but max-threads of them refused regions and,
idle, forgotten), against the same calls per vCPU. CPU time and peak
resident memory of each, and without the plugin for scale."""
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
    churn(s, keys, "", "t", "guest threads: %d FS-base writes on bare metal" % keys,
          "10^7 guest threads")
    named = 10000 if s.args.quick else 1000000
    churn(s, named, " named", "n", "guest threads: %d FS-base writes on bare metal, each "
          "naming itself" % named, "10^6 named guest threads")


def churn(s, keys, mode, tag, name, label):
    console = s.path("thread-keys-console.txt")
    base = [qemu_bin("qemu-system-x86_64")] + FIRMWARE + pc_machine(KERNEL) + [
        "-append", "distinct %d%s" % (keys, mode), "-debugcon", "file:" + console]
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

    none, vcpu, thread = tag + ".none", tag + ".vcpu", tag + ".thread"
    s.interleaved("12 system: %d guest threads%s (FS base)" % (keys, mode), [
        (none, boot(none)),
        (vcpu, boot(vcpu, "-plugin", s.backdoor(summary="none", regions_by="vcpu"))),
        (thread, boot(thread, "-plugin", s.backdoor(summary="none"))),
    ], reps=1 if s.args.quick else REPS)
    samples = s.samples
    for what, unit, values in (("s CPU", "s", samples), ("peak RSS MiB", "MiB", memory)):
        row = "%s, %s" % (name, what)
        s.add("12", row, "no plugin", values[none], unit, None)
        s.add("12", row, "libbackdoor.so, regions-by=vcpu (no threads)", values[vcpu], unit,
              1.0, "regions-by=vcpu")
        s.add("12", row, "libbackdoor.so, threads followed (default, max-threads=65536)",
              values[thread], unit, paired_ratio(values[thread], values[vcpu]),
              "regions-by=vcpu", "<= 2",
              label="%s: %s" % (label, "CPU" if unit == "s" else "memory"))
