# SPDX-License-Identifier: GPL-2.0-or-later
"""Policy options in user mode (deny=, allow-from=) and the per-call log
(log=on). allow-from in system mode: tests/test_system_arm_riscv.py."""
import re

from abi import EPERM, PROTOCOL_VERSION
from harness import guest, handler, last_summary, read_jsonl, run_counts


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


def valgrind_policy(t, tag, **options):
    """Runs tests/guest/valgrind_policy.c with valgrind=on and options;
    returns the result, the summary record and the event log's records."""
    events = t.path(tag + ".jsonl")
    r = t.user("x86_64", guest("x86_64", "valgrind_policy"), check=0, valgrind="on",
               collect_atstart="off", running_on_valgrind=7, events=events,
               summary=t.path(tag + ".summary"), print=t.path(tag + ".print"), **options)
    records = read_jsonl(events)
    return r, last_summary(records), records


def region(final, id):
    rows = [row for row in final["regions"] if row["id"] == id]
    return rows[0] if rows else None


def test_valgrind_requests_obey_deny(t):
    """Issue 21: VALGRIND_PRINTF is a print, CALLGRIND_ZERO_STATS a
    stats_reset, CALLGRIND_DUMP_STATS a stats_dump (and a reset), the
    collection requests roi_begin and roi_end: deny= refuses them as it
    refuses the built-ins, counted as refused, and the guest keeps its
    defaults. Without deny= each acts (the control)."""
    r, final, records = valgrind_policy(t, "allowed")
    t.eq(open(t.path("allowed.print")).read(), "guest says 42|\n", "control: printed")
    t.eq(region(final, 5)["insns"], 0, "control: the reset zeroed region 5", final)
    t.eq(len([e for e in records if e["event"] == "stats"]), 1, "control: one dump", records)
    t.check(region(final, 0x43540000) is not None, "control: a collection", final)
    t.contains(r.stdout, "roi_begin returned 0", "control: roi_begin keeps the default", r)

    r, final, records = valgrind_policy(t, "denied",
                                        deny="print:stats_reset:stats_dump:roi_end")
    t.eq(open(t.path("denied.print")).read(), "", "VALGRIND_PRINTF printed nothing")
    t.contains(r.stdout, "printf returned 0", "VALGRIND_PRINTF's default came back", r)
    t.check(region(final, 5)["insns"] > 1000, "CALLGRIND_ZERO_STATS zeroed nothing", final)
    t.eq([e for e in records if e["event"] == "stats"], [], "CALLGRIND_DUMP_STATS dumped "
         "nothing")
    t.eq(region(final, 0x43540000), None, "the toggles opened no collection", final)
    t.contains(r.stdout, "running on valgrind: 7", "RUNNING_ON_VALGRIND (present) allowed", r)
    t.eq((final["valgrind"]["refused"], final["valgrind"]["honoured"]), (5, 1),
         "five requests refused, one acted on", final["valgrind"])
    t.contains(open(t.path("denied.summary")).read(), "5 refused by policy",
               "the summary says so")
    t.contains(r.stdout, "roi_end returned %d" % EPERM,
               "a denied built-in without a result returns BACKDOOR_EPERM", r)
    t.contains(r.stdout, "roi_begin returned 0", "an allowed one keeps the default", r)


def test_valgrind_requests_obey_allow_from(t):
    """allow-from=kernel: a user program's Valgrind requests are refused,
    RUNNING_ON_VALGRIND included (it answers as present does)."""
    r, final, _ = valgrind_policy(t, "kernel", allow_from="kernel")
    t.contains(r.stdout, "running on valgrind: 0", "RUNNING_ON_VALGRIND's default", r)
    t.eq(open(t.path("kernel.print")).read(), "", "nothing printed")
    t.eq(final["valgrind"]["refused"], 6, "every request refused", final["valgrind"])
    t.eq(final["valgrind"]["honoured"], 0, "none acted on", final["valgrind"])
