# SPDX-License-Identifier: GPL-2.0-or-later
"""A real Linux kernel (Debian bookworm's) under qemu-system-x86_64 with the
plugin: backdoor calls from a static 64-bit user process reach the host just
as in user mode, and a boot without any backdoor program dispatches nothing
although firmware and kernel probe the hypervisor CPUID leaves."""
import csv
import io
import os
import re

from abi import ENOSYS, FEATURE_SYSTEM, PROTOCOL_VERSION
from harness import (BUILD, guest, handler, last_summary, on_qemus, read_jsonl, run_counts,
                     validate_trace)
from linux import boot_linux
from test_seed import EXPECTED, MALFORMED, PROBES, record_lines, type_name


def check_booted(t, b):
    t.check(b.status is not None, "the guest's /init reached its end marker", b)
    t.eq(b.result.returncode, 0, "QEMU exit status after poweroff", b)


def test_native_harmless(t):
    """Every kind of request from a user process: the plugin answers the
    built-in ones and, with no handler, the handler call returns -ENOSYS."""
    events = t.path("events.jsonl")
    printed = t.path("print.txt")
    b = boot_linux(t, "native_harmless\n",
                   binaries={"native_harmless": guest("x86_64", "native_harmless")},
                   events=events, summary="none", print=printed)
    check_booted(t, b)
    t.eq(b.status, 0, "native_harmless exit status", b)
    m = re.search(r"present=(\d+) features=(\d+) sum=(-?\d+) call=(-?\d+) info=(-?\d+) "
                  r"buf=(\S+) printed=(-?\d+) time=(\S+)", b.output)
    t.check(m is not None, "native_harmless printed its results", b)
    present, features, total, call, info, buf, printed_len, when = m.groups()
    t.eq((present, total, call, buf, printed_len, when),
         (str(PROTOCOL_VERSION), "10", str(ENOSYS), "filled", "16", "set"),
         "present, sum, call (no handler), buffer, print and time under Linux", b)
    t.check(int(info) > 0, "host_info returned a length", b)
    t.eq(open(printed).read(), "native-harmless\n", "what backdoor_print sent to print=")
    # The same program under qemu-x86_64 makes the same calls.
    user_events = t.path("user-events.jsonl")
    r = t.user("x86_64", guest("x86_64", "native_harmless"), check=0, events=user_events,
               summary="none", print=t.path("user-print.txt"))
    # features differs by BACKDOOR_FEATURE_SYSTEM alone.
    user_features = re.search(r"features=(\d+)", r.stdout)
    t.check(user_features is not None, "native_harmless output in user mode", r)
    t.eq(int(features), int(user_features.group(1)) | FEATURE_SYSTEM,
         "features under Linux: those of user mode plus BACKDOOR_FEATURE_SYSTEM", r)
    t.eq(m.group(0).replace("features=" + features, "features=" + user_features.group(1)),
         r.stdout.strip(), "otherwise the same results as in user mode", r)
    sys_counts = run_counts(events)
    user_counts = run_counts(user_events)
    for key in ("dispatched", "malformed", "unhandled", "denied", "fault"):
        t.eq(sys_counts[key], user_counts[key], "summary '%s' under Linux and in user mode" % key,
             (sys_counts, user_counts))


def test_seed_sequence(t):
    """The seed's call sequence from a user process reaches a handler library
    exactly as in user mode: same calls, same order, same values."""
    log = t.path("calls.log")
    events = t.path("events.jsonl")
    b = boot_linux(t, "seed_sequence\n",
                   binaries={"seed_sequence": guest("x86_64", "seed_sequence")},
                   handler=handler("record"), handler_arg="log=" + log,
                   events=events, summary="none")
    check_booted(t, b)
    t.eq(b.status, 0, "seed_sequence exit status", b)
    t.eq(open(log).read().splitlines(), record_lines(EXPECTED),
         "calls seen by the handler (order, values, count)", b)
    records = [e for e in read_jsonl(events) if e.get("event") == "call"]
    t.eq([(e["type"], e["cmd"], e["args"]) for e in records],
         [(type_name(ty), c, a) for ty, c, a in EXPECTED], "event log")
    t.check(all(e["event"] == "call" and e["status"] == "ok" and e["vcpu"] == 0
                for e in records), "every event is an ok call on vCPU 0", records)
    counts = run_counts(events)
    t.eq((counts["dispatched"], counts["malformed"]), (len(EXPECTED), MALFORMED),
         "summary: dispatched, malformed", counts)
    t.check(counts["translation"] > 0 and counts["runtime"] > 0,
            "both decode paths were used", counts)
    # The program's own probe-shaped CPUIDs, plus those of SeaBIOS and Linux.
    t.check(counts["probes"] >= PROBES, "at least the program's %d probes counted" % PROBES,
            counts)


def test_boot_without_backdoor_program(t):
    """Firmware and kernel scan the hypervisor leaves 0x40000000..0x4000ff00:
    those are probes, never calls."""
    events = t.path("events.jsonl")
    log = t.path("calls.log")
    b = boot_linux(t, "echo no backdoor program here\n",
                   handler=handler("record"), handler_arg="log=" + log, events=events,
                   summary="none")
    check_booted(t, b)
    t.eq(b.status, 0, "script exit status", b)
    t.contains(b.output, "no backdoor program here", "the script's output")
    counts = run_counts(events)
    t.eq((counts["dispatched"], counts["malformed"]), (0, 0),
         "calls dispatched and malformed requests during a plain boot", counts)
    t.check(counts["probes"] > 0, "the plugin saw the hypervisor probes of SeaBIOS and Linux",
            counts)
    t.eq(open(log).read(), "", "the handler saw nothing")
    t.notes.append("hypervisor probes during a plain boot: %d" % counts["probes"])


SHELL_SCRIPT = """\
backdoor probe || exit 10
backdoor roi begin 1
i=0; while [ $i -lt 200 ]; do i=$((i + 1)); done
backdoor roi end 1
backdoor roi begin 2
ls / > /dev/null
backdoor roi end 2
backdoor mark 7 42
backdoor print regions done from the shell
backdoor sum 1 2 3 4
backdoor frob 2>/dev/null; echo "bad command status $?"
backdoor exit 3
echo "not reached"
"""


def test_shell_script_regions_and_exit(t):
    """The user story: two regions marked in a shell script under a real
    kernel, instruction counts and a timeline read afterwards, no host code."""
    files = {n: t.path(n) for n in ("events", "trace", "summary", "print")}
    # Each line of the script is a process of its own: the regions span
    # processes, so they are the vCPU's, not a thread's.
    b = boot_linux(t, SHELL_SCRIPT, binaries={"backdoor": os.path.join(BUILD, "backdoor")},
                   regions_by="vcpu", **files)
    t.eq(b.result.returncode, 3, "'backdoor exit 3' ended QEMU with status 3", b)
    t.contains(b.output, "backdoor protocol 1\nfeatures: results mem_read mem_write system",
               "probe under Linux", b)
    t.contains(b.output, "host: backdoor protocol 1, QEMU plugin API 5, target x86_64, "
               "system mode", "probe names the host", b)
    t.contains(b.output, "10\nbad command status 1", "sum, then a bad subcommand's status", b)
    t.check("not reached" not in b.console, "nothing ran after the exit command", b)
    final = last_summary(read_jsonl(files["events"]))
    t.eq(final["reason"], "exit command", "ended by the exit command", final)
    regions = {r["id"]: r for r in final["regions"]}
    t.check(set(regions) == {1, 2} and all(r["entries"] == 1 and r["insns"] > 10000
                                            and not r["open"] for r in regions.values()),
            "both regions, closed, with instruction counts", regions)
    t.eq(final["marks"], [{"id": 7, "count": 1, "last_value": 42}], "the mark", final)
    spans = [e for e in validate_trace(files["trace"]) if e["ph"] in "BE"]
    t.eq(sorted(e["name"] for e in spans), ["roi 1", "roi 1", "roi 2", "roi 2"],
         "the timeline has both regions")
    t.eq(open(files["print"]).read(), "regions done from the shell\n", "printed text")
    t.contains(open(files["summary"]).read(), "ended by exit command (status 3)", "summary")


@on_qemus("built", "debian-11.1")
def test_user_process_cannot_cross_privilege_line(t):
    """Issue 12: an unprivileged process passes kernel text to print (send)
    and host_info (receive), and its own read-only text to host_info: each
    is BACKDOOR_EFAULT with nothing copied, in the QEMU built here and in
    Debian's 11.1 (both walk the guest's page tables, plugin API >= 5); its
    own buffers still work."""
    privilege_line(t, "x86_64")


# Linux's text without KASLR, per architecture.
KERNEL_TEXT = {"x86_64": 0xffffffff81000000, "aarch64": 0xffff800008000000,
               "riscv64": 0xffffffff80000000}
CLI = {"x86_64": os.path.join(BUILD, "backdoor"),
       "aarch64": os.path.join(BUILD, "backdoor-aarch64"),
       "riscv64": os.path.join(BUILD, "backdoor-riscv64")}


def privilege_line(t, arch):
    """The privilege test on arch (its page-table walker, user callers)."""
    events = t.path("events.jsonl")
    printed = t.path("print.txt")
    b = boot_linux(t, "privilege %#x\n" % KERNEL_TEXT[arch],
                   binaries={"privilege": guest(arch, "privilege")},
                   events=events, print=printed, summary="none", arch=arch)
    check_booted(t, b)
    t.contains(b.output, "privilege: ok", "the process saw EFAULT for every crossing", b)
    t.eq(b.status, 0, "privilege exit status", b)
    t.eq(open(printed).read(), "privilege: own buffer\n", "only its own text was printed")
    calls = [e for e in read_jsonl(events) if e.get("event") == "call" and e["op"] in
             ("print", "host_info")]
    t.eq([e["status"] for e in calls], ["fault", "fault", "fault", "ok", "ok"],
         "statuses of the five buffer calls", calls)


def test_calls_attributed_to_their_process(t):
    """Issue 13, attribution: under Linux every call record carries the
    issuing address space (asid: the page-table base, PCID bits removed)
    and priv; two runs of one program are two processes with two address
    spaces, each constant over its own calls."""
    calls_attributed(t, "x86_64")


def calls_attributed(t, arch):
    events = t.path("events.jsonl")
    b = boot_linux(t, "privilege > /dev/null; privilege > /dev/null\n",
                   binaries={"privilege": guest(arch, "privilege")},
                   events=events, print="/dev/null", summary="none", arch=arch)
    check_booted(t, b)
    calls = [e for e in read_jsonl(events) if e.get("event") == "call"]
    t.eq(len(calls), 10, "five buffer calls per run", calls)
    first, second = calls[:5], calls[5:]
    t.eq({e["priv"] for e in calls}, {"user"}, "issued by user code")
    t.eq(len({e["asid"] for e in first}), 1, "one address space within the first process")
    t.eq(len({e["asid"] for e in second}), 1, "one within the second")
    t.check(first[0]["asid"] != second[0]["asid"], "two processes, two address spaces",
            (first[0]["asid"], second[0]["asid"]))
    t.check(all(int(e["asid"], 16) % 4096 == 0 for e in calls), "page-aligned bases", calls)


SMP2 = ["-smp", "2", "-accel", "tcg,thread=multi"]
SCHEDULES = {
    "alone on CPU 0": "taskset 1 thread_follow alone\n",
    "sharing CPU 0 with a busy process":
        "taskset 1 thread_follow busy & B=$!; taskset 1 thread_follow alone; kill $B\n",
    "moving from CPU 0 to CPU 1 halfway": "thread_follow migrate\n",
    # CPU 1 ran the program before its first call and kept its address
    # space: the move back there writes none (riscv64: no switch at all).
    "moving back to CPU 1, which kept its address space": "thread_follow return\n",
}


def schedule_name(schedule):
    """The name the program of a schedule gives itself."""
    return "return" if "back" in schedule else "migrate" if "moving" in schedule else "alone"


def check_thread_track(t, schedule, trace, name):
    """Region 1 is one span in the trace process of the thread that named
    itself, whichever vCPUs it ran on, not in a vCPU's."""
    spans = sorted((e for e in trace if e["ph"] in "BE" and e["name"] == "roi 1"),
                   key=lambda e: e["ts"])
    t.eq([e["ph"] for e in spans], ["B", "E"], "%s: one span of region 1" % schedule, spans)
    t.eq(len({e["pid"] for e in spans}), 1, "%s: begun and ended in one process" % schedule,
         spans)
    names = [e["args"]["name"] for e in trace if e["ph"] == "M" and
             e["name"] == "process_name" and e["pid"] == spans[0]["pid"]]
    t.check(names and re.fullmatch(r"%s \(thread \d+\)" % name, names[-1]),
            "%s: the process is the thread, by the name it gave itself" % schedule, names)


def test_regions_follow_their_thread(t):
    """Issue 13: Linux, two vCPUs (MTTCG), the same work in region 1 under
    four schedules. The region counts its thread's instructions wherever
    and whenever the scheduler runs it: not the busy process's, and across
    the move to the other vCPU, where roi_end closes it."""
    regions_follow(t, "x86_64")


def regions_follow(t, arch):
    counts, kernel = {}, {}
    for name, script in SCHEDULES.items():
        events = t.path("events-%d.jsonl" % len(counts))
        trace = t.path("trace-%d.json" % len(counts))
        b = boot_linux(t, script, binaries={"thread_follow": guest(arch, "thread_follow")},
                       qemu_args=SMP2, events=events, trace=trace, summary="none",
                       timeout=300, arch=arch)
        check_booted(t, b)
        check_thread_track(t, name, validate_trace(trace), schedule_name(name))
        rows = [r for r in last_summary(read_jsonl(events))["regions"] if r["id"] == 1]
        t.eq([(r["entries"], r["open"], r["unmatched_ends"]) for r in rows], [(1, False, 0)],
             "%s: one region, closed where it ended" % name, rows)
        t.check("thread" in rows[0] and "asid" in rows[0], "%s: a thread's region" % name, rows)
        t.eq(rows[0].get("name"), schedule_name(name),
             "%s: the name the thread gave itself" % name, rows)
        r = rows[0]
        t.eq(r["insns_user"] + r["insns_kernel"], r["insns"], "%s: user + kernel = all" % name)
        # Timer interrupts hit the region as often as wall time allows: on
        # a quiet host 0.1 % of it, up to several % on a loaded one (the
        # guest's clock runs on while the host makes it wait). The busy
        # process's work would show in the user count, checked below.
        t.check(0 < r["insns_kernel"] < r["insns"] / 5,
                "%s: some kernel work (timer interrupts, the move), little of it" % name, r)
        counts[name] = r["insns_user"]
        kernel[name] = r["insns_kernel"]
    t.contains(b.output, "cpu 1 at the end", "the last run did move", b)
    low, high = min(counts.values()), max(counts.values())
    t.notes.append(", ".join("%s: %.2f M user, %.0f k kernel" % (k, v / 1e6, kernel[k] / 1e3)
                             for k, v in counts.items()))
    t.check(high <= low * 1.02, "the schedules within 2 % (user instructions)", counts)


def test_region_ended_by_another_thread_is_unmatched(t):
    """Per thread, a region opened by one process and ended by another is
    an end without begin for the second, and stays open for the first; per
    vCPU (regions-by=vcpu) the two calls make one region."""
    ended_by_another(t, "x86_64")


def ended_by_another(t, arch):
    # The op's own names: regions of the command's thread, not the machine's.
    script = "backdoor roi_begin 5\nbackdoor roi_end 5\n"
    binaries = {"backdoor": CLI[arch]}
    events = t.path("thread.jsonl")
    b = boot_linux(t, script, binaries=binaries, events=events, summary="none", arch=arch)
    check_booted(t, b)
    rows = [r for r in last_summary(read_jsonl(events))["regions"] if r["id"] == 5]
    t.eq(sorted((r["entries"], r["open"], r["unmatched_ends"]) for r in rows),
         [(0, False, 1), (1, True, 0)], "open in the first process, unmatched in the second",
         rows)
    t.check(rows[0]["thread"] != rows[1]["thread"], "two threads", rows)
    events = t.path("vcpu.jsonl")
    b = boot_linux(t, script, binaries=binaries, events=events, summary="none",
                   regions_by="vcpu", arch=arch)
    check_booted(t, b)
    rows = [r for r in last_summary(read_jsonl(events))["regions"] if r["id"] == 5]
    t.eq([(r["entries"], r["open"], r["unmatched_ends"], "thread" in r) for r in rows],
         [(1, False, 0, False)], "per vCPU: one closed region", rows)


SMP_CALLS = 100000


def test_smp_calls_exact(t):
    """Issue 13: four processes on four vCPUs (MTTCG) make 10^5 calls each at
    the same time: every call is in the event log exactly once, each
    process's sequence is complete and in order, and the summary's counts,
    per vCPU and in total, equal what the guests made."""
    smp_exact(t, "x86_64")


def smp_exact(t, arch):
    script = "".join("taskset %d smp_calls %d %d > /tmp/out%d &\n" % (1 << cpu, cpu + 1,
                                                                      SMP_CALLS, cpu)
                     for cpu in range(4)) + "wait\ncat /tmp/out*\n"
    events = t.path("events.jsonl")
    b = boot_linux(t, script, binaries={"smp_calls": guest(arch, "smp_calls")},
                   qemu_args=["-smp", "4", "-accel", "tcg,thread=multi"], events=events,
                   summary="none", timeout=300, arch=arch)
    check_booted(t, b)
    for cpu in range(4):
        t.contains(b.output, "smp_calls %d: %d calls" % (cpu + 1, SMP_CALLS), "each copy ran", b)
    records = read_jsonl(events)
    marks = [e for e in records if e.get("event") == "call" and e["op"] == "mark"]
    t.eq(len(marks), 4 * SMP_CALLS, "every call recorded once")
    by_id = {}
    for e in marks:
        by_id.setdefault(e["args"][0], []).append(e)
    for ident, calls in sorted(by_id.items()):
        t.eq([e["args"][1] for e in calls], list(range(SMP_CALLS)),
             "copy %d: its sequence complete and in order" % ident)
        t.eq(len({e["vcpu"] for e in calls}), 1, "copy %d: on the one vCPU it was pinned to"
             % ident)
        t.eq(len({e["asid"] for e in calls}), 1, "copy %d: one address space" % ident)
    t.eq(sorted(e["vcpu"] for e in (calls[0] for calls in by_id.values())), [0, 1, 2, 3],
         "the four copies on the four vCPUs")
    counts = run_counts(events)
    t.eq(counts["dispatched"], len([e for e in records if e.get("event") == "call"]),
         "the summary's calls = the call records")
    final = last_summary(records)
    t.eq(sorted((m["id"], m["count"]) for m in final["marks"]),
         [(i + 1, SMP_CALLS) for i in range(4)], "the summary's marks per copy")


def test_sequential_unnamed_threads_apart(t):
    """Issue 21: the same three threads, giving no name. Each ends with
    Linux's exit system call, which ends its thread: the next one under the
    same key is another thread, with a row and a number of its own."""
    sequential_unnamed(t, "x86_64")


def sequential_unnamed(t, arch):
    events = t.path("events.jsonl")
    b = boot_linux(t, "sequential_threads 3 unnamed\n",
                   binaries={"sequential_threads": guest(arch, "sequential_threads")},
                   events=events, summary="none", arch=arch)
    check_booted(t, b)
    tls = set(re.findall(r"seq-\d tls (\S+)", b.output))
    t.eq(len(tls), 1, "the case of the issue: one TLS address for the three threads", b)
    rows = [r for r in last_summary(read_jsonl(events))["regions"] if r["id"] == 40]
    t.eq(sorted((r["entries"], r["open"], "name" in r) for r in rows), [(1, False, False)] * 3,
         "a row per thread, each entered once and closed", rows)
    t.eq(len({r["thread"] for r in rows}), 3, "three thread numbers", rows)
    t.eq(len({(r["asid"], r["tp"]) for r in rows}), 1, "under one key", rows)
    user = sorted(r["insns_user"] for r in rows)
    t.check(user[-1] - user[0] <= user[0] // 100, "the same loop's count in each row", rows)


def test_sequential_threads_own_their_names(t):
    """Issue 21: three threads of one process run one after another, each
    naming itself and running region 40. Linux gives them one address
    space and glibc's stack cache one TLS address, so one key; each still
    gets its own row, thread number and name (a thread that renames itself
    with its regions closed is taken for a newcomer), in the regions CSV
    too."""
    events, regions = t.path("events.jsonl"), t.path("regions.csv")
    b = boot_linux(t, "sequential_threads 3\n",
                   binaries={"sequential_threads": guest("x86_64", "sequential_threads")},
                   events=events, regions=regions, summary="none")
    check_booted(t, b)
    tls = set(re.findall(r"seq-\d tls (\S+)", b.output))
    t.eq(len(tls), 1, "the case of the issue: one TLS address for the three threads", b)
    rows = [r for r in last_summary(read_jsonl(events))["regions"] if r["id"] == 40]
    t.eq(sorted((r.get("name"), r["entries"], r["open"]) for r in rows),
         [("seq-0", 1, False), ("seq-1", 1, False), ("seq-2", 1, False)],
         "a row per thread, with the name it gave itself", rows)
    t.eq(len({r["thread"] for r in rows}), 3, "three thread numbers", rows)
    t.eq(len({(r["asid"], r["tp"]) for r in rows}), 1, "under one key", rows)
    with open(regions) as f:
        text = f.read()
    t.check(text.endswith("\n"), "the CSV ends with a newline", text[-200:])
    csv_rows = [r for r in csv.DictReader(io.StringIO(text)) if r["id"] == "40"]
    t.eq(sorted((r["name"], r["thread"] != "", r["asid"] != "") for r in csv_rows
                if r["vcpu"] != "all"),
         [("seq-0", True, True), ("seq-1", True, True), ("seq-2", True, True)],
         "the CSV's rows say whose they are", csv_rows)
