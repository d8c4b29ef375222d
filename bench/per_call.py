# SPDX-License-Identifier: GPL-2.0-or-later
"""Rows 2 and 3: what one call costs. User-mode loops of N calls of each
request type, against two floors: the same loop without a plugin (the
CPUID alone) and an empty plugin that reads and writes the registers
libbackdoor.so does for that request. Row 3 (issue 7) is the constant call
of the same loops, decoded at translation, against a bare CPUID. In CPU
time per call and in host instructions per call counted by valgrind."""
import shutil
import time

from harness import Failure, run_counts
from measure import run, symbol_range, valgrind_insns
from qemu import plugin_arg, user_command
from registers import REGISTERS
from session import CALLS, FLOOR
from stats import med, paired_ratio

ROWS = ("2", "3")
X86_64 = REGISTERS["x86_64"]
DECODE_PATHS = ("dispatched", "translation", "mixed", "runtime")
# Calls of the one untimed run per mode that reads the counts (see check_counts).
CHECK_CALLS = 20000

# mode of bench/guest/calls.c -> the registers libbackdoor.so reads and
# writes for that request (docs/abi.md), which the floor plugin reads and
# writes likewise: (read, write), colon-separated.
MODES = {
    "empty": ("", ""),
    "i8": ("", ""),
    "i8_v32": (X86_64.selector, ""),
    "call4": (":".join(X86_64.args), X86_64.result),
    "present": ("", X86_64.result),
    "i8_v32_const": ("", ""),
    "i8_v32_rt": (X86_64.leaf + ":" + X86_64.selector, ""),
}
TITLES = {
    "i8": ("type 0 BACKDOOR_i8(7), constant", "no register"),
    "i8_v32": ("type 1 BACKDOOR_i8_v32(7, v), v at run time", "reads " + X86_64.selector),
    "call4": ("type 2 backdoor_sum(a,b,c,d), 4 run-time args + result",
              "reads %s, writes %s" % (" ".join(X86_64.args), X86_64.result)),
    "present": ("type 2 backdoor_present(), constant, result", "writes " + X86_64.result),
}
SHORTS = {"i8": "type 0 i8 constant", "i8_v32": "type 1 i8_v32, v at run time",
          "call4": "sum, 4 run-time args", "present": "present, a result"}


def calls(mode, n, plugin=None):
    return user_command("x86_64", CALLS, [mode, n], plugin)


def check_counts(s, mode):
    """The decode-path counts (DECODE_PATHS) of one untimed run of the loop,
    read from the summary record of its event log. The timed runs write no
    event log: a record per call, and the callback that writes it, are not
    what rows 2 and 3 measure (a constant seed call with no per-call output
    has no callback at all). The counts are the same with or without the
    log (tests/test_decode_paths.py)."""
    events = s.path("events-%s.jsonl" % mode)
    run(calls(mode, CHECK_CALLS, s.backdoor(events=events, summary="none")))
    counts = run_counts(events)
    if counts["dispatched"] < CHECK_CALLS:
        raise Failure("%s: the plugin dispatched %d of %d calls"
                      % (mode, counts["dispatched"], CHECK_CALLS))
    return tuple(counts[k] for k in DECODE_PATHS)


def measure(s):
    n = s.n_calls
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
        return run(calls(mode, n, s.backdoor(summary="none"))).cpu

    for mode in MODES:
        if mode != "empty":
            summaries[mode] = check_counts(s, mode)
    jobs = []
    for mode, (read, write) in MODES.items():
        jobs.append(("c.%s.none" % mode, lambda m=mode: run(calls(m, n)).cpu))
        jobs.append(("c.%s.floor" % mode,
                     lambda m=mode, rd=read, wr=write: run(calls(m, n, floor(rd, wr))).cpu))
        jobs.append(("c.%s.bd" % mode, lambda m=mode: backdoor_run(m)))
    s.interleaved("2+3 user: call loops, N=%d" % n, jobs)

    samples = s.samples

    def per_call(mode, config):
        return [(t - e) / n * 1e9 for t, e in
                zip(samples["c.%s.%s" % (mode, config)], samples["c.empty.%s" % config])]

    s.details.append("empty loop (N=%d), s CPU: no plugin %.3f, floor %.3f, backdoor %.3f" % (
        n, med(samples["c.empty.none"]), med(samples["c.empty.floor"]),
        med(samples["c.empty.bd"])))
    for mode, counts in summaries.items():
        s.details.append("summary of a %d-call %s run: %d dispatched, %d decoded at translation "
                         "(%d of them read arguments), %d at run time"
                         % ((CHECK_CALLS, mode) + counts))

    for mode, (title, regs) in TITLES.items():
        none, fl, bd = per_call(mode, "none"), per_call(mode, "floor"), per_call(mode, "bd")
        name = "cost per call, %s, ns/call" % title
        s.add("2", name, "floor 1: plain CPUID, no plugin", none, "ns", 1.0, "floor 1")
        s.add("2", name, "floor 2: empty plugin, " + regs, fl, "ns",
              paired_ratio(fl, none), "floor 1")
        s.add("2", name, "libbackdoor.so (%.1fx floor 1)" % paired_ratio(bd, none), bd, "ns",
              paired_ratio(bd, fl), "floor 2", "<= 1.2",
              label="call cost, %s: vs empty plugin" % SHORTS[mode])

    name = "issue 7: BACKDOOR_i8_v32, per call (N=%d), ns/call" % n
    bare = per_call("i8_v32_const", "none")
    s.add("3", name, "bare CPUID, no plugin (same instructions)", bare, "ns", 1.0, "bare")
    fl = per_call("i8_v32_const", "floor")
    s.add("3", name, "empty plugin callback, no register (context)", fl, "ns",
          paired_ratio(fl, bare), "bare")
    const = per_call("i8_v32_const", "bd")
    s.add("3", name, "(5, 7) constant, decoded at translation", const, "ns",
          paired_ratio(const, bare), "bare", "<= 1.1",
          label="issue 7: constant call vs bare CPUID")
    bare_rt = per_call("i8_v32_rt", "none")
    rt = per_call("i8_v32_rt", "bd")
    s.add("3", name, "bare CPUID, run-time leaf, no plugin", bare_rt, "ns",
          paired_ratio(bare_rt, bare), "bare")
    s.add("3", name, "(i8, v) run-time values, decoded at run time", rt, "ns",
          paired_ratio(rt, bare_rt), "bare run-time")
    fl_rt = per_call("i8_v32_rt", "floor")
    s.details.append("issue 7: empty plugin reading %s and %s (the run-time call's "
                     "registers): %.1f ns/call" % (X86_64.leaf, X86_64.selector, med(fl_rt)))
    instructions(s, floor)


def instructions(s, floor):
    """Rows 2 and 3 again in host instructions per call, counted by
    valgrind: (instructions of N calls - of N empty iterations) / N under
    the same plugin. Unlike time, they do not move with the machine's
    noise (a bare CPUID alone varies from 7 to 16 ns between runs)."""
    if shutil.which("valgrind") is None:
        s.details.append("rows 2-3 host instruction counts skipped: valgrind is not installed")
        return
    n = 20000 if s.args.quick else 200000
    start = time.perf_counter()
    configs = {"none": lambda m: None, "floor": lambda m: floor(*MODES[m]),
               "bd": lambda m: s.backdoor(summary="none")}
    count = {}
    for config, plugin in configs.items():
        for mode in MODES:
            count[mode, config] = valgrind_insns(calls(mode, n, plugin(mode)), s.tmp)
    s.log("  %-46s %3d runs  %5.1f s" % ("2+3 host instructions under valgrind, N=%d" % n,
                                         len(count), time.perf_counter() - start))

    def per_call(mode, config):
        return (count[mode, config] - count["empty", config]) / n

    name = "cost per call in host instructions (valgrind, N=%d), insns/call" % n
    for mode, (title, regs) in TITLES.items():
        none, fl, bd = per_call(mode, "none"), per_call(mode, "floor"), per_call(mode, "bd")
        s.add("2", name, "%s: libbackdoor.so" % title, [bd], "insns", bd / fl, "floor 2",
              "<= 1.2", note="floor 1 %.0f, floor 2 %.0f" % (none, fl),
              label="call cost, %s: vs empty plugin, instructions" % SHORTS[mode])
    name = "issue 7 in host instructions (valgrind, N=%d), insns/call" % n
    bare = per_call("i8_v32_const", "none")
    s.add("3", name, "bare CPUID, no plugin", [bare], "insns", 1.0, "bare")
    fl = per_call("i8_v32_const", "floor")
    s.add("3", name, "empty plugin callback, no register (context)", [fl], "insns",
          fl / bare, "bare")
    const = per_call("i8_v32_const", "bd")
    s.add("3", name, "(5, 7) constant, decoded at translation", [const], "insns",
          const / bare, "bare", "<= 1.1",
          label="issue 7: constant call vs bare CPUID, instructions")
    bare_rt, rt = per_call("i8_v32_rt", "none"), per_call("i8_v32_rt", "bd")
    s.add("3", name, "(i8, v) run-time values, decoded at run time", [rt], "insns",
          rt / bare_rt, "bare run-time", note="bare run-time CPUID %.0f" % bare_rt)
