# SPDX-License-Identifier: GPL-2.0-or-later
"""System mode on x86: bare-metal multiboot kernels (tests/baremetal/x86)
booted by SeaBIOS under qemu-system-x86_64 with the plugin, in 32-bit
protected mode. They check the seed and extended calls, that firmware
hypervisor probes are never dispatched, results under a timer-interrupt storm
(also with one instruction per translation block), and send/receive buffers
through the guest's page tables, in the QEMU built from source, in Debian's
QEMU 11.1 (plugin API 7) and, for calls and buffers, in Debian's QEMU 10.0
(plugin API 4: no results, no receive buffers).

A kernel ends the run by writing a value to isa-debug-exit (port 0xf4); QEMU
then exits with status (value << 1) | 1. The kernels write 0 on success, so
success is exit status 1, and any other value (status 3, 5, ...) names the
check that failed; a triple fault under -no-reboot gives status 0, which is
a failure too.
"""
import os
import re

from abi import E2BIG, EFAULT, OP_PRESENT, OP_SUM, PROTOCOL_VERSION, TYPES, USER_COMMAND_FIRST
from harness import (BUILD, Failure, handler, handler_commands, on_qemus, plugin_arg, read_jsonl,
                     run_counts)

KERNELS = os.path.join(BUILD, "baremetal", "x86")
SUCCESS = (0 << 1) | 1  # isa-debug-exit status for the value 0
API4_MESSAGE = "results, backdoor_present() and receive buffers are off"
# SeaBIOS scans the hypervisor leaves 0x40000000..0x4000ff00 in steps of
# 0x100 once per boot; 16 of those leaves (0x40001000..0x40001f00, i8 = 0)
# lie in the backdoor range and must count as probes, never as calls.
SEABIOS_PROBES = 16
TIMEOUT = 60  # seconds for one boot; the slowest (one-insn-per-tb) takes ~5


def kernel(name):
    path = os.path.join(KERNELS, name + ".elf")
    if not os.path.exists(path):
        raise Failure("%s is missing: run 'make all'" % path)
    return path


def boot(t, name, **kwargs):
    """Boots kernel name; it must exit through isa-debug-exit with 0."""
    r = t.system(kernel(name), timeout=TIMEOUT, **kwargs)
    t.eq(r.returncode, SUCCESS,
         "%s exit status (isa-debug-exit value 0 gives status 1)" % name,
         "%s\nconsole:\n%s" % (r, r.console))
    return r


def outputs(t, tag):
    return {"log": t.path(tag + ".log"), "events": t.path(tag + ".jsonl"),
            "summary": t.path(tag + ".summary")}


def record_options(files, **extra):
    options = dict(handler=handler("record"), handler_arg="log=" + files["log"],
                   events=files["events"], summary=files["summary"])
    options.update(extra)
    return options


def read(path):
    with open(path) as f:
        return f.read()


def call_events(path):
    """The call records of an event log (it holds other kinds of records
    too, such as the summary record at its end)."""
    return [e for e in read_jsonl(path) if e.get("event") == "call"]


def low32(value):
    return value & 0xffffffff


def mix64(a0, a1, a2, a3):
    """tests/guest/test_commands.h, in 64-bit arithmetic as the handler does."""
    return (a0 * 3 + (a1 ^ 0x5555555555555555) - a2 + (a3 << 1)) & (2 ** 64 - 1)


def checksum64(data):
    return (sum(data) * 31 + len(data)) & (2 ** 64 - 1)


# calls.elf -----------------------------------------------------------------

# The volatile words of kernels/calls.c, passed through registers.
WORDS = [0x89abcdef, 0xfedcba98, 7, 0x80000001]
CMD_MIX, CMD_FILL, CMD_CHECKSUM = (handler_commands()[name]
                                   for name in ("CMD_MIX", "CMD_FILL", "CMD_CHECKSUM"))

# (type, cmd, args) of every call the kernel makes, in order; builtin says
# whether the plugin answers it itself (so the handler never sees it).
CALLS = [
    ("i8", 1, []),
    ("i8_v32", 2, [0xdeadbeef]),
    ("i8", 255, []),
    ("i8_v32", 9, [123456789]),
] + [("i8_v32", 4, [123456789 + i]) for i in range(3)] + [
    ("i8", 10, []),
    ("call", OP_PRESENT, []),
    ("call", CMD_MIX, [1, 2, 3, 4]),
    ("call", CMD_MIX, WORDS),
    ("call", OP_SUM, WORDS),
    ("call", CMD_MIX, [WORDS[3], WORDS[2]]),
]


def handler_lines(calls):
    """The record handler's log: 'TYPE CMD ARG...', built-ins left out."""
    return ["%d %d%s" % (TYPES[ty], cmd, "".join(" %d" % a for a in args))
            for ty, cmd, args in calls if cmd >= USER_COMMAND_FIRST or ty in ("i8", "i8_v32")]


def check_calls(t):
    files = outputs(t, "calls")
    r = boot(t, "calls", **record_options(files))
    t.eq(read(files["log"]).splitlines(), handler_lines(CALLS),
         "calls seen by the handler (order, values, count)", r)
    events = call_events(files["events"])
    t.eq([(e["type"], e["cmd"], e["args"]) for e in events], CALLS, "event log calls", r)
    t.check(all(e["status"] == "ok" and e["vcpu"] == 0 for e in events),
            "every call is ok and on vCPU 0", events)
    t.eq({(e.get("priv"), "asid" in e) for e in events}, {("kernel", True)},
         "attributed to the kernel (ring 0), with its address space")
    ops = {OP_PRESENT: "present", OP_SUM: "sum"}
    t.eq([e["op"] for e in events],
         ["seed" if ty.startswith("i8") else ops.get(cmd, "handler") for ty, cmd, _ in CALLS],
         "event log: who answered each call")
    counts = run_counts(files["events"])
    t.eq((counts["dispatched"], counts["probes"], counts["malformed"]),
         (len(CALLS), SEABIOS_PROBES, 0), "summary: dispatched, probes, malformed", counts)
    t.check(counts["translation"] > 0 and counts["runtime"] > 0,
            "both decode paths were used", counts)
    t.contains(r.console, "calls: ok", "the kernel's own checks")
    return r, events


def check_api4_message(t, r):
    t.contains(r.stderr, API4_MESSAGE, "one-time message about API 4")
    t.eq(r.stderr.count(API4_MESSAGE), 1, "the API 4 message appears once", r)


@on_qemus("built", "debian-10.0", "debian-11.1")
def test_calls_sequence(t):
    """Seed and extended calls from ring 0: the handler's log, the event log
    and the results the kernel checked (present, mix, sum) agree. On plugin
    API 4 the handler sees the same calls, the kernel gets no results
    (present() == 0, checks skipped) and the plugin says why."""
    r, events = check_calls(t)
    if not t.qemu.can_write:
        t.contains(r.console, "present: 0", "backdoor_present() without results")
        t.contains(r.console, "checks skipped", "the kernel skipped result checks")
        check_api4_message(t, r)
        return
    t.contains(r.console, "present: %d" % PROTOCOL_VERSION, "backdoor_present() in the kernel")
    results = {(e["cmd"], tuple(e["args"])): e.get("result") for e in events}
    t.eq(results[(OP_PRESENT, ())], PROTOCOL_VERSION, "present result")
    # i386 words: the guest sees the low 32 bits of a handler's result.
    t.eq(low32(results[(CMD_MIX, tuple(WORDS))]), low32(mix64(*WORDS)), "mix result")
    t.eq(results[(OP_SUM, tuple(WORDS))], low32(sum(WORDS)), "sum result (32-bit)")
    t.check("MISMATCH" not in r.console, "no mismatch in the kernel", r.console)


# idle.elf ------------------------------------------------------------------

@on_qemus("built", "debian-11.1")
def test_idle_boot_dispatches_nothing(t):
    """A kernel without calls: SeaBIOS's hypervisor scan is counted as probes
    and nothing reaches the handler."""
    files = outputs(t, "idle")
    r = boot(t, "idle", **record_options(files))
    counts = run_counts(files["events"])
    t.eq(counts["dispatched"], 0, "calls dispatched in a boot without calls", counts)
    t.eq(counts["probes"], SEABIOS_PROBES, "SeaBIOS's probes in the backdoor range", counts)
    t.eq(counts["malformed"], 0, "malformed requests", counts)
    t.eq(read(files["log"]), "", "the handler saw nothing")
    t.eq(call_events(files["events"]), [], "no call events")
    t.contains(r.console, "no calls", "the kernel ran", r)


# roundtrip_irq.elf ---------------------------------------------------------

MIN_TICKS = 100  # kernels/roundtrip_irq.c refuses fewer itself, exit 2


def check_roundtrip(t, accel):
    events = t.path("events")
    r = boot(t, "roundtrip_irq", qemu_args=["-accel", accel],
             handler=handler("record"), events=events, summary="none")
    m = re.search(r"iterations (\d+) mismatches (\d+) ticks (\d+) interrupted-calls (\d+)",
                  r.console)
    t.check(m is not None, "roundtrip report on the console", r.console)
    iterations, mismatches, ticks, interrupted = map(int, m.groups())
    t.check(iterations >= 20000, "enough iterations", r.console)
    t.eq(mismatches, 0, "results that differ from test_mix", r.console)
    t.check(ticks >= MIN_TICKS, "timer interrupts during the loop (%d)" % ticks, r.console)
    counts = run_counts(events)
    # present() plus one mix per iteration, all answered.
    t.eq((counts["dispatched"], counts["unhandled"], counts["malformed"]),
         (iterations + 1, 0, 0), "summary: dispatched, unhandled, malformed", counts)
    t.notes.append("%s: %d calls, %d ticks, %d calls with a tick around them" % (
        accel, iterations, ticks, interrupted))
    return counts, interrupted


@on_qemus("built", "debian-11.1")
def test_roundtrip_under_timer_interrupts(t):
    """Random-argument calls with the PIT at ~50 kHz: every result right."""
    check_roundtrip(t, "tcg")


@on_qemus("built", "debian-11.1")
def test_roundtrip_one_insn_per_tb(t):
    """The same with one instruction per translation block, so interrupts
    can arrive right after CPUID (and between its argument loads)."""
    counts, interrupted = check_roundtrip(t, "tcg,one-insn-per-tb=on")
    # With every instruction alone in its block, no constant load shares a
    # block with CPUID: proof that the option took effect.
    t.eq(counts["translation"], 0, "requests decoded at translation with one-insn-per-tb")
    t.check(interrupted > 0, "some interrupts landed within a call's few instructions")


# bulk.elf ------------------------------------------------------------------

# The fixed addresses of kernels/bulk.c.
BIG, CAP, BIG_LEN = 0x00400000, 4096, 8192
WINDOW = 0x01000000
CROSS, CROSS_LEN = WINDOW + 0x1000 - 100, 300
HOLE, HOLE_LEN = WINDOW + 0x4000 - 64, 128
UNMAPPED, UNMAPPED_LEN = WINDOW + 0x6000, 16


def pattern(length, first=0):
    """The bytes kernels/bulk.c sends: byte i = i * 13 + 5."""
    return bytes(((first + i) * 13 + 5) & 0xff for i in range(length))


# (type, address, length, status, result) of every buffer call, in order.
BULK = [
    ("send", BIG + 0x100, 256, "ok", checksum64(pattern(256))),
    ("recv", BIG + 0x900, 256, "ok", 256),
    ("send", CROSS, CROSS_LEN, "ok", checksum64(pattern(CROSS_LEN))),
    ("recv", CROSS, CROSS_LEN, "ok", CROSS_LEN),
    ("send", HOLE, HOLE_LEN, "fault", EFAULT),
    ("recv", HOLE, HOLE_LEN, "fault", EFAULT),
    ("send", UNMAPPED, UNMAPPED_LEN, "fault", EFAULT),
    ("recv", UNMAPPED, UNMAPPED_LEN, "fault", EFAULT),
    ("send", BIG, CAP, "ok", checksum64(pattern(CAP))),
    ("recv", BIG, CAP, "ok", CAP),
    ("send", BIG, BIG_LEN, "too_big", E2BIG),
    ("recv", BIG, BIG_LEN, "too_big", E2BIG),
]


def bulk_expectation(can_write):
    """Statuses as the plugin sees them; without memory writes (API 4) a
    receive within max-buffer stops as no_write before anything else."""
    calls = []
    for ty, addr, length, status, result in BULK:
        if not can_write and ty == "recv" and status != "too_big":
            status, result = "no_write", None
        calls.append((ty, addr, length, status, result))
    return calls


def check_bulk(t):
    can_write = t.qemu.can_write
    files = outputs(t, "bulk")
    r = boot(t, "bulk", **record_options(files, max_buffer=CAP))
    t.contains(r.console, "bulk: 0 failures", "the kernel's own checks", r)
    calls = bulk_expectation(can_write)
    # Only calls that reached the handler are logged: it got the data.
    want_log = ["%d %d %d %d%s" % (TYPES[ty], CMD_CHECKSUM if ty == "send" else CMD_FILL,
                                    addr, length, " data=%d" % length if ty == "send" else "")
                for ty, addr, length, status, _ in calls if status == "ok"]
    t.eq(read(files["log"]).splitlines(), want_log, "buffer calls seen by the handler", r)
    events = [e for e in call_events(files["events"]) if e["type"] in ("send", "recv")]
    t.eq([(e["type"], e["args"][0], e["args"][1], e["status"]) for e in events],
         [(ty, addr, length, status) for ty, addr, length, status, _ in calls],
         "event log: buffer calls and their statuses")
    if can_write:
        t.eq([e.get("result") for e in events], [c[4] for c in calls],
             "event log: results (checksums of the bytes read through the page tables)")
    counts = run_counts(files["events"])
    statuses = [c[3] for c in calls]
    t.eq((counts["fault"], counts["too_big"], counts["no_write"], counts["unhandled"]),
         (statuses.count("fault"), statuses.count("too_big"), statuses.count("no_write"), 0),
         "summary: bad buffer address, over max-buffer, receive without memory writes, "
         "unhandled", counts)
    return r


@on_qemus("built", "debian-10.0", "debian-11.1")
def test_bulk_buffers_through_page_tables(t):
    """Send and receive with paging: one page, two non-contiguous frames, an
    unmapped second page (EFAULT, nothing written), over max-buffer (E2BIG). On
    plugin API 4 sends still reach the handler through the page tables;
    receives are refused and leave guest memory alone."""
    r = check_bulk(t)
    if t.qemu.can_write:
        t.contains(r.console, "results from the host: yes", "results available", r)
    else:
        t.contains(r.console, "results from the host: no", "no results on API 4", r)
        check_api4_message(t, r)


@on_qemus("built", "debian-11.1")
def test_receive_into_rom_changes_nothing(t):
    """Issue 12: kernel code aims a receive at the BIOS ROM. Its own store
    there changes nothing, and neither does the host's write for it, which
    QEMU refuses as it would the store (its debugger-rights accessor, used
    before, wrote ROM): BACKDOOR_EFAULT, nothing copied."""
    events = t.path("events.jsonl")
    r = boot(t, "rom", events=events, summary="none")
    t.contains(r.console, "rom: own store changed 0 bytes", "ROM ignores the kernel's store", r)
    t.contains(r.console, "rom: receive returned %d, changed 0 bytes" % EFAULT,
               "the receive is refused and changes nothing", r)
    calls = [e for e in read_jsonl(events) if e.get("op") == "host_info"]
    t.eq([(e["status"], e["priv"]) for e in calls], [("fault", "kernel")], "one call, a fault",
         calls)


@on_qemus("built", "debian-11.1")
def test_no_tcg_said_plainly(t):
    """Under an accelerator other than TCG (qtest here; KVM alike) no code
    reaches the translator, so no call can arrive: the plugin says so once,
    instead of staying silent."""
    r = t.run(t.qemu.command("qemu-system-x86_64") + t.qemu.firmware +
               ["-M", "pc", "-display", "none", "-nodefaults", "-accel", "qtest",
               "-qtest", "null", "-monitor", "stdio", "-plugin", plugin_arg(summary="none")],
              input="quit\n", timeout=60)
    t.eq(r.stderr.count("QEMU translated no guest code: the channel needs TCG"), 1,
         "one line naming the accelerator problem", r)
    files = outputs(t, "idle")
    r = boot(t, "idle", **record_options(files))
    t.check("translated no guest code" not in r.stderr, "not said under TCG", r)
