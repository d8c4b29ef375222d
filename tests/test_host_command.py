# SPDX-License-Identifier: GPL-2.0-or-later
"""The host command build/qemu-backdoor: the test guests on all four
architectures in user mode and a bare-metal x86 kernel in system mode give
what plain QEMU with the plugin gives; exit statuses and signals pass
through; long options become the plugin's options with absolute paths and
doubled commas; every error message (missing QEMU, plugin, handler, program,
a file that is no program for a supported architecture, KVM, usage) says
what to do; the README's commands work when pasted; --help, the manual page
and the bash completion agree with the options."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import abi
from harness import (ARCHES, BUILD, QEMU, ROOT, Failure, Skip, guest, handler, header_api,
                     plugin_arg, qemu_bin, read_jsonl)

COMMAND = os.path.join(BUILD, "qemu-backdoor")
# The level qemu-backdoor passes to the plugin for the QEMU in use (qemu-api=).
LEVEL = header_api()
CLI = {a: os.path.join(BUILD, "backdoor" if a == "x86_64" else "backdoor-" + a) for a in ARCHES}
KERNEL = os.path.join(BUILD, "baremetal", "x86", "calls.elf")
ARM_KERNEL = os.path.join(BUILD, "baremetal", "aarch64", "calls.elf")
RISCV_KERNEL = os.path.join(BUILD, "baremetal", "riscv64", "calls.elf")
DEBUG_EXIT = ["-M", "pc", "-display", "none", "-nodefaults", "-no-reboot",
              "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
SETUP_ERROR = 125


def qb(t, *args, check=None, env=None, timeout=120):
    return t.run([COMMAND] + list(args), check=check, env=env, timeout=timeout)


def closing_line(r):
    lines = r.stderr.splitlines()
    return lines[-1] if lines else ""


def refused(t, args, message, env=None):
    """qemu-backdoor stops before QEMU with status 125 and this message."""
    r = qb(t, *args, env=env)
    t.eq(r.returncode, SETUP_ERROR, "status of: qemu-backdoor %s" % " ".join(args), r)
    t.contains(r.stderr, message, "message of: qemu-backdoor %s" % " ".join(args), r)
    t.check(r.stderr.startswith("qemu-backdoor: "), "the message names the command", r)
    return r


def dry_run(t, *args, env=None):
    """The QEMU command line qemu-backdoor would run, as words."""
    r = qb(t, "--dry-run", *args, check=0, env=env)
    return r.stdout.strip().split(" ")


def comparable(event):
    """A call record without what differs from run to run: time, and buffer
    addresses (the guest's stack moves with its environment)."""
    keep = {k: v for k, v in event.items() if k not in ("ts_ns", "wall_ns")}
    if keep.get("type") in ("send", "recv"):
        keep["args"] = keep["args"][1:]
    return keep


def handler_log(path):
    """The record handler's lines, without send/receive buffer addresses."""
    return [" ".join(f[:2] + f[3:]) if f[0] in ("3", "4") else " ".join(f)
            for f in (line.split() for line in open(path))]


def test_user_mode_four_architectures(t):
    """The same guest, the same handler and outputs as plain QEMU."""
    for arch in ARCHES:
        for name in ("portable", "seed_sequence"):
            mine = {k: t.path("%s-%s-%s.%s" % (name, arch, k, k))
                    for k in ("log", "events", "print")}
            plain = {k: t.path("plain-%s-%s-%s.%s" % (name, arch, k, k))
                     for k in ("log", "events", "print")}
            r = qb(t, "--handler=" + handler("record"), "--handler-arg=log=" + mine["log"],
                   "--events=" + mine["events"], "--print=" + mine["print"],
                   "--summary=none", "--", guest(arch, name), check=0)
            p = t.user(arch, guest(arch, name), check=0, handler=handler("record"),
                       handler_arg="log=" + plain["log"], events=plain["events"],
                       print=plain["print"], summary="none")
            what = "%s on %s" % (name, arch)
            t.eq(r.stdout, p.stdout, "output of " + what, r)
            t.eq(handler_log(mine["log"]), handler_log(plain["log"]), "handler log of " + what)
            t.eq(open(mine["print"]).read(), open(plain["print"]).read(), "print of " + what)
            calls = [comparable(e) for e in read_jsonl(mine["events"]) if e["event"] == "call"]
            t.eq(calls, [comparable(e) for e in read_jsonl(plain["events"])
                         if e["event"] == "call"], "call records of " + what)
            t.check(len(calls) > 5, "calls recorded for " + what)
            t.eq(closing_line(r), "qemu-backdoor: exit status 0; wrote events=%s, print=%s"
                 % (mine["events"], mine["print"]), "closing line of " + what, r)


def test_exit_status_passes_through(t):
    for arch in ARCHES:
        r = qb(t, "--summary=none", "--", CLI[arch], "exit", "42")
        t.eq(r.returncode, 42, "the exit built-in's status on " + arch, r)
        t.eq(closing_line(r), "qemu-backdoor: exit status 42; no files written "
             "(--events=FILE, --trace=FILE)", "closing line", r)
    r = qb(t, "--regions-by=process", "--regions=" + t.path("r.csv"), "--", CLI["x86_64"],
           "present")
    t.eq(r.returncode, 1, "a bad plugin option: QEMU cannot load the plugin", r)
    t.contains(r.stderr, "option 'regions-by=process': expected thread or vcpu",
               "the plugin says which option", r)
    t.eq(closing_line(r), "qemu-backdoor: exit status 1; none of the files asked for was "
         "written", "no hint to ask for outputs that were asked for", r)
    r = qb(t, "--summary=none", "--", CLI["aarch64"], "frob")
    t.eq(r.returncode, 1, "the program's own exit status (a usage error of the CLI)", r)
    r = qb(t, "--summary=none", "--", guest("riscv64", "forever"), "3")
    t.eq(r.returncode, 3, "backdoor_exit(3) from a program", r)
    r = qb(t, "-q", "--summary=none", "--", CLI["i386"], "exit", "7")
    t.eq((r.returncode, r.stderr), (7, ""), "--quiet: no closing line", r)


def test_signal_passes_through(t):
    """SIGTERM to qemu-backdoor reaches QEMU, whose plugin finishes its
    outputs; qemu-backdoor then dies of the same signal."""
    events = t.path("events.jsonl")
    p = subprocess.Popen([COMMAND, "--events=" + events, "--summary=none", "--",
                          guest("x86_64", "forever")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=t.dir)
    try:
        t.eq(p.stdout.readline(), "ready\n", "guest started")
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Failure("qemu-backdoor did not end on SIGTERM")
    stderr = p.stderr.read()
    t.eq(p.returncode, -signal.SIGTERM, "qemu-backdoor ended by SIGTERM", stderr)
    t.eq(read_jsonl(events)[-1]["reason"], "signal SIGTERM", "the event log is complete")
    t.contains(stderr, "qemu-backdoor: killed by signal SIGTERM; wrote events=" + events,
               "closing line")


def test_relative_paths(t):
    """A bare library name is the file in the current directory (dlopen
    would search the library path), and outputs are named absolutely."""
    shutil.copy(handler("record"), t.path("libmine.so"))
    shutil.copy(CLI["x86_64"], t.path("prog"))
    r = qb(t, "--handler=libmine.so", "--handler-arg=log=calls.log", "--events=calls.jsonl",
           "--trace=./trace.json", "--summary=summary.txt", "--", "prog", "call", "0x900",
           "1", "2", "3", "4", check=0)
    t.eq(r.stdout, "%d\n" % (1 * 3 + (2 ^ 0x5555555555555555) - 3 + (4 << 1)),
         "the handler in the current directory answered", r)
    t.eq(open(t.path("calls.log")).read().split(), ["2", "2304", "1", "2", "3", "4"],
         "its log, relative to QEMU's directory")
    t.eq(closing_line(r), "qemu-backdoor: exit status 0; wrote events=%s, trace=%s, "
         "summary=%s" % (t.path("calls.jsonl"), t.path("trace.json"), t.path("summary.txt")),
         "closing line names absolute paths", r)
    words = dry_run(t, "--handler=libmine.so", "--", "prog")
    t.eq(words[1:], ["-plugin", plugin_arg("file=" + os.path.join(BUILD, "libbackdoor.so"),
                                           handler=t.path("libmine.so"), qemu_api=LEVEL),
                     "./prog"],
         "a program in the current directory found without ./")
    os.mkdir(t.path("bin"))
    shutil.copy(CLI["aarch64"], t.path("bin/onpath"))
    r = qb(t, "--summary=none", "onpath", "present", check=0,
           env={"PATH": t.path("bin") + ":" + os.environ["PATH"]})
    t.eq(r.stdout, "1\n", "a program found on PATH", r)


def test_plugin_options(t):
    """Every long option, as the plugin option it becomes."""
    words = dry_run(t, "--handler=" + handler("record"), "--handler-arg=a,b",
                    "--handler-arg=c", "--events=e,1.jsonl", "--trace=/tmp/t.json",
                    "--summary=stderr", "--print=p.txt", "--max-buffer=4K",
                    "--allow-from=user", "--deny=exit,print", "--log",
                    "--plugin-opt", "future=x,y", "--plugin-opt=summary=none", "--",
                    CLI["riscv64"], "sum", "1")
    t.eq(words, [qemu_bin("qemu-riscv64"), "-plugin", plugin_arg(
        "file=" + os.path.join(BUILD, "libbackdoor.so"), handler=handler("record"),
        handler_arg=["a,b", "c"], events=t.path("e,1.jsonl"), trace="/tmp/t.json",
        summary="stderr", print=t.path("p.txt"), max_buffer="4K", allow_from="user",
        deny="exit:print", log="on", future="x,y") + ",summary=none,qemu-api=%d" % LEVEL,
        CLI["riscv64"], "sum", "1"], "the QEMU command line")
    # The same options accepted by the plugin, in a real run.
    r = qb(t, "--log", "--deny=exit,print", "--max-buffer=4K", "--allow-from=user",
           "--summary=none", "--trace=t.json", "--", CLI["x86_64"], "sum", "1", "2", "3", "4")
    t.eq(r.returncode, 0, "a run with them", r)
    t.eq(r.stdout, "10\n", "the call's answer", r)
    t.contains(r.stderr, "sum", "log=on: a line per call", r)
    r = qb(t, "--deny=exit", "--summary=none", "--", CLI["x86_64"], "exit", "3")
    t.check(r.returncode != 3, "deny=exit refused the exit command", r)
    r = qb(t, "--plugin-opt", "colour=on", "--", CLI["x86_64"], "present")
    t.eq(r.returncode, 1, "a key the plugin does not know ends QEMU", r)
    t.contains(r.stderr, "unknown key 'colour'", "the plugin names it", r)


def test_every_plugin_option_has_a_long_option(t):
    """Each plugin option (abi.OPTIONS, from backdoor/options.h) given as
    --KEY reaches the plugin's argument as KEY=VALUE: a flag alone as =on,
    files made absolute, deny's commas as colons."""
    handler_lib = handler("record")
    samples = {"INPUT": handler_lib, "OUTPUT": "out-%s", "OUTDIR": "dir-%s", "TEXT": "x",
               "SIZE": "4K", "NUMBER": "1", "COMMANDS": "exit,print", "SOCKET": "q.sock"}
    # A checkpoint to restore: the bare-metal one of tests/test_checkpoint.py.
    os.makedirs(t.path("saved"))
    qb(t, "--system", "--kernel=" + os.path.join(BUILD, "baremetal", "x86", "checkpoint.elf"),
       "--checkpoint-dir=" + t.path("saved"), "--summary=none", "--", *DEBUG_EXIT, timeout=120)
    samples_by_key = {"restore": os.path.join(t.path("saved"), "bare.ckpt")}
    # Whole-machine options, and how a dry run of each reads.
    runs = {"checkpoint-dir": ["--system", "--kernel=" + KERNEL, "--", "-M", "pc"],
            "restore": []}
    for key, option in abi.OPTIONS.items():
        if option.flag:
            given, want = "--" + key, key + "=on"
        else:
            value = (option.syntax.split("|")[-1] if option.kind in ("CHOICE", "BOOL")
                     else samples_by_key.get(key) or samples[option.kind].replace("%s", key))
            given = "--%s=%s" % (key, value)
            if option.kind == "OUTDIR":
                os.makedirs(t.path(value), exist_ok=True)
            # t.run runs commands in the test's own directory.
            want = key + "=" + {"OUTPUT": os.path.join(t.dir, value),
                                "OUTDIR": os.path.join(t.dir, value),
                                "SOCKET": os.path.join(t.dir, value),
                                "COMMANDS": value.replace(",", ":")}.get(option.kind, value)
        r = t.run([COMMAND, "--dry-run", given] +
                  runs.get(key, ["--", CLI["x86_64"], "present"]))
        plugin = r.stdout.split()[r.stdout.split().index("-plugin") + 1]
        t.contains(plugin.split(",") + [""], want, "qemu-backdoor %s gives the plugin" % given, r)


def test_system_mode_x86_kernel(t):
    log, events = t.path("handler.log"), t.path("events.jsonl")
    r = qb(t, "--system", "--kernel=" + KERNEL, "--handler=" + handler("record"),
           "--handler-arg=log=" + log, "--events=" + events, "--summary=none", "--",
           *DEBUG_EXIT, "-debugcon", "file:" + t.path("console.txt"), timeout=60)
    t.eq(r.returncode, 1, "isa-debug-exit's status for 0 passes through", r)
    t.contains(open(t.path("console.txt")).read(), "calls: ok", "the kernel's own checks")
    t.check(len(open(log).read().splitlines()) >= 8, "the handler saw the calls")
    t.check(any(e.get("op") == "sum" for e in read_jsonl(events)), "events recorded")
    t.eq(closing_line(r), "qemu-backdoor: exit status 1; wrote events=" + events,
         "closing line", r)
    r = qb(t, "--system", "--kernel=" + KERNEL, "--summary=none", "--", *DEBUG_EXIT,
           "-device", "nonexistent-device", timeout=60)
    t.eq(r.returncode, 1, "QEMU's own failure passes through", r)
    t.contains(r.stderr, "nonexistent-device", "QEMU's message", r)


def test_system_mode_picks_the_qemu(t):
    plugin = "-plugin"
    words = dry_run(t, "--system", "--kernel=" + KERNEL, "--", "-M", "pc")
    t.eq(words[0], qemu_bin("qemu-system-x86_64"), "a 32-bit x86 kernel")
    t.eq(words[words.index("-kernel") + 1], KERNEL, "-kernel")
    t.eq(words[-2:], ["-M", "pc"], "QEMU's arguments last")
    t.check(plugin in words, "the plugin", words)
    t.eq(dry_run(t, "--system", "--kernel=" + ARM_KERNEL)[0], qemu_bin("qemu-system-aarch64"),
         "an aarch64 kernel")
    t.eq(dry_run(t, "--system", "--kernel=" + RISCV_KERNEL)[0],
         qemu_bin("qemu-system-riscv64"), "a riscv64 kernel")
    t.eq(dry_run(t, "--system")[0], qemu_bin("qemu-system-x86_64"), "default")
    t.eq(dry_run(t, "--system", "--arch=riscv64", "--", "-M", "virt")[0],
         qemu_bin("qemu-system-riscv64"), "--arch")
    t.eq(dry_run(t, "--system", "--arch=i386")[0], qemu_bin("qemu-system-x86_64"),
         "--arch=i386")
    own = os.path.exists(os.path.join(QEMU, "share", "qemu"))
    t.eq("/usr/share/seabios" in dry_run(t, "--system"), not own and
         os.path.exists("/usr/share/seabios"), "firmware from Debian's packages when the "
         "QEMU has none")
    t.check("/usr/share/seabios" not in dry_run(t, "--system", "--", "-L", "/x"),
            "none added when the arguments name a firmware directory")
    r = qb(t, "--system", "--kernel=" + ARM_KERNEL, "--handler=" + handler("record"),
           "--summary=none", "--", "-M", "virt", "-cpu", "cortex-a57", "-m", "2G",
           "-semihosting-config", "enable=on,target=native", "-display", "none",
           "-nodefaults", timeout=60)
    t.eq(r.returncode, 0, "the aarch64 kernel ran to its end", r)
    t.contains(r.stderr, "hello from the guest", "and printed (print= goes to stderr)", r)


def test_kvm_refused(t):
    for args in (["-enable-kvm"], ["--enable-kvm"], ["-accel", "kvm"], ["--accel", "hvf"],
                 ["-accel", "accel=kvm"], ["-M", "pc,accel=kvm:tcg"],
                 ["-machine", "accel=kvm"]):
        r = refused(t, ["--system", "--", "-M", "q35"] + args, "needs TCG")
        t.contains(r.stderr, "qemu-backdoor: " + " ".join(args) + ": the backdoor channel "
                   "needs TCG", "names the option", r)
        t.contains(r.stderr, "CPUID exits to KVM's own handling", "says why", r)
    for args in (["-accel", "tcg"], ["-accel", "tcg,thread=multi"], ["-M", "pc,accel=tcg"]):
        t.check("-plugin" in dry_run(t, "--system", "--", *args), "TCG is fine: %s" % args)


def test_missing_qemu(t):
    """An installed copy with no QEMU anywhere, and a QEMU_PREFIX without
    the binary."""
    prefix = t.path("prefix")
    os.makedirs(os.path.join(prefix, "bin"))
    os.makedirs(os.path.join(prefix, "lib"))
    shutil.copy(COMMAND, os.path.join(prefix, "bin"))
    os.symlink(os.path.join(BUILD, "libbackdoor.so"), os.path.join(prefix, "lib",
                                                                   "libbackdoor.so"))
    installed = os.path.join(prefix, "bin", "qemu-backdoor")
    empty = t.path("empty-cache")
    os.mkdir(empty)
    r = t.run([installed, "--", CLI["aarch64"], "present"],
              env={"QEMU_PREFIX": "", "BACKDOOR_CACHE": empty})
    t.eq(r.returncode, SETUP_ERROR, "no QEMU", r)
    t.contains(r.stderr, "qemu-backdoor: no qemu-aarch64 found (looked in %s/bin/qemu/bin "
               "and %s/qemu-*/bin): run 'make qemu' or set QEMU_PREFIX" % (prefix, empty),
               "says where it looked and what to do", r)
    r = t.run([installed, "--", CLI["aarch64"], "present"],
              env={"QEMU_PREFIX": "", "BACKDOOR_CACHE": "", "HOME": t.path("nohome")})
    t.contains(r.stderr, "%s/.cache/backdoor/qemu-*/bin" % t.path("nohome"),
               "the default cache is under HOME", r)
    refused(t, ["--", CLI["x86_64"], "present"], "QEMU_PREFIX=/nonexistent has no "
            "bin/qemu-x86_64: point QEMU_PREFIX at a QEMU built with plugins, or unset it",
            env={"QEMU_PREFIX": "/nonexistent"})
    r = t.run([installed, "--version"], env={"QEMU_PREFIX": "", "BACKDOOR_CACHE": empty},
              check=0)
    t.contains(r.stdout, "qemu-riscv64: no qemu-riscv64 found", "--version says so too", r)


def test_installed_copy_finds_the_cache(t):
    """With no variable set, an installed copy runs the QEMU that 'make qemu'
    built into the cache under HOME."""
    built = os.path.realpath(QEMU)
    if not os.path.exists(os.path.join(built, ".complete")):
        raise Skip("the QEMU in use (%s) is not one 'make qemu' built" % QEMU)
    home = t.path("home")
    os.makedirs(os.path.join(home, ".cache", "backdoor"))
    os.symlink(built, os.path.join(home, ".cache", "backdoor", os.path.basename(built)))
    # An older, unfinished build in the same cache is passed over.
    os.makedirs(os.path.join(home, ".cache", "backdoor", "qemu-99.0.0", "bin"))
    prefix = t.path("prefix")
    for sub in ("bin", "lib"):
        os.makedirs(os.path.join(prefix, sub))
    shutil.copy(COMMAND, os.path.join(prefix, "bin"))
    shutil.copy(os.path.join(BUILD, "libbackdoor.so"), os.path.join(prefix, "lib"))
    r = t.run([os.path.join(prefix, "bin", "qemu-backdoor"), "--summary=none", "--",
               CLI["riscv64"], "sum", "1", "2", "3", "4"],
              env={"QEMU_PREFIX": "", "BACKDOOR_CACHE": "", "HOME": home}, check=0)
    t.eq(r.stdout, "10\n", "ran", r)
    words = t.run([os.path.join(prefix, "bin", "qemu-backdoor"), "-n", "--",
                   CLI["riscv64"]], env={"QEMU_PREFIX": "", "BACKDOOR_CACHE": "",
                                         "HOME": home}, check=0).stdout.split()
    t.eq(words[:2], [os.path.join(home, ".cache", "backdoor", os.path.basename(built), "bin",
                                  "qemu-riscv64"), "-plugin"], "the cached QEMU")
    t.eq(words[2].split(",")[0], "file=" + os.path.join(prefix, "lib", "libbackdoor.so"),
         "the installed plugin")


def test_not_a_program(t):
    text = t.path("notes.txt")
    open(text, "w").write("hello\n")
    refused(t, ["--", text], "%s is not an ELF program: give one compiled for x86_64, "
            "i386, aarch64 or riscv64" % text)
    script = t.path("run.sh")
    open(script, "w").write("#!/bin/sh\necho hi\n")
    os.chmod(script, 0o755)
    refused(t, ["--", script], "%s is a script, not an ELF program: name its interpreter, "
            "as in 'qemu-backdoor -- /bin/sh %s'" % (script, script))
    arm = t.path("arm-program")
    data = bytearray(open(guest("x86_64", "portable"), "rb").read(64))
    data[18:20] = (40).to_bytes(2, "little")  # EM_ARM
    open(arm, "wb").write(bytes(data))
    refused(t, ["--", arm], "%s is an ELF program for machine 40 (64-bit, little-endian), "
            "which qemu-backdoor does not run: rebuild it for x86_64, i386, aarch64 or "
            "riscv64" % arm)
    t.eq(dry_run(t, "--system", "--kernel=" + text)[0], qemu_bin("qemu-system-x86_64"),
         "a kernel that is no ELF file (a bzImage) boots on x86_64")
    refused(t, ["--system", "--kernel=" + arm], "%s is an ELF kernel for machine 40" % arm)
    refused(t, ["--", "./missing-program"], "program ./missing-program: No such file or "
            "directory; give the path of a program")
    refused(t, ["no-such-program-anywhere"], "program no-such-program-anywhere not found "
            "on PATH or in the current directory: give its path")


def test_help_values_refused(t):
    """QEMU takes any -plugin value 'help' or '?' as a request for its own
    help and exits 0 without running the guest (issue 21): refused, with
    the reason, before QEMU runs."""
    for value in ("help", "?"):
        r = refused(t, ["--handler=" + handler("record"), "--handler-arg=" + value, "--",
                        CLI["x86_64"], "present"],
                    "plugin option handler-arg=%s: QEMU reads any -plugin value '%s' as a "
                    "request for its own help" % (value, value))
        t.check("Plugin options" not in r.stdout + r.stderr, "QEMU's help not printed", r)
        refused(t, ["--plugin-opt", "future=" + value, "--", CLI["x86_64"], "present"],
                "plugin option future=%s: QEMU reads" % value)
    # A file named help is a path, made absolute: no help.
    r = qb(t, "--events=help", "--summary=none", "--", CLI["x86_64"], "present", check=0)
    t.eq(r.stdout, "1\n", "--events=help writes the file 'help'", r)
    t.check(os.path.getsize(t.path("help")) > 0, "the event log named help")


def test_plugin_path_with_equals(t):
    """An install prefix with '=' in it (/opt/x=1): the plugin is passed as
    file=PATH, so QEMU does not read its path as an option."""
    prefix = t.path("x=1")
    for sub in ("bin", "lib"):
        os.makedirs(os.path.join(prefix, sub))
    shutil.copy(COMMAND, os.path.join(prefix, "bin"))
    shutil.copy(os.path.join(BUILD, "libbackdoor.so"), os.path.join(prefix, "lib"))
    command = os.path.join(prefix, "bin", "qemu-backdoor")
    r = t.run([command, "--summary=none", "--", CLI["x86_64"], "sum", "1", "2", "3", "4"],
              env={"QEMU_PREFIX": os.path.realpath(QEMU)}, check=0)
    t.eq(r.stdout, "10\n", "the plugin under x=1/lib answered", r)
    words = t.run([command, "-n", "--", CLI["x86_64"]],
                  env={"QEMU_PREFIX": os.path.realpath(QEMU)}, check=0).stdout.split()
    t.eq(words[2], "file=%s,qemu-api=%d" % (os.path.join(prefix, "lib", "libbackdoor.so"),
                                             LEVEL), "the plugin named by file=")


def test_fifo_output_waits_for_a_reader(t):
    """--events=FIFO: QEMU waits in open(2) until a reader comes; it says
    so once on stderr, then the reader gets the whole log."""
    fifo = t.path("events.fifo")
    os.mkfifo(fifo)
    p = subprocess.Popen([COMMAND, "--events=" + fifo, "--summary=none", "--", CLI["x86_64"],
                          "sum", "1", "2", "3", "4"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=t.dir)
    try:
        waiting = p.stderr.readline()
        t.eq(waiting, "backdoor: events=%s is a FIFO that no process reads yet: waiting for "
             "a reader before the guest starts\n" % fifo, "said before the guest runs")
        t.eq(p.poll(), None, "still waiting")
        with open(fifo) as reader:
            lines = reader.read().splitlines()
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    t.eq((p.returncode, out), (0, "10\n"), "the run went on", err)
    records = [json.loads(line) for line in lines]
    t.eq(records[-1]["event"], "summary", "the reader got the whole log", lines)
    t.check(any(e.get("op") == "sum" for e in records), "with the call", lines)
    t.eq(err.count("FIFO"), 0, "said once", err)


def test_program_not_executable(t):
    """An object file, a shared library and a program without execute
    permission are named as such (QEMU itself exits 1 with no word)."""
    source = t.path("tiny.c")
    open(source, "w").write("int main(void) { return 0; }\n")
    t.run(["cc", "-c", "-o", t.path("tiny.o"), source], check=0)
    refused(t, ["--", t.path("tiny.o")], "%s is an object file (ELF relocatable, .o), not a "
            "program: link it first" % t.path("tiny.o"))
    plain = t.path("not-executable")
    shutil.copy(CLI["x86_64"], plain)
    os.chmod(plain, 0o644)
    refused(t, ["--", plain], "%s is not executable (Permission denied): chmod +x" % plain)
    core = t.path("core")
    data = bytearray(open(CLI["x86_64"], "rb").read())
    data[16:18] = (4).to_bytes(2, "little")  # ET_CORE
    open(core, "wb").write(bytes(data))
    os.chmod(core, 0o755)
    refused(t, ["--", core], "%s is an ELF core file, not an executable program" % core)


def test_boolean_values_match_help(t):
    """--collect-atstart=maybe is refused in the words --help uses (on|off),
    naming Callgrind's yes|no too, and each of those words is taken."""
    usage = qb(t, "--help", check=0).stdout
    for option in ("collect-atstart", "instr-atstart"):
        t.contains(usage, "--%s=on|off" % option, "--help")
        r = qb(t, "--valgrind", "--%s=maybe" % option, "--", CLI["x86_64"], "present")
        t.check(r.returncode != 0, "refused", r)
        t.contains(r.stderr, "option '%s=maybe': expected on or off (or yes, no)" % option,
                   "in --help's words", r)
        for value in ("yes", "no", "on", "off"):
            r = qb(t, "--valgrind", "--%s=%s" % (option, value), "--summary=none", "--",
                   CLI["x86_64"], "present", check=0)
            t.eq(r.stdout, "1\n", "--%s=%s accepted" % (option, value), r)


def test_usage_errors(t):
    prog = CLI["x86_64"]
    refused(t, ["--handler=libnothere.so", "--", prog], "--handler=libnothere.so: %s: No "
            "such file or directory; build it first (cc -fPIC -shared -o libmine.so mine.c) "
            "or give its path" % t.path("libnothere.so"))
    refused(t, ["--frob", prog], "unknown option '--frob'; QEMU's own options go after '--'")
    refused(t, ["--system", "-M", "pc"], "unknown option '-M'; QEMU's own options go after "
            "'--'")
    refused(t, ["--events"], "option '--events' needs a value: --events=VALUE")
    refused(t, ["--valgrind", "--dry-run=yes", prog], "option '--dry-run' takes no value")
    refused(t, ["--collect-atstart"], "option '--collect-atstart' needs a value")
    refused(t, ["--dry-run=yes", prog], "option '--dry-run' takes no value")
    refused(t, ["--plugin-opt", "novalue", prog], "--plugin-opt novalue: expected KEY=VALUE")
    refused(t, [], "no program given: qemu-backdoor [OPTION...] -- ./program [ARG...]")
    refused(t, ["--kernel=" + KERNEL, prog], "--kernel and --arch are for --system")
    refused(t, ["--arch=x86_64", prog], "--kernel and --arch are for --system")
    refused(t, ["--system", "--arch=mips"], "--arch=mips: expected x86_64, i386, aarch64 "
            "or riscv64")
    refused(t, ["--system", "--kernel=nothere.elf"], "--kernel=nothere.elf: %s: No such "
            "file or directory; give the path of a kernel image" % t.path("nothere.elf"))
    lonely = t.path("lonely")
    os.mkdir(lonely)
    shutil.copy(COMMAND, lonely)
    r = t.run([os.path.join(lonely, "qemu-backdoor"), prog])
    t.eq(r.returncode, SETUP_ERROR, "no plugin", r)
    t.contains(r.stderr, "the plugin is missing: neither %s/libbackdoor.so nor %s/lib/"
               "libbackdoor.so exists; run 'make' in the backdoor tree (or 'make install')"
               % (lonely, t.dir), "says where it looked", r)


def test_help_version_manual(t):
    usage = qb(t, "--help", check=0).stdout
    t.check(usage.startswith("usage: qemu-backdoor [OPTION...] [--] PROGRAM [ARG...]"),
            "usage line", usage)
    t.eq(qb(t, "-h", check=0).stdout, usage, "-h")
    options = sorted(set(re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", usage, re.M)))
    t.check(len(options) >= 18, "options listed in --help", options)
    manual = t.run(["groff", "-man", "-Tascii", "-ww", "-rLL=200n",
                    os.path.join(ROOT, "docs", "qemu-backdoor.1")], check=0)
    t.eq(manual.stderr, "", "the manual page renders without warnings")
    text = re.sub(r"\x1b\[[0-9;]*m|.\x08", "", manual.stdout)
    for option in options:
        t.contains(text, option, "the manual documents " + option)
    pc = open(os.path.join(ROOT, "scripts", "backdoor.pc.in")).read()
    version = re.search(r"^Version: (\S+)", pc, re.M).group(1)
    r = qb(t, "--version", check=0)
    t.check(r.stdout.startswith("qemu-backdoor (backdoor) %s\nguest protocol 1, handler "
                                "ABI 1\nplugin: %s/libbackdoor.so\n" % (version, BUILD)),
            "--version", r)
    t.eq(qb(t, "-V", check=0).stdout, r.stdout, "-V")
    # The completion offers --help's options, then values, then files.
    script = ("source %s\n"
              'c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=();'
              ' _qemu_backdoor "$1" "${COMP_WORDS[COMP_CWORD]}"; echo "${COMPREPLY[*]}"; }\n'
              "c %s --\nc %s --arch = r\nc %s --allow-from = \nc %s --handler = lib\n"
              % ((os.path.join(ROOT, "tools", "qemu-backdoor", "completion.bash"),)
                 + (COMMAND,) * 4))
    open(t.path("libmine.so"), "w").close()
    lines = t.run(["bash", "-c", script], check=0).stdout.splitlines()
    t.eq(sorted(o.rstrip("=") for o in lines[0].split()), options, "completed options")
    t.eq(lines[1:], ["riscv64", "any kernel user", "libmine.so"], "completed values")


def test_readme_commands_work(t):
    """The README's compile-and-run lines, pasted into a shell at the top of
    a tree (the tree's files are linked into the test's directory): the
    Python handler's, then the C handler's."""
    readme = open(os.path.join(ROOT, "README.md")).read()
    blocks = re.findall(r"\n((?:    cc [^\n]*\n)+    build/qemu-backdoor [^\n]*\n)", readme)
    t.eq(len(blocks), 2, "README has the compile lines and the qemu-backdoor line of the "
         "Python and the C handler", blocks)
    t.contains(blocks[0], "--handler=examples/readfile/handler.py", "Python first", blocks)
    for name in ("include", "examples", "build", "README.md"):
        os.symlink(os.path.join(ROOT, name), t.path(name))
    for block in blocks:
        r = t.run(["sh", "-e", "-x", "-c", block], check=0)
        t.eq(open(t.path("copy.md")).read(), readme, "the guest copied README.md", r)
        t.check(any(e.get("op") == "handler" for e in read_jsonl(t.path("calls.jsonl"))),
                "calls.jsonl records the handler's calls")
        t.contains(r.stderr, "qemu-backdoor: exit status 0; wrote events=" +
                   t.path("calls.jsonl"), "the closing line", r)
        os.unlink(t.path("calls.jsonl"))
