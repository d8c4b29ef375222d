# SPDX-License-Identifier: GPL-2.0-or-later
"""valgrind=on: Valgrind's client requests from a program built against
Debian's valgrind.h and callgrind.h (tests/guest/valgrind_requests.c), region
counts and the per-function profile against Callgrind run on the same
binary, sequences split across blocks or entered midway, and valgrind=off
changing nothing (docs/valgrind.md)."""
import re
import shutil

from harness import Skip, guest, last_summary, on_qemus, read_jsonl, runs_natively
from linux import boot_linux

ARCHES = ("x86_64", "i386", "aarch64")  # Debian's valgrind.h has no riscv64 port
REGION = 0x43540000
PROGRAM = "valgrind_requests"
ON = dict(valgrind="on", collect_atstart="off")


def collection(t, arch, qemu_args=(), args=("1000",), **options):
    """Runs the guest; returns (result, the collection region's summary row,
    the summary record)."""
    events = t.path("events-%s-%d.jsonl" % (arch, len(t.notes) + len(qemu_args)))
    options = dict(ON, **options)
    r = t.user(arch, guest(arch, PROGRAM), list(args), qemu_args=qemu_args, check=0,
               events=events, **options)
    final = last_summary(read_jsonl(events))
    rows = [row for row in final["regions"] if row["id"] == REGION]
    return r, rows[0] if rows else None, final


def annotate(t, path):
    """callgrind_annotate's function table: {function: Ir}."""
    out = t.run(["callgrind_annotate", "--threshold=100", path], check=0).stdout
    return {m.group(2): int(m.group(1).replace(",", ""))
            for m in re.finditer(r"^\s*([\d,]+) \([\d.]+%\)\s+[^:\s]*:(\S+)", out, re.M)}


def test_requests_on_every_arch(t):
    for arch in ARCHES:
        r, row, final = collection(t, arch, running_on_valgrind=7, summary="stderr")
        t.contains(r.stdout, "running on valgrind: 7", "RUNNING_ON_VALGRIND as configured", r)
        t.contains(r.stderr, "guest says 42 hello 2.50 beef|", "VALGRIND_PRINTF formatted "
                   "from the guest's va_list on " + arch, r)
        t.contains(r.stdout, "printf returned 31", "VALGRIND_PRINTF returns its length", r)
        t.contains(r.stdout, "ignored request returned 123",
                   "a Memcheck request keeps its default", r)
        t.contains(r.stdout, "entered midway: 99 99",
                   "sequences entered after their start do nothing", r)
        t.eq(final["valgrind"]["ignored_by_request"], {"0x4d430000": 1},
             "the ignored request, by number, on " + arch)
        t.eq((final["valgrind"]["honoured"], row["entries"], row["open"]),
             (6, 1, False), "6 requests acted on, one collection on " + arch, final)
        # 3000 + 1000 iterations of 6 and 6 instructions, plus the calls.
        t.check(24000 < row["insns"] < 24200, "collected instructions on " + arch, row)
        t.contains(r.stderr, "valgrind client requests: 6 honoured, 1 ignored "
                   "(0x4d430000 x 1)", "the summary's line", r)
    r, row, _ = collection(t, "x86_64")
    t.contains(r.stdout, "running on valgrind: 0", "RUNNING_ON_VALGRIND is 0 by default", r)
    again = [collection(t, "aarch64")[1]["insns"] for _ in range(2)]
    t.eq(again[0], again[1], "aarch64: the same count in two runs")


def test_counts_match_callgrind(t):
    """Region count and per-function profile equal Callgrind's on the same
    static x86-64 binary, run natively under Valgrind."""
    if shutil.which("valgrind") is None or not runs_natively("x86_64"):
        raise Skip("valgrind cannot run here (scripts/install-deps.sh build installs it)")
    program = guest("x86_64", PROGRAM)
    for n in ("1000", "20000"):
        profile = t.path("profile-%s.out" % n)
        r, row, _ = collection(t, "x86_64", args=(n,), profile=profile)
        reference = t.path("callgrind-%s.out" % n)
        cg = t.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                    "--callgrind-out-file=" + reference, program, n], check=0)
        totals = int(re.search(r"^totals: (\d+)", open(reference).read(), re.M).group(1))
        t.eq(row["insns"], totals, "collected instructions vs Callgrind's Ir, n=" + n, cg)
        ours, theirs = annotate(t, profile), annotate(t, reference)
        t.check({"hot_loop", "cold_loop"} <= set(ours), "callgrind_annotate reads the "
                "profile", ours)
        t.eq(ours, theirs, "per-function Ir as callgrind_annotate shows them, n=" + n)
        summary = re.search(r"^summary: (\d+)", open(profile).read(), re.M)
        t.eq(int(summary.group(1)), row["insns"], "the profile's total is the region count")


def test_split_sequences(t):
    """One instruction per block splits every sequence: followed at run time,
    each request still acts once, and counts move by a few instructions per
    request (Callgrind's per-block accounting cannot be rebuilt from single
    instructions)."""
    for arch in ARCHES:
        _, whole, _ = collection(t, arch)
        r, split, final = collection(t, arch, qemu_args=["-one-insn-per-tb"],
                                     running_on_valgrind=7)
        t.contains(r.stdout, "running on valgrind: 7", "request acted on when split", r)
        t.contains(r.stdout, "entered midway: 99 99", "no misfire when split", r)
        t.eq(final["valgrind"]["honoured"], 6, "every split request, once")
        t.check(0 <= split["insns"] - whole["insns"] <= 4 * 5,
                "split vs whole sequences on " + arch, (whole, split))


def test_valgrind_off_changes_nothing(t):
    program = guest("x86_64", PROGRAM)
    plain = t.user("x86_64", program, plugin=False, check=0)
    events = t.path("events.jsonl")
    off = t.user("x86_64", program, check=0, events=events, summary="stderr")
    t.eq(off.stdout, plain.stdout, "program output with the plugin, valgrind off")
    t.check("guest says" not in off.stderr and "valgrind client requests" not in off.stderr,
            "no request acted on, no Valgrind line in the summary", off)
    final = last_summary(read_jsonl(events))
    t.eq((final["regions"], "valgrind" in final), ([], False),
         "no collection region, no Valgrind counts", final)
    if runs_natively("x86_64"):
        native = t.run([program], check=0)
        t.eq(off.stdout, native.stdout, "the same output natively")


@on_qemus("built", "debian-10.0", "debian-11.1")
def test_under_linux(t):
    """x86-64 under Linux (system mode): the same requests from a user
    process, the same collected count as in user mode and under Callgrind
    (24,086 for 1000 iterations). On plugin API 4 the plugin can check no
    user page's rights, so it reads no request block of user code: every
    request is ignored, counted, and returns its default, as natively."""
    events, printed = t.path("events.jsonl"), t.path("print.txt")
    b = boot_linux(t, "%s 1000\n" % PROGRAM, binaries={PROGRAM: guest("x86_64", PROGRAM)},
                   events=events, print=printed, summary="none", running_on_valgrind=7, **ON)
    t.eq(b.status, 0, "the program ran to its end", b)
    final = last_summary(read_jsonl(events))
    row = [r for r in final["regions"] if r["id"] == REGION]
    t.contains(b.output, "ignored request returned 123", "the default reaches the guest", b)
    if not t.qemu.can_write:
        t.eq((row, final["valgrind"]["honoured"], final["valgrind"]["ignored"]), ([], 0, 7),
             "API 4: every request ignored", final)
        t.contains(b.output, "running on valgrind: 0", "API 4: the default, 0", b)
        t.eq(open(printed).read(), "", "API 4: nothing printed")
        return
    t.eq([(r["entries"], r["open"]) for r in row], [(1, False)], "one collection", final)
    # A timer interrupt may hit the process inside the collection: its
    # kernel instructions count for the thread, apart (Callgrind sees none).
    t.check(24000 < row[0]["insns_user"] < 24200, "collected user instructions", row)
    t.eq(final["valgrind"]["ignored_by_request"], {"0x4d430000": 1}, "the ignored request")
    t.eq(open(printed).read(), "guest says 42 hello 2.50 beef|\n", "VALGRIND_PRINTF")
    t.contains(b.output, "running on valgrind: 7", "RUNNING_ON_VALGRIND as configured", b)
    t.contains(b.output, "printf returned 31", "VALGRIND_PRINTF's length", b)
    t.notes.append("%s: collected %d user instructions" % (t.qemu.label, row[0]["insns_user"]))


def test_under_linux_allow_from_kernel(t):
    """Issue 21: allow-from=kernel refuses a Linux user process's Valgrind
    requests as it refuses its backdoor calls: nothing printed, no
    collection, RUNNING_ON_VALGRIND's default, each counted as refused."""
    events, printed = t.path("events.jsonl"), t.path("print.txt")
    b = boot_linux(t, "%s 1000\n" % PROGRAM, binaries={PROGRAM: guest("x86_64", PROGRAM)},
                   events=events, print=printed, summary="none", running_on_valgrind=7,
                   allow_from="kernel", **ON)
    t.eq(b.status, 0, "the program ran to its end", b)
    final = last_summary(read_jsonl(events))
    t.contains(b.output, "running on valgrind: 0", "RUNNING_ON_VALGRIND refused: its default", b)
    t.contains(b.output, "printf returned 0", "VALGRIND_PRINTF refused: its default", b)
    t.eq(open(printed).read(), "", "nothing printed")
    t.eq([r for r in final["regions"] if r["id"] == REGION], [], "no collection", final)
    t.eq((final["valgrind"]["refused"], final["valgrind"]["honoured"]), (6, 0),
         "the six requests that act, refused", final["valgrind"])
