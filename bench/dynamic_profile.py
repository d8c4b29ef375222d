# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 8d: row 8's workload as users link it, dynamically against Debian's
shared zlib and libc (bench/guest/zlib_region.c built as zlib_dynamic).
Timed, interleaved: under Callgrind (--collect-atstart=no, natively), plain
qemu-x86_64, and qemu-x86_64 with valgrind=on,collect-atstart=off without
and with profile= (which then names every mapped ELF's functions and source
lines: qemu/symbols.c). Then the names: the share of the profile in code
without a symbol (Callgrind's too: libz.so has no debug file, so both name
its static functions by address), and callgrind_annotate's top functions of
both profiles."""
import os
import shutil

from harness import Failure
from measure import run
from qemu import user_command
from real_workload import annotate, callgrind_total, top_functions
from session import BENCH
from stats import paired_ratio

ROWS = ("8d",)
PROGRAM = os.path.join(BENCH, "zlib_dynamic")


def unnamed(functions):
    return sum(ir for fn, ir in functions.items() if fn.startswith("0x") or fn == "(no symbol)")


def measure(s):
    n = s.zlib_bytes
    if not (shutil.which("valgrind") and shutil.which("callgrind_annotate")):
        s.details.append("row 8d skipped: valgrind is not installed (scripts/install-deps.sh "
                         "bench)")
        return
    expected = run([PROGRAM, str(n)]).out
    cg_out, profile_out = s.path("dyn-callgrind.out"), s.path("dyn-profile.out")

    def plugin_cmd(**outputs):
        return user_command("x86_64", PROGRAM, [n], s.backdoor(
            valgrind="on", collect_atstart="off", summary="none", **outputs))

    variants = [
        ("d.callgrind", "valgrind --tool=callgrind --collect-atstart=no (natively)",
         ["valgrind", "--tool=callgrind", "--collect-atstart=no",
          "--callgrind-out-file=" + cg_out, PROGRAM, str(n)]),
        ("d.qemu", "qemu-x86_64, no plugin", user_command("x86_64", PROGRAM, [n])),
        ("d.vg", "libbackdoor.so valgrind=on,collect-atstart=off", plugin_cmd()),
        ("d.profile", "libbackdoor.so valgrind=on,collect-atstart=off,profile= (symbols "
         "of every object, source lines)", plugin_cmd(profile=profile_out)),
    ]

    def job(key, cmd):
        def timed():
            r = run(cmd, timeout=900)
            if r.out != expected:
                raise Failure("zlib_dynamic did other work than natively (%r, natively %r)\n%s"
                              % (r.out, expected, r.describe()))
            return r.cpu
        return key, timed

    s.interleaved("8d user: dynamic zlib, Callgrind vs QEMU",
                  [job(key, cmd) for key, _, cmd in variants])
    what = ("real workload, dynamically linked: zlib compress2 of %d KiB of text (Debian's "
            "libz.so) in a Callgrind collection region, s CPU" % (n >> 10))
    for key, variant, _ in variants:
        samples = s.samples[key]
        note = ""
        if key in ("d.vg", "d.profile"):
            note = "%.3fx plain QEMU" % paired_ratio(samples, s.samples["d.qemu"])
        target = "<= 0.5" if key == "d.profile" else ""
        label = "dynamic zlib profile vs Callgrind (target: 2x faster)" if target else ""
        s.add("8d", what, variant, samples, "s",
              paired_ratio(samples, s.samples["d.callgrind"]), "Callgrind", target,
              note=note, label=label)
    ours, theirs = annotate(profile_out), annotate(cg_out)
    ours_total, theirs_total = callgrind_total(profile_out), callgrind_total(cg_out)
    name = "real workload, dynamically linked: instructions in code without a symbol"
    for label, fns, total in (("the plugin's profile", ours, ours_total),
                              ("Callgrind's profile", theirs, theirs_total)):
        share = 100.0 * unnamed(fns) / total
        s.add("8d", name, label, [share], "%", note="%d of %d" % (unnamed(fns), total))
    rows = top_functions(ours, theirs)
    worst = max(rows, key=lambda r: abs(r[3]))
    s.add("8d", "real workload, dynamically linked: top 10 functions of Callgrind's profile, "
          "largest relative difference", "glibc's defaults", [100.0 * abs(worst[3])], "%",
          note="%s: %d vs %d; %d of %d named alike" % (
              worst[0], worst[2], worst[1], sum(1 for r in rows if r[2]), len(rows)))
    s.details.append("row 8d top 10 functions, plugin vs Callgrind: " + "; ".join(
        "%s %d vs %d (%+.4f %%)" % (fn, mine, ir, 100.0 * d) for fn, ir, mine, d in rows))
