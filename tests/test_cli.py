# SPDX-License-Identifier: GPL-2.0-or-later
"""The guest command line (build/backdoor) in user mode; under a real Linux
kernel it is exercised by tests/test_linux.py."""
import os

from harness import ARCHES, BUILD, WORD_BITS, handler, native_arches, read_jsonl

CLI = {a: os.path.join(BUILD, "backdoor" if a == "x86_64" else "backdoor-" + a) for a in ARCHES}


def test_every_subcommand(t):
    for arch, cli in CLI.items():
        printed = t.path("print-" + arch)
        ops = []

        def run(*args, check=0):
            """Runs one subcommand; collects the calls it made."""
            events = t.path("events-%s-%d" % (arch, len(ops)))
            r = t.user(arch, cli, args, check=check, events=events, print=printed,
                       summary="none", handler=handler("record"))
            ops.extend((e["op"], e["args"]) for e in read_jsonl(events) if e["event"] == "call")
            return r
        probe = run("probe").stdout
        t.contains(probe, "backdoor protocol 1\nfeatures: results mem_read mem_write handler",
                   "probe on " + arch)
        t.contains(probe, "host: backdoor protocol 1, QEMU plugin API 5, target %s" % arch,
                   "probe names the host", probe)
        t.eq(run("sum", "1", "2", "3", "0x10").stdout, "22\n", "sum")
        t.eq(run("present").stdout, "1\n", "present")
        t.eq(run("call", "0x900", "1", "2", "3", "4").stdout,
             "%d\n" % ((1 * 3 + (2 ^ 0x5555555555555555) - 3 + (4 << 1)) %
                       (2 ** WORD_BITS[arch])), "call to a handler command")
        t.check(int(run("host_time_ns").stdout) > 1.7e18, "host time")
        t.contains(run("host_info").stdout, "QEMU plugin API 5", "host_info")
        for args in (["roi", "begin", "1"], ["roi", "end", "1"], ["mark", "7", "42"],
                     ["stats", "reset"], ["stats", "dump"], ["seed", "5"], ["seed", "6", "7"]):
            t.eq(run(*args).stdout, "", " ".join(args) + " prints nothing")
        t.eq(run("name_thread", "tool").stdout, "", "name_thread prints nothing")
        run("print", "hello", "from", "the", "shell")
        t.eq(open(printed).read(), "hello from the shell\n", "print reaches print=")
        t.eq(run("exit", "42", check=42).stdout, "", "exit ends QEMU with the status")
        t.eq([op for op, _ in ops if op not in ("present", "features", "host_info")],
             ["sum", "handler", "host_time_ns", "roi_begin_machine", "roi_end_machine", "mark",
              "stats_reset",
              "stats_dump", "seed", "seed", "name_thread", "print", "exit"],
             "calls made, in order, on " + arch)
        t.eq([a for op, a in ops if op in ("mark", "seed", "exit")], [[7, 42], [], [7], [42]],
             "their arguments")


def test_argument_errors(t):
    cli = CLI["x86_64"]
    cases = [([], "missing command"), (["frob"], "unknown command 'frob'"),
             (["roi", "begin"], "'roi_begin' takes 1 argument, got 0"),
             (["roi", "begin", "x"], "'x' is not a number"),
             (["mark", "1"], "'mark' takes 2 arguments, got 1"),
             (["exit", "300"], "exit status 300 is not 0..255"),
             (["exit", "-1"], "'-1' is not a number"),
             (["call"], "'call' needs a command number"),
             (["call", "0x10000"], "'call' needs a command number"),
             (["call", "0x900", "1", "2", "3", "4", "5"], "too many arguments"),
             (["seed", "0"], "I8 in 1..255"), (["seed", "1", "0x100000000"], "V32"),
             (["probe", "x"], "'probe' takes no arguments"),
             (["host_info", "x"], "takes no arguments")]
    for args, message in cases:
        for plugin in (False, True):
            r = t.user("x86_64", cli, args, plugin=plugin, summary="none")
            t.eq(r.returncode, 1, "status for %s" % args, r)
            t.contains(r.stderr, message, "message for %s" % args, r)
    r = t.run([cli, "--help"], check=0)
    t.contains(r.stdout, "roi begin N", "help lists subcommands", r)


def test_outside_an_emulator(t):
    """Natively: commands that need an answer fail clearly; the rest are harmless."""
    for arch in native_arches(t):
        cli = CLI[arch]
        for args in (["probe"], ["present"], ["call", "0x900"], ["host_time_ns"],
                     ["host_info"], ["sum", "1", "2", "3", "4"], ["readfile"],
                     ["writefile", cli, "x"]):
            r = t.run([cli] + args)
            t.eq(r.returncode, 2, "native %s on %s" % (args, arch), r)
            t.check("no backdoor host" in r.stdout + r.stderr, "says why", r)
        for args in (["roi", "begin", "1"], ["mark", "1", "2"], ["print", "x"], ["seed", "3"],
                     ["stats", "dump"], ["exit", "3"]):
            t.run([cli] + args, check=0)
