# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 10 (issue 22): what a handler in Python costs. The same command, 0x900
returning the sum of its two run-time arguments, answered by a Python
function (bench/handlers/add.py, through build/libbackdoor-python.so) and
by the C handler bench/handlers/add.c, against the plugin floor of row 2
(bench/floor_plugin.c reading the two argument registers and writing the
result, as libbackdoor.so does for this call) and libbackdoor.so with no
handler (the call dispatched and found unhandled); N calls of one vCPU,
CPU time per call over the empty loop. Then four guest threads (four
vCPUs) calling the Python handler at once against one, in calls per second
of the guest's wall time (the GIL serialises the Python part), beside the C
handler doing the same; and the peak
resident memory after 10^7 Python calls against after 10^5."""
import os

from harness import Failure, run_counts
from measure import run, symbol_range
from qemu import ROOT, plugin_arg, user_command
from registers import REGISTERS
from session import BENCH, CALLS, FLOOR
from stats import med, paired_ratio

ROWS = ("11",)
ADD_PY = os.path.join(ROOT, "bench", "handlers", "add.py")
ADD_C = os.path.join(BENCH, "libadd.so")
THREADS = 4


def loop(mode, n, plugin, threads=1):
    args = [mode, n] + ([0, threads] if threads > 1 else [])
    return user_command("x86_64", CALLS, args, plugin)


def guest_rate(r):
    """calls.c's calls and its in-guest wall time: calls per second."""
    fields = dict(f.split("=") for f in r.out.split())
    if "calls" not in fields:
        raise Failure("no result line\n" + r.describe())
    return int(fields["calls"]) / (int(fields["loop_ns"]) / 1e9)


def check_results(s):
    """Both handlers give the guest the sums: an untimed run of each, whose
    summary counts every call ok (a wrong answer would not show in time)."""
    for handler in (ADD_PY, ADD_C):
        events = s.path("add-events.jsonl")
        run(loop("add", 20000, s.backdoor(handler=handler, events=events, summary="none")))
        counts = run_counts(events)
        if counts["ok"] < 20000 or counts["handler_error"] or counts["unhandled"]:
            raise Failure("%s: %r" % (handler, counts))


def measure(s):
    check_results(s)
    n = max(s.n_calls // 5, 100000)
    x86_64 = REGISTERS["x86_64"]
    variants = {"floor": plugin_arg(FLOOR, only=symbol_range(CALLS, "loop_"),
                                    read=":".join(x86_64.args[:2]), write=x86_64.result),
                "none": s.backdoor(summary="none"),
                "c": s.backdoor(summary="none", handler=ADD_C),
                "py": s.backdoor(summary="none", handler=ADD_PY)}
    jobs = []
    for key, plugin in variants.items():
        jobs.append(("py.empty.%s" % key, lambda p=plugin: run(loop("empty", n, p)).cpu))
        jobs.append(("py.add.%s" % key, lambda p=plugin: run(loop("add", n, p)).cpu))
    s.interleaved("10 user: a Python handler's call, N=%d" % n, jobs)

    def per_call(key):
        return [(t - e) / n * 1e9 for t, e in
                zip(s.samples["py.add.%s" % key], s.samples["py.empty.%s" % key])]

    floor, none, c, py = per_call("floor"), per_call("none"), per_call("c"), per_call("py")
    name = "issue 22: command 0x900 a+b, 1 vCPU, ns/call"
    s.add("11", name, "plugin floor: empty plugin, reads 2 args, writes the result", floor,
          "ns", 1.0, "floor")
    s.add("11", name, "libbackdoor.so, no handler (unhandled)", none, "ns",
          paired_ratio(none, floor), "floor")
    s.add("11", name, "C handler (bench/handlers/add.c)", c, "ns", paired_ratio(c, floor),
          "floor")
    s.add("11", name, "Python handler, over the plugin floor", py, "ns",
          paired_ratio(py, floor), "floor")
    s.add("11", name, "Python handler, over the C handler", py, "ns", paired_ratio(py, c),
          "C handler", "<= 15", label="Python call vs C handler")
    s.add("11", name, "Python handler, per call", py, "ns", med(py) / 1000.0, "1 us",
          "<= 1", label="Python call, fraction of 1 us")

    # The C handler's scaling in the same run: what the machine gives
    # without a GIL (a 2-core machine shares its cores among 4 vCPUs).
    calls = max(n // 4, 50000)
    jobs = []
    for key in ("py", "c"):
        jobs.append(("%s.threads.1" % key, lambda k=key: guest_rate(
            run(loop("add", calls * THREADS, variants[k])))))
        jobs.append(("%s.threads.%d" % (key, THREADS), lambda k=key: guest_rate(
            run(loop("add", calls, variants[k], THREADS)))))
    s.interleaved("10 user: handlers, 1 vs %d vCPUs" % THREADS, jobs)
    name = "issue 22: %d guest threads at once vs 1, calls/s" % THREADS
    cores = os.cpu_count() or 1
    for key, title in (("c", "C handler"), ("py", "Python handler")):
        one, four = s.samples["%s.threads.1" % key], s.samples["%s.threads.%d" % (key, THREADS)]
        s.add("11", name, "%s, 1 vCPU" % title, [r / 1e6 for r in one], "M calls/s", 1.0,
              "1 vCPU")
        s.add("11", name, "%s, %d vCPUs (%d host cores)" % (title, THREADS, cores),
              [r / 1e6 for r in four], "M calls/s", paired_ratio(four, one), "1 vCPU",
              ">= 1" if key == "py" else "",
              label="Python handler, %d vCPUs vs 1" % THREADS if key == "py" else "")

    small, large = (10 ** 4, 10 ** 6) if s.args.quick else (10 ** 5, 10 ** 7)
    rss = {}
    for count in (small, large):
        r = run(loop("add", count, variants["py"]), timeout=600, poll_hwm=True)
        rss[count] = r.maxrss_kb / 1024
    name = "issue 22: Python handler memory, peak RSS, MiB"
    s.add("11", name, "after %d calls" % small, [rss[small]], "MiB", 1.0, "after %d" % small)
    s.add("11", name, "after %d calls" % large, [rss[large]], "MiB", rss[large] / rss[small],
          "after %d" % small, "<= 1.1", label="Python handler RSS, 10^7 vs 10^5 calls")
