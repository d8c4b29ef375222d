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
import signal
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
# make passes QEMU_PREFIX when the user names a QEMU of their own.
QEMU = os.path.join(ROOT, os.environ.get("QEMU_PREFIX") or os.path.join(BUILD, "qemu"))
# Another build of the plugin can stand in (tests/test_sanitizers.py runs
# tests with the ASan one, whose runtimes then go into every QEMU started).
PLUGIN = os.environ.get("BACKDOOR_PLUGIN") or os.path.join(BUILD, "libbackdoor.so")
QEMU_PRELOAD = os.environ.get("BACKDOOR_QEMU_PRELOAD")
HANDLERS = os.path.join(BUILD, "handlers")
FIRMWARE = ["-L", "/usr/share/qemu", "-L", "/usr/share/seabios"]

USER_QEMU = {"x86_64": "qemu-x86_64", "i386": "qemu-i386",
             "aarch64": "qemu-aarch64", "riscv64": "qemu-riscv64"}
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


def qemu_bin(name):
    return os.path.join(QEMU, "bin", name)


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


def _header_api(prefix):
    try:
        with open(os.path.join(prefix, "include", "qemu-plugin.h")) as f:
            m = re.search(r"#define QEMU_PLUGIN_VERSION (\d+)", f.read())
    except OSError:
        return 0
    return int(m.group(1)) if m else 0


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
    built_api = _header_api(QEMU)
    qemus["built"] = SystemQemu(
        "built", "QEMU built from source (API %d)" % built_api, built_api,
        os.path.join(QEMU, "bin"),
        unavailable=None if built_api else "no QEMU in %s: run 'make qemu'" % QEMU)
    version = ""
    if os.path.exists("/usr/bin/qemu-system-x86_64"):
        version = subprocess.run(["/usr/bin/qemu-system-x86_64", "--version"],
                                 capture_output=True, text=True).stdout
    qemus["debian-10.0"] = SystemQemu(
        "debian-10.0", "Debian's QEMU 10.0 (API 4)", 4, "/usr/bin",
        unavailable=None if re.search(r"version 10\.0\b", version) else
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


def plugin_arg(plugin=PLUGIN, **options):
    """-plugin argument; option values that are lists repeat the key."""
    parts = [plugin]
    for key, value in options.items():
        key = key.replace("_", "-")
        for v in value if isinstance(value, list) else [value]:
            parts.append("%s=%s" % (key, str(v).replace(",", ",,")))
    return ",".join(parts)


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
        if QEMU_PRELOAD and os.path.basename(cmd[0]).startswith("qemu-"):
            full_env["LD_PRELOAD"] = QEMU_PRELOAD
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
        cmd = [qemu_bin(USER_QEMU[arch])] + list(qemu_args)
        if plugin:
            cmd += ["-plugin", plugin_arg(**options)]
        cmd += [program] + list(args)
        return self.run(cmd, timeout=timeout, check=check, env=env)

    def system(self, kernel, plugin=True, qemu=None, qemu_args=(), timeout=120,
               debugcon=True, append=None, initrd=None, check=None, **options):
        """Boots kernel under qemu-system-x86_64 (of qemu, a SystemQemu, or
        the test's own) with isa-debug-exit; debugcon output goes to the
        returned result's .console."""
        console = self.path("console-%d.txt" % len(os.listdir(self.dir)))
        qemu = qemu or self.qemu
        cmd = qemu.command("qemu-system-x86_64") + qemu.firmware + [
            "-M", "pc", "-display", "none", "-nodefaults", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", kernel]
        if debugcon:
            cmd += ["-debugcon", "file:" + console]
        if append is not None:
            cmd += ["-append", append]
        if initrd is not None:
            cmd += ["-initrd", initrd]
        cmd += list(qemu_args)
        if plugin:
            cmd += ["-plugin", plugin_arg(**options)]
        r = self.run(cmd, timeout=timeout, check=check)
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


def read_jsonl(path):
    """Every line must be one JSON object, without duplicate keys."""
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                obj = json.loads(line, object_pairs_hook=_no_duplicate_keys)
            except ValueError as e:
                raise Failure("%s line %d is not JSON (%s): %r" % (path, number, e, line))
            if not isinstance(obj, dict):
                raise Failure("%s line %d is not an object: %r" % (path, number, line))
            records.append(obj)
    return records


def summary_counts(text):
    """The numbers of the final summary's 'calls dispatched', 'ignored' and
    'failed' lines (statistics dumps earlier in the same output are skipped)."""
    import re
    out = {}
    final = text.rfind("== backdoor summary")
    text = text[final:] if final >= 0 else text
    m = re.search(r"calls dispatched: (\d+) \(decoded at translation: (\d+), of which (\d+) "
                  r"read arguments at run time; at run time: (\d+)\)", text)
    if m:
        out["dispatched"], out["translation"], out["mixed"], out["runtime"] = map(int, m.groups())
    m = re.search(r"ignored: (\d+) hypervisor probes \(i8 = 0\), (\d+) malformed requests", text)
    if m:
        out["probes"], out["malformed"] = map(int, m.groups())
    m = re.search(r"failed: (\d+) denied by policy, (\d+) unhandled, (\d+) bad buffer address, "
                  r"(\d+) over max-buffer, (\d+) receive without memory writes, (\d+) wrong "
                  r"request type, (\d+) send without memory reads", text)
    if m:
        (out["denied"], out["unhandled"], out["fault"], out["too_big"], out["no_write"],
         out["invalid"], out["no_read"]) = map(int, m.groups())
    return out


def send_signal_later(proc, sig, delay):
    import threading
    threading.Timer(delay, lambda: proc.send_signal(sig)).start()


def validate_trace(path):
    """Checks a Chrome/Perfetto trace-event file: a JSON object whose
    traceEvents carry the format's required fields, with B/E spans properly
    nested on each thread (pid, tid). Returns the events."""
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


def last_summary(events):
    """The summary record that ends every event log."""
    if not events or events[-1].get("event") != "summary":
        raise Failure("the event log does not end with its summary record: %r"
                      % (events[-3:],))
    return events[-1]
