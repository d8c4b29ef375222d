# SPDX-License-Identifier: GPL-2.0-or-later
"""The two-way channel in user mode (QEMU 10.2, plugin API 5): results,
presence, bulk data both ways, handler services."""
from abi import (EINVAL, ENOSYS, FEATURE_HANDLER, FEATURE_MEM_READ, FEATURE_MEM_WRITE,
                 FEATURE_RESULTS, PROTOCOL_VERSION)
from harness import ARCHES, guest, handler, handler_commands, read_jsonl, run_counts

# What a user-mode guest has without and with a handler.
USER_FEATURES = FEATURE_RESULTS | FEATURE_MEM_READ | FEATURE_MEM_WRITE


def test_round_trip_100k_random(t):
    """10^5 random argument sets; the handler returns a function of all four."""
    for arch in ARCHES:
        r = t.user(arch, guest(arch, "roundtrip"), ["100000"], handler=handler("record"),
                   summary="none", timeout=300)
        t.eq(r.returncode, 0, "round trip on " + arch, r)
        t.contains(r.stdout, "100000 round trips, 0 mismatches, 0 sum mismatches",
                   "every result right on " + arch, r)


def test_presence_and_features(t):
    for arch in ARCHES:
        r = t.user(arch, guest(arch, "native_harmless"), check=0, summary="none")
        # host_info fills the guest's 64-byte buffer, truncated and terminated.
        t.eq(r.stdout.strip(),
             "present=%d features=%d sum=10 call=%d info=64 buf=filled printed=16 time=set"
             % (PROTOCOL_VERSION, USER_FEATURES, ENOSYS),
             "what a guest sees under the plugin on " + arch, r)
        r = t.user(arch, guest(arch, "native_harmless"), check=0, summary="none",
                   handler=handler("record"))
        t.contains(r.stdout, "features=%d " % (USER_FEATURES | FEATURE_HANDLER),
                   "HANDLER feature bit with a handler", r)


def test_bulk_both_ways(t):
    for arch in ARCHES:
        events = t.path("events-%s.jsonl" % arch)
        r = t.user(arch, guest(arch, "bulk"), handler=handler("record"),
                   max_buffer="65536", events=events, summary="none")
        t.eq(r.returncode, 0, "bulk cases on " + arch, r)
        t.check("FAIL" not in r.stdout, "no failing case on " + arch, r)
        t.eq(r.stdout.count(": ok"), 16, "all 16 cases ran on " + arch, r)
        counts = run_counts(events)
        # send: unmapped, null, wild, wraps; receive: unmapped, null.
        t.eq((counts["fault"], counts["too_big"]), (6, 2),
             "faults and over-cap buffers counted on " + arch, counts)


def test_handler_services(t):
    for arch in ARCHES:
        events = t.path("events-%s.jsonl" % arch)
        r = t.user(arch, guest(arch, "services"), ["5"], handler=handler("record"),
                   events=events, summary="none")
        t.eq(r.returncode, 5, "request_exit(5) ends QEMU with status 5 on " + arch, r)
        t.contains(r.stdout, "0 failures", "services behave on " + arch, r)
        t.check("still running" not in r.stdout, "nothing runs after the exit request", r)
        records = read_jsonl(events)
        handler_events = [e for e in records if e["event"] == "handler"]
        t.eq([(e["name"], e["value"]) for e in handler_events], [("guest-event", 4242)],
             "emit_event reaches the event log", records)
        calls = [e for e in records if e["event"] == "call"]
        t.eq(calls[-1]["cmd"], handler_commands()["CMD_EXIT"],
             "the exit request's call is logged last", records)
        t.eq(records[-1]["event"], "summary", "the summary record ends the log")
        t.contains(records[-1]["reason"], "exit", "why it ended", records[-1])


def test_unknown_commands_get_enosys(t):
    """A command nobody implements returns BACKDOOR_ENOSYS and is counted."""
    src = t.path("unknown.c")
    open(src, "w").write(
        '#include <backdoor/guest.h>\n#include <stdio.h>\n'
        'int main(void) { printf("%ld %ld %ld\\n", (long)backdoor_call0(0x7fe, 5),\n'
        '  (long)backdoor_call1(0xfffe, 1, 5), (long)backdoor_send(1, "x", 1, 5));\n'
        '  return 0; }\n')
    from harness import ROOT
    t.run(["cc", "-I", ROOT + "/include", "-static", src, "-o", t.path("unknown")], check=0)
    events = t.path("events.jsonl")
    r = t.user("x86_64", t.path("unknown"), check=0, handler=handler("record"),
               events=events, summary="none")
    # Unknown built-in, unhandled handler command, built-in with the wrong type.
    t.eq(r.stdout.split(), [str(ENOSYS), str(ENOSYS), str(EINVAL)], "error results", r)
    counts = run_counts(events)
    t.eq((counts["unhandled"], counts["invalid"]), (2, 1), "counted", counts)


def test_concurrent_threads(t):
    """Four guest threads (four vCPUs) calling at once: no result mixed up,
    the memory service writes each thread's own buffer, distinct vCPUs."""
    for arch in ARCHES:
        events = t.path("events-" + arch)
        r = t.user(arch, guest(arch, "threads"), handler=handler("record"), events=events,
                   summary="none", timeout=300)
        t.eq(r.returncode, 0, "threads on " + arch, r)
        t.contains(r.stdout, "4 threads x 20000 calls: 0 wrong, vCPUs distinct", arch, r)
        vcpus = {e["vcpu"] for e in read_jsonl(events) if e["event"] == "call"}
        t.check(len(vcpus) >= 4, "calls recorded from every vCPU", vcpus)
