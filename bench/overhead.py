# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 1: what the plugin costs a program that never calls it. A CPU-bound
workload in user mode and the same code in the bare-metal kernel, without a
plugin, with QEMU's own empty plugin and with libbackdoor.so, in CPU time
and in host instructions counted by valgrind."""
import shutil
import time

from harness import Failure
from measure import run, valgrind_insns
from qemu import qemu_plugin, user_command
from session import WORKLOAD
from stats import paired_ratio

ROWS = ("1",)


def workload(rounds, plugin=None):
    return user_command("x86_64", WORKLOAD, [rounds], plugin)


def measure(s):
    rounds = s.wl_rounds
    reps = 1 if s.args.quick else max(s.args.reps, 9)
    empty = qemu_plugin("libempty.so")
    if empty is None:
        raise Failure("QEMU's libempty.so is not installed with the QEMU in use")
    s.interleaved("1 user: workload, no plugin/libempty/backdoor", [
        ("wl.none", lambda: run(workload(rounds)).cpu),
        ("wl.empty", lambda: run(workload(rounds, empty)).cpu),
        ("wl.bd", lambda: run(workload(rounds, s.backdoor())).cpu),
    ], reps=reps)
    unused_rows(s, "user mode: qemu-x86_64, workload (%d rounds), s CPU" % rounds, "wl",
                label="unused, user, CPU time")

    # System mode: CPU time of the whole QEMU process minus that of a boot
    # that runs 0 rounds, so that neither firmware nor start-up dilutes
    # the ratio (the guest's own RDTSC is wall time, which a busy host
    # inflates; CPU time it does not).
    kr = s.kwl_rounds

    def kernel_wl(plugin):
        boot_only = s.boot("workload 0", plugin=plugin)[0].cpu
        return s.boot("workload %d" % kr, plugin=plugin)[0].cpu - boot_only

    reps = 1 if s.args.quick else max(s.args.reps, 7)
    s.interleaved("1 system: workload kernel, no plugin/libempty/backdoor", [
        ("kwl.none", lambda: kernel_wl(None)),
        ("kwl.empty", lambda: kernel_wl(empty)),
        ("kwl.bd", lambda: kernel_wl(s.backdoor())),
    ], reps=reps)
    unused_rows(s, "system mode: qemu-system-x86_64, bare-metal workload kernel "
                "(%d rounds), s CPU minus a 0-round boot" % kr, "kwl",
                label="unused, system, CPU time")
    unused_instructions(s, empty)


def unused_instructions(s, empty):
    """The same comparison counted in host instructions, which unlike
    time do not depend on what else the machine does: valgrind's
    cachegrind without cache simulation counts every instruction QEMU
    executes, translated code included."""
    if shutil.which("valgrind") is None:
        s.details.append("row 1 host instruction counts skipped: valgrind is not installed")
        return
    start = time.perf_counter()
    configs = (("none", None), ("empty", empty), ("bd", s.backdoor(summary="none")))
    rounds, kr = (1, 0) if s.args.quick else (4, 2)
    user_counts, system_counts = {}, {}
    for key, plugin in configs:
        user_counts[key] = [valgrind_insns(workload(rounds, plugin), s.tmp) / 1e6]
        if not s.args.quick:
            # Only the workload: a 2-round boot minus a 0-round boot.
            c = [valgrind_insns(s.system_cmd("workload %d" % n, plugin=plugin), s.tmp,
                                busiest_thread=True) for n in (0, kr)]
            system_counts[key] = [(c[1] - c[0]) / 1e6]
    s.log("  %-46s %3d runs  %5.1f s" % ("1 host instructions under valgrind",
                                         len(configs) * (1 + 2 * bool(system_counts)),
                                         time.perf_counter() - start))
    unused_rows(s, "user mode: qemu-x86_64, workload (%d rounds), host instructions "
                "(valgrind, deterministic)" % rounds, None, user_counts, "M insns",
                label="unused, user, host instructions")
    if system_counts:
        unused_rows(s, "system mode: workload kernel (%d rounds), host instructions "
                    "of the vCPU thread (valgrind) minus a 0-round boot" % kr, None,
                    system_counts, "M insns", label="unused, system, host instructions")


def unused_rows(s, what, key, samples=None, unit="s", label=""):
    samples = samples or {k: s.samples["%s.%s" % (key, k)] for k in ("none", "empty", "bd")}
    name = "unused channel, " + what
    none, empty, bd = samples["none"], samples["empty"], samples["bd"]
    s.add("1", name, "no plugin", none, unit, 1.0, "no plugin")
    s.add("1", name, "QEMU's libempty.so (any plugin watching translation)", empty, unit,
          paired_ratio(empty, none), "no plugin")
    s.add("1", name, "libbackdoor.so, vs no plugin", bd, unit,
          paired_ratio(bd, none), "no plugin", "<= 1.01", label=label + ": vs no plugin")
    s.add("1", name, "libbackdoor.so, vs libempty.so", bd, unit,
          paired_ratio(bd, empty), "libempty.so", "<= 1.01",
          label=label + ": vs libempty.so")
