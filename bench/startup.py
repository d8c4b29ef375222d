# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 14: what loading the plugin adds to every QEMU run. A guest whose
first instruction is exit(0) under qemu-x86_64: no plugin, QEMU's
libempty.so, libbackdoor.so with its default options (the summary on
stderr included); CPU time of the whole process, so that what is measured
is start-up and the end of the run. The target is a difference, not a
ratio: milliseconds over QEMU's empty plugin."""
import os

from harness import Failure
from measure import run
from qemu import qemu_plugin, user_command
from session import BENCH
from stats import paired_difference

ROWS = ("14",)
EXIT_NOW = os.path.join(BENCH, "exit_now")
REPS = 25  # a run takes about 20 ms; medians of 25 settle a 3 ms difference


def measure(s):
    empty = qemu_plugin("libempty.so")
    if empty is None:
        raise Failure("QEMU's libempty.so is not installed with the QEMU in use")

    def ms(plugin):
        return lambda: run(user_command("x86_64", EXIT_NOW, (), plugin)).cpu * 1000

    s.interleaved("14 user: start-up, no plugin/libempty/backdoor", [
        ("up.none", ms(None)),
        ("up.empty", ms(empty)),
        ("up.bd", ms(s.backdoor())),
    ], reps=3 if s.args.quick else REPS)
    none, empty_ms, bd = (s.samples["up." + k] for k in ("none", "empty", "bd"))
    name = "start-up: qemu-x86_64 running a guest that exits at once, ms CPU"
    s.add("14", name, "no plugin", none, "ms", None)
    s.add("14", name, "QEMU's libempty.so", empty_ms, "ms", None)
    s.add("14", name, "libbackdoor.so, default options: ms over libempty.so", bd, "ms",
          paired_difference(bd, empty_ms), "libempty.so (ms more)", "<= 3",
          label="start-up: ms over libempty.so")
