# SPDX-License-Identifier: GPL-2.0-or-later
"""The standard commands in system mode (tests/baremetal/x86/kernels/
commands.c), and complete outputs however qemu-system ends: the guest's own
exit, the exit command, SIGINT, SIGTERM and the monitor's quit."""
import os
import signal
import subprocess
import time

from abi import FEATURE_MEM_READ, FEATURE_MEM_WRITE, FEATURE_RESULTS, FEATURE_SYSTEM, PROTOCOL_VERSION
from harness import (BUILD, Failure, last_summary, on_qemus, pc_machine, plugin_arg, read_jsonl,
                     validate_trace)

KERNEL = os.path.join(BUILD, "baremetal", "x86", "commands.elf")
COMMANDS = ["present", "features", "roi_begin", "roi_end", "stats_reset", "roi_begin",
            "mark", "print", "print", "sum", "host_info", "host_time_ns", "stats_dump"]


def boot(t, tag, ending, extra=()):
    files = {n: t.path("%s-%s" % (n, tag)) for n in ("events", "trace", "summary", "print")}
    console = t.path("console-" + tag)
    cmd = t.qemu.command("qemu-system-x86_64") + t.qemu.firmware + pc_machine(KERNEL) + [
        "-append", ending, "-debugcon", "file:" + console] + list(extra) + [
        "-plugin", plugin_arg(**files)]
    return cmd, files, console


def check_outputs(t, files, reason, status=None):
    records = read_jsonl(files["events"])
    ops = [e["op"] for e in records if e["event"] == "call"]
    t.eq(ops[:len(COMMANDS)], COMMANDS, "every standard command dispatched, in order")
    final = last_summary(records)
    t.contains(final["reason"], reason, "why the emulation ended", final)
    if status is not None:
        t.eq(final.get("status"), status, "status in the summary record", final)
    regions = {r["id"]: r for r in final["regions"]}
    t.eq((regions[1]["open"], regions[1]["entries"], regions[1]["insns"]), (False, 0, 0),
         "region 1, closed before the statistics reset, is zeroed by it", regions)
    t.check(regions[2]["open"] and regions[2]["insns"] > 0, "region 2 open at the end",
            regions)
    closed = [e for e in records if e.get("op") == "roi_end"]
    t.check(closed and closed[0]["insns"] > 1000, "region 1 counted its loop", closed)
    t.eq(final["marks"], [{"id": 7, "count": 1, "last_value": 42}], "the mark", final)
    stats = [e for e in records if e["event"] == "stats"]
    t.eq(len(stats), 1, "one statistics dump record")
    events = validate_trace(files["trace"])
    t.check(any(e["ph"] == "E" and e["name"] == "roi 2" for e in events),
            "the open region is closed in the trace", events[-4:])
    text = open(files["summary"]).read()
    t.contains(text, "statistics dump 1", "the dump in the summary output")
    t.contains(text, "open at exit", "the final summary")
    t.eq(open(files["print"]).read(), "text before the end\nprintf 42 ok\n", "guest text")


@on_qemus("built", "debian-11.1")
def test_guest_exit_and_results(t):
    cmd, files, console = boot(t, "return", "return")
    r = t.run(cmd, timeout=60)
    t.eq(r.returncode, 1, "isa-debug-exit with 0 ends QEMU with status 1", r)
    text = open(console).read()
    # No handler: every feature but FEATURE_HANDLER.
    features = FEATURE_RESULTS | FEATURE_MEM_READ | FEATURE_MEM_WRITE | FEATURE_SYSTEM
    for line in ("present %d features 0x%08x" % (PROTOCOL_VERSION, features), "sum 10",
                 "host_info 64", "host_time set"):
        t.contains(text, line, "kernel saw the results", text)
    check_outputs(t, files, "end of emulation")


@on_qemus("built", "debian-11.1")
def test_exit_command(t):
    cmd, files, console = boot(t, "exit", "exit=5")
    r = t.run(cmd, timeout=60)
    t.eq(r.returncode, 5, "backdoor_exit(5) ends qemu-system with status 5", r)
    t.check("still running" not in open(console).read(), "nothing ran after it")
    check_outputs(t, files, "exit command", 5)


def wait_ready(console, p, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(console) and "ready" in open(console).read():
            return
        if p.poll() is not None:
            raise Failure("QEMU ended early: %s" % p.stderr.read())
        time.sleep(0.05)
    p.kill()
    raise Failure("the kernel never became ready")


@on_qemus("built", "debian-11.1")
def test_signals_and_monitor_quit(t):
    for how in ("SIGINT", "SIGTERM", "quit"):
        extra = ["-monitor", "stdio"] if how == "quit" else []
        cmd, files, console = boot(t, how, "spin", extra)
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            wait_ready(console, p)
            if how == "quit":
                p.stdin.write("quit\n")
                p.stdin.flush()
            else:
                p.send_signal(getattr(signal, how))
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Failure("QEMU did not end on " + how)
        check_outputs(t, files, "end of emulation")
