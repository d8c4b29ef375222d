# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 8e: the same CPU as Valgrind's (issue 19). Workloads on Debian's
libraries (tests/peers/workloads.c: qsort, a memcpy loop of 3,000..8,192
bytes, zlib, bzip2, xz, and sqlite in the dynamic build), static and
dynamic, each between two CALLGRIND_TOGGLE_COLLECT: the plugin's collection
region against Callgrind's Ir, once with the plugin's defaults under
valgrind=on (Valgrind's CPU, count-reps on) and once as before them (QEMU's
CPU, count-reps off); and callgrind_annotate's top 10 functions of the
static ones. Counts, not time: they are the same from run to run."""
import os
import re
import shutil

from harness import Failure
from measure import run
from qemu import BUILD, user_command
from real_workload import annotate, callgrind_total, top_functions

ROWS = ("8e",)
PEERS = os.path.join(BUILD, "peers")
WORKLOADS = {"static": ("qsort", "memcpy", "zlib", "bzip2", "xz"),
             "dynamic": ("qsort", "memcpy", "zlib", "bzip2", "xz", "sqlite")}
# (key, the plugin's options, description)
SETTINGS = (
    ("valgrind-cpu", {}, "valgrind=on's defaults: Valgrind's CPU, count-reps=on"),
    ("qemu-cpu-reps", {"cpu_identity": "qemu"}, "QEMU's CPU, count-reps=on"),
    ("qemu-cpu", {"cpu_identity": "qemu", "count_reps": "off"},
     "as before: QEMU's CPU, count-reps=off"),
)
TOP = 10


def functions(path):
    """callgrind_annotate's table, with Callgrind's recursion levels (NAME'2,
    NAME'3) summed under NAME: the plugin's profile has none."""
    table = {}
    for name, ir in annotate(path).items():
        name = re.sub(r"'\d+$", "", name)
        table[name] = table.get(name, 0) + ir
    return table


def measure(s):
    if not (shutil.which("valgrind") and shutil.which("callgrind_annotate")):
        s.details.append("row 8e skipped: valgrind is not installed (scripts/install-deps.sh "
                         "build)")
        return
    for kind, workloads in WORKLOADS.items():
        program = os.path.join(PEERS, "workloads-" + kind)
        if not os.path.exists(program):
            raise Failure("%s is missing (make all builds it)" % program)
        for w in workloads:
            expected = run([program, w]).out
            reference = s.path("peers-%s-%s.callgrind" % (kind, w))
            r = run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                     "--callgrind-out-file=" + reference, program, w], timeout=900)
            if r.out != expected:
                raise Failure("%s %s did other work under Callgrind\n%s" % (program, w,
                                                                             r.describe()))
            theirs = callgrind_total(reference)
            for key, options, variant in SETTINGS:
                profile = s.path("peers-%s-%s-%s.profile" % (kind, w, key))
                r = run(user_command("x86_64", program, [w], s.backdoor(
                    valgrind="on", collect_atstart="off", summary="none", profile=profile,
                    **options)), timeout=900, expect=None)
                if r.code != 0 or r.out != expected:
                    s.add("8e", "%s %s: the plugin's collection vs Callgrind's Ir" % (kind, w),
                          variant, [], "insns", note="the program failed (status %s)"
                          % r.code)
                    continue
                ours = callgrind_total(profile)
                s.add("8e", "%s %s: the plugin's collection vs Callgrind's Ir" % (kind, w),
                      variant, [ours], "insns", ours / theirs, "Callgrind Ir",
                      "<= 1.0001" if key == "valgrind-cpu" else "",
                      met=abs(ours - theirs) <= 1e-4 * theirs if key == "valgrind-cpu"
                      else None,
                      note="Callgrind %d, %+d, %+.4f %%" % (theirs, ours - theirs,
                                                             100.0 * (ours - theirs) / theirs))
                if kind != "static":
                    continue
                rows = top_functions(functions(profile), functions(reference), TOP)
                worst = max(rows, key=lambda row: abs(row[3]))
                within = sum(1 for row in rows if abs(row[3]) <= 0.005)
                s.add("8e", "static %s: top %d functions, largest relative difference"
                      % (w, TOP), variant, [100.0 * abs(worst[3])], "%",
                      note="%s: %d vs %d; %d of %d within 0.5 %%" % (
                          worst[0], worst[2], worst[1], within, len(rows)))
