# SPDX-License-Identifier: GPL-2.0-or-later
"""Files in and out of the guest (the readfile and writefile built-ins,
readfile= and outdir=), in every kind of guest: user mode on x86-64 and
aarch64 through the guest command line, a bare-metal x86 kernel
(tests/baremetal/x86/kernels/files.c) and a real Linux whose shell script
reads a host file and writes files back. Files of several MiB go through
in chunks and come back byte for byte; names that are no plain file name
get BACKDOOR_EINVAL and write nothing anywhere; the bounds (max-output, a
link or the plugin's own outputs inside outdir) hold; a missing or unusable
file or directory is refused at start-up with the option named, and an
existing output file is left as it was."""
import os
import subprocess

from abi import EINVAL, ENOSYS
from harness import (BUILD, Failure, on_qemus, plugin_arg, read_jsonl, run_counts,
                     user_command)

CLI = {"x86_64": os.path.join(BUILD, "backdoor"),
       "i386": os.path.join(BUILD, "backdoor-i386"),
       "aarch64": os.path.join(BUILD, "backdoor-aarch64")}
COMMAND = os.path.join(BUILD, "qemu-backdoor")
KERNEL = os.path.join(BUILD, "baremetal", "x86", "files.elf")
SUCCESS = 1  # isa-debug-exit status for the kernel's 0
MIB = 1 << 20


def random_file(t, name, size):
    path = t.path(name)
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    return path


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def run_binary(t, cmd, stdout_path, stdin_path=None, timeout=120):
    """Runs cmd with its standard output (bytes) into a file; returns
    (status, stderr text)."""
    with open(stdout_path, "wb") as out, \
            open(stdin_path or os.devnull, "rb") as inp:
        try:
            p = subprocess.run(cmd, stdout=out, stdin=inp, stderr=subprocess.PIPE,
                               timeout=timeout, cwd=t.dir)
        except subprocess.TimeoutExpired:
            raise Failure("timed out: %s" % " ".join(cmd))
    return p.returncode, p.stderr.decode(errors="replace")


def cli(t, arch, args, stdout_path=None, stdin_path=None, **options):
    """The guest command line under qemu-ARCH with the plugin and options."""
    cmd = user_command(arch, CLI[arch], args, plugin_arg(**options))
    return run_binary(t, cmd, stdout_path or t.path("stdout"), stdin_path)


def calls_of(events, op):
    return [e for e in read_jsonl(events) if e.get("event") == "call" and e["op"] == op]


def check_round_trip(t, arch, size):
    """readfile of a file of size bytes to stdout, and writefile of it back
    from a file and from stdin; all byte for byte."""
    data_path = random_file(t, "input-%s.bin" % arch, size)
    data = read_bytes(data_path)
    outdir = t.path("out-" + arch)
    os.mkdir(outdir)
    events = t.path("events-%s.jsonl" % arch)
    copy = t.path("copy-%s.bin" % arch)
    status, err = cli(t, arch, ["readfile"], stdout_path=copy, readfile=data_path,
                      events=events, summary=t.path("summary-" + arch))
    t.eq(status, 0, "%s: backdoor readfile exit status" % arch, err)
    t.check(read_bytes(copy) == data, "%s: readfile's output is the host file, %d bytes"
            % (arch, size))
    reads = calls_of(events, "readfile")
    # One call per MiB chunk, and the one that finds the end.
    t.eq(len(reads), size // MIB + 1 + (1 if size % MIB else 0), "%s: readfile calls" % arch)
    t.eq([r["args"][2] for r in reads], list(range(0, size + 1, MIB))
         + ([size] if size % MIB else []), "%s: the offsets read from" % arch)
    t.eq(reads[-1]["result"], 0, "%s: the last read finds the end" % arch)
    t.contains(open(t.path("summary-" + arch)).read(), "readfile %s: %d bytes read"
               % (data_path, size), "the summary counts what was read")

    status, err = cli(t, arch, ["writefile", data_path], events=events, outdir=outdir,
                      summary="none")
    t.eq(status, 0, "%s: backdoor writefile FILE exit status" % arch, err)
    status, err = cli(t, arch, ["writefile", "-", "from-stdin.bin"], stdin_path=data_path,
                      outdir=outdir, summary="none")
    t.eq(status, 0, "%s: backdoor writefile - NAME exit status" % arch, err)
    t.eq(sorted(os.listdir(outdir)), sorted([os.path.basename(data_path), "from-stdin.bin"]),
         "%s: the files written (FILE's own name by default)" % arch)
    for name in os.listdir(outdir):
        t.check(read_bytes(os.path.join(outdir, name)) == data,
                "%s: %s is the guest's file, byte for byte" % (arch, name))
    writes = calls_of(events, "writefile")
    t.eq([(w["args"][3], w["text"]) for w in writes],
         [(offset, os.path.basename(data_path)) for offset in range(0, size, MIB)],
         "%s: writefile's offsets, one per chunk, and the name in each record" % arch)


def test_round_trip_user_mode_x86_64(t):
    check_round_trip(t, "x86_64", 5 * MIB + 12345)


def test_round_trip_user_mode_i386(t):
    """32-bit words: the offsets and lengths travel in 32-bit registers."""
    check_round_trip(t, "i386", 2 * MIB + 1)


def test_round_trip_user_mode_aarch64(t):
    check_round_trip(t, "aarch64", 3 * MIB + 7)


def test_small_max_buffer_chunks_halve(t):
    """With a host's max-buffer below the command line's chunk, the chunk
    halves until the host takes it: still byte for byte."""
    data_path = random_file(t, "input.bin", 300000)
    outdir = t.path("out")
    os.mkdir(outdir)
    status, err = cli(t, "x86_64", ["readfile"], stdout_path=t.path("copy.bin"),
                      readfile=data_path, max_buffer="48K", summary="none")
    t.eq(status, 0, "readfile with max-buffer=48K", err)
    t.check(read_bytes(t.path("copy.bin")) == read_bytes(data_path), "readfile's bytes")
    status, err = cli(t, "x86_64", ["writefile", data_path, "copy.bin"], outdir=outdir,
                      max_buffer="48K", summary="none")
    t.eq(status, 0, "writefile with max-buffer=48K", err)
    t.check(read_bytes(os.path.join(outdir, "copy.bin")) == read_bytes(data_path),
            "writefile's bytes")


def test_bad_names_write_nothing(t):
    outdir = t.path("out")
    os.mkdir(outdir)
    source = t.path("source.txt")
    with open(source, "w") as f:
        f.write("data\n")
    events = t.path("events.jsonl")
    bad = ["..", ".", "../escaped", "a/b", "/tmp/backdoor-escaped", "sub/", "n" * 256]
    for name in bad:
        status, err = cli(t, "x86_64", ["writefile", source, name], outdir=outdir,
                          events=events, summary="none")
        t.eq(status, 2, "writefile to %r: exit status" % name, err)
        t.contains(err, "not a plain file name", "writefile to %r: the message" % name)
        t.eq(calls_of(events, "writefile")[-1]["result"], EINVAL, "%r: BACKDOOR_EINVAL" % name)
    t.eq(os.listdir(outdir), [], "nothing written in outdir")
    t.check(not os.path.exists(t.path("escaped")) and
            not os.path.exists("/tmp/backdoor-escaped"), "nothing written outside it")
    status, err = cli(t, "x86_64", ["writefile", source, "n" * 255], outdir=outdir,
                      summary="none")
    t.eq(status, 0, "a 255-byte name is a plain file name", err)
    t.eq(os.listdir(outdir), ["n" * 255], "and is written")
    t.eq(run_counts(events)["invalid"], 1, "the summary counts the refusal as invalid")


def test_links_and_own_outputs_in_outdir_refused(t):
    """A link planted in outdir is not followed, and the plugin's own
    outputs there are not the guest's to overwrite."""
    outdir = t.path("out")
    os.mkdir(outdir)
    victim = t.path("victim.txt")
    with open(victim, "w") as f:
        f.write("keep\n")
    os.symlink(victim, os.path.join(outdir, "link"))
    os.mkdir(os.path.join(outdir, "subdir"))
    events = os.path.join(outdir, "events.jsonl")
    data = t.path("data.txt")
    with open(data, "w") as f:
        f.write("overwritten\n")
    for name in ("link", "events.jsonl", "subdir"):
        status, err = cli(t, "x86_64", ["writefile", data, name], outdir=outdir,
                          events=events, summary="none")
        t.eq(status, 2, "writefile to %s: refused" % name, err)
        t.eq(calls_of(events, "writefile")[-1]["result"], EINVAL, "%s: BACKDOOR_EINVAL" % name)
    t.eq(open(victim).read(), "keep\n", "the link's target is untouched")
    t.eq(os.readlink(os.path.join(outdir, "link")), victim, "the link stays a link")


def test_max_output_bounds_the_files(t):
    outdir = t.path("out")
    os.mkdir(outdir)
    data_path = random_file(t, "input.bin", 3 * MIB)
    summary = t.path("summary.txt")
    status, err = cli(t, "x86_64", ["writefile", data_path, "big.bin"], outdir=outdir,
                      max_output="2M", summary=summary)
    t.eq(status, 2, "a file over max-output: the guest gets an error", err)
    t.contains(err, "bound on files written", "the command line says why", err)
    t.contains(err, "max-output (2097152 bytes) reached", "the plugin says so on stderr", err)
    t.eq(os.path.getsize(os.path.join(outdir, "big.bin")), 2 * MIB,
         "the chunks within the bound are written, no byte more")
    t.contains(open(summary).read(), "writefile into %s: 2097152 bytes, 1 files created; "
               "writes refused past max-output" % outdir, "the summary says so")


def test_full_disk_and_file_size_limit(t):
    """A full disk (outdir on a 512 KiB tmpfs, in a mount namespace of its
    own) gives BACKDOOR_ENOSPC, and ulimit -f BACKDOOR_EFBIG without QEMU
    dying of SIGXFSZ; the guest says so and the run ends normally."""
    import resource
    data_path = random_file(t, "input.bin", 2 * MIB)
    outdir = t.path("out")
    os.mkdir(outdir)
    events = t.path("events.jsonl")
    plugin = plugin_arg(outdir=outdir, events=events, summary="none")
    qemu = user_command("x86_64", CLI["x86_64"], ["writefile", data_path, "big.bin"], plugin)
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        t.notes.append("full disk not checked: no mount namespace here (%s)"
                       % probe.stderr.decode().strip())
    else:
        shell = 'mount -t tmpfs -o size=512k tmpfs "$1" && shift && exec "$@"'
        status, err = run_binary(t, ["unshare", "-m", "sh", "-c", shell, "sh", outdir] + qemu,
                                 t.path("stdout"))
        t.eq(status, 2, "a full disk: the guest gets an error", err)
        t.contains(err, "the host's disk is full", "and says so", err)
        t.eq([(e["status"], e["result"]) for e in calls_of(events, "writefile")],
             [("disk_full", -28)], "BACKDOOR_ENOSPC in the event log")

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (MIB // 2, MIB // 2))
    with open(t.path("stdout"), "wb") as out:
        p = subprocess.run(qemu, stdout=out, stderr=subprocess.PIPE, timeout=60,
                           preexec_fn=limit_file_size)
    err = p.stderr.decode(errors="replace")
    t.eq(p.returncode, 2, "ulimit -f: the guest gets an error, QEMU is not killed", err)
    t.contains(err, "bound on files written", "and says so", err)
    t.eq([e["status"] for e in calls_of(events, "writefile")], ["file_limit"],
         "BACKDOOR_EFBIG in the event log")


def test_enosys_without_options(t):
    for args in (["readfile"], ["writefile", CLI["x86_64"], "x"]):
        events = t.path("events-%s.jsonl" % args[0])
        status, err = cli(t, "x86_64", args, events=events, summary="none")
        t.eq(status, 2, "%s without the option: exit status" % args[0], err)
        t.contains(err, "the host was given no", "%s: the message" % args[0], err)
        t.eq([(e["result"], e["status"]) for e in calls_of(events, args[0])],
             [(ENOSYS, "unhandled")], "%s answers BACKDOOR_ENOSYS" % args[0])


def test_refused_at_start_up(t):
    """A missing readfile=, an outdir that is missing, a file or not
    writable: QEMU does not start, the option is named, and an existing
    output file keeps its bytes."""
    events = t.path("events.jsonl")
    regular = t.path("regular.txt")
    for path in (events, regular):
        with open(path, "w") as f:
            f.write("earlier run\n")
    cases = [({"readfile": t.path("missing.bin")}, "option 'readfile=%s': cannot open for "
              "reading: No such file or directory" % t.path("missing.bin")),
             ({"readfile": t.dir}, "option 'readfile=%s': not a regular file" % t.dir),
             ({"outdir": t.path("missing")}, "option 'outdir=%s': not a directory the plugin "
              "can open: No such file or directory" % t.path("missing")),
             ({"outdir": regular}, "option 'outdir=%s': not a directory the plugin can open: "
              "Not a directory" % regular),
             ({"outdir": "/proc"}, "option 'outdir=/proc': the plugin cannot create files "
              "there")]
    for options, message in cases:
        r = t.user("x86_64", CLI["x86_64"], ["present"], events=events, **options)
        t.eq(r.returncode, 1, "QEMU refuses to start with %s" % options, r)
        t.contains(r.stderr, message, "the message", r)
        t.eq(r.stdout, "", "the guest never ran", r)
        t.eq(open(events).read(), "earlier run\n", "events= untouched after %s" % options)


def test_qemu_backdoor_options(t):
    data_path = random_file(t, "input.bin", 100000)
    outdir = t.path("out")
    os.mkdir(outdir)
    cmd = [COMMAND, "--readfile=input.bin", "--outdir=out", "--summary=none", "--",
           CLI["x86_64"], "readfile"]
    status, err = run_binary(t, cmd, t.path("copy.bin"))
    t.eq(status, 0, "qemu-backdoor --readfile", err)
    t.check(read_bytes(t.path("copy.bin")) == read_bytes(data_path), "the bytes")
    r = t.run([COMMAND, "--outdir=out", "--summary=none", "--", CLI["x86_64"], "writefile",
               "input.bin", "again.bin"], check=0)
    t.check(read_bytes(os.path.join(outdir, "again.bin")) == read_bytes(data_path),
            "qemu-backdoor --outdir: the bytes")
    t.contains(r.stderr.splitlines()[-1], "wrote outdir=" + outdir,
               "the closing line names the directory", r)
    words = t.run([COMMAND, "--dry-run", "--readfile=input.bin", "--outdir=out", "--",
                   CLI["x86_64"]], check=0).stdout
    t.contains(words, "readfile=%s,outdir=%s" % (data_path, outdir),
               "relative paths made absolute", words)
    for option, message in (("--readfile=missing.bin", "--readfile=missing.bin: %s: No such "
                             "file or directory" % t.path("missing.bin")),
                            ("--outdir=missing", "--outdir=missing: %s: No such file or "
                             "directory; create the directory" % t.path("missing")),
                            ("--outdir=input.bin", "is not a directory")):
        r = t.run([COMMAND, option, "--", CLI["x86_64"], "present"])
        t.eq(r.returncode, 125, "qemu-backdoor %s: refused before QEMU" % option, r)
        t.contains(r.stderr, message, "the message", r)


def boot_files_kernel(t, **options):
    if not os.path.exists(KERNEL):
        raise Failure("%s is missing: run 'make all'" % KERNEL)
    return t.system(KERNEL, timeout=60, **options)


@on_qemus("built", "debian-11.1")
def test_bare_metal_x86(t):
    if not t.qemu.can_write:
        t.notes.append("receive buffers need plugin API 5")
        return
    size = 3 * MIB + 4321
    data_path = random_file(t, "input.bin", size)
    outdir = t.path("out")
    os.mkdir(outdir)
    summary = t.path("summary.txt")
    r = boot_files_kernel(t, readfile=data_path, outdir=outdir, summary=summary,
                          max_output="64M")
    t.eq(r.returncode, SUCCESS, "the kernel's checks (isa-debug-exit)",
         "%s\nconsole:\n%s" % (r, r.console))
    t.contains(r.console, "readfile: %d bytes in %d calls" % (size, size // 65536 + 2),
               "the kernel read the whole file in 64 KiB chunks", r.console)
    t.check(read_bytes(os.path.join(outdir, "copy.bin")) == read_bytes(data_path),
            "copy.bin is the input, byte for byte")
    t.eq(read_bytes(os.path.join(outdir, "trunc.txt")), b"xy", "offset 0 starts a file afresh")
    t.eq(read_bytes(os.path.join(outdir, "empty.txt")), b"", "an empty write makes a file")
    t.eq(sorted(os.listdir(outdir)), sorted(["copy.bin", "trunc.txt", "empty.txt", "n" * 255]),
         "only the good names were written")
    t.check(not os.path.exists(t.path("escaped")) and not os.path.exists("/tmp/escaped"),
            "no bad name wrote outside outdir")
    t.contains(open(summary).read(), "writefile into %s: %d bytes, 4 files created"
               % (outdir, size + 6 + 2 + 2 + 1), "the summary")

    r = boot_files_kernel(t, append="nofiles", summary="none")
    t.eq(r.returncode, SUCCESS, "without readfile= and outdir=: BACKDOOR_ENOSYS",
         "%s\nconsole:\n%s" % (r, r.console))


LINUX_SCRIPT = """
backdoor readfile > /tmp/in; echo "readfile=$?"
wc -c < /tmp/in
backdoor writefile /tmp/in back.bin; echo "writefile=$?"
cat /tmp/in | backdoor writefile - piped.bin; echo "piped=$?"
backdoor writefile /tmp/in ../escaped 2>/tmp/err; echo "escape=$?"
cat /tmp/err
exit 3
"""

FED_SCRIPT = """echo "from the host's script"
echo hello > /tmp/hello
backdoor writefile /tmp/hello hello.txt
exit 7
"""


def test_linux_guest(t):
    """A shell script in a real Linux reads a host file of 4 MiB and writes
    it back twice; then a script fed by readfile runs (backdoor readfile |
    sh) and its exit status is the script's."""
    from linux import boot_linux
    size = 4 * MIB + 99
    data_path = random_file(t, "input.bin", size)
    outdir = t.path("out")
    os.mkdir(outdir)
    binaries = {"backdoor": CLI["x86_64"]}
    b = boot_linux(t, LINUX_SCRIPT, binaries=binaries, readfile=data_path, outdir=outdir,
                   summary="none", timeout=180)
    t.eq(b.status, 3, "the script ran to its end", b)
    t.eq(b.output.splitlines()[:5], ["readfile=0", str(size), "writefile=0", "piped=0",
                                     "escape=2"], "what the script saw", b)
    t.contains(b.output, "backdoor: writefile '../escaped': not a plain file name",
               "the guest command says why", b)
    for name in ("back.bin", "piped.bin"):
        t.check(read_bytes(os.path.join(outdir, name)) == read_bytes(data_path),
                "%s: the host file came back byte for byte" % name)
    t.eq(sorted(os.listdir(outdir)), ["back.bin", "piped.bin"], "nothing else in outdir")
    t.check(not os.path.exists(t.path("escaped")), "nothing written outside outdir")

    script = t.path("script.sh")
    with open(script, "w") as f:
        f.write(FED_SCRIPT)
    b = boot_linux(t, "backdoor readfile | sh\n", binaries=binaries, readfile=script,
                   outdir=outdir, summary="none", timeout=180)
    t.eq(b.status, 7, "the fed script's exit status", b)
    t.contains(b.output, "from the host's script", "its output", b)
    t.eq(read_bytes(os.path.join(outdir, "hello.txt")), b"hello\n", "the file it wrote back")
