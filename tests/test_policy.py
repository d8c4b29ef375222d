# SPDX-License-Identifier: GPL-2.0-or-later
"""Policy options in user mode (deny=, allow-from=) and the per-call log
(log=on). allow-from in system mode: tests/test_system_arm_riscv.py."""
import re

from abi import EPERM, PROTOCOL_VERSION
from harness import guest, handler, read_jsonl, run_counts


def test_deny_refuses_named_builtins(t):
    events = t.path("events")
    r = t.user("x86_64", guest("x86_64", "native_harmless"), check=0, deny="print:sum",
               summary="none", events=events, print=t.path("print"))
    t.contains(r.stdout, "sum=%d " % EPERM, "a denied built-in returns BACKDOOR_EPERM", r)
    t.contains(r.stdout, "printed=%d " % EPERM, "print too", r)
    t.contains(r.stdout, "present=%d " % PROTOCOL_VERSION, "the others still work", r)
    t.eq(open(t.path("print")).read(), "", "nothing was printed")
    counts = run_counts(events)
    t.eq(counts["denied"], 2, "two calls denied", counts)
    denied = [e["op"] for e in read_jsonl(events) if e.get("status") == "denied"]
    t.eq(sorted(denied), ["print", "sum"], "denied calls in the event log")


def test_allow_from_kernel_refuses_user_programs(t):
    """In user mode every caller is user code."""
    events = t.path("events")
    r = t.user("x86_64", guest("x86_64", "native_harmless"), check=0, allow_from="kernel",
               handler=handler("record"), handler_arg="log=" + t.path("log"),
               events=events, summary="none")
    unsigned = EPERM % 2 ** 64  # native_harmless prints present and features unsigned
    t.contains(r.stdout, "present=%d features=%d sum=%d call=%d info=%d"
               % (unsigned, unsigned, EPERM, EPERM, EPERM), "everything denied: BACKDOOR_EPERM", r)
    t.eq(open(t.path("log")).read(), "", "the handler saw nothing")
    counts = run_counts(events)
    t.eq(counts["denied"], counts["dispatched"], "every call denied", counts)
    r = t.user("x86_64", guest("x86_64", "native_harmless"), check=0, allow_from="user",
               summary="none")
    t.contains(r.stdout, "present=%d " % PROTOCOL_VERSION, "allow-from=user lets user code through",
               r)


def test_log_prints_one_line_per_call(t):
    r = t.user("x86_64", guest("x86_64", "seed_sequence"), check=0, log="on",
               summary="none")
    lines = [l for l in r.stderr.splitlines() if l.startswith("backdoor: vcpu")]
    t.eq(len(lines), 10, "one line per dispatched call", r)
    t.check(re.match(r"backdoor: vcpu 0 pc 0x[0-9a-f]+: i8 seed 1 -> unhandled$", lines[0]),
            "line format: vCPU, pc, type, op, command, arguments, status", lines[0])
    t.check(re.match(r"backdoor: vcpu 0 pc 0x[0-9a-f]+: i8_v32 seed 2 0xdeadbeef -> unhandled$",
                     lines[1]), "arguments in hex", lines[1])
