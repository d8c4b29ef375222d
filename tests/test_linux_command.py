# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu-backdoor --linux (issue 20): Debian's real kernels of the tests boot
under real QEMU with an initramfs holding the user's program (static, or
dynamic with its interpreter and libraries, Debian's cross libraries for
arm64 and riscv64), and the program's stdout, stderr and exit status (plain
and by signal) are the command's, its arguments arrive word for word; a
region in a second thread counts what user mode counts (insns_user within
1 %); a region opened and closed by the guest command in a script is the
machine's and survives the command's exit; --timeout stops a guest that
never ends; a kernel panic still leaves complete outputs; a program that
does not exist is refused before any boot. Also the messages of issue 20
item 4: an arm64/RISC-V Image picks its QEMU from its header, dynamic
aarch64 programs run in user mode without QEMU_LD_PREFIX, --qemu-arg."""
import json
import os

import linux
from harness import BUILD, Skip, guest, plugin_arg, read_jsonl

COMMAND = os.path.join(BUILD, "qemu-backdoor")
SETUP_ERROR = 125
ARGS = ["a b", "it's", 'say "hi"', "", "  two  spaces ", "$HOME", "*"]


def program(arch, dynamic=False):
    return guest(arch, "linux_program") + ("-dynamic" if dynamic else "")


def need_dynamic(arch):
    path = program(arch, True)
    if not os.path.exists(path):
        raise Skip("%s was not built (needs Debian's cross libraries)" % path)
    return path


def qb(t, *args, check=None, timeout=240):
    return t.run([COMMAND] + list(args), check=check, timeout=timeout)


def boot(t, arch, *args, check=None, timeout=240):
    linux.ensure_kernel(arch)
    return qb(t, "--linux", *args, check=check, timeout=timeout)


def expected_args_output(args):
    return "".join("[%s]\n" % a for a in args)


def check_args_run(t, r, what):
    t.eq(r.returncode, 3, "%s: the program's exit status" % what, r)
    t.eq(r.stdout, expected_args_output(ARGS), "%s: stdout, word for word" % what, r)
    t.contains(r.stderr, "linux_program: %d arguments\n" % len(ARGS),
               "%s: the program's stderr" % what, r)
    t.check("linux_program" not in r.stdout.replace("[", ""), "stderr kept apart", r)


def test_x86_64_smp2_static_arguments_and_outputs(t):
    r = boot(t, "x86_64", "--smp", "2", "--summary=" + t.path("summary.txt"), "--",
             program("x86_64"), "args", *ARGS)
    check_args_run(t, r, "x86-64 --smp 2, static")
    summary = open(t.path("summary.txt")).read()
    t.contains(summary, "exit", "the summary counts the init's exit call", summary)


def test_x86_64_dynamic_killed_by_signal(t):
    path = need_dynamic("x86_64")
    r = boot(t, "x86_64", "--", path, "signal", "15")
    t.eq(r.returncode, 128 + 15, "killed by SIGTERM: 128 + 15", r)
    r = boot(t, "x86_64", "--", path, "args", *ARGS)
    check_args_run(t, r, "x86-64 dynamic")


def arch_runs(t, arch):
    r = boot(t, arch, "--", program(arch), "args", *ARGS)
    check_args_run(t, r, "%s static" % arch)
    r = boot(t, arch, "--", need_dynamic(arch), "signal", "9")
    t.eq(r.returncode, 128 + 9, "%s dynamic, killed by SIGKILL: 128 + 9" % arch, r)


def test_aarch64_static_and_dynamic(t):
    arch_runs(t, "aarch64")


def test_riscv64_static_and_dynamic(t):
    arch_runs(t, "riscv64")


def region_row(path, want_thread=True):
    with open(path) as f:
        rows = [r for r in json.load(f)["regions"] if r["id"] == 1]
    return rows


def test_x86_64_region_in_second_thread_matches_user_mode(t):
    work = ["thread", "2000000"]
    user = t.path("user.json")
    r = qb(t, "--regions=" + user, "--summary=none", "--", program("x86_64"), *work, check=0)
    guest_regions = t.path("linux.json")
    r = boot(t, "x86_64", "--regions=" + guest_regions, "--summary=none",
             "--events=" + t.path("events.jsonl"), "--", program("x86_64"), *work, check=0)
    t.eq(r.stdout, "thread done\n", "the program's stdout", r)
    [u] = region_row(user)
    rows = region_row(guest_regions)
    t.eq(len(rows), 1, "one row: the second thread's", rows)
    row = rows[0]
    t.check("thread" in row and row["entries"] == 1 and not row["open"],
            "the region belongs to a guest thread and closed", row)
    diff = abs(row["insns_user"] - u["insns"]) / u["insns"]
    t.check(diff < 0.01, "insns_user %d within 1 %% of user mode's %d (%.3f %%)"
            % (row["insns_user"], u["insns"], 100 * diff), row)
    t.notes.append("region: user mode %d, Linux insns_user %d (%.4f %%), insns_kernel %d"
                   % (u["insns"], row["insns_user"], 100 * diff, row["insns_kernel"]))
    events = read_jsonl(t.path("events.jsonl"))
    t.check(any(e.get("op") == "roi_begin" for e in events), "events= works with --linux",
            events[-3:])


def test_script_region_outlives_the_command(t):
    """backdoor roi begin/end in a shell script: two short-lived processes
    open and close one region of the machine around a third's work."""
    work = program("x86_64")
    script = ("backdoor roi begin 7 && %s thread 300000 && backdoor roi end 7 "
              "&& echo script done" % work)
    regions = t.path("regions.json")
    r = boot(t, "x86_64", "--file=" + work, "--regions=" + regions, "--summary=none",
             "--", "/bin/sh", "-c", script, check=0)
    t.eq(r.stdout, "thread done\nscript done\n", "the script ran", r)
    with open(regions) as f:
        rows = json.load(f)["regions"]
    machine = [row for row in rows if row["id"] == 7]
    inner = [row for row in rows if row["id"] == 1]
    t.eq(len(machine), 1, "one row for the script's region", rows)
    m = machine[0]
    t.check(m.get("machine") is True and m["entries"] == 1 and not m["open"] and
            m["unmatched_ends"] == 0, "a machine region, opened once and closed", m)
    t.eq(len(inner), 1, "the program's own region, in its thread", rows)
    t.check(m["insns"] > inner[0]["insns"] and m["insns_user"] >= inner[0]["insns_user"],
            "the machine region holds the program's work", (m, inner))


def test_missing_program_refused_before_boot(t):
    r = qb(t, "--linux", "--", t.path("no-such-program"), "x")
    t.eq(r.returncode, SETUP_ERROR, "status 125", r)
    t.contains(r.stderr, "no-such-program", "the message names the program", r)
    t.check("kernel" not in r.stderr.lower(), "no boot, no kernel message", r)
    r = t.run([COMMAND, "--linux", "--", program("aarch64")],
              env={"BACKDOOR_CACHE": t.path("empty-cache")})
    t.eq(r.returncode, SETUP_ERROR, "no kernel in the cache: status 125", r)
    t.contains(r.stderr, "scripts/fetch-linux-port.sh arm64'", "the message names the command "
               "that fetches the kernel", r)


def test_timeout_stops_a_guest_that_never_ends(t):
    r = boot(t, "x86_64", "--timeout=10", "--summary=" + t.path("summary.txt"), "--",
             program("x86_64"), "forever", timeout=120)
    t.eq(r.returncode, 124, "status 124 after --timeout", r)
    t.contains(r.stderr, "did not end within 10 s (--timeout=10): QEMU was stopped",
               "a clear status line", r)
    t.contains(open(t.path("summary.txt")).read(), "== backdoor summary, ended by",
               "the plugin's summary written", r)


def test_outputs_complete_after_kernel_panic(t):
    events = t.path("events.jsonl")
    r = boot(t, "x86_64", "--events=" + events, "--summary=" + t.path("summary.txt"),
             "--", "/bin/sh", "-c", "backdoor mark 5 1; echo c > /proc/sysrq-trigger")
    t.eq(r.returncode, SETUP_ERROR, "no status from the guest: 125", r)
    t.contains(r.stderr, "the machine ended before the program did", "a clear message", r)
    t.contains(r.stderr, "sysrq", "the kernel's console is shown", r)
    records = read_jsonl(events)
    t.check(any(e.get("op") == "mark" for e in records), "the mark is in the events", records)
    t.eq(records[-1].get("event"), "summary", "the event log ends with its summary record",
         records[-1])
    t.contains(open(t.path("summary.txt")).read(), "mark", "the summary is complete")


def test_kernel_image_picks_its_qemu(t):
    """Issue 20 item 4: an arm64 or RISC-V Image (no ELF file) picks
    qemu-system-ARCH from its boot header, with no --arch."""
    for arch, qemu in (("aarch64", "qemu-system-aarch64"), ("riscv64", "qemu-system-riscv64")):
        linux.ensure_kernel(arch)
        r = qb(t, "--dry-run", "--system", "--kernel", linux.KERNELS[arch].image, check=0)
        t.check(r.stdout.split(" ")[0].endswith("/" + qemu), "%s Image -> %s" % (arch, qemu), r)


def test_user_mode_dynamic_aarch64_without_ld_prefix(t):
    path = need_dynamic("aarch64")
    env = {"QEMU_LD_PREFIX": ""}
    r = t.run([COMMAND, "--summary=none", "--", path, "args", "x y"], env=env)
    t.eq(r.returncode, 3, "the dynamic aarch64 program ran", r)
    t.eq(r.stdout, "[x y]\n", "its output", r)
    r = t.run([COMMAND, "--dry-run", "--qemu-arg=-d", "--qemu-arg=nochain", "--", path],
              env=env, check=0)
    words = r.stdout.split()
    t.check("-L" in words and "/usr/aarch64-linux-gnu" in words, "-L the cross sysroot", r)
    t.check(words.index("-d") + 1 == words.index("nochain") and
            words.index("nochain") < words.index("-plugin"), "--qemu-arg before -plugin", r)


def test_failed_start_is_not_blamed_on_tcg(t):
    """Issue 20 item 4: QEMU that fails before running anything (here: no
    firmware where -L points) gets no word about TCG from the plugin; the
    line stays for another accelerator (tests/test_system_x86.py)."""
    r = t.run(t.qemu.command("qemu-system-x86_64") +
              ["-L", t.path("no-firmware"), "-M", "pc", "-display", "none", "-nodefaults",
               "-plugin", plugin_arg(summary="none")], timeout=60)
    t.check(r.returncode != 0, "QEMU failed to start", r)
    t.check("translated no guest code" not in r.stderr, "no word about TCG", r)


def test_script_fed_by_readfile(t):
    """Issue 20: nothing hidden in --linux; a user's script comes in through
    the readfile built-in, and a result goes out through writefile."""
    script = t.path("script.sh")
    with open(script, "w") as f:
        f.write("echo fed from the host \"$(nproc)\"\necho result | backdoor writefile - r.txt\n"
                "exit 6\n")
    os.mkdir(t.path("out"))
    r = boot(t, "x86_64", "--readfile=" + script, "--outdir=" + t.path("out"), "--",
             "/bin/sh", "-c", "backdoor readfile | sh")
    t.eq(r.returncode, 6, "the script's exit status", r)
    t.eq(r.stdout, "fed from the host 1\n", "the script ran in the guest", r)
    t.eq(open(t.path("out/r.txt")).read(), "result\n", "writefile's file", r)
