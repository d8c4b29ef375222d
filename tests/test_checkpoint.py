# SPDX-License-Identifier: GPL-2.0-or-later
"""Checkpoints the guest chooses (issue 25), under real QEMU and real Linux:
a program warms up, opens region 5, checkpoints and opens region 6; the
saving run exits with its status, and restores given different readfile
inputs exit with theirs. Region 5 less region 6 (what came before the
checkpoint) is the same in the saving run and in every restore, so the
restored plugin state carried the region's count across. On x86-64 and
aarch64 Linux (qemu-backdoor --linux) and an x86 bare-metal kernel. Bad
input: names that are no plain file name, no checkpoint directory, user
mode; damaged, cut-short, foreign and other-version files are refused before
anything runs or is overwritten; a failed save (full disk) leaves the
previous checkpoint whole."""
import csv
import hashlib
import os
import re
import subprocess
import time

import linux
from abi import ERRORS
from harness import BUILD, ROOT, Skip, guest, on_qemus, read_jsonl

COMMAND = os.path.join(BUILD, "qemu-backdoor")
BARE_KERNEL = os.path.join(BUILD, "baremetal", "x86", "checkpoint.elf")
SAVED_STATUS = 10
SETUP_ERROR = 125
# What may differ between the part before the checkpoint as the saving run
# counts it and as a restore does: on bare metal the few instructions from
# the guest's last call to where its region 6 opens; under Linux also an
# interrupt or two that land there in one run and not the other (a timer
# tick and its softirqs: a few thousand instructions), against ~900,000.
POLL_SLACK = 200
LINUX_SLACK = 0.02


def qb(t, *args, timeout=240):
    return t.run([COMMAND] + list(args), timeout=timeout)


def region_counts(path):
    """{id: instructions} of a regions CSV's per-id totals."""
    with open(path) as f:
        return {int(row["id"]): int(row["insns"]) for row in csv.DictReader(f)
                if row["vcpu"] == "all"}


def before_checkpoint(t, path, what):
    counts = region_counts(path)
    t.check(5 in counts and 6 in counts, "%s: regions 5 and 6 counted" % what, counts)
    return counts[5] - counts[6]


def write_input(t, name, number):
    path = t.path(name)
    with open(path, "w") as f:
        f.write("%d\n" % number)
    return path


def save_and_restore_linux(t, arch):
    linux.ensure_kernel(arch)
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    saving = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--regions=" + t.path("r0.csv"),
                "--summary=none", "--", guest(arch, "checkpoint"), "warm")
    t.eq(saving.returncode, SAVED_STATUS, "%s: the saving run's own status" % arch, saving)
    t.contains(saving.stdout, "checkpoint warm: 0\n", "backdoor_checkpoint gave 0", saving)
    ckpt = os.path.join(ckdir, "warm.ckpt")
    t.check(os.path.isfile(ckpt), "%s: warm.ckpt saved" % arch, os.listdir(ckdir))
    t.check(not [n for n in os.listdir(ckdir) if n.startswith(".")],
            "no temporary file left", os.listdir(ckdir))
    pre = before_checkpoint(t, t.path("r0.csv"), "saving run")
    t.check(pre > 500000, "the warm-up region counted its work before the checkpoint", pre)
    for number in (33, 44):
        regions = t.path("r%d.csv" % number)
        r = qb(t, "--restore=" + ckpt, "--readfile=" + write_input(t, "in%d" % number, number),
               "--regions=" + regions, "--summary=none")
        what = "%s restore with input %d" % (arch, number)
        t.eq(r.returncode, number, "%s: the program's status from its input" % what, r)
        t.contains(r.stdout, "checkpoint warm: 1\ninput %d\n" % number,
                   "%s: backdoor_checkpoint gave 1, and the input arrived" % what, r)
        restored = before_checkpoint(t, regions, what)
        t.check(abs(restored - pre) <= LINUX_SLACK * pre,
                "%s: region 5's count before the checkpoint carried over (%d, saved %d)"
                % (what, restored, pre), r)
    t.check(region_counts(t.path("r44.csv"))[6] > region_counts(t.path("r33.csv"))[6],
            "%s: more input, more work after the checkpoint" % arch)
    return ckpt


def test_linux_x86_64_save_and_two_restores(t):
    save_and_restore_linux(t, "x86_64")


def test_linux_aarch64_save_and_two_restores(t):
    save_and_restore_linux(t, "aarch64")


def bare_run(t, *args, summary="none"):
    return qb(t, *args, "--summary=" + summary, "--", "-M", "pc", "-display", "none", "-nodefaults",
              "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
              "-debugcon", "stdio", timeout=120)


def test_bare_metal_x86_save_and_restore(t):
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    saving = bare_run(t, "--system", "--kernel", BARE_KERNEL, "--checkpoint-dir=" + ckdir,
                      "--regions=" + t.path("r0.csv"), "--events=" + t.path("e0.jsonl"),
                      summary=t.path("s0.txt"))
    t.eq(saving.returncode, 2 * 5 + 1, "the kernel's own status (isa-debug-exit)", saving)
    t.contains(saving.stdout, "checkpoint bare: 0\n", "backdoor_checkpoint gave 0", saving)
    pre = before_checkpoint(t, t.path("r0.csv"), "saving run")
    ckpt = os.path.join(ckdir, "bare.ckpt")
    t.contains(open(t.path("s0.txt")).read(), "checkpoints into %s: 1 saved, the last %s ("
               % (ckdir, ckpt), "the summary names it")
    t.check("failed:" not in open(t.path("s0.txt")).read(),
            "asking again while it is saved is no failure", open(t.path("s0.txt")).read())
    start = time.monotonic()
    r = qb(t, "--restore=" + ckpt, "--readfile=" + write_input(t, "in", 7),
           "--regions=" + t.path("r1.csv"), "--summary=" + t.path("s1.txt"),
           "--events=" + t.path("e1.jsonl"))
    restore_wall_ns = (time.monotonic() - start) * 1e9
    with open(t.path("r1.csv")) as f:
        row5 = next(row for row in csv.DictReader(f) if row["id"] == "5" and row["vcpu"] == "all")
    end5 = next(e for e in read_jsonl(t.path("e1.jsonl"))
                if e.get("op") == "roi_end" and e["args"] == [5])
    t.eq(end5["insns"], int(row5["insns"]),
         "the event log's roi_end counts the whole entry, as the regions table", end5)
    t.check(int(row5["wall_ns"]) < restore_wall_ns,
            "region 5's wall time leaves out the save and the load (%s ns; the restore took "
            "%d ns)" % (row5["wall_ns"], restore_wall_ns))
    first_ask = next(e for e in read_jsonl(t.path("e0.jsonl"))
                     if e.get("op") == "checkpoint")
    answer = next(e for e in read_jsonl(t.path("e1.jsonl")) if e.get("op") == "checkpoint")
    t.check(answer["ts_ns"] > first_ask["ts_ns"] and answer["result"] == 1,
            "the restored run's clock goes on from the checkpoint's", (first_ask, answer))
    t.contains(open(t.path("s1.txt")).read(), "restored from checkpoint %s\n" % ckpt,
               "the restored run's summary says so")
    t.eq(r.returncode, 2 * 7 + 1, "restored: the status from the input", r)
    t.contains(r.stdout, "checkpoint bare: 1\ninput 7\n", "backdoor_checkpoint gave 1", r)
    restored = before_checkpoint(t, t.path("r1.csv"), "restore")
    t.check(abs(restored - pre) <= POLL_SLACK,
            "region 5 before the checkpoint carried over (%d, saved %d)" % (restored, pre))
    t.check(os.path.getsize(ckpt) >= 128 << 20 and
            os.stat(ckpt).st_blocks * 512 < 16 << 20,
            "the file holds the touched memory only (mapped-ram: sparse)",
            (os.path.getsize(ckpt), os.stat(ckpt).st_blocks * 512))


def bad_names_script(names):
    return "".join("backdoor checkpoint '%s'; echo \"status=$?\"\n" % n for n in names)


def test_bad_names_and_no_checkpoint_dir(t):
    """Names that are no plain file name give BACKDOOR_EINVAL (the guest
    command exits 2, never 1, which means "restored"); without
    --checkpoint-dir BACKDOOR_ENOSYS; nothing is written."""
    linux.ensure_kernel("x86_64")
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    long_name = "n" * 256
    program = guest("x86_64", "checkpoint")
    r = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--summary=none", "--", program, "bad",
           "a/b")
    t.contains(r.stdout, "checkpoint a/b: %d\n" % ERRORS["EINVAL"], "'/' refused", r)
    for name in ("..", long_name, "."):
        r = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--summary=none", "--", program,
               "bad", name)
        t.contains(r.stdout, "checkpoint %s: %d\n" % (name, ERRORS["EINVAL"]),
                   "%r refused" % name[:20], r)
    t.eq([n for n in os.listdir(ckdir) if not n.startswith("initramfs-")], [],
         "nothing written for a refused name")
    r = qb(t, "--linux", "--summary=none", "--", program, "bad", "fine")
    t.contains(r.stdout, "checkpoint fine: %d\n" % ERRORS["ENOSYS"],
               "no --checkpoint-dir: BACKDOOR_ENOSYS", r)
    r = t.run([COMMAND, "--summary=none", program, "bad", "fine"])
    t.contains(r.stdout, "checkpoint fine: %d\n" % ERRORS["ENOSYS"],
               "user mode: BACKDOOR_ENOSYS", r)
    r = qb(t, "--checkpoint-dir=" + ckdir, "--", program, "bad", "fine")
    t.eq(r.returncode, SETUP_ERROR, "--checkpoint-dir for a user-mode run is refused", r)
    t.contains(r.stderr, "give --linux or --system", "saying what it needs", r)
    t.eq(os.listdir(ckdir), [], "no checkpoint made: no initramfs kept either")
    with open(t.path("some.ckpt"), "w") as f:
        f.write("whatever\n")
    r = qb(t, "--restore=" + t.path("some.ckpt"), "--memory=1G")
    t.eq(r.returncode, SETUP_ERROR, "--restore with machine options is refused", r)
    t.contains(r.stderr, "starts the machine the checkpoint recorded", "saying why", r)


def rewrite_header(src, dst, changes):
    """A copy of a checkpoint with header lines changed and its checksum
    made right again, as another build would have written it."""
    data = open(src, "rb").read()
    end = data.index(b"\nchecksum ") + 1
    header = data[:end].decode()
    for key, value in changes.items():
        header = re.sub(r"(?m)^%s .*$" % key, "%s %s" % (key, value), header)
    state_bytes = int(re.search(r"(?m)^state-bytes (\d+)$", header).group(1))
    after_sum = data.index(b"\n\n", end) + 2
    state = data[after_sum:after_sum + state_bytes]
    digest = hashlib.sha256(header.encode() + state).hexdigest()
    rest = data[after_sum:]
    new = header.encode() + b"checksum " + digest.encode() + b"\n\n" + rest
    # The machine stays at its offset: the header keeps its length.
    assert len(new) == len(data), "a changed header must keep its length"
    with open(dst, "wb") as f:
        f.write(new)


def test_damaged_and_foreign_files_refused(t):
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    bare_run(t, "--system", "--kernel", BARE_KERNEL, "--checkpoint-dir=" + ckdir)
    ckpt = os.path.join(ckdir, "bare.ckpt")
    data = open(ckpt, "rb").read()
    old_output = t.path("old.csv")
    with open(old_output, "w") as f:
        f.write("an earlier run's output\n")

    def refused(path, expect, what):
        r = qb(t, "--restore=" + path, "--regions=" + old_output, "--summary=none")
        t.eq(r.returncode, SETUP_ERROR, "%s: refused" % what, r)
        t.contains(r.stderr, expect, "%s: saying why" % what, r)
        t.eq(open(old_output).read(), "an earlier run's output\n",
             "%s: no output overwritten" % what)

    r = qb(t, "--restore=" + ckpt, "--regions-by=vcpu", "--regions=" + old_output,
           "--summary=none")
    t.check(r.returncode != 0, "thread regions restored by vCPU: refused", r)
    t.contains(r.stderr, "this run keeps regions by vCPU", "saying why", r)
    t.eq(open(old_output).read(), "an earlier run's output\n", "no output overwritten")
    damaged = t.path("damaged.ckpt")
    i = data.index(b"\nregion ") + 10
    with open(damaged, "wb") as f:
        f.write(data[:i] + bytes([data[i] ^ 1]) + data[i + 1:])
    refused(damaged, "damaged: its checksum does not match", "a flipped bit in the state")
    short = t.path("short.ckpt")
    with open(short, "wb") as f:
        f.write(data[:len(data) // 2])
    refused(short, "cut short", "half a file")
    other = t.path("other.ckpt")
    with open(other, "wb") as f:
        f.write(b"\x7fELF" + b"\0" * 4096)
    refused(other, "not a backdoor checkpoint", "an ELF file")
    stream = t.path("stream.ckpt")
    offset = int(re.search(rb"(?m)^machine-offset (\d+)$", data).group(1))
    with open(stream, "wb") as f:
        f.write(data[:offset + 4] + b"\xff" * 4 + data[offset + 8:])
    r = qb(t, "--restore=" + stream, "--summary=none")
    # A bare machine's status is its own (isa-debug-exit): QEMU's failure
    # shows in its message (a --linux restore adds a line of ours).
    t.check(r.returncode != 0 and "checkpoint bare: 1" not in r.stdout,
            "a damaged machine stream: QEMU refuses it, nothing runs", r)
    t.contains(r.stderr, "load of migration failed", "QEMU says why", r)
    newer = t.path("newer.ckpt")
    version = re.search(rb"(?m)^backdoor-version (.*)$", data).group(1).decode()
    fake = ("9" * len(version))[:len(version)]
    rewrite_header(ckpt, newer, {"backdoor-version": fake})
    refused(newer, "saved by backdoor %s; this is backdoor %s" % (fake, version),
            "another backdoor's checkpoint")
    qemu = re.search(rb"(?m)^qemu-version (.*)$", data).group(1).decode()
    fake_qemu = ("8" * len(qemu))[:len(qemu)]
    other_qemu = t.path("other-qemu.ckpt")
    rewrite_header(ckpt, other_qemu, {"qemu-version": fake_qemu})
    r = qb(t, "--restore=" + other_qemu, "--summary=none")
    t.check(r.returncode != 0, "another QEMU's checkpoint: not run", r)
    t.contains(r.stderr, "saved by QEMU %s; this is QEMU %s" % (fake_qemu, qemu),
               "another QEMU's checkpoint: saying which", r)
    t.check("checkpoint bare: 1" not in r.stdout, "and the guest never ran", r)


def test_second_save_replaces_only_when_whole(t):
    """A checkpoint of an existing name replaces the file only when the new
    one is complete: on a full disk (a 100 MiB tmpfs, in a mount namespace
    of its own, that holds one checkpoint but not two) the guest gets
    BACKDOOR_ENOSPC, the run goes on, and the previous file is untouched; on
    a disk with room the second replaces the first."""
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        t.notes.append("full disk not checked: no mount namespace here")
        return
    linux.ensure_kernel("x86_64")
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    program = guest("x86_64", "checkpoint")
    run = '"$QB" --linux --checkpoint-dir="$D" --summary=none -- "$P" warm'
    shell = ('mount -t tmpfs -o size=100m tmpfs "$D" || exit 99\n'
             '%s > out1 2> err1; echo "first=$?"\n'
             'sha256sum < "$D/warm.ckpt" > sum1\n'
             '%s > out2 2> err2; echo "second=$?"\n'
             'sha256sum < "$D/warm.ckpt" > sum2\n'
             'ls -a "$D" > list\n') % (run, run)
    r = t.run(["unshare", "-m", "sh", "-c", shell], timeout=480,
              env={"QB": COMMAND, "D": ckdir, "P": program})
    t.contains(r.stdout, "first=%d\nsecond=2\n" % SAVED_STATUS,
               "the first save fits; the second gets an error and the program goes on", r)
    t.contains(open(t.path("out2")).read(), "checkpoint warm: %d\n" % ERRORS["ENOSPC"],
               "BACKDOOR_ENOSPC")
    t.contains(open(t.path("err2")).read(), "No space left on device", "the reason on stderr")
    t.eq(open(t.path("sum1")).read(), open(t.path("sum2")).read(),
         "the previous checkpoint is untouched")
    t.check(not [n for n in open(t.path("list")).read().split() if n.startswith(".b")],
            "no temporary file left", open(t.path("list")).read())
    first = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--summary=none", "--", program, "warm")
    t.eq(first.returncode, SAVED_STATUS, "a save with room", first)
    ckpt = os.path.join(ckdir, "warm.ckpt")
    inode = os.stat(ckpt).st_ino
    second = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--summary=none", "--", program,
                "warm", "2000000")
    t.eq(second.returncode, SAVED_STATUS, "a second save of the name", second)
    t.check(os.stat(ckpt).st_ino != inode, "a new file took the name")
    t.check(not [n for n in os.listdir(ckdir) if n.startswith(".")], "no temporary file left")


def test_handler_state_saved_and_restored(t):
    """A Python handler's save() goes into the checkpoint and restore(data)
    gets it back: its count goes on from where the checkpoint left it. A
    restore without the handler is refused, saying so."""
    linux.ensure_kernel("x86_64")
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    handler = os.path.join(ROOT, "tests", "handlers", "counter.py")
    program = guest("x86_64", "checkpoint")
    r = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--handler=" + handler, "--summary=none",
           "--", program, "handler", "h")
    t.contains(r.stdout, "before 0\ncheckpoint h: 0\nafter 1\n", "the saving run counts", r)
    ckpt = os.path.join(ckdir, "h.ckpt")
    r = qb(t, "--restore=" + ckpt, "--handler=" + handler, "--summary=none")
    t.contains(r.stdout, "checkpoint h: 1\nafter 1\n",
               "restored: the count goes on from the checkpoint's (a fresh one would say 0)", r)
    r = qb(t, "--restore=" + ckpt, "--summary=none")
    t.eq(r.returncode, SETUP_ERROR, "no handler to take its state: refused", r)
    t.contains(r.stderr, "give the handler= that saved it", "saying what to do", r)


@on_qemus("built", "debian-11.1")
def test_plain_plugin_options_as_documented(t):
    """docs/checkpoints.md's plain -plugin command lines, without
    qemu-backdoor: qemu-system-x86_64 with its own -qmp socket saves, and the
    same machine with -incoming defer restores; with the QEMU built here and
    Debian's 11.1 (API 7)."""
    from harness import PLUGIN
    if t.qemu.unavailable:
        raise Skip(t.qemu.unavailable)
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    socket = t.path("q.sock")
    machine = t.qemu.command("qemu-system-x86_64") + t.qemu.firmware + [
        "-M", "pc", "-display", "none", "-nodefaults", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-debugcon", "stdio",
        "-kernel", BARE_KERNEL, "-qmp", "unix:%s,server=on,wait=off" % socket]
    r = t.run(machine + ["-plugin", "%s,checkpoint-dir=%s,qmp=%s,summary=none"
                         % (PLUGIN, ckdir, socket)], timeout=120)
    t.eq(r.returncode, 2 * 5 + 1, "saved with plain QEMU options", r)
    ckpt = os.path.join(ckdir, "bare.ckpt")
    r = t.run(machine + ["-incoming", "defer", "-plugin", "%s,restore=%s,qmp=%s,readfile=%s,"
                         "summary=none" % (PLUGIN, ckpt, socket, write_input(t, "in", 3))],
              timeout=120)
    t.eq(r.returncode, 2 * 3 + 1, "restored with plain QEMU options", r)
    t.contains(r.stdout, "checkpoint bare: 1\ninput 3\n", "the guest was told 1", r)
    r = t.run(machine + ["-plugin", "%s,checkpoint-dir=%s,summary=none" % (PLUGIN, ckdir)],
              timeout=120)
    t.check(r.returncode != 0, "checkpoint-dir= without qmp= is refused", r)
    t.contains(r.stderr, "needs qmp=PATH", "saying what it needs", r)
    if t.qemu_key == "built":
        from harness import user_command
        r = t.run(user_command("x86_64", guest("x86_64", "checkpoint"), ["bad", "x"],
                               "%s,checkpoint-dir=%s,qmp=%s" % (PLUGIN, ckdir, socket)))
        t.check(r.returncode != 0, "checkpoint-dir= in user mode is refused", r)
        t.contains(r.stderr, "checkpoints are of a whole machine", "saying why", r)


def test_untouched_buffers_are_mapped_first(t):
    """Linux maps a page at its first use: a name constant and a .bss
    receive buffer the program never touched reach the host all the same
    (guest.h's wrappers touch them first; before, readfile answered
    BACKDOOR_EFAULT into a fresh .bss page)."""
    linux.ensure_kernel("x86_64")
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    program = guest("x86_64", "checkpoint")
    r = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--summary=none", "--", program, "fresh")
    t.contains(r.stdout, "checkpoint fresh: 0\n", "an untouched name is read", r)
    r = qb(t, "--restore=" + os.path.join(ckdir, "fresh.ckpt"),
           "--readfile=" + write_input(t, "in", 42), "--summary=none")
    t.contains(r.stdout, "checkpoint fresh: 1\nread 3: 42\n",
               "readfile fills an untouched .bss page", r)


def test_output_before_the_checkpoint_is_not_repeated(t):
    """What the program printed and flushed just before its checkpoint left
    the machine in the saving run, and a restored run does not print it
    again."""
    linux.ensure_kernel("x86_64")
    ckdir = t.path("checkpoints")
    os.mkdir(ckdir)
    program = guest("x86_64", "checkpoint")
    r = qb(t, "--linux", "--checkpoint-dir=" + ckdir, "--summary=none", "--", program, "print",
           "p")
    t.eq(r.stdout, "before\ncheckpoint p: 0\n", "the saving run prints both lines", r)
    r = qb(t, "--restore=" + os.path.join(ckdir, "p.ckpt"), "--summary=none")
    t.eq(r.stdout, "checkpoint p: 1\n", "a restore prints only what came after", r)
