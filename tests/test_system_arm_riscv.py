# SPDX-License-Identifier: GPL-2.0-or-later
"""System mode on aarch64 and riscv64: one bare-metal kernel
(tests/baremetal/common/calls.c, built for both) booted with
-kernel on -M virt, at EL1 under qemu-system-aarch64 and in M-mode under
qemu-system-riscv64 -bios none. It issues the same sequence of seed calls,
extended calls, a send, two receives and the standard commands on both, so
the handler's log and the plugin's call records must be the same for the two
architectures, and checks every result itself.

The same kernel boots without the plugin, where every magic instruction must
be a no-op (results are the defaults, buffers untouched), and a build of it
with -DEXPECT_DENIED boots with allow-from=user, where every call from the
privileged kernel is refused (results BACKDOOR_EPERM).

A kernel ends the run with its own status, 0 on success: on aarch64 through
Arm semihosting (SYS_EXIT with ADP_Stopped_ApplicationExit and the status as
subcode; QEMU exits with it), on riscv64 through the SiFive test device
(0x5555 gives status 0, (code << 16) | 0x3333 status code). An unexpected
exception or trap exits with 100; a kernel that cannot exit hits the timeout.
"""
import os

from abi import (EPERM, FEATURE_HANDLER, FEATURE_MEM_READ, FEATURE_MEM_WRITE, FEATURE_RESULTS,
                 FEATURE_SYSTEM, OP_FEATURES, OP_MARK, OP_PRESENT, OP_PRINT, OP_ROI_BEGIN,
                 OP_ROI_END, OP_STATS_DUMP, OP_SUM, PROTOCOL_VERSION, TYPES, USER_COMMAND_FIRST)
from harness import (BUILD, Failure, handler, handler_commands, last_summary, on_qemus,
                     plugin_arg, read_jsonl, run_counts)

ARCHES = ("aarch64", "riscv64")
MACHINES = {
    # 2 GiB: RAM spans 0x40000000..0xbfffffff, so the kernel's 0x80000000
    # (riscv64's RAM base, used on both) is RAM.
    "aarch64": ("qemu-system-aarch64",
                ["-M", "virt", "-cpu", "cortex-a57", "-m", "2G",
                 "-semihosting-config", "enable=on,target=native"]),
    "riscv64": ("qemu-system-riscv64", ["-M", "virt", "-bios", "none", "-m", "256M"]),
}
# The level the kernel runs at, in the plugin's numbering (CMD_PRIVILEGE).
PRIVILEGE = {"aarch64": 1, "riscv64": 3}
TIMEOUT = 20  # seconds for one boot; each takes well under one

# The constants of portable/calls.c.
WORDS = [0x0123456789abcdef, 0xfedcba9876543210, 7, 0x8000000000000001]
FIXED_BASE = 0x80100000
SEND_BUF, SEND_LEN = FIXED_BASE + 0x0f80, 256
RECV_BUF, RECV_LEN = FIXED_BASE + 0x2000, 200
RECV3_BUF, RECV3_LEN, RECV3_BIAS = FIXED_BASE + 0x3000, 64, 0x40
PRINT_BUF = FIXED_BASE + 0x4000
PRINT_TEXT = "backdoor bare-metal calls: hello from the guest\n"
ROI_ID, MARK_ID, WORK_ITERATIONS = 1, 7, 1000

CMD_MIX, CMD_FILL, CMD_CHECKSUM, CMD_PRIVILEGE = (
    handler_commands()[name] for name in ("CMD_MIX", "CMD_FILL", "CMD_CHECKSUM", "CMD_PRIVILEGE"))
MASK64 = 2 ** 64 - 1


def signed64(value):
    """Results are recorded as signed 64-bit numbers."""
    value &= MASK64
    return value - 2 ** 64 if value >= 2 ** 63 else value


def mix64(a0, a1, a2, a3):
    """tests/guest/test_commands.h."""
    return (a0 * 3 + (a1 ^ 0x5555555555555555) - a2 + (a3 << 1)) & MASK64


def checksum64(data):
    return (sum(data) * 31 + len(data)) & MASK64


def work_value():
    """work() of calls.c: the value the mark carries."""
    acc = 1
    for i in range(WORK_ITERATIONS):
        acc = (acc * 6364136223846793005 + i) & MASK64
    return acc


SEND_BYTES = bytes((i * 13 + 5) & 0xff for i in range(SEND_LEN))

# (type, cmd, op, args, result) of every call, in order; the result is what
# the host returns, None where the call returns nothing (seeds, built-ins
# without a result) and ... where it is not checked (the handler's answer
# to CMD_PRIVILEGE depends on the architecture; the two-argument CMD_MIX
# reads arguments the ABI leaves unspecified).
CALLS = [
    ("i8", 1, "seed", [], None),
    ("i8_v32", 2, "seed", [0xdeadbeef], None),
    ("i8", 255, "seed", [], None),
    ("i8_v32", 9, "seed", [123456789], None),
] + [("i8_v32", 4, "seed", [123456789 + i], None) for i in range(3)] + [
    ("i8", 10, "seed", [], None),
    ("call", OP_PRESENT, "present", [], PROTOCOL_VERSION),
    ("call", OP_FEATURES, "features", [], FEATURE_RESULTS | FEATURE_MEM_READ | FEATURE_MEM_WRITE
     | FEATURE_HANDLER | FEATURE_SYSTEM),
    ("call", CMD_MIX, "handler", [1, 2, 3, 4], signed64(mix64(1, 2, 3, 4))),
    ("call", CMD_MIX, "handler", WORDS, signed64(mix64(*WORDS))),
    ("call", OP_SUM, "sum", WORDS, signed64(sum(WORDS))),
    ("call", CMD_MIX, "handler", [WORDS[3], WORDS[2]], ...),
    ("call", CMD_PRIVILEGE, "handler", [], ...),
    ("send", CMD_CHECKSUM, "handler", [SEND_BUF, SEND_LEN], checksum64(SEND_BYTES)),
    ("recv", CMD_FILL, "handler", [RECV_BUF, RECV_LEN], RECV_LEN),
    ("recv", CMD_FILL, "handler", [RECV3_BUF, RECV3_LEN, RECV3_BIAS], RECV3_LEN),
    ("call", OP_ROI_BEGIN, "roi_begin", [ROI_ID], None),
    ("call", OP_ROI_END, "roi_end", [ROI_ID], None),
    ("call", OP_MARK, "mark", [MARK_ID, work_value()], None),
    ("send", OP_PRINT, "print", [PRINT_BUF, len(PRINT_TEXT)], len(PRINT_TEXT)),
    ("call", OP_STATS_DUMP, "stats_dump", [], None),
]


def handler_lines():
    """The record handler's log, 'TYPE CMD ARG... [data=N]': seeds and
    handler commands; built-ins never reach it."""
    lines = []
    for ty, cmd, _, args, _ in CALLS:
        if ty in ("i8", "i8_v32") or cmd >= USER_COMMAND_FIRST:
            lines.append("%d %d%s%s" % (TYPES[ty], cmd, "".join(" %d" % a for a in args),
                                        " data=%d" % args[1] if ty == "send" else ""))
    return lines


def kernel(arch, name):
    path = os.path.join(BUILD, "baremetal", arch, name + ".elf")
    if not os.path.exists(path):
        raise Failure("%s is missing: run 'make all'" % path)
    return path


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def boot(t, arch, name="calls", plugin=True, status=0, **options):
    """Boots kernel name on arch's -M virt; its UART output goes to the
    result's .console. The exit status must be status."""
    binary, machine = MACHINES[arch]
    console = t.path("console-%s-%s-%d.txt" % (arch, name, len(os.listdir(t.dir))))
    cmd = t.qemu.command(binary) + machine + [
        "-display", "none", "-nodefaults", "-no-reboot",
        "-serial", "file:" + console, "-kernel", kernel(arch, name)]
    if plugin:
        cmd += ["-plugin", plugin_arg(**options)]
    r = t.run(cmd, timeout=TIMEOUT)
    r.console = read(console) if os.path.exists(console) else ""
    t.eq(r.returncode, status, "%s %s exit status" % (arch, name),
         "%s\nconsole:\n%s" % (r, r.console))
    return r


def outputs(t, tag):
    return {"log": t.path(tag + ".log"), "events": t.path(tag + ".jsonl"),
            "summary": t.path(tag + ".summary"), "print": t.path(tag + ".print")}


def boot_recorded(t, arch, name="calls", status=0, **extra):
    """Boots with the record handler and every output in a file."""
    files = outputs(t, "%s-%s" % (arch, name))
    options = dict(handler=handler("record"), handler_arg="log=" + files["log"],
                   events=files["events"], summary=files["summary"], print=files["print"])
    options.update(extra)
    r = boot(t, arch, name, status=status, **options)
    return r, files


def call_events(records):
    return [e for e in records if e.get("event") == "call"]


# The summary's kinds of failed calls (harness.run_counts).
FAILURE_COUNTS = ("denied", "unhandled", "fault", "too_big", "no_write", "invalid")


def check_calls(t, arch, **extra):
    """Boots calls.elf with the plugin; checks everything the plugin and the
    handler report. Returns the call records and the handler's log."""
    r, files = boot_recorded(t, arch, **extra)
    t.contains(r.console, "mode: host", "%s: the kernel got results" % arch, r)
    t.contains(r.console, "calls: ok", "%s: the kernel's own checks" % arch, r)
    t.check("MISMATCH" not in r.console, "%s: no mismatch in the kernel" % arch, r.console)

    t.eq(read(files["log"]).splitlines(), handler_lines(),
         "%s: calls seen by the handler (order, values, count)" % arch, r.console)
    records = read_jsonl(files["events"])
    events = call_events(records)
    t.eq([(e["type"], e["cmd"], e["op"], e["args"], e["status"]) for e in events],
         [(ty, cmd, op, args, "ok") for ty, cmd, op, args, _ in CALLS],
         "%s: call records (type, command, op, arguments, status)" % arch)
    t.check(all(e["vcpu"] == 0 for e in events), "%s: every call on vCPU 0" % arch, events)
    want = [result for *_, result in CALLS]
    want[[c[1] for c in CALLS].index(CMD_PRIVILEGE)] = PRIVILEGE[arch]
    t.eq([e.get("result") if w is not ... else ... for e, w in zip(events, want)], want,
         "%s: results (None: the call returns none)" % arch)

    summary = read(files["summary"])
    t.contains(summary, "== backdoor summary", "%s: the summary file has the summary written "
               "at exit" % arch)
    counts = run_counts(records)
    t.eq(tuple(counts[k] for k in ("dispatched", "probes", "malformed")), (len(CALLS), 0, 0),
         "%s: summary: dispatched, probes, malformed" % arch, counts)
    t.eq(tuple(counts[k] for k in FAILURE_COUNTS), (0,) * len(FAILURE_COUNTS),
         "%s: summary: no failed calls" % arch, counts)
    t.eq(counts["translation"] + counts["runtime"], len(CALLS),
         "%s: every call decoded by one of the two paths" % arch, counts)
    t.contains(summary, "== backdoor statistics dump 1", "%s: stats_dump's snapshot" % arch)

    # The region around work() and the mark, in the dump and at the end.
    final = last_summary(records)
    t.eq([(g["id"], g["vcpu"], g["entries"], g["open"]) for g in final["regions"]],
         [(ROI_ID, 0, 1, False)], "%s: regions in the last summary record" % arch, final)
    insns = final["regions"][0]["insns"]
    t.check(insns > 0, "%s: the region counted instructions" % arch, final)
    roi_end = [e for e in events if e["op"] == "roi_end"][0]
    t.eq(roi_end.get("insns"), insns, "%s: roi_end's record and the summary agree" % arch)
    t.eq(final["marks"], [{"id": MARK_ID, "count": 1, "last_value": work_value()}],
         "%s: the mark in the last summary record" % arch, final)
    dumps = [e for e in records if e.get("event") == "stats"]
    t.eq([(d["dump"], [g["id"] for g in d["regions"]]) for d in dumps], [(1, [ROI_ID])],
         "%s: one statistics dump with the closed region" % arch, dumps)

    t.eq(read(files["print"]), PRINT_TEXT, "%s: print= output" % arch)
    t.check(PRINT_TEXT not in r.stderr, "%s: print text went to the file only" % arch, r)
    t.notes.append("%s: region %d insns" % (arch, insns))
    return events, read(files["log"])


@on_qemus("built", "debian-11.1")
def test_aarch64_calls(t):
    """aarch64 at EL1: seed, extended, send/receive and standard calls; the
    handler's log, the call records, results, summary, region and print."""
    check_calls(t, "aarch64")


@on_qemus("built", "debian-11.1")
def test_riscv64_calls(t):
    """riscv64 in M-mode: the same as on aarch64."""
    check_calls(t, "riscv64")


def test_same_calls_on_both(t):
    """The two architectures produce the same handler log and the same call
    records (type, command, op, arguments, status, results; only the
    handler's answer to CMD_PRIVILEGE, the privilege level, differs). With
    allow-from=kernel, which lets EL1 and M-mode through."""
    runs = {arch: check_calls(t, arch, allow_from="kernel") for arch in ARCHES}
    (events_a, log_a), (events_r, log_r) = runs["aarch64"], runs["riscv64"]
    t.eq(log_r, log_a, "handler logs of riscv64 and aarch64")

    def comparable(events):
        return [(e["type"], e["cmd"], e["op"], e["args"], e["status"],
                 e.get("result") if e["cmd"] != CMD_PRIVILEGE else None) for e in events]
    t.eq(comparable(events_r), comparable(events_a), "call records of riscv64 and aarch64")


def check_without_plugin(t, arch):
    r = boot(t, arch, plugin=False)
    t.contains(r.console, "present: 0", "%s: backdoor_present() without the plugin" % arch, r)
    t.contains(r.console, "no host: every request returned its default, no byte changed",
               "%s: the magic instruction is a no-op" % arch, r)
    t.contains(r.console, "calls: ok", "%s: the kernel's own checks" % arch, r)
    t.check("MISMATCH" not in r.console, "%s: no mismatch in the kernel" % arch, r.console)


def test_aarch64_without_plugin(t):
    """Without the plugin the magic instruction does nothing: every request
    returns its default, receive buffers stay untouched, the kernel exits 0."""
    check_without_plugin(t, "aarch64")


def test_riscv64_without_plugin(t):
    """The same on riscv64."""
    check_without_plugin(t, "riscv64")


def check_denied(t, arch):
    r, files = boot_recorded(t, arch, "calls-denied", allow_from="user")
    t.contains(r.console, "present: %d" % EPERM, "%s: present() refused" % arch, r)
    t.contains(r.console, "calls: ok", "%s: the kernel saw EPERM everywhere" % arch, r)
    t.eq(read(files["log"]), "", "%s: the handler saw nothing" % arch)
    records = read_jsonl(files["events"])
    events = call_events(records)
    t.eq([(e["type"], e["cmd"], e["op"], e["args"], e["status"]) for e in events],
         [(ty, cmd, op, args, "denied") for ty, cmd, op, args, _ in CALLS],
         "%s: every call recorded as denied" % arch)
    # Seeds return nothing; every extended call refused returns EPERM, a
    # built-in without a result too (docs/outputs.md).
    t.eq([e.get("result") for e in events],
         [None if ty in ("i8", "i8_v32") else EPERM for ty, *_ in CALLS],
         "%s: results EPERM for every extended call" % arch)
    summary = read(files["summary"])
    t.contains(summary, "== backdoor summary", "%s: the summary file has the summary written "
               "at exit" % arch)
    counts = run_counts(records)
    t.eq(tuple(counts[k] for k in ("dispatched", "denied", "probes", "malformed")),
         (len(CALLS), len(CALLS), 0, 0),
         "%s: summary: dispatched, denied by policy, probes, malformed" % arch, counts)
    t.check("statistics dump" not in summary, "%s: stats_dump refused too" % arch, summary)
    final = last_summary(records)
    t.eq((final["regions"], final["marks"]), ([], []),
         "%s: no region and no mark (roi and mark refused)" % arch, final)
    t.eq(read(files["print"]), "", "%s: print refused, nothing printed" % arch)


@on_qemus("built", "debian-11.1")
def test_aarch64_denied_from_kernel(t):
    """allow-from=user: calls from EL1 are refused, results are EPERM and
    the summary counts them as denied by policy."""
    check_denied(t, "aarch64")


@on_qemus("built", "debian-11.1")
def test_riscv64_denied_from_kernel(t):
    """allow-from=user: calls from M-mode are refused likewise."""
    check_denied(t, "riscv64")


def test_denied_kernel_fails_when_allowed(t):
    """The EXPECT_DENIED build is no empty check: with calls allowed it
    sees real results and exits 1, through each architecture's exit path."""
    for arch in ARCHES:
        r = boot(t, arch, "calls-denied", status=1, handler=handler("record"), summary="none")
        t.contains(r.console, "MISMATCH", "%s: the kernel reports the mismatches" % arch, r)
        t.contains(r.console, "exit 1", "%s: the kernel asked for status 1" % arch, r)

