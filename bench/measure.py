# SPDX-License-Identifier: GPL-2.0-or-later
"""Running one command and measuring it: user+sys CPU time and wall time from
wait4, peak resident memory from /proc, host instructions under valgrind;
and the facts about a guest binary or an output file that the measurements
need (a function's address range, the number of records in a file)."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from harness import Failure
from qemu import DEBUG_EXIT_OK


class Result:
    def __init__(self, cmd, code, out, err, cpu, wall, maxrss_kb):
        self.cmd, self.code, self.out, self.err = cmd, code, out, err
        self.cpu, self.wall, self.maxrss_kb = cpu, wall, maxrss_kb

    def describe(self):
        return "%s\nexit %s\nstdout: %s\nstderr: %s" % (
            " ".join(self.cmd), self.code, self.out[-2000:], self.err[-2000:])


def run(cmd, timeout=300, expect=0, poll_hwm=False, env=None):
    """Runs cmd (in env, if given: variables added to this process's
    environment); returns its exit status, output, user+sys CPU seconds, wall
    seconds and, with poll_hwm, its peak resident memory. The peak is VmHWM of
    /proc/PID/status read every 50 ms: wait4's ru_maxrss would count the
    memory of this Python process too, which the child had before exec."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=dict(os.environ, **env) if env else None)
        if poll_hwm:
            hwm_kb = 0
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                hwm_kb = max(hwm_kb, read_hwm_kb(proc.pid))
                if time.perf_counter() > start + timeout:
                    proc.kill()
                time.sleep(0.05)
        else:
            hwm_kb = None
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        out.seek(0)
        err.seek(0)
        r = Result(cmd, code, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"),
                   usage.ru_utime + usage.ru_stime, wall, hwm_kb)
        # Apart, for what a program does and what the kernel does for it.
        r.user, r.sys = usage.ru_utime, usage.ru_stime
    if expect is not None and r.code != expect:
        raise Failure("unexpected exit status\n" + r.describe())
    return r


def read_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def valgrind_insns(cmd, tmp, busiest_thread=False):
    """Host instructions cmd executes, JIT-translated code included. With
    busiest_thread, those of its busiest thread only (the vCPU thread of a
    system-mode run, whose count, unlike that of QEMU's main loop, does not
    depend on how long the run takes)."""
    if busiest_thread:
        out = os.path.join(tmp, "callgrind")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        tool = ["--tool=callgrind", "--separate-threads=yes",
                "--callgrind-out-file=%s/out.%%p" % out]
    else:
        tool = ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    r = run(["valgrind"] + tool + ["--smc-check=all-non-file"] + cmd, timeout=600, expect=None)
    if r.code not in (0, DEBUG_EXIT_OK):
        raise Failure("valgrind run failed\n" + r.describe())
    if busiest_thread:
        counts = []
        for name in os.listdir(out):
            m = re.search(r"^totals:\s+(\d+)", open(os.path.join(out, name)).read(), re.M)
            if m:
                counts.append(int(m.group(1)))
        if not counts:
            raise Failure("callgrind wrote no totals\n" + r.describe())
        return max(counts)
    m = re.search(r"I\s+refs:\s+([\d,]+)", r.err)
    if not m:
        raise Failure("valgrind gave no count\n" + r.describe())
    return int(m.group(1).replace(",", ""))


def symbol_range(binary, prefix):
    """[start, end) of the functions whose names start with prefix."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    spans = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tT" and f[3].startswith(prefix):
            spans.append((int(f[0], 16), int(f[0], 16) + int(f[1], 16)))
    if not spans:
        raise Failure("no function %s* in %s" % (prefix, binary))
    return "%x-%x" % (min(s for s, _ in spans), max(e for _, e in spans))


def count_in_file(path, needle):
    n = 0
    tail = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            n += data.count(needle)
            # Keep a needle's length, minus one, of the end for a match that
            # straddles two chunks; never count a match twice.
            keep = len(needle) - 1
            tail = data[-keep:] if keep else b""
            n -= tail.count(needle)
    return n
