# SPDX-License-Identifier: GPL-2.0-or-later
"""Calls from ring 0 under Linux (issue 13): tests/kmod/backdoor_kmod.c,
built against the headers of the kernel the tests boot, calls from its init,
a workqueue and a hard-interrupt timer; a user program calls too. The event
log attributes each call to its privilege level, and allow-from polices
each side with the documented error."""
import os
import re

from abi import EPERM
from harness import BUILD, last_summary, read_jsonl
from linux import boot_linux, kernel_module

SCRIPT = """insmod /backdoor_kmod.ko
dmesg | grep 'backdoor_kmod:'
backdoor sum 4 0 0 0
echo "user sum status $?"
"""
CONTEXTS = {1: "init", 2: "workqueue", 3: "hard interrupt", 4: "user program"}


def boot(t, **options):
    events = t.path("events-%s.jsonl" % options.get("allow_from", "any"))
    with open(kernel_module("backdoor_kmod"), "rb") as f:
        module = f.read()
    b = boot_linux(t, SCRIPT, binaries={"backdoor": os.path.join(BUILD, "backdoor")},
                   files={"backdoor_kmod.ko": module}, events=events, summary="none",
                   **options)
    t.eq(b.status, 0, "the boot ran the script to its end", b)
    m = re.search(r"backdoor_kmod: present (-?\d+) init (-?\d+) work (-?\d+) timer (-?\d+) "
                  r"hardirq (\d)", b.output)
    t.check(m is not None, "the module reported what it got", b)
    got = tuple(int(g) for g in m.groups())
    calls = {e["args"][0]: e for e in read_jsonl(events)
             if e["event"] == "call" and e["op"] == "sum"}
    t.eq(sorted(calls), [1, 2, 3, 4], "a call from every context in the event log", calls)
    t.eq({CONTEXTS[n]: e["priv"] for n, e in calls.items()},
         {"init": "kernel", "workqueue": "kernel", "hard interrupt": "kernel",
          "user program": "user"}, "each attributed to its privilege level", calls)
    t.check(all(re.fullmatch(r"0x[0-9a-f]+", e["asid"]) for e in calls.values()),
            "each with its address space", calls)
    t.eq(got[4], 1, "the timer ran in hard-interrupt context", b)
    return b, got[:4], {CONTEXTS[n]: e["status"] for n, e in calls.items()}, events


def test_calls_from_the_kernel(t):
    b, got, statuses, events = boot(t)
    t.eq(got, (1, 1, 2, 3), "present and the three sums reach the module", b)
    t.eq(set(statuses.values()), {"ok"}, "every call taken", statuses)
    t.contains(b.output, "4\nuser sum status 0", "the user program's call too", b)
    t.eq(last_summary(read_jsonl(events))["calls"]["statuses"]["ok"] >= 5, True,
         "counted in the summary")


def test_allow_from_user_refuses_the_module(t):
    b, got, statuses, _ = boot(t, allow_from="user")
    t.eq(got, (EPERM,) * 4, "the module gets BACKDOOR_EPERM for every call", b)
    t.eq(statuses, {"init": "denied", "workqueue": "denied", "hard interrupt": "denied",
                    "user program": "ok"}, "kernel calls denied, the user's taken", statuses)


def test_allow_from_kernel_refuses_user_programs(t):
    b, got, statuses, _ = boot(t, allow_from="kernel")
    t.eq(got, (1, 1, 2, 3), "the module's calls taken", b)
    t.eq(statuses["user program"], "denied", "the user program's call denied", statuses)
    t.check(re.search(r"user sum status [1-9]", b.output), "the program saw it fail", b)
