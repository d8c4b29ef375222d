# SPDX-License-Identifier: GPL-2.0-or-later
"""One benchmark run: the programs it measures, the repetitions interleaved
so that a slow moment of the machine hits every variant, the rows measured
so far, and boots of the bare-metal benchmark kernel with the guest's own
timing (RDTSC ticks, calibrated against host nanoseconds where a plugin
answers backdoor_host_time_ns)."""
import os
import re
import shutil
import tempfile
import time

from harness import Failure
from measure import run
from qemu import BUILD, DEBUG_EXIT_OK, FIRMWARE, pc_machine, plugin_arg, qemu_bin
from stats import Row, med

BENCH = os.path.join(BUILD, "bench")
FLOOR = os.path.join(BENCH, "libfloor.so")
CALLS = os.path.join(BENCH, "calls")
WORKLOAD = os.path.join(BENCH, "workload")
KERNEL = os.path.join(BENCH, "bench.elf")
ZLIB = os.path.join(BENCH, "zlib_region")
HOST_CORES = os.cpu_count() or 1


def kernel_result(console):
    m = re.search(r"result ticks=0x(\w+) 0x(\w+) ns=0x(\w+) 0x(\w+) cpus=(\d+) value=0x(\w+)",
                  console)
    if not m:
        raise Failure("kernel printed no result:\n" + console[-2000:])
    ticks = int(m.group(1) + m.group(2), 16)
    ns = int(m.group(3) + m.group(4), 16)
    return ticks, ns, int(m.group(5)), int(m.group(6), 16)


class Session:
    """args: the options of run.py; plugin: the libbackdoor.so to measure;
    log: prints one progress line."""

    def __init__(self, args, plugin, log):
        self.args, self.plugin, self.log = args, plugin, log
        self.reps = args.reps
        self.rows = []
        self.details = []
        self.samples = {}
        self.ticks_per_ns = []  # calibration of the guest's RDTSC
        self.tmp = tempfile.mkdtemp(prefix="backdoor-bench-")
        q = args.quick
        self.n_calls = 200000 if q else args.calls
        self.wl_rounds = 4 if q else 40
        self.kwl_rounds = 1 if q else 16
        self.print_msgs = 5000 if q else 100000
        self.debugcon_msgs = 200 if q else 4000
        self.smp_calls = {"none": 200000 if q else 20000000,
                          "floor": 50000 if q else 2000000,
                          "backdoor": 50000 if q else 2000000}
        self.load_seconds = (0.5, 1.0) if q else (2.0, 10.0)
        self.zlib_bytes = 256 << 10 if q else 2 << 20

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def backdoor(self, **options):
        """-plugin argument of the plugin measured."""
        return plugin_arg(self.plugin, **options)

    def interleaved(self, title, jobs, reps=None):
        """jobs: [(key, function returning a number)]. Runs every job once per
        repetition, the order rotated from one repetition to the next."""
        reps = reps or self.reps
        start = time.perf_counter()
        for rep in range(reps):
            order = jobs[rep % len(jobs):] + jobs[:rep % len(jobs)]
            for key, job in order:
                self.samples.setdefault(key, []).append(job())
        self.log("  %-46s %3d runs  %5.1f s" % (title, reps * len(jobs),
                                               time.perf_counter() - start))

    def add(self, *args, **kwargs):
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row

    # System mode: the bare-metal benchmark kernel under MTTCG.
    def system_cmd(self, append, smp=1, plugin=None, debugcon=None):
        console = debugcon or self.path("console.txt")
        cmd = [qemu_bin("qemu-system-x86_64")] + FIRMWARE + pc_machine(KERNEL) + [
            "-accel", "tcg,thread=multi", "-smp", str(smp), "-append", append,
            "-debugcon", "file:" + console]
        if plugin:
            cmd += ["-plugin", plugin]
        return cmd

    def boot(self, append, smp=1, plugin=None, debugcon=None, timeout=120):
        console = debugcon or self.path("console.txt")
        cmd = self.system_cmd(append, smp, plugin, console)
        r = run(cmd, timeout=timeout, expect=DEBUG_EXIT_OK)
        with open(console, errors="replace") as f:
            f.seek(max(0, os.path.getsize(console) - 4096))
            tail = f.read()
        ticks, ns, cpus, value = kernel_result(tail)
        if ns:
            self.ticks_per_ns.append(ticks / ns)
        return r, ticks, ns, value

    def seconds(self, ticks, ns):
        """Guest-measured seconds: host ns when a host answered, else ticks
        through the calibration of the runs that had both."""
        if ns:
            return ns / 1e9
        return ticks / self.calibration() / 1e9

    def calibration(self):
        if self.ticks_per_ns:
            return med(self.ticks_per_ns)
        # None yet: one calibration boot (print mode answers host_time_ns).
        self.boot("print 1000", plugin=self.backdoor(summary="none", print=self.path("cal.txt")))
        return med(self.ticks_per_ns)
