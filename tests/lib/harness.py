# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the tests: where things are, running QEMU, checking results.

Each test is a function test_*(t) in a tests/test_*.py module; t is a Test
with a private temporary directory and assertion helpers. tests/run.py
collects and runs them.
"""
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile

from abi import STATUSES, TYPES
# Where things are and how QEMU is started, shared with bench/ (qemu.py).
from qemu import (BUILD, FIRMWARE, PLUGIN, QEMU, ROOT, header_api, pc_machine,  # noqa: F401
                  plugin_arg, qemu_bin, qemu_plugin, release_api, user_command, version)
# tests/test_sanitizers.py runs tests with the ASan build of the plugin
# (BACKDOOR_PLUGIN, qemu.py), whose runtimes then go into every QEMU started.
QEMU_PRELOAD = os.environ.get("BACKDOOR_QEMU_PRELOAD")

HANDLERS = os.path.join(BUILD, "handlers")
# Guest architectures, and those where requests are decoded at translation
# time too (docs/abi.md).
ARCHES = ("x86_64", "i386", "aarch64", "riscv64")
X86 = ("x86_64", "i386")
WORD_BITS = {"x86_64": 64, "i386": 32, "aarch64": 64, "riscv64": 64}


class Failure(Exception):
    pass


class Skip(Exception):
    pass


@functools.lru_cache(maxsize=None)
def runs_natively(arch):
    """Whether this machine's kernel runs arch's programs (x86-64 kernels
    built without IA32 emulation refuse i386 ones)."""
    try:
        subprocess.run([guest(arch, "native_harmless")], capture_output=True, timeout=30)
    except OSError:
        return False
    return True


def native_arches(t):
    """The x86 architectures whose programs run natively here; the others
    are named in the test's notes."""
    arches = [a for a in X86 if runs_natively(a)]
    for arch in X86:
        if arch not in arches:
            t.notes.append("%s: this kernel cannot run its programs natively" % arch)
    return arches


def guest(arch, name):
    return os.path.join(BUILD, "guest", arch, name)


def handler(name):
    return os.path.join(HANDLERS, "lib%s.so" % name)


@functools.lru_cache(maxsize=None)
def handler_commands():
    """The test handlers' command numbers by name (CMD_MIX: 0x900, ...), read
    from the enum of tests/guest/test_commands.h that the guests and the
    handlers compile: they are the tests' own, not the ABI's."""
    with open(os.path.join(ROOT, "tests", "guest", "test_commands.h")) as f:
        enum = re.search(r"enum test_command \{(.*?)\};", f.read(), re.S)
    commands = {name: int(value, 0)
                for name, value in re.findall(r"^\s*(CMD_\w+) = (0x[0-9a-fA-F]+),?", enum.group(1),
                                              re.M)}
    if not commands:
        raise Failure("no commands in tests/guest/test_commands.h")
    return commands


class SystemQemu:
    """One system-mode QEMU the tests run the plugin in: a command prefix,
    where its binaries are (None: the prefix finds them by name), its
    firmware options and its plugin API level.
    unavailable says why it cannot run here (None when it can)."""

    def __init__(self, key, label, api, bindir, prefix=(), firmware=FIRMWARE,
                 unavailable=None):
        self.key, self.label, self.api = key, label, api
        self.bindir, self.prefix, self.firmware = bindir, list(prefix), list(firmware)
        self.unavailable = unavailable

    def command(self, binary):
        """The command line that starts binary (qemu-system-ARCH)."""
        if self.unavailable:
            raise Skip("%s: %s" % (self.label, self.unavailable))
        return self.prefix + [os.path.join(self.bindir, binary) if self.bindir else binary]

    @property
    def can_write(self):
        """Results and receive buffers (plugin API 5, QEMU 10.1)."""
        return self.api >= 5


def _debian_root():
    out = subprocess.run([os.path.join(ROOT, "scripts", "debian-qemu.sh"), "root"],
                         capture_output=True, text=True).stdout.strip()
    return out or None


@functools.lru_cache(maxsize=None)
def system_qemus():
    """The system QEMUs of this machine, by key: the one built from source
    (make qemu), Debian 12's bookworm-backports 10.0 in /usr/bin, and
    Debian's 11.1 in a trixie root (scripts/debian-qemu.sh)."""
    qemus = {}
    # make qemu's build, or the QEMU the user named with QEMU_PREFIX.
    system = os.path.join(QEMU, "bin", "qemu-system-x86_64")
    built_api = header_api(QEMU) or (release_api(version(system)) if os.path.exists(system)
                                     else 0)
    qemus["built"] = SystemQemu(
        "built", "QEMU in %s (API %d)" % (QEMU, built_api), built_api,
        os.path.join(QEMU, "bin"),
        unavailable=None if built_api else "no QEMU in %s: run 'make qemu'" % QEMU)
    debian_version = ""
    if os.path.exists("/usr/bin/qemu-system-x86_64"):
        debian_version = version("/usr/bin/qemu-system-x86_64")
    qemus["debian-10.0"] = SystemQemu(
        "debian-10.0", "Debian's QEMU 10.0 (API 4)", 4, "/usr/bin",
        unavailable=None if re.match(r"10\.0\b", debian_version) else
        "/usr/bin/qemu-system-x86_64 is not QEMU 10.0 (scripts/install-deps.sh compat "
        "installs it from bookworm-backports)")
    root = _debian_root()
    qemus["debian-11.1"] = SystemQemu(
        "debian-11.1", "Debian's QEMU 11.1 (API 7)", 7, None,
        prefix=[os.path.join(ROOT, "scripts", "debian-qemu.sh"), "run"],
        firmware=["-L", "/usr/share/qemu", "-L", "/usr/share/seabios"],
        unavailable=None if root else
        "no Debian trixie root (scripts/debian-qemu.sh setup makes it)")
    return qemus


def on_qemus(*keys):
    """Runs the decorated test once for each system QEMU named, as
    'module.test@key'; the test finds its QEMU in t.qemu."""
    def mark(fn):
        fn.qemus = keys
        return fn
    return mark


class Result:
    def __init__(self, cmd, returncode, stdout, stderr):
        self.cmd, self.returncode = cmd, returncode
        self.stdout, self.stderr = stdout, stderr

    def __str__(self):
        return "command: %s\nstatus: %s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.cmd), self.returncode, self.stdout[-3000:],
            self.stderr[-3000:])


class Test:
    def __init__(self, name, qemu_key="built"):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="backdoor-%s-" % name)
        self.notes = []
        self.qemu_key = qemu_key

    @property
    def qemu(self):
        """The system QEMU this run of the test uses (on_qemus)."""
        return system_qemus()[self.qemu_key]

    def path(self, name):
        return os.path.join(self.dir, name)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # Running things.
    def run(self, cmd, timeout=120, env=None, input=None, check=None):
        """Runs cmd; a timeout is a failure, never a hang."""
        full_env = dict(os.environ)
        name = os.path.basename(cmd[0])
        if QEMU_PRELOAD and name.startswith("qemu-"):
            full_env["LD_PRELOAD"] = QEMU_PRELOAD
            if not name.startswith("qemu-system-"):
                # Not for a dynamically linked guest, which would load them.
                cmd = [cmd[0], "-U", "LD_PRELOAD"] + list(cmd[1:])
        full_env.update(env or {})
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                               env=full_env, input=input, errors="replace",
                               cwd=self.dir)
        except subprocess.TimeoutExpired as e:
            raise Failure("timed out after %ss: %s\n%s" % (timeout, " ".join(cmd),
                                                           (e.stderr or b"")[-2000:]))
        r = Result(cmd, p.returncode, p.stdout, p.stderr)
        if check is not None and r.returncode != check:
            raise Failure("expected exit status %s\n%s" % (check, r))
        return r

    def user(self, arch, program, args=(), plugin=True, qemu_args=(), timeout=120,
             check=None, env=None, **options):
        """Runs a guest program under qemu-ARCH, with the plugin and options."""
        cmd = user_command(arch, program, args, plugin_arg(**options) if plugin else None,
                           qemu_args)
        return self.run(cmd, timeout=timeout, check=check, env=env)

    def system(self, kernel, plugin=True, qemu=None, qemu_args=(), timeout=120,
               debugcon=True, append=None, initrd=None, check=None, peak_rss=False,
               **options):
        """Boots kernel under qemu-system-x86_64 (of qemu, a SystemQemu, or
        the test's own) with isa-debug-exit; debugcon output goes to the
        returned result's .console, and with peak_rss QEMU's peak resident
        memory in KiB to its .peak_rss_kib."""
        console = self.path("console-%d.txt" % len(os.listdir(self.dir)))
        qemu = qemu or self.qemu
        cmd = qemu.command("qemu-system-x86_64") + qemu.firmware + pc_machine(kernel)
        if debugcon:
            cmd += ["-debugcon", "file:" + console]
        if append is not None:
            cmd += ["-append", append]
        if initrd is not None:
            cmd += ["-initrd", initrd]
        cmd += list(qemu_args)
        if plugin:
            cmd += ["-plugin", plugin_arg(**options)]
        r = self.run(with_peak_rss(cmd) if peak_rss else cmd, timeout=timeout, check=check)
        if peak_rss:
            r.peak_rss_kib = peak_rss_kib(r)
        r.console = open(console, errors="replace").read() if os.path.exists(console) else ""
        return r

    # Assertions.
    def check(self, condition, message, detail=None):
        if not condition:
            raise Failure(message + ("\n" + str(detail) if detail is not None else ""))

    def eq(self, actual, expected, message, detail=None):
        if actual != expected:
            raise Failure("%s\nexpected: %r\nactual:   %r%s" % (
                message, expected, actual,
                "\n" + str(detail) if detail is not None else ""))

    def contains(self, text, needle, message, detail=None):
        if needle not in text:
            raise Failure("%s: %r not found in:\n%s%s" % (
                message, needle, text[-3000:],
                "\n" + str(detail) if detail is not None else ""))


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate keys in %r" % keys)
    return dict(pairs)


# Fields that hold the guest's words: an integer beyond 2^53 in magnitude
# comes as a string of decimal digits (docs/outputs.md), and "cmd" as hex.
GUEST_NUMBERS = ("args", "result", "value", "last_value", "id")


def guest_numbers(obj):
    """obj with the guest's words as Python integers, as a reader of the
    event log would make them."""
    if isinstance(obj, list):
        return [guest_numbers(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        if key == "cmd" and isinstance(value, str):
            value = int(value, 16)
        elif key in GUEST_NUMBERS:
            value = [int(v) if isinstance(v, str) else v for v in value] \
                if isinstance(value, list) else int(value) if isinstance(value, str) else value
        out[key] = guest_numbers(value)
    return out


def read_jsonl(path, raw=False):
    """Every line must be one JSON object, without duplicate keys; the
    guest's numbers as integers unless raw."""
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                obj = json.loads(line, object_pairs_hook=_no_duplicate_keys)
            except ValueError as e:
                raise Failure("%s line %d is not JSON (%s): %r" % (path, number, e, line))
            if not isinstance(obj, dict):
                raise Failure("%s line %d is not an object: %r" % (path, number, line))
            records.append(obj if raw else guest_numbers(obj))
    return records


def send_signal_later(proc, sig, delay):
    import threading
    threading.Timer(delay, lambda: proc.send_signal(sig)).start()


def validate_trace(path):
    """Checks a Chrome/Perfetto trace-event file: a JSON object whose
    traceEvents carry the format's required fields, with B/E spans properly
    nested on each thread (pid, tid) in time order: the format does not ask
    for file order, and the plugin writes each vCPU's events in batches, so
    a guest thread's span begun on one vCPU and ended on another may come
    end first. Returns the events, in file order."""
    with open(path) as f:
        try:
            doc = json.load(f, object_pairs_hook=_no_duplicate_keys)
        except ValueError as e:
            raise Failure("%s is not JSON: %s" % (path, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        raise Failure("%s: no traceEvents array" % path)
    open_spans = {}
    for e in doc["traceEvents"]:
        for key, kind in (("name", str), ("ph", str), ("pid", int), ("tid", int)):
            if not isinstance(e.get(key), kind):
                raise Failure("%s: event without %s (%s): %r" % (path, key, kind.__name__, e))
        if e["ph"] not in "BEiM":
            raise Failure("%s: unexpected phase %r" % (path, e))
        if e["ph"] != "M" and not isinstance(e.get("ts"), (int, float)):
            raise Failure("%s: event without a numeric ts: %r" % (path, e))
        if e["ph"] == "i" and e.get("s") not in ("t", "p", "g"):
            raise Failure("%s: instant event without scope: %r" % (path, e))
    # Stable: events of one timestamp keep their file order.
    for e in sorted((e for e in doc["traceEvents"] if e["ph"] in "BE"), key=lambda e: e["ts"]):
        stack = open_spans.setdefault((e["pid"], e["tid"]), [])
        if e["ph"] == "B":
            stack.append(e)
        elif e["ph"] == "E":
            if not stack or stack[-1]["name"] != e["name"] or stack[-1]["ts"] > e["ts"]:
                raise Failure("%s: E without matching B: %r" % (path, e))
            stack.pop()
    for tid, stack in open_spans.items():
        if stack:
            raise Failure("%s: spans never closed on %s: %r" % (path, tid, stack))
    return doc["traceEvents"]


# Runs a command and then prints its peak resident memory: the wrapper's
# only child is the command, so RUSAGE_CHILDREN is the command's.
_PEAK_RSS = ["python3", "-c", "import resource, subprocess, sys; "
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
             "print('peak-rss-kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
             "sys.exit(p.returncode)"]


def with_peak_rss(cmd):
    """cmd, run so that peak_rss_kib can read its peak memory from the
    result."""
    return _PEAK_RSS + list(cmd)


def peak_rss_kib(result):
    m = re.search(r"peak-rss-kib (\d+)", result.stdout)
    if m is None:
        raise Failure("no peak memory reported\n%s" % result)
    return int(m.group(1))


def last_summary(events):
    """The summary record that ends every event log."""
    if not events or events[-1].get("event") != "summary":
        raise Failure("the event log does not end with its summary record: %r"
                      % (events[-3:],))
    return events[-1]


def last_record(path):
    """The last line of a JSON Lines file, as an object (the summary record
    of an event log), read from the end: a log of a million calls need not
    be parsed for it."""
    with open(path, "rb") as f:
        pos = f.seek(0, os.SEEK_END)
        tail = b""
        while pos > 0 and tail.rstrip(b"\n").count(b"\n") == 0:
            step = min(pos, 1 << 16)
            pos -= step
            f.seek(pos)
            tail = f.read(step) + tail
    line = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode()
    try:
        return json.loads(line, object_pairs_hook=_no_duplicate_keys)
    except ValueError as e:
        raise Failure("%s: the last line is not JSON (%s): %r" % (path, e, line[-2000:]))


def run_counts(events):
    """The call counts of the summary record that ends an event log (a path,
    of which only the last line is read, or the records of read_jsonl), as
    docs/outputs.md names them: dispatched, translation (every call decoded
    at translation, the mixed ones included), mixed, runtime, probes,
    malformed, uncached_sites, types (by request type), and one key per call
    status (ok, denied, unhandled, fault, too_big, no_write, invalid,
    no_read, handler_error). Statistics dumps' records before it do not
    count. Fails unless the record holds every type and status of abi.py and
    its totals agree."""
    if isinstance(events, str) and events.endswith(".json"):
        # A regions= table in JSON carries the same calls member, and asks
        # nothing of the call path (no record per call).
        with open(events) as f:
            calls = json.load(f)["calls"]
    else:
        if isinstance(events, str):
            events = [last_record(events)]
        calls = last_summary(events)["calls"]
    counts = {k: v for k, v in calls.items() if k != "statuses"}
    counts.update(calls["statuses"])
    if (set(calls["types"]) != set(TYPES) or set(calls["statuses"]) != set(STATUSES) or
            not counts["dispatched"] == counts["translation"] + counts["runtime"] ==
            sum(calls["types"].values()) == sum(calls["statuses"].values())):
        raise Failure("the summary record's calls do not add up, or lack a type or status "
                      "(abi.py): %r" % (calls,))
    return counts


def kill_record_flood(delay, **plugin_options):
    """Runs tests/guest/record_flood (x86-64 user mode) with these plugin
    options and SIGKILLs QEMU delay seconds after the guest says it is ready:
    what a crash or an OOM kill leaves of the outputs."""
    import signal
    import time
    from qemu import plugin_arg, user_command
    p = subprocess.Popen(user_command("x86_64", guest("x86_64", "record_flood"), [],
                                      plugin_arg(**plugin_options)),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if p.stdout.readline() != b"ready\n":
            raise Failure("the guest did not start: " + p.stderr.read().decode())
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
