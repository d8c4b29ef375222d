# SPDX-License-Identifier: GPL-2.0-or-later
"""Handlers in Python (issue 22, docs/python.md): handler=PATH.py runs the
script in CPython embedded in build/libbackdoor-python.so. The test handler
tests/handlers/record.py is the twin of record.c, so the guests of the C
handler's tests check it: results, send and receive buffers, the memory and
register services, threads; then what a failing script does."""
import json
import os
import re

import abi
from abi import EIO, ENOSYS
from harness import BUILD, ROOT, guest, handler_commands, read_jsonl, run_counts
from linux import boot_linux

RECORD_PY = os.path.join(ROOT, "tests", "handlers", "record.py")
QEMU_BACKDOOR = os.path.join(BUILD, "qemu-backdoor")
# The user-mode architectures the issue names.
PY_ARCHES = ("x86_64", "aarch64")


def script(t, name, text):
    path = t.path(name)
    with open(path, "w") as f:
        f.write("import backdoor\n" + text)
    return path


def test_results_and_buffers(t):
    """Random argument sets through a Python add-and-mix, masked to the word
    as in C; send and receive buffers, good and bad; the handler's log
    line per call, as record.c writes it."""
    for arch in PY_ARCHES:
        log = t.path("calls-%s.log" % arch)
        r = t.user(arch, guest(arch, "roundtrip"), ["20000"], handler=RECORD_PY,
                   handler_arg="log=" + log, summary="none", timeout=300)
        t.eq(r.returncode, 0, "round trip on " + arch, r)
        t.contains(r.stdout, "20000 round trips, 0 mismatches, 0 sum mismatches",
                   "every result right on " + arch, r)
        t.contains(r.stderr, "record.py ready (plugin API", "init(args) ran", r)
        mix = "%d %d " % (2, handler_commands()["CMD_MIX"])
        t.eq(sum(1 for line in open(log) if line.startswith(mix)), 20000,
             "handler-arg log= reached the script: one line per call", log)

        events = t.path("events-%s.jsonl" % arch)
        r = t.user(arch, guest(arch, "bulk"), handler=RECORD_PY, max_buffer="65536",
                   events=events, summary="none")
        t.eq(r.returncode, 0, "bulk cases on " + arch, r)
        t.check("FAIL" not in r.stdout, "no failing case on " + arch, r)
        t.eq(r.stdout.count(": ok"), 16, "all 16 cases ran on " + arch, r)
        counts = run_counts(events)
        t.eq((counts["fault"], counts["too_big"], counts["handler_error"]), (6, 2, 0),
             "faults and over-cap buffers stop before Python on " + arch, counts)


def test_services(t):
    """Guest memory and registers, privilege, vCPU, an event, and
    backdoor.exit(5) ending the run after the call."""
    for arch in PY_ARCHES:
        events = t.path("events-%s.jsonl" % arch)
        r = t.user(arch, guest(arch, "services"), ["5"], handler=RECORD_PY, events=events,
                   summary="none")
        t.eq(r.returncode, 5, "backdoor.exit(5) ends QEMU with status 5 on " + arch, r)
        t.contains(r.stdout, "0 failures", "services behave on " + arch, r)
        t.check("still running" not in r.stdout, "nothing runs after the exit request", r)
        records = read_jsonl(events)
        t.eq([(e["name"], e["value"]) for e in records if e["event"] == "handler"],
             [("guest-event", 4242)], "call.emit reaches the event log", records)


def test_threads(t):
    """Four guest threads calling at once: every result right, the memory
    service on each thread's buffer, distinct vCPUs."""
    for arch in PY_ARCHES:
        r = t.user(arch, guest(arch, "threads"), handler=RECORD_PY, summary="none",
                   timeout=300)
        t.eq(r.returncode, 0, "threads on " + arch, r)
        t.contains(r.stdout, "4 threads x 20000 calls: 0 wrong, vCPUs distinct", arch, r)


def test_seed_calls(t):
    """@backdoor.seed_i8 and @backdoor.seed_i8_v32 see the seed's calls as
    record.c does (same lines in its log format)."""
    from test_seed import EXPECTED, record_lines
    log = t.path("calls.log")
    t.user("x86_64", guest("x86_64", "seed_sequence"), check=0, handler=RECORD_PY,
           handler_arg="log=" + log, summary="none")
    t.eq(open(log).read().splitlines(), record_lines(EXPECTED),
         "seed calls seen by the Python handler (order, values, count)")


def test_exception(t):
    """An exception: the guest gets BACKDOOR_EIO, the traceback is printed
    once for the command, the summary counts every one."""
    path = script(t, "raises.py", "@backdoor.command(0x950)\n"
                  "def broken(call, x):\n"
                  "    return {}[x]  # KeyError\n")
    for arch in PY_ARCHES:
        events = t.path("events-%s.jsonl" % arch)
        r = t.user(arch, guest(arch, "repeat_call"), ["0x950", "3", "17"], handler=path,
                   events=events, summary="none")
        t.eq(r.returncode, 0, "the guest runs on after the exceptions on " + arch, r)
        t.eq(r.stdout, "result %d x3\ndone\n" % EIO, "BACKDOOR_EIO for each call", r)
        t.eq(r.stderr.count("Traceback (most recent call last)"), 1, "one traceback", r)
        t.contains(r.stderr, "command 0x0950 (broken) raised an exception", "named", r)
        t.contains(r.stderr, 'raises.py", line 4, in broken', "the line that raised", r)
        t.contains(r.stderr, "KeyError: 17", "the exception", r)
        t.contains(r.stderr, "command 0x0950 (broken) raised 3 exceptions in all",
                   "the count at the end", r)
        t.eq(run_counts(events)["handler_error"], 3, "the summary counts each", r)


def test_refused_starts(t):
    """A script that cannot start refuses QEMU's start with its own message:
    a syntax error names the file and line."""
    cases = [
        ("syntax.py", "\n@backdoor.command(0x900)\ndef f(call:\n    pass\n",
         "{path}, line 4: SyntaxError: '(' was never closed"),
        ("raises.py", "import no_such_module_here\n",
         "{path}, line 2: ModuleNotFoundError: No module named 'no_such_module_here'"),
        ("empty.py", "x = 1\n", "{path} registers no handler"),
        ("builtin.py", "@backdoor.command(0x007)\ndef f(call): pass\n",
         "{path}, line 2: ValueError: command 0x0007 is the built-in 'print'"),
        ("twice.py", "@backdoor.command(0x900)\ndef f(call): pass\n"
         "@backdoor.command(0x900)\ndef g(call): pass\n",
         "{path}, line 4: ValueError: command 0x0900 is already handled by"),
        ("initfails.py", "@backdoor.command(0x900)\ndef f(call): pass\n"
         "def init(args):\n    raise ValueError('unknown handler argument %r' % args[0])\n",
         "init() refused the start: "),
    ]
    for name, text, message in cases:
        path = script(t, name, text)
        r = t.user("x86_64", guest("x86_64", "repeat_call"), ["0x900", "1"], handler=path,
                   handler_arg="bogus")
        t.check(r.returncode != 0, name + ": QEMU refuses to start", r)
        t.contains(r.stderr, "handler=%s: %s" % (path, message.format(path=path)),
                   name + ": the message", r)
        t.check("done" not in r.stdout, name + ": the guest never ran", r)
    t.contains(r.stderr, "ValueError: unknown handler argument 'bogus'",
               "handler-arg values reach init(args)", r)
    # The syntax error's own lines are on the log too.
    r = t.user("x86_64", guest("x86_64", "repeat_call"), ["0x900", "1"],
               handler=t.path("syntax.py"))
    t.contains(r.stderr, 'File "%s", line 4' % t.path("syntax.py"), "the traceback's line", r)


def test_exit_from_python(t):
    """SystemExit in a command ends the run after the call with its status,
    which qemu-backdoor passes through."""
    path = script(t, "leave.py", "@backdoor.command(0x951)\n"
                  "def leave(call, status):\n"
                  "    raise SystemExit(status)\n")
    for arch in PY_ARCHES:
        r = t.run([QEMU_BACKDOOR, "--handler=" + path, "--summary=none", "--",
                   guest(arch, "repeat_call"), "0x951", "3", "7"])
        t.eq(r.returncode, 7, "exit status 7 through qemu-backdoor on " + arch, r)
        t.check("done" not in r.stdout, "nothing runs after the exit", r)
        t.check("Traceback" not in r.stderr, "SystemExit is no error", r)
    r = t.run([QEMU_BACKDOOR, "--handler=" + RECORD_PY, "--handler-arg=log=" + t.path("l"),
               "--summary=none", "--", guest("x86_64", "services"), "9"])
    t.eq(r.returncode, 9, "backdoor.exit(9) through qemu-backdoor", r)


def test_c_users_never_load_python(t):
    """Only a .py handler loads the companion and libpython (the dynamic
    loader's own account, LD_DEBUG=files)."""
    path = script(t, "add.py", "@backdoor.command(0x952)\n"
                  "def add(call, x):\n    return x + 1\n")
    r = t.user("x86_64", guest("x86_64", "repeat_call"), ["0x952", "2", "41"], handler=path,
               summary="none", env={"LD_DEBUG": "files"})
    t.eq(r.stdout, "result 42 x2\ndone\n", "the Python handler answers", r)
    t.check(re.search(r"file=\S*libpython3", r.stderr) is not None, "libpython loaded", r)
    r = t.user("x86_64", guest("x86_64", "repeat_call"), ["0x952", "1"],
               handler=os.path.join(BUILD, "handlers", "librecord.so"), summary="none",
               env={"LD_DEBUG": "files"})
    t.eq(r.stdout, "result %d x1\ndone\n" % ENOSYS, "a C handler that lacks the command", r)
    t.check(re.search(r"file=\S*(libpython3|libbackdoor-python)", r.stderr) is None,
            "neither the companion nor libpython under a C handler", r)


def test_linux_two_processes(t):
    """System mode under Linux with two vCPUs (MTTCG): two processes call
    the Python handler at once; every result is right, and call.asid tells
    the two processes apart as the event log does."""
    asids = t.path("asids.txt")
    events = t.path("events.jsonl")
    b = boot_linux(t, "roundtrip 20000 > /tmp/a & roundtrip 20000 > /tmp/b & wait\n"
                   "cat /tmp/a /tmp/b\ntaskset 1 services\n",
                   binaries={"roundtrip": guest("x86_64", "roundtrip"),
                             "services": guest("x86_64", "services")},
                   qemu_args=["-smp", "2", "-accel", "tcg,thread=multi"],
                   handler=RECORD_PY, handler_arg="asids=" + asids, events=events,
                   summary="none", timeout=300)
    t.check(b.status is not None, "the guest's /init reached its end marker", b)
    t.eq(b.output.count("20000 round trips, 0 mismatches, 0 sum mismatches"), 2,
         "both processes got every result right", b)
    t.contains(b.output, "0 failures", "memory and register services under Linux", b)
    seen = [line.split() for line in open(asids).read().splitlines()]
    # The event log writes addresses as hex strings.
    logged = {int(e["asid"], 16) for e in read_jsonl(events)
              if e.get("event") == "call" and e.get("cmd") == handler_commands()["CMD_MIX"]}
    t.eq({int(asid) for _, asid in seen}, logged,
         "call.asid: the address spaces of the event log", seen)
    t.check(len(logged) >= 2, "two processes, two address spaces", logged)


def test_guest_fork(t):
    """A guest fork() while another guest thread calls: in user mode QEMU
    forks with the interpreter in it, and both processes go on calling."""
    for arch in PY_ARCHES:
        r = t.user(arch, guest(arch, "fork_calls"), handler=RECORD_PY, summary="none",
                   timeout=120)
        t.eq(r.returncode, 0, "fork_calls on " + arch, r)
        t.eq(sorted(r.stdout.split("\n")), ["", "child ok", "parent ok"],
             "every result right in both processes on " + arch, r)


def test_constants_are_the_abi(t):
    """backdoor.E*, FEATURE_* and TYPE_* are ops.h's, as tests/lib/abi.py
    (generated from it) has them; a command returns one to the guest."""
    dump = t.path("constants.json")
    path = script(t, "constants.py", "import json, sys\n"
                  "def init(args):\n"
                  "    names = [n for n in dir(backdoor)\n"
                  "             if n[:1].isupper() and isinstance(getattr(backdoor, n), int)]\n"
                  "    json.dump({n: getattr(backdoor, n) for n in names}, open(args[0], 'w'))\n"
                  "@backdoor.command(0x954)\n"
                  "def efault(call, *args):\n"
                  "    return backdoor.EFAULT\n")
    r = t.user("x86_64", guest("x86_64", "repeat_call"), ["0x954", "1"], handler=path,
               handler_arg=dump, summary="none")
    t.eq(r.stdout, "result %d x1\ndone\n" % abi.EFAULT, "backdoor.EFAULT reaches the guest", r)
    got = json.load(open(dump))
    want = dict(abi.ERRORS)
    want.update({"FEATURE_" + k.upper(): v for k, v in abi.FEATURES.items()})
    want.update({"TYPE_" + k.upper(): v for k, v in abi.TYPES.items()})
    want.update(USER_COMMAND_FIRST=abi.USER_COMMAND_FIRST,
                PROTOCOL_VERSION=abi.PROTOCOL_VERSION)
    t.eq({k: got.get(k) for k in want}, want, "the module's constants", got)
