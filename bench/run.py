#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmarks of `make bench` (bench/README.md): the cost of the channel,
measured side by side with what it is compared to, in one run.

  python3 bench/run.py              everything (about 5.5 minutes on 2 cores)
  python3 bench/run.py --quick      one repetition, small counts (a smoke test)
  python3 bench/run.py --only 2,3   some rows only

Every variant of a row runs in the same loop, interleaved (the order rotates
from one repetition to the next), --reps times; a row reports the median and
the spread (min..max) over the repetitions, and the ratio as the median of
the per-repetition ratios, so that a slow moment of the machine hits both
sides. Times are the user+sys CPU time of the QEMU process (os.wait4), which
a busy neighbour inflates less than wall time, except where the guest times
itself (rows 4 and 5: RDTSC, which TCG answers with the host's time-stamp
counter, and backdoor_host_time_ns()). Row 1 also counts host instructions
under valgrind, which no noise changes. Writes bench/results/latest.{txt,md,
csv,svg}.
"""
import argparse
import csv
import glob
import hashlib
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
QEMU = os.environ.get("QEMU_PREFIX", os.path.join(BUILD, "qemu"))
BENCH = os.path.join(BUILD, "bench")
RESULTS = os.path.join(ROOT, "bench", "results")

QEMU_USER = os.path.join(QEMU, "bin", "qemu-x86_64")
QEMU_SYSTEM = os.path.join(QEMU, "bin", "qemu-system-x86_64")
PLUGIN = os.path.join(BUILD, "libbackdoor.so")
FLOOR = os.path.join(BENCH, "libfloor.so")
CALLS = os.path.join(BENCH, "calls")
WORKLOAD = os.path.join(BENCH, "workload")
KERNEL = os.path.join(BENCH, "bench.elf")
FIRMWARE = ["-L", "/usr/share/qemu", "-L", "/usr/share/seabios"]
SYSTEM = [QEMU_SYSTEM] + FIRMWARE + [
    "-M", "pc", "-display", "none", "-nodefaults", "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "-accel", "tcg,thread=multi", "-kernel", KERNEL]
DEBUG_EXIT_OK = 1  # isa-debug-exit status for the value 0

# Register names of qemu-x86_64 and qemu-system-x86_64 (64-bit names in
# 32-bit code too), per request, as docs/abi.md maps them.
X86_64_ARGS = "rdx:rbx:rdi:r8"
I386_ARGS = "rdx:rbx:rdi:rbp"

HOST_CORES = os.cpu_count() or 1


class Failure(Exception):
    pass


# Running things -------------------------------------------------------------

class Result:
    def __init__(self, cmd, code, out, err, cpu, wall, maxrss_kb):
        self.cmd, self.code, self.out, self.err = cmd, code, out, err
        self.cpu, self.wall, self.maxrss_kb = cpu, wall, maxrss_kb

    def describe(self):
        return "%s\nexit %s\nstdout: %s\nstderr: %s" % (
            " ".join(self.cmd), self.code, self.out[-2000:], self.err[-2000:])


def run(cmd, timeout=300, expect=0, poll_hwm=False):
    """Runs cmd; returns its exit status, output, user+sys CPU seconds, wall
    seconds and, with poll_hwm, its peak resident memory. The peak is VmHWM of
    /proc/PID/status read every 50 ms: wait4's ru_maxrss would count the
    memory of this Python process too, which the child had before exec."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        if poll_hwm:
            hwm_kb = 0
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                hwm_kb = max(hwm_kb, read_hwm_kb(proc.pid))
                if time.perf_counter() > start + timeout:
                    proc.kill()
                time.sleep(0.05)
        else:
            hwm_kb = None
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        out.seek(0)
        err.seek(0)
        r = Result(cmd, code, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"),
                   usage.ru_utime + usage.ru_stime, wall, hwm_kb)
    if expect is not None and r.code != expect:
        raise Failure("unexpected exit status\n" + r.describe())
    return r


def read_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def plugin_arg(path, **options):
    return ",".join([path] + ["%s=%s" % (k.replace("_", "-"), v)
                              for k, v in options.items()])


def user(program, args, plugin=None):
    cmd = [QEMU_USER]
    if plugin:
        cmd += ["-plugin", plugin]
    return cmd + [program] + [str(a) for a in args]


def symbol_range(binary, prefix):
    """[start, end) of the functions whose names start with prefix."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    spans = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tT" and f[3].startswith(prefix):
            spans.append((int(f[0], 16), int(f[0], 16) + int(f[1], 16)))
    if not spans:
        raise Failure("no function %s* in %s" % (prefix, binary))
    return "%x-%x" % (min(s for s, _ in spans), max(e for _, e in spans))


# Statistics -----------------------------------------------------------------

def med(xs):
    return statistics.median(xs)


class Ratio(float):
    """A ratio that knows the quartiles of the per-repetition ratios it is
    the median of."""
    quartiles = None


def paired_ratio(num, den):
    """Median of the per-repetition ratios (the runs of one repetition ran
    next to each other), with their quartiles when there are 4 or more."""
    pairs = [a / b for a, b in zip(num, den) if b]
    if not pairs:
        return float("nan")
    r = Ratio(med(pairs))
    if len(pairs) >= 4:
        q = statistics.quantiles(pairs, n=4, method="inclusive")
        r.quartiles = (q[0], q[2])
    return r


class Row:
    def __init__(self, row, name, variant, values, unit, ratio=None, ratio_to="",
                 target="", met=None, note="", label=""):
        self.row, self.name, self.variant, self.unit = row, name, variant, unit
        self.values = list(values)
        self.median = med(self.values) if self.values else float("nan")
        self.lo = min(self.values) if self.values else float("nan")
        self.hi = max(self.values) if self.values else float("nan")
        self.ratio, self.ratio_to, self.target, self.met = ratio, ratio_to, target, met
        self.note = note
        self.label = label  # short, for the chart


NOISE = "noise"


def meets(ratio, target):
    """target: '<= 1.2' or '>= 10'. True or False; NOISE when the target lies
    between the quartiles of the per-repetition ratios, which is then as
    likely to be met as not."""
    op, value = target.split()
    value = float(value)
    quartiles = getattr(ratio, "quartiles", None)
    if quartiles and quartiles[0] <= value <= quartiles[1]:
        return NOISE
    return ratio <= value if op == "<=" else ratio >= value


def met_text(met, yes="yes", no="NO"):
    if met is None:
        return ""
    if met == NOISE:
        return "noise"
    return yes if met else no


# The interleaved loop -------------------------------------------------------

class Bench:
    def __init__(self, reps, log):
        self.reps = reps
        self.log = log
        self.rows = []
        self.details = []
        self.samples = {}
        self.ticks_per_ns = []  # calibration of the guest's RDTSC

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
        if row.target and row.ratio is not None and row.met is None:
            row.met = meets(row.ratio, row.target)
        self.rows.append(row)
        return row


# Guest output parsing ---------------------------------------------------------

def loop_ns(r):
    m = re.search(r"calls=(\d+) loop_ns=(\d+)", r.out)
    if not m:
        raise Failure("no result line\n" + r.describe())
    return int(m.group(1)), int(m.group(2))


def kernel_result(console):
    m = re.search(r"result ticks=0x(\w+) 0x(\w+) ns=0x(\w+) 0x(\w+) cpus=(\d+) value=0x(\w+)",
                  console)
    if not m:
        raise Failure("kernel printed no result:\n" + console[-2000:])
    ticks = int(m.group(1) + m.group(2), 16)
    ns = int(m.group(3) + m.group(4), 16)
    return ticks, ns, int(m.group(5)), int(m.group(6), 16)


def summary_counts(text):
    m = re.search(r"calls dispatched: (\d+) \(decoded at translation: (\d+), of which (\d+) "
                  r"read arguments at run time; at run time: (\d+)\)", text)
    if not m:
        raise Failure("no summary in:\n" + text[-2000:])
    return tuple(int(g) for g in m.groups())


# The rows ---------------------------------------------------------------------

def qemu_version():
    out = subprocess.run([QEMU_USER, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else "?"


def plugin_api():
    header = os.path.join(QEMU, "include", "qemu-plugin.h")
    m = re.search(r"#define QEMU_PLUGIN_VERSION (\d+)", open(header).read())
    return int(m.group(1)) if m else 0


class Suite:
    def __init__(self, args, log):
        self.args = args
        self.log = log
        self.b = Bench(args.reps, log)
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

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    # System-mode runs
    def system_cmd(self, append, smp=1, plugin=None, debugcon=None):
        console = debugcon or self.path("console.txt")
        cmd = SYSTEM + ["-smp", str(smp), "-append", append,
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
            self.b.ticks_per_ns.append(ticks / ns)
        return r, ticks, ns, value

    def seconds(self, ticks, ns):
        """Guest-measured seconds: host ns when a host answered, else ticks
        through the calibration of the runs that had both."""
        if ns:
            return ns / 1e9
        return ticks / self.calibration() / 1e9

    def calibration(self):
        if self.b.ticks_per_ns:
            return med(self.b.ticks_per_ns)
        # None yet: one calibration boot (print mode answers host_time_ns).
        self.boot("print 1000", plugin=plugin_arg(PLUGIN, summary="none",
                                                    print=self.path("cal.txt")))
        return med(self.b.ticks_per_ns)

    # Row 1 -------------------------------------------------------------------
    def row1(self):
        b = self.b
        rounds = self.wl_rounds
        reps = 1 if self.args.quick else max(self.args.reps, 9)
        empty = find_qemu_plugin("libempty.so")
        b.interleaved("1 user: workload, no plugin/libempty/backdoor", [
            ("wl.none", lambda: run(user(WORKLOAD, [rounds])).cpu),
            ("wl.empty", lambda: run(user(WORKLOAD, [rounds], empty)).cpu),
            ("wl.bd", lambda: run(user(WORKLOAD, [rounds], plugin_arg(PLUGIN))).cpu),
        ], reps=reps)
        s = b.samples
        self.unused_rows("user mode: qemu-x86_64, workload (%d rounds), s CPU" % rounds, "wl",
                         label="unused, user, CPU time")

        # System mode: CPU time of the whole QEMU process minus that of a boot
        # that runs 0 rounds, so that neither firmware nor start-up dilutes
        # the ratio (the guest's own RDTSC is wall time, which a busy host
        # inflates; CPU time it does not).
        kr = self.kwl_rounds

        def kernel_wl(plugin):
            boot_only = self.boot("workload 0", plugin=plugin)[0].cpu
            return self.boot("workload %d" % kr, plugin=plugin)[0].cpu - boot_only

        reps = 1 if self.args.quick else max(self.args.reps, 7)
        b.interleaved("1 system: workload kernel, no plugin/libempty/backdoor", [
            ("kwl.none", lambda: kernel_wl(None)),
            ("kwl.empty", lambda: kernel_wl(empty)),
            ("kwl.bd", lambda: kernel_wl(plugin_arg(PLUGIN))),
        ], reps=reps)
        self.unused_rows("system mode: qemu-system-x86_64, bare-metal workload kernel "
                         "(%d rounds), s CPU minus a 0-round boot" % kr, "kwl",
                         label="unused, system, CPU time")
        self.unused_instructions(empty)

    def unused_instructions(self, empty):
        """The same comparison counted in host instructions, which unlike
        time do not depend on what else the machine does: valgrind's
        cachegrind without cache simulation counts every instruction QEMU
        executes, translated code included."""
        b = self.b
        if shutil.which("valgrind") is None:
            b.details.append("row 1 host instruction counts skipped: valgrind is not installed")
            return
        start = time.perf_counter()
        configs = (("none", None), ("empty", empty), ("bd", plugin_arg(PLUGIN, summary="none")))
        rounds, kr = (1, 0) if self.args.quick else (4, 2)
        user_counts, system_counts = {}, {}
        for key, plugin in configs:
            user_counts[key] = [valgrind_insns(user(WORKLOAD, [rounds], plugin), self.tmp) / 1e6]
            if not self.args.quick:
                # Only the workload: a 2-round boot minus a 0-round boot.
                c = [valgrind_insns(self.system_cmd("workload %d" % n, plugin=plugin), self.tmp,
                                    busiest_thread=True) for n in (0, kr)]
                system_counts[key] = [(c[1] - c[0]) / 1e6]
        self.log("  %-46s %3d runs  %5.1f s" % ("1 host instructions under valgrind",
                                                len(configs) * (1 + 2 * bool(system_counts)),
                                                time.perf_counter() - start))
        self.unused_rows("user mode: qemu-x86_64, workload (%d rounds), host instructions "
                         "(valgrind, deterministic)" % rounds, None, user_counts, "M insns",
                         label="unused, user, host instructions")
        if system_counts:
            self.unused_rows("system mode: workload kernel (%d rounds), host instructions "
                             "of the vCPU thread (valgrind) minus a 0-round boot" % kr, None,
                             system_counts, "M insns", label="unused, system, host instructions")

    def unused_rows(self, what, key, samples=None, unit="s", label=""):
        b = self.b
        s = samples or {k: b.samples["%s.%s" % (key, k)] for k in ("none", "empty", "bd")}
        name = "unused channel, " + what
        none, empty, bd = s["none"], s["empty"], s["bd"]
        b.add("1", name, "no plugin", none, unit, 1.0, "no plugin")
        b.add("1", name, "QEMU's libempty.so (any plugin watching translation)", empty, unit,
              paired_ratio(empty, none), "no plugin")
        b.add("1", name, "libbackdoor.so, vs no plugin", bd, unit,
              paired_ratio(bd, none), "no plugin", "<= 1.01", label=label + ": vs no plugin")
        b.add("1", name, "libbackdoor.so, vs libempty.so", bd, unit,
              paired_ratio(bd, empty), "libempty.so", "<= 1.01",
              label=label + ": vs libempty.so")

    # Rows 2 and 3 --------------------------------------------------------------
    def rows23(self):
        b, n = self.b, self.n_calls
        only = symbol_range(CALLS, "loop_")
        summaries = {}

        def floor(read="", write=""):
            opts = {"only": only}
            if read:
                opts["read"] = read
            if write:
                opts["write"] = write
            return plugin_arg(FLOOR, **opts)

        def backdoor_run(mode):
            path = self.path("summary-%s.txt" % mode)
            r = run(user(CALLS, [mode, n], plugin_arg(PLUGIN, summary=path)))
            summaries[mode] = summary_counts(open(path).read())
            return r.cpu

        # mode -> floor plugin registers (read, write): what libbackdoor.so
        # reads and writes for that request (docs/abi.md).
        modes = {
            "empty": ("", ""),
            "i8": ("", ""),
            "i8_v32": ("rcx", ""),
            "call4": (X86_64_ARGS, "rsi"),
            "present": ("", "rsi"),
            "i8_v32_const": ("", ""),
            "i8_v32_rt": ("rax:rcx", ""),
        }
        jobs = []
        for mode, (read, write) in modes.items():
            jobs.append(("c.%s.none" % mode, lambda m=mode: run(user(CALLS, [m, n])).cpu))
            jobs.append(("c.%s.floor" % mode,
                         lambda m=mode, rd=read, wr=write:
                         run(user(CALLS, [m, n], floor(rd, wr))).cpu))
            jobs.append(("c.%s.bd" % mode, lambda m=mode: backdoor_run(m)))
        b.interleaved("2+3 user: call loops, N=%d" % n, jobs)

        s = b.samples

        def per_call(mode, config):
            return [(t - e) / n * 1e9 for t, e in
                    zip(s["c.%s.%s" % (mode, config)], s["c.empty.%s" % config])]

        b.details.append("empty loop (N=%d), s CPU: no plugin %.3f, floor %.3f, backdoor %.3f" % (
            n, med(s["c.empty.none"]), med(s["c.empty.floor"]), med(s["c.empty.bd"])))
        for mode, counts in summaries.items():
            if mode == "empty":
                continue
            b.details.append("summary of the %s run: %d dispatched, %d decoded at translation "
                             "(%d of them read arguments), %d at run time" % ((mode,) + counts))
            if counts[0] < n:
                raise Failure("%s: the plugin dispatched %d of %d calls" % (mode, counts[0], n))

        titles = {
            "i8": ("type 0 BACKDOOR_i8(7), constant", "no register"),
            "i8_v32": ("type 1 BACKDOOR_i8_v32(7, v), v at run time", "reads rcx"),
            "call4": ("type 2 backdoor_sum(a,b,c,d), 4 run-time args + result",
                      "reads rdx rbx rdi r8, writes rsi"),
            "present": ("type 2 backdoor_present(), constant, result", "writes rsi"),
        }
        shorts = {"i8": "type 0 i8 constant", "i8_v32": "type 1 i8_v32, v at run time",
                  "call4": "sum, 4 run-time args", "present": "present, a result"}
        for mode, (title, regs) in titles.items():
            short = shorts[mode]
            none, fl, bd = per_call(mode, "none"), per_call(mode, "floor"), per_call(mode, "bd")
            name = "cost per call, %s, ns/call" % title
            b.add("2", name, "floor 1: plain CPUID, no plugin", none, "ns", 1.0, "floor 1")
            b.add("2", name, "floor 2: empty plugin, " + regs, fl, "ns",
                  paired_ratio(fl, none), "floor 1")
            b.add("2", name, "libbackdoor.so (%.1fx floor 1)" % paired_ratio(bd, none), bd, "ns",
                  paired_ratio(bd, fl), "floor 2", "<= 1.2",
                  label="call cost, %s: vs empty plugin" % short)

        name = "issue 7: BACKDOOR_i8_v32, per call (N=%d), ns/call" % n
        bare = per_call("i8_v32_const", "none")
        b.add("3", name, "bare CPUID, no plugin (same instructions)", bare, "ns", 1.0, "bare")
        fl = per_call("i8_v32_const", "floor")
        b.add("3", name, "empty plugin callback, no register (context)", fl, "ns",
              paired_ratio(fl, bare), "bare")
        const = per_call("i8_v32_const", "bd")
        b.add("3", name, "(5, 7) constant, decoded at translation", const, "ns",
              paired_ratio(const, bare), "bare", "<= 1.1",
              label="issue 7: constant call vs bare CPUID")
        bare_rt = per_call("i8_v32_rt", "none")
        rt = per_call("i8_v32_rt", "bd")
        b.add("3", name, "bare CPUID, run-time leaf, no plugin", bare_rt, "ns",
              paired_ratio(bare_rt, bare), "bare")
        b.add("3", name, "(i8, v) run-time values, decoded at run time", rt, "ns",
              paired_ratio(rt, bare_rt), "bare run-time")
        fl_rt = per_call("i8_v32_rt", "floor")
        b.details.append("issue 7: empty plugin reading rax and rcx (the run-time call's "
                         "registers): %.1f ns/call" % med(fl_rt))
        self.call_instructions(modes, floor, titles, shorts)

    def call_instructions(self, modes, floor, titles, shorts):
        """Rows 2 and 3 again in host instructions per call, counted by
        valgrind: (instructions of N calls - of N empty iterations) / N under
        the same plugin. Unlike time, they do not move with the machine's
        noise (a bare CPUID alone varies from 7 to 16 ns between runs)."""
        b = self.b
        if shutil.which("valgrind") is None:
            b.details.append("rows 2-3 host instruction counts skipped: valgrind is not installed")
            return
        n = 20000 if self.args.quick else 200000
        start = time.perf_counter()
        configs = {"none": lambda m: None, "floor": lambda m: floor(*modes[m]),
                   "bd": lambda m: plugin_arg(PLUGIN, summary="none")}
        count = {}
        for config, plugin in configs.items():
            for mode in modes:
                count[mode, config] = valgrind_insns(user(CALLS, [mode, n], plugin(mode)),
                                                     self.tmp)
        self.log("  %-46s %3d runs  %5.1f s" % ("2+3 host instructions under valgrind, N=%d" % n,
                                                len(count), time.perf_counter() - start))

        def per_call(mode, config):
            return (count[mode, config] - count["empty", config]) / n

        name = "cost per call in host instructions (valgrind, N=%d), insns/call" % n
        for mode, (title, regs) in titles.items():
            none, fl, bd = per_call(mode, "none"), per_call(mode, "floor"), per_call(mode, "bd")
            b.add("2", name, "%s: libbackdoor.so" % title, [bd], "insns", bd / fl, "floor 2",
                  "<= 1.2", note="floor 1 %.0f, floor 2 %.0f" % (none, fl),
                  label="call cost, %s: vs empty plugin, instructions" % shorts[mode])
        name = "issue 7 in host instructions (valgrind, N=%d), insns/call" % n
        bare = per_call("i8_v32_const", "none")
        b.add("3", name, "bare CPUID, no plugin", [bare], "insns", 1.0, "bare")
        fl = per_call("i8_v32_const", "floor")
        b.add("3", name, "empty plugin callback, no register (context)", [fl], "insns",
              fl / bare, "bare")
        const = per_call("i8_v32_const", "bd")
        b.add("3", name, "(5, 7) constant, decoded at translation", [const], "insns",
              const / bare, "bare", "<= 1.1",
              label="issue 7: constant call vs bare CPUID, instructions")
        bare_rt, rt = per_call("i8_v32_rt", "none"), per_call("i8_v32_rt", "bd")
        b.add("3", name, "(i8, v) run-time values, decoded at run time", [rt], "insns",
              rt / bare_rt, "bare run-time", note="bare run-time CPUID %.0f" % bare_rt)

    # Row 4 ---------------------------------------------------------------------
    def row4(self):
        b = self.b
        out_print = self.path("print.txt")

        def via_print():
            _, ticks, ns, taken = self.boot(
                "print %d" % self.print_msgs,
                plugin=plugin_arg(PLUGIN, summary="none", print=out_print))
            if taken != 64 * self.print_msgs:
                raise Failure("backdoor_print took %d bytes of %d" % (taken, 64 * self.print_msgs))
            return self.print_msgs / self.seconds(ticks, ns)

        def via_debugcon():
            _, ticks, ns, _ = self.boot("debugcon %d" % self.debugcon_msgs,
                                        debugcon=self.path("debugcon.txt"))
            return self.debugcon_msgs / self.seconds(ticks, ns)

        b.interleaved("4 system: 64-byte messages, print vs debugcon", [
            ("p.print", via_print), ("p.debugcon", via_debugcon)])
        s = b.samples
        name = "guest->host text, system mode: 64-byte messages to a file, messages/s"
        b.add("4", name, "isa-debugcon, outb per byte (%d msgs), no plugin" % self.debugcon_msgs,
              s["p.debugcon"], "msg/s", 1.0, "debugcon")
        b.add("4", name, "backdoor_print (%d msgs)" % self.print_msgs, s["p.print"], "msg/s",
              paired_ratio(s["p.print"], s["p.debugcon"]), "debugcon", ">= 10",
              label="text: backdoor_print vs isa-debugcon, msg/s")

    # Row 5 ---------------------------------------------------------------------
    def row5(self):
        b = self.b
        only = symbol_range(KERNEL, "smp_loop")
        configs = {
            "none": None,
            "floor": plugin_arg(FLOOR, read=I386_ARGS, write="rsi", only=only),
            "backdoor": plugin_arg(PLUGIN, summary="none"),
        }
        cpus_list = sorted({1} | {int(c) for c in self.args.smp.split(",")})

        def smp(config, cpus):
            n = self.smp_calls[config]
            _, ticks, ns, done = self.boot("smp %d %d" % (cpus, n), smp=cpus,
                                           plugin=configs[config])
            if done != cpus:
                raise Failure("smp %d: %d CPUs finished" % (cpus, done))
            return ticks, ns, cpus * n

        raw = {}
        jobs = []
        for config in configs:
            for cpus in cpus_list:
                key = "s.%s.%d" % (config, cpus)
                jobs.append((key, lambda c=config, k=cpus, key=key:
                             raw.setdefault(key, []).append(smp(c, k)) or 0))
        b.interleaved("5 system: -smp 1/2/4, aggregate calls/s", jobs,
                      reps=self.args.smp_reps if not self.args.quick else 1)
        cal = self.calibration()
        rates = {key: [calls / (ns / 1e9 if ns else ticks / cal / 1e9)
                       for ticks, ns, calls in runs] for key, runs in raw.items()}
        labels = {"none": "plain CPUID loop, no plugin",
                  "floor": "empty plugin (reads 4, writes 1)",
                  "backdoor": "libbackdoor.so"}
        scaling = {}
        for config in configs:
            one = rates["s.%s.1" % config]
            for cpus in cpus_list:
                r = rates["s.%s.%d" % (config, cpus)]
                scaling[config, cpus] = paired_ratio(r, one)
                target, note = "", ""
                if config == "backdoor" and cpus > 1:
                    # As well as the empty plugin doing the same register
                    # work, in the same run: what this machine allows.
                    target = ">= %.2f" % (0.9 * scaling["floor", cpus])
                    note = "target: 0.9 x the empty plugin's %.2f; linear: %d" % (
                        scaling["floor", cpus], min(cpus, HOST_CORES))
                b.add("5", "scaling, system mode MTTCG: backdoor_sum() with run-time args "
                      "on every vCPU, aggregate calls/s",
                      "%s, -smp %d" % (labels[config], cpus), r, "calls/s",
                      scaling[config, cpus], "-smp 1", target, note=note,
                      label="scaling, -smp %d vs 1 (target: 0.9 x empty plugin)" % cpus)

    # Row 6 ---------------------------------------------------------------------
    def row6(self):
        b = self.b
        short, long_ = self.load_seconds
        outdir = self.args.output_dir or (
            "/dev/shm" if os.path.isdir("/dev/shm") and shutil.disk_usage("/dev/shm").free > 12e9
            else self.tmp)
        outdir = tempfile.mkdtemp(prefix="backdoor-bench-out-", dir=outdir)
        results = {}
        start = time.perf_counter()
        try:
            for kind, seconds in (("none", short), ("events", short), ("events", long_),
                                  ("trace", short), ("trace", long_)):
                out = os.path.join(outdir, kind)
                opts = {"summary": "none"}
                if kind != "none":
                    opts[kind] = out
                r = run(user(CALLS, ["mark", 0, seconds], plugin_arg(PLUGIN, **opts)),
                        timeout=seconds * 10 + 60, poll_hwm=True)
                calls, ns = loop_ns(r)
                records = 0
                if kind != "none":
                    needle = b'"event":"call"' if kind == "events" else b'"ph":"i"'
                    records = count_in_file(out, needle)
                    size = os.path.getsize(out)
                    os.unlink(out)
                    if records != calls:
                        raise Failure("%s: %d records for %d calls" % (kind, records, calls))
                else:
                    size = 0
                results[(kind, seconds)] = dict(calls=calls, ns=ns, records=records,
                                                maxrss=r.maxrss_kb, size=size, cpu=r.cpu)
        finally:
            shutil.rmtree(outdir, ignore_errors=True)
        self.log("  %-46s %3d runs  %5.1f s" % ("6 user: outputs under load (marks)", 5,
                                                time.perf_counter() - start))
        base = results[("none", short)]
        base_rate = base["calls"] / (base["ns"] / 1e9)
        name = "outputs under load, user mode: backdoor_mark(1, i) loop, 1 vCPU"
        b.add("6", name, "no output (%.0f s): calls/s" % short, [base_rate], "calls/s", 1.0,
              "no output")
        for kind in ("events", "trace"):
            for seconds in (short, long_):
                x = results[(kind, seconds)]
                rate = x["records"] / (x["ns"] / 1e9)
                per_record = (x["ns"] / x["calls"]) - (base["ns"] / base["calls"])
                b.add("6", name, "%s= file, %.0f s: events/s written" % (kind, seconds),
                      [rate], "events/s", rate / 5e6, "5 M/s", ">= 1" if seconds == long_ else "",
                      note="%.0f MB, %.0f ns per record over no output" % (x["size"] / 1e6,
                                                                          per_record),
                      label="%s= records/s, as a fraction of 5 M/s" % kind)
            a, z = results[(kind, short)], results[(kind, long_)]
            b.add("6", name, "%s= file: peak RSS after %.0f s vs %.0f s" % (kind, long_, short),
                  [z["maxrss"] / 1024], "MiB", z["maxrss"] / a["maxrss"],
                  "RSS after %.0f s (%.1f MiB)" % (short, a["maxrss"] / 1024), "<= 1.1",
                  label="%s= peak RSS, %.0f s vs %.0f s" % (kind, long_, short))
        b.details.append("row 6 outputs written to %s; peak RSS without outputs %.1f MiB" % (
            os.path.dirname(outdir), base["maxrss"] / 1024))

    # Row 7 ---------------------------------------------------------------------
    def row7(self):
        b = self.b
        rounds = self.wl_rounds
        insn = find_qemu_plugin("libinsn.so")
        counts = {}

        def bd():
            path = self.path("roi-summary.txt")
            r = run(user(WORKLOAD, [rounds, "roi"], plugin_arg(PLUGIN, summary=path)))
            counts["backdoor"] = open(path).read()
            return r.cpu

        def insn_run():
            r = run([QEMU_USER, "-d", "plugin", "-plugin", plugin_arg(insn, inline="on"),
                     WORKLOAD, str(rounds), "roi"])
            counts["insn"] = r.err + r.out
            return r.cpu

        b.interleaved("7 user: region counting vs libinsn.so", [
            ("r.none", lambda: run(user(WORKLOAD, [rounds, "roi"])).cpu),
            ("r.insn", insn_run),
            ("r.bd", bd),
        ])
        s = b.samples
        insn_ratio = paired_ratio(s["r.insn"], s["r.none"])
        name = "regions of interest, user mode: workload (%d rounds) inside one region, s CPU" % rounds
        b.add("7", name, "no plugin", s["r.none"], "s", 1.0, "no plugin")
        b.add("7", name, "QEMU's libinsn.so inline=on (counts everything)", s["r.insn"], "s",
              insn_ratio, "no plugin")
        b.add("7", name, "libbackdoor.so, roi_begin/roi_end around all", s["r.bd"], "s",
              paired_ratio(s["r.bd"], s["r.none"]), "no plugin",
              "<= %.2f" % insn_ratio, label="region counting (target: libinsn.so's ratio)")
        m_insn = re.search(r"total insns: (\d+)", counts.get("insn", ""))
        m_bd = re.search(r"^\s*1\s+0\s+\d+\s+(\d+)", counts.get("backdoor", ""), re.M)
        b.details.append("row 7 instruction counts: libinsn.so total %s; backdoor region 1: %s" % (
            m_insn.group(1) if m_insn else "?", m_bd.group(1) if m_bd else
            "(see summary below)"))
        if not m_bd:
            b.details.append("backdoor summary:\n" + counts.get("backdoor", "")[-800:])


def valgrind_insns(cmd, tmp, busiest_thread=False):
    """Host instructions cmd executes, JIT-translated code included. With
    busiest_thread, those of its busiest thread only (the vCPU thread of a
    system-mode run, whose count, unlike that of QEMU's main loop, does not
    depend on how long the run takes)."""
    if busiest_thread:
        out = os.path.join(tmp, "callgrind")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        tool = ["--tool=callgrind", "--separate-threads=yes",
                "--callgrind-out-file=%s/out.%%p" % out]
    else:
        tool = ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    r = run(["valgrind"] + tool + ["--smc-check=all-non-file"] + cmd, timeout=600, expect=None)
    if r.code not in (0, DEBUG_EXIT_OK):
        raise Failure("valgrind run failed\n" + r.describe())
    if busiest_thread:
        counts = []
        for name in os.listdir(out):
            m = re.search(r"^totals:\s+(\d+)", open(os.path.join(out, name)).read(), re.M)
            if m:
                counts.append(int(m.group(1)))
        if not counts:
            raise Failure("callgrind wrote no totals\n" + r.describe())
        return max(counts)
    m = re.search(r"I\s+refs:\s+([\d,]+)", r.err)
    if not m:
        raise Failure("valgrind gave no count\n" + r.describe())
    return int(m.group(1).replace(",", ""))


def count_in_file(path, needle):
    n = 0
    tail = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            n += data.count(needle)
            # Keep a needle's length, minus one, of the end for a match that
            # straddles two chunks; never count a match twice.
            keep = len(needle) - 1
            tail = data[-keep:] if keep else b""
            n -= tail.count(needle)
    return n


def find_qemu_plugin(name):
    """One of QEMU's own test plugins (libinsn.so, libempty.so)."""
    for pattern in ("lib/qemu-plugins/", "lib/*/qemu-plugins/", "libexec/qemu-plugins/"):
        found = glob.glob(os.path.join(QEMU, pattern + name))
        if found:
            return found[0]
    raise Failure("QEMU's %s is not under %s" % (name, QEMU))


# Output ----------------------------------------------------------------------

def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    a = abs(x)
    if a >= 1e6:
        return "%.2fM" % (x / 1e6)
    if a >= 1e4:
        return "%.0fk" % (x / 1e3)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    return "%.2f" % x


def fmt_ratio(r):
    if r is None or math.isnan(r):
        return "-"
    return "%.3f" % r if r < 10 else "%.1f" % r


def ratio_iqr(r):
    q = getattr(r.ratio, "quartiles", None)
    return "%s..%s" % (fmt_ratio(q[0]), fmt_ratio(q[1])) if q else ""


def table(rows, qemu, api):
    header = ("#", "what / variant", "QEMU/API", "median", "min..max", "unit", "ratio",
              "ratio IQR", "vs", "target", "met")
    lines = []
    last = None
    body = []
    for r in rows:
        if r.name != last:
            body.append(("", r.name, "", "", "", "", "", "", "", "", ""))
            last = r.name
        spread = "%s..%s" % (fmt(r.lo), fmt(r.hi)) if len(r.values) > 1 else "(1 run)"
        met = met_text(r.met)
        variant = "  " + r.variant + ("  [%s]" % r.note if r.note else "")
        body.append((r.row, variant, "%s/%d" % (qemu, api), fmt(r.median), spread, r.unit,
                     fmt_ratio(r.ratio), ratio_iqr(r), r.ratio_to, r.target, met))
    widths = [max(len(h), *(len(b[i]) for b in body if b[2])) for i, h in enumerate(header)]
    widths[1] = max(len(b[1]) for b in body if b[2])
    def line(cells):
        return "  ".join(c.ljust(w) if i in (0, 1, 8) else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    lines.append(line(header))
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        if not b[2]:
            lines.append("%s %s" % (next(r.row for r in rows if r.name == b[1]), b[1]))
        else:
            lines.append(line(b))
    return "\n".join(lines)


def write_csv(path, rows, qemu, api, reps):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "name", "variant", "median", "min", "max", "unit", "ratio",
                    "ratio_q1", "ratio_q3", "ratio_to", "target", "met", "runs", "qemu",
                    "plugin_api", "note"])
        for r in rows:
            q = getattr(r.ratio, "quartiles", None) or ("", "")
            w.writerow([r.row, r.name, r.variant, "%.6g" % r.median, "%.6g" % r.lo,
                        "%.6g" % r.hi, r.unit,
                        "" if r.ratio is None else "%.4f" % r.ratio,
                        *("" if x == "" else "%.4f" % x for x in q), r.ratio_to, r.target,
                        met_text(r.met, "yes", "no"), len(r.values),
                        qemu, api, r.note])


def markdown(rows, qemu, api):
    """The table for README.md."""
    out = ["| # | what | variant | median | min..max | unit | ratio | ratio IQR | vs | target | met |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    last = None
    for r in rows:
        what = r.name if r.name != last else ""
        last = r.name
        spread = "%s..%s" % (fmt(r.lo), fmt(r.hi)) if len(r.values) > 1 else "1 run"
        met = met_text(r.met, "yes", "**no**")
        variant = r.variant + (" (%s)" % r.note if r.note else "")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r.row, what, variant, fmt(r.median), spread, r.unit, fmt_ratio(r.ratio),
            ratio_iqr(r), r.ratio_to, r.target.replace("<=", "\u2264").replace(">=", "\u2265"), met))
    return "\n".join(out) + "\n"


def xml(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def write_svg(path, rows, title):
    """Horizontal bars of the rows that have a target: the measured ratio on a
    logarithmic axis, drawn from 1, the target as a black tick; green met,
    red missed."""
    items = [r for r in rows if r.target and r.ratio is not None and not math.isnan(r.ratio)]
    label_w, plot_w, bar_h, gap, top = 600, 420, 18, 8, 60
    height = top + len(items) * (bar_h + gap) + 50
    width = label_w + plot_w + 150
    values = [r.ratio for r in items] + [float(r.target.split()[1]) for r in items] + [1.0]
    lo = 10 ** math.floor(math.log10(max(min(values), 1e-3) * 0.9))
    hi = 10 ** math.ceil(math.log10(max(values) * 1.1))
    def x(v):
        v = min(max(v, lo), hi)
        return label_w + (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * plot_w
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="22" font-size="15" font-weight="bold">%s</text>' % xml(title),
           '<text x="10" y="42" fill="#555">measured ratio (bar from 1, log scale) and target '
           '(black tick); green: target met, red: missed, grey: within the noise</text>']
    decade = lo
    while decade <= hi * 1.0001:
        for m in (1, 2, 5):
            v = decade * m
            if lo <= v <= hi:
                out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (
                    x(v), top - 5, x(v), height - 40))
                out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%g</text>' % (
                    x(v), height - 25, v))
        decade *= 10
    for i, r in enumerate(items):
        y = top + i * (bar_h + gap)
        label = "%s. %s" % (r.row, short_label(r))
        colour = "#999999" if r.met == NOISE else "#3a9a3a" if r.met else "#c83232"
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (
            label_w - 8, y + bar_h - 5, xml(label)))
        left, right = sorted((x(1.0), x(r.ratio)))
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
            left, y, max(right - left, 1), bar_h, colour))
        t = float(r.target.split()[1])
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-width="3"/>' % (
            x(t), y - 3, x(t), y + bar_h + 3))
        out.append('<text x="%d" y="%d">%s (target %s)</text>' % (
            label_w + plot_w + 8, y + bar_h - 5, fmt_ratio(r.ratio), xml(r.target)))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def short_label(r):
    if r.label:
        return r.label
    name = re.sub(r",? (s CPU|ns/call|ms in guest|messages/s|aggregate calls/s)$", "", r.name)
    name = re.sub(r"^(cost per call, |issue 7: |unused channel, |scaling, system mode MTTCG: )", "",
                  name)
    text = "%s: %s" % (name, r.variant)
    return text if len(text) <= 84 else text[:81] + "..."


# Main ------------------------------------------------------------------------

def source_version():
    """The last commit that changed the plugin's sources (plugin/, include/),
    '+changes' if they differ from it."""
    try:
        commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--",
                                 "plugin", "include"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "plugin", "include"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return "commit %s%s" % (commit, "+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"


def build():
    with open(os.path.join(ROOT, "Makefile")) as f:
        included = re.search(r"^\s*-?include\b.*bench/rules\.mk", f.read(), re.M)
    cmd = ["make", "--no-print-directory", "-C", ROOT]
    if not included:
        cmd += ["-f", "Makefile", "-f", "bench/rules.mk"]
    subprocess.run(cmd + ["bench-build"], check=True)
    for path in (QEMU_USER, QEMU_SYSTEM, PLUGIN, FLOOR, CALLS, WORKLOAD, KERNEL):
        if not os.path.exists(path):
            raise Failure("%s is missing (run 'make bench')" % path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="repetitions of each variant")
    ap.add_argument("--smp-reps", type=int, default=6, help="repetitions of row 5")
    ap.add_argument("--smp", default="1,2,4", help="vCPU counts of row 5 (at most 16)")
    ap.add_argument("--calls", type=int, default=10_000_000, help="N of rows 2 and 3")
    ap.add_argument("--quick", action="store_true", help="one repetition, small counts")
    ap.add_argument("--only", default="1,2,3,4,5,6,7", help="rows to run, e.g. 2,3")
    ap.add_argument("--output-dir", help="where row 6 writes its files "
                    "(default /dev/shm, so that the disk is not what is measured)")
    ap.add_argument("--results", default=RESULTS, help="directory of latest.{csv,svg,txt}")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.reps = 1
    wanted = set(args.only.split(","))

    def log(text):
        print(text, flush=True)

    started = time.perf_counter()
    if not args.no_build:
        build()
    qemu, api = qemu_version(), plugin_api()
    # Measure one plugin from start to end: a private copy, so that a rebuild
    # of build/libbackdoor.so during the run cannot mix two builds.
    global PLUGIN
    snapshot_dir = tempfile.mkdtemp(prefix="backdoor-bench-plugin-")
    snapshot = os.path.join(snapshot_dir, "libbackdoor.so")
    shutil.copy2(PLUGIN, snapshot)
    with open(snapshot, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    plugin_from = "%s, build sha256 %s" % (source_version(), digest)
    PLUGIN = snapshot
    log("==> backdoor benchmarks: QEMU %s, plugin API %d, %d host cores (%s), %d repetitions"
        % (qemu, api, HOST_CORES, platform.machine(), args.reps))
    suite = Suite(args, log)
    try:
        if "1" in wanted:
            suite.row1()
        if wanted & {"2", "3"}:
            suite.rows23()
        if "4" in wanted:
            suite.row4()
        if "5" in wanted:
            suite.row5()
        if "6" in wanted:
            suite.row6()
        if "7" in wanted:
            suite.row7()
    except Failure as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        suite.cleanup()
        shutil.rmtree(snapshot_dir, ignore_errors=True)
    b = suite.b
    rows = [r for r in b.rows if r.row in wanted or (r.row in "23" and wanted & {"2", "3"})]
    elapsed = time.perf_counter() - started
    cpu_model = ""
    try:
        cpu_model = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()).group(1)
    except (OSError, AttributeError):
        pass
    text = table(rows, qemu, api)
    head = ("backdoor benchmarks, %s: QEMU %s, plugin API %d; plugin from %s; host %s, "
            "%d cores; %d repetitions; %.0f s" % (
                time.strftime("%Y-%m-%d"), qemu, api, plugin_from, cpu_model or "?",
                HOST_CORES, args.reps, elapsed))
    details = "\n".join("  " + d for d in b.details)
    if b.ticks_per_ns:
        details += "\n  guest RDTSC: %.3f ticks/ns (median of %d runs with host time)" % (
            med(b.ticks_per_ns), len(b.ticks_per_ns))
    report = "%s\n\n%s\n\n%s\n" % (head, text, details)
    print()
    print(report)
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, "latest.txt"), "w") as f:
        f.write(report)
    write_csv(os.path.join(args.results, "latest.csv"), rows, qemu, api, args.reps)
    with open(os.path.join(args.results, "latest.md"), "w") as f:
        f.write("%s\n\n%s" % (head, markdown(rows, qemu, api)))
    write_svg(os.path.join(args.results, "latest.svg"), rows,
              "backdoor: ratios vs targets (QEMU %s, plugin API %d, %s)" % (
                  qemu, api, time.strftime("%Y-%m-%d")))
    print("results: %s/latest.{txt,md,csv,svg}; of %d targets %d met, %d missed, "
          "%d within the noise; %.0f s" % (
              os.path.relpath(args.results, ROOT), sum(1 for r in rows if r.met is not None),
              sum(1 for r in rows if r.met is True), sum(1 for r in rows if r.met is False),
              sum(1 for r in rows if r.met == NOISE), elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
