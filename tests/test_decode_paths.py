# SPDX-License-Identifier: GPL-2.0-or-later
"""Translation-time decoding (docs/abi.md): constant requests are decoded when
the code is translated, everything else when it runs; the two paths give the
same results, and no instruction sequence can make them disagree with the
registers."""
from harness import ARCHES, guest, handler, read_jsonl, run_counts


def comparable(record):
    """An event record without what differs between call sites: time, place,
    and a region's measured length (the two rounds' code differs)."""
    return {k: v for k, v in record.items() if k not in ("ts_ns", "pc", "insns", "wall_ns")}


def test_constant_and_runtime_calls_agree(t):
    for arch in ARCHES:
        log, events = (t.path(n + arch) for n in ("log-", "events-"))
        r = t.user(arch, guest(arch, "decode_paths"), check=0, handler=handler("record"),
                   handler_arg="log=" + log, events=events, summary="none")
        for line in r.stdout.splitlines():
            constant, runtime = line.split()
            t.eq(runtime, constant, "results of both rounds on " + arch, r)
        calls = open(log).read().splitlines()
        half = len(calls) // 2
        t.eq(calls[half:], calls[:half], "handler log of both rounds on " + arch)
        records = [comparable(e) for e in read_jsonl(events) if e["event"] == "call"]
        t.eq(len(records), 18, "event count on " + arch, records)
        t.eq(records[9:], records[:9], "event records of both rounds on " + arch)
        counts = run_counts(events)
        # Round one: 9 constant calls; round two: present() is still constant,
        # roi_begin/mark/roi_end have constant words but run-time arguments.
        # On i386 the two four-argument calls of round one load their
        # arguments outside the asm (EBP is swapped in through the stack).
        # aarch64 and riscv64 decode everything at run time.
        expected = {"x86_64": (13, 3, 5), "i386": (13, 5, 5)}.get(arch, (0, 0, 18))
        t.eq((counts["translation"], counts["mixed"], counts["runtime"]), expected,
             "decode paths in the summary on " + arch, counts)


ADVERSARIAL = ["1 1 100", "1 2 200", "1 1 100"] + ["1 3 %d" % v for v in (1, 1, 2, 2, 3, 3)]


def test_jump_into_magic_and_self_modifying_code(t):
    """A jump straight to the CPUID with other register values, and code that
    rewrites the immediate before the CPUID between executions."""
    log, events = t.path("log"), t.path("events")
    t.user("x86_64", guest("x86_64", "adversarial"), check=0, handler=handler("record"),
           handler_arg="log=" + log, events=events, summary="none")
    t.eq(open(log).read().splitlines(), ADVERSARIAL, "values the handler saw")
    counts = run_counts(events)
    t.eq(counts["runtime"], 1, "only the jumped-to CPUID is decoded at run time", counts)


def test_one_instruction_per_block(t):
    """With one instruction per block nothing precedes a CPUID in its block:
    every call is decoded from the registers, with the same results."""
    for program, arch, expected in (("adversarial", "x86_64", ADVERSARIAL),
                                    ("decode_paths", "x86_64", None),
                                    ("decode_paths", "i386", None)):
        log, events = t.path("log-" + program + arch), t.path("events-" + program + arch)
        r = t.user(arch, guest(arch, program), check=0, qemu_args=["-one-insn-per-tb"],
                   handler=handler("record"), handler_arg="log=" + log, events=events,
                   summary="none")
        calls = open(log).read().splitlines()
        if expected is not None:
            t.eq(calls, expected, "values the handler saw", r)
        else:
            t.eq(calls[len(calls) // 2:], calls[:len(calls) // 2], "both rounds agree", r)
            for line in r.stdout.splitlines():
                t.eq(len(set(line.split())), 1, "results agree", r)
        counts = run_counts(events)
        t.eq((counts["translation"], counts["mixed"]), (0, 0),
             "nothing decoded at translation for " + program, counts)
        t.check(counts["runtime"] > 0, "calls decoded at run time", counts)


def test_calls_nobody_receives_are_counted_alike(t):
    """Constant seed calls with no handler and no per-call output are counted
    inline, without a callback; the summary must read as if they had been
    dispatched (log=on forces the callbacks)."""
    summaries = []
    for options in ({}, {"log": "on"}):
        summary = t.path("summary-%d" % len(summaries))
        t.user("x86_64", guest("x86_64", "seed_sequence"), check=0, summary=summary,
               **options)
        text = open(summary).read()
        summaries.append(text[text.index("calls dispatched"):])
    t.eq(summaries[0], summaries[1], "summary with inline counting vs with callbacks")


def test_constant_builtins_answered_alike(t):
    """present() and features() known whole at translation, with nothing to
    record, get a callback that only counts and answers (issue 24); the
    guest's results and the summary's counts are those of the full
    dispatch (log=on needs the full path: a line per call)."""
    outputs = []
    for options in ({}, {"log": "on"}):
        summary = t.path("summary-%d" % len(outputs))
        r = t.user("x86_64", guest("x86_64", "decode_paths"), check=0, summary=summary,
                   **options)
        text = open(summary).read()
        # The counts; the regions' wall time differs from run to run.
        outputs.append((r.stdout, text[text.index("calls dispatched"):
                                       text.index("regions of interest")]))
    t.eq(outputs[0], outputs[1], "results and summary with the constant path vs without")
    t.contains(outputs[0][1], "present", "present() counted", outputs[0][1])
