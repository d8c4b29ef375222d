# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 13: boot once, measure many times (issue 25). A 512 MiB x86-64 Linux
guest (qemu-backdoor --linux --memory=512M) runs tests/guest/checkpoint's
"time" mode: it checkpoints, then asks the host's CLOCK_REALTIME. Booting:
the command's start to that call, with no checkpoint directory (the
checkpoint answers at once). Restoring: 'qemu-backdoor --restore' of the
file saved once, from the command's start to the same call in the restored
guest (goal: under 0.5 s). Also the save's wall time and the file's size on
disk against the guest's memory."""
import os
import shutil
import subprocess
import time

import linux
from harness import BUILD, Failure
from stats import paired_ratio

ROWS = ("13",)
COMMAND = os.path.join(BUILD, "qemu-backdoor")
PROGRAM = os.path.join(BUILD, "guest", "x86_64", "checkpoint")
MEMORY = "512M"


def to_program(s, args, expect):
    start = time.time_ns()
    p = subprocess.run([COMMAND, "--quiet", "--summary=none"] + args, capture_output=True,
                       text=True, timeout=300)
    end = time.time_ns()
    lines = p.stdout.split()
    if p.returncode != expect or not lines or not lines[-1].isdigit():
        raise Failure("row 13: %s failed (status %d, expected %d): %s%s"
                      % (" ".join(args[:3]), p.returncode, expect, p.stdout[-300:],
                         p.stderr[-1000:]))
    return (int(lines[-1]) - start) / 1e9, (end - start) / 1e9


def measure(s):
    try:
        linux.ensure_kernel("x86_64")
    except Exception as e:
        s.details.append("row 13 skipped: %s" % e)
        return
    ckdir = s.path("checkpoints")
    shutil.rmtree(ckdir, ignore_errors=True)
    os.makedirs(ckdir)
    boot_args = ["--linux", "--memory=" + MEMORY, "--", PROGRAM, "time", "bench"]
    _, save_wall = to_program(s, ["--checkpoint-dir=" + ckdir] + boot_args, 10)
    ckpt = os.path.join(ckdir, "bench.ckpt")
    on_disk = os.stat(ckpt).st_blocks * 512 / (1 << 20)
    samples = {"boot": [], "restore": []}

    def boot():
        samples["boot"].append(to_program(s, boot_args, 10)[0])
        return samples["boot"][-1]

    def restore():
        samples["restore"].append(to_program(s, ["--restore=" + ckpt], 0)[0])
        return samples["restore"][-1]

    s.interleaved("13 checkpoints: boot vs restore (512 MiB x86-64 Linux)",
                  [("13.boot", boot), ("13.restore", restore)])
    name = "512 MiB x86-64 Linux, command to the program after a checkpoint, s wall"
    s.add("13", name, "boot (--linux)", samples["boot"], "s", None)
    # The goal is 0.5 s against a boot of about 2.6 s on this machine: a
    # ratio, so that a loaded machine slowing both does not decide.
    row = s.add("13", name, "restore (--restore)", samples["restore"], "s",
                paired_ratio(samples["restore"], samples["boot"]), "boot", "<= 0.2",
                label="restore vs boot",
                note="save once %.2f s wall; file %.1f MiB on disk for %s of memory"
                % (save_wall, on_disk, MEMORY))
    s.details.append("row 13: restore %.2f s to the program (goal 0.5 s); save %.2f s; "
                     "checkpoint %.1f MiB on disk" % (row.median, save_wall, on_disk))
