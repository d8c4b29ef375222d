# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed parity in user mode: the 2010 calls, their exact encoding, and the
CPUIDs that must not be taken for calls."""
from abi import ENOSYS, TYPES
from harness import ARCHES, X86, guest, handler, native_arches, read_jsonl, run_counts

# What tests/guest/seed_sequence.c sends: (type, i8, [v32]).
I8, I8_V32 = TYPES["i8"], TYPES["i8_v32"]
EXPECTED = [
    (I8, 1, []),
    (I8_V32, 2, [0xdeadbeef]),
    (I8, 255, []),
    (I8_V32, 9, [123456789]),
] + [(I8_V32, 4, [i]) for i in range(5)] + [(I8, 10, [])]
# What tests/guest/native_harmless.c prints when no host answers: every
# call's default (guest.h's ENOSYS where the caller gives none).
DEFAULTS = ("present=0 features=0 sum=%d call=77 info=%d buf=untouched printed=%d time=0"
            % (ENOSYS, ENOSYS, ENOSYS))
# BACKDOOR_i8(0), two probe-shaped CPUIDs and a 16-leaf signature scan.
PROBES = 1 + 2 + 16
MALFORMED = 3


def type_name(number):
    return next(name for name, n in TYPES.items() if n == number)


def record_lines(calls):
    return ["%d %d%s" % (t, c, "".join(" %d" % v for v in args)) for t, c, args in calls]


def check_sequence(t, arch):
    log = t.path("calls.log")
    events = t.path("events.jsonl")
    r = t.user(arch, guest(arch, "seed_sequence"), check=0,
               handler=handler("record"), handler_arg="log=" + log,
               events=events, summary="none")
    got = open(log).read().splitlines()
    t.eq(got, record_lines(EXPECTED), "calls seen by the handler (order, values, count)", r)
    records = [e for e in read_jsonl(events) if e["event"] == "call"]
    t.eq([(e["type"], e["cmd"], e["args"]) for e in records],
         [(type_name(ty), c, a) for ty, c, a in EXPECTED], "event log")
    t.check(all(e["event"] == "call" and e["status"] == "ok" and e["op"] == "seed"
                and e["vcpu"] == 0 for e in records), "every event is an ok seed call",
            records)
    counts = run_counts(events)
    t.eq((counts["dispatched"], counts["probes"], counts["malformed"]),
         (len(EXPECTED), PROBES, MALFORMED), "summary: dispatched, probes, malformed", counts)
    if arch in X86:
        # Constant calls are decoded at translation, the others at run time.
        t.check(counts["translation"] > 0 and counts["runtime"] > 0,
                "both decode paths were used", counts)


def test_x86_64_sequence(t):
    check_sequence(t, "x86_64")


def test_i386_sequence(t):
    check_sequence(t, "i386")


def test_aarch64_sequence(t):
    check_sequence(t, "aarch64")


def test_riscv64_sequence(t):
    check_sequence(t, "riscv64")


def test_seed_handler_unchanged(t):
    """A library with only the seed's helper functions receives the calls."""
    for arch in ARCHES:
        r = t.user(arch, guest(arch, "seed_sequence"), check=0, handler=handler("seed"),
                   summary="none")
        want = ["seed %s %d%s" % (type_name(ty), c, "".join(" %d" % v for v in a))
                for ty, c, a in EXPECTED]
        t.eq(r.stdout.splitlines(), want, "seed handler output on " + arch, r)


def test_disabled_build_dispatches_nothing(t):
    """With BACKDOOR_DISABLE every call compiles to nothing."""
    for arch in ARCHES:
        events = t.path("events-%s.jsonl" % arch)
        r = t.user(arch, guest(arch, "seed_sequence-disabled"), check=0,
                   handler=handler("record"), handler_arg="log=" + t.path("log"),
                   events=events, summary="none")
        counts = run_counts(events)
        t.eq((counts["dispatched"], counts["probes"]), (0, PROBES - 1),
             "dispatched calls and probes with BACKDOOR_DISABLE on " + arch, r)
        t.eq(open(t.path("log")).read(), "", "handler saw nothing")


def test_native_run_is_harmless(t):
    """The guest programs run natively: CPUID is harmless, calls return defaults."""
    for arch in native_arches(t):
        t.run([guest(arch, "seed_sequence")], check=0)
        r = t.run([guest(arch, "native_harmless")], check=0)
        t.eq(r.stdout.strip(), DEFAULTS, "defaults returned natively on " + arch)


def test_without_plugin_is_harmless(t):
    """Under QEMU without the plugin every magic instruction executes as the
    architecture's no-op (on aarch64 and riscv64 this stands in for a native
    run): nothing traps, every call returns its default."""
    for arch in ARCHES:
        r = t.user(arch, guest(arch, "native_harmless"), plugin=False, check=0)
        t.eq(r.stdout.strip(), DEFAULTS,
             "defaults returned under QEMU without the plugin on " + arch)
