# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 8: a real workload profiled the way a Valgrind user profiles it.
bench/guest/zlib_region compresses generated text with Debian's zlib
(libz.a, static) inside a Callgrind collection region (callgrind.h's
CALLGRIND_TOGGLE_COLLECT). Timed, interleaved: natively, under Callgrind
(--collect-atstart=no, natively), under plain qemu-x86_64, and under
qemu-x86_64 with libbackdoor.so valgrind=on,collect-atstart=off, without and
with profile= (without and with its call graph). Then the accuracy: the plugin's collection region against
Callgrind's Ir, and the top functions of callgrind_annotate of both
profiles, self and inclusive, with glibc's default string functions and with its rep movsb/stosb
tunables set for both (docs/valgrind.md)."""
import json
import re
import shutil

from harness import Failure
from measure import run
from qemu import user_command
from session import ZLIB
from stats import paired_ratio

ROWS = ("8",)
# The plugin's region for Callgrind's collection (docs/valgrind.md).
COLLECTION = 0x43540000
# glibc's string functions without rep movsb/stosb, whose repetitions
# Callgrind counts one by one and QEMU as one instruction.
TUNABLES = ("glibc.cpu.x86_rep_movsb_threshold=1073741824:"
            "glibc.cpu.x86_rep_stosb_threshold=1073741824")
TOP = 10
# (key, environment for both, the plugin's extra options, description).
SETTINGS = (
    ("default", None, {},
     "glibc's defaults, the plugin's (Valgrind's CPU, each repetition counts)"),
    ("tunables", {"GLIBC_TUNABLES": TUNABLES}, {},
     "GLIBC_TUNABLES x86_rep_movsb/stosb_threshold=1 GiB, for both"),
    ("qemu-cpu", None, {"cpu_identity": "qemu", "count_reps": "off"},
     "glibc's defaults, the plugin with QEMU's CPU and count-reps=off (as before)"),
)


def callgrind_cmd(n, out):
    return ["valgrind", "--tool=callgrind", "--collect-atstart=no",
            "--callgrind-out-file=" + out, ZLIB, str(n)]


def plugin_cmd(s, n, **outputs):
    return user_command("x86_64", ZLIB, [n], s.backdoor(
        valgrind="on", collect_atstart="off", summary="none", **outputs))


def callgrind_total(path):
    """The Ir total of a profile in Callgrind's format."""
    with open(path) as f:
        m = re.search(r"^(?:totals|summary):\s+(\d+)", f.read(), re.M)
    if not m:
        raise Failure("%s has no totals line" % path)
    return int(m.group(1))


def annotate(path, inclusive=False):
    """callgrind_annotate's function table, {function: Ir}, largest first;
    inclusive: the costs of the calls included (the call graph)."""
    out = run(["callgrind_annotate", "--threshold=100",
               "--inclusive=" + ("yes" if inclusive else "no"), path]).out
    # "  9,542,717 ( 0.84%)  ???:memcpy [/path/of/the/object]", the object
    # only in Callgrind's; the plugin's unnamed code is "(no symbol)".
    line = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+[^:\s]*:(.+?)(?: \[[^\]]*\])?\s*$", re.M)
    return {m.group(2): int(m.group(1).replace(",", "")) for m in line.finditer(out)}


def top_functions(ours, theirs, top=TOP):
    """[(function, Callgrind's Ir, ours, relative difference)] for the top
    functions of Callgrind's profile; a function missing from ours is -100 %."""
    rows = []
    for fn, ir in sorted(theirs.items(), key=lambda kv: -kv[1])[:top]:
        mine = ours.get(fn, 0)
        rows.append((fn, ir, mine, (mine - ir) / ir if ir else 0.0))
    return rows


def region_counts(path):
    """{region id: instructions over every vCPU} from a regions= JSON file."""
    with open(path) as f:
        return {r["id"]: r["insns"] for r in json.load(f)["region_totals"]}


def differing(ours, theirs):
    """[(function, ours, Callgrind's)] of the functions whose counts differ,
    largest first; None where a profile lacks the function."""
    names = sorted(set(ours) | set(theirs), key=lambda fn: -max(ours.get(fn, 0),
                                                                theirs.get(fn, 0)))
    return [(fn, ours.get(fn), theirs.get(fn)) for fn in names if ours.get(fn) != theirs.get(fn)]


def size_text(n):
    return "%d MiB" % (n >> 20) if n >= 1 << 20 and n % (1 << 20) == 0 else "%d KiB" % (n >> 10)


def measure(s):
    n = s.zlib_bytes
    callgrind = bool(shutil.which("valgrind") and shutil.which("callgrind_annotate"))
    expected = run([ZLIB, str(n)]).out
    if "adler32" not in expected:
        raise Failure("zlib_region printed no result: %r" % expected)
    files = {k: {"cg": s.path("zlib-%s-callgrind.out" % k),
                 "profile": s.path("zlib-%s-profile.out" % k),
                 "regions": s.path("zlib-%s-regions.json" % k)} for k, _, _, _ in SETTINGS}
    out = files["default"]

    def job(key, cmd):
        def timed():
            r = run(cmd, timeout=900)
            if r.out != expected:
                raise Failure("zlib_region did other work than natively (%r, natively %r)\n%s"
                              % (r.out, expected, r.describe()))
            s.samples.setdefault(key + ".wall", []).append(r.wall)
            return r.cpu
        return key, timed

    variants = [
        ("z.callgrind", "valgrind --tool=callgrind --collect-atstart=no (natively)",
         callgrind_cmd(n, out["cg"])),
        ("z.native", "native, no tool", [ZLIB, str(n)]),
        ("z.qemu", "qemu-x86_64, no plugin", user_command("x86_64", ZLIB, [n])),
        ("z.vg", "libbackdoor.so valgrind=on,collect-atstart=off", plugin_cmd(s, n)),
        ("z.profile", "libbackdoor.so valgrind=on,collect-atstart=off,profile=,"
         "call-graph=off", plugin_cmd(s, n, profile=s.path("zlib-plain-profile.out"),
                                      call_graph="off")),
        ("z.graph", "libbackdoor.so valgrind=on,collect-atstart=off,profile= (call graph)",
         plugin_cmd(s, n, profile=out["profile"], regions=out["regions"])),
        ("z.reps", "libbackdoor.so valgrind=on,collect-atstart=off,count-reps=off,"
         "cpu-identity=qemu", plugin_cmd(s, n, count_reps="off", cpu_identity="qemu")),
    ]
    if not callgrind:
        variants = variants[1:]
        s.details.append("row 8 Callgrind skipped: valgrind is not installed "
                         "(scripts/install-deps.sh bench)")
    s.interleaved("8 user: zlib region, Callgrind vs QEMU",
                  [job(key, cmd) for key, _, cmd in variants])

    base, base_name = ("z.callgrind", "Callgrind") if callgrind else ("z.qemu", "plain QEMU")
    what = ("real workload, user mode: zlib compress2 of %s of text (Debian's libz.a, static) "
            "in a Callgrind collection region" % size_text(n))
    for suffix, unit_name in (("", "s CPU"), (".wall", "s wall")):
        name = "%s, %s" % (what, unit_name)
        for key, variant, _ in variants:
            samples = s.samples[key + suffix]
            note = ""
            if key in ("z.vg", "z.profile", "z.graph", "z.reps"):
                note = "%.3fx plain QEMU" % paired_ratio(samples, s.samples["z.qemu" + suffix])
            if key == "z.graph":
                note += ", %.3fx the profile without call graph" % paired_ratio(
                    samples, s.samples["z.profile" + suffix])
            target = label = ""
            if key == "z.graph" and callgrind and not suffix:
                target = "<= 0.5"
                label = "zlib region profile with call graph vs Callgrind (target: 2x faster)"
            s.add("8", name, variant, samples, "s",
                  paired_ratio(samples, s.samples[base + suffix]), base_name, target,
                  note=note, label=label)
    if callgrind:
        accuracy(s, n, files, expected)


def accuracy(s, n, files, expected):
    """The collection region and the top functions against Callgrind, with
    and without the tunables. The default setting reuses the profiles of the
    last timed runs; the other runs once more, untimed."""
    counts, functions, inclusive = {}, {}, {}
    for key, env, options, _ in SETTINGS:
        f = files[key]
        # Callgrind's run of the same environment is the reference.
        reference = files["default"]["cg"] if not env else f["cg"]
        cmds = [callgrind_cmd(n, f["cg"])] if env else []
        if env or options:
            cmds.append(plugin_cmd(s, n, profile=f["profile"], regions=f["regions"], **options))
        for cmd in cmds:
            r = run(cmd, timeout=900, env=env)
            if r.out != expected:
                raise Failure("zlib_region did other work with %s %s\n%s"
                              % (env, options, r.describe()))
        regions = region_counts(f["regions"])
        ours, theirs = regions.get(COLLECTION), callgrind_total(reference)
        if ours is None:
            raise Failure("no collection region in %s: %r" % (f["regions"], regions))
        if callgrind_total(f["profile"]) != ours:
            raise Failure("the profile's total %d is not the collection region's %d"
                          % (callgrind_total(f["profile"]), ours))
        counts[key] = (ours, theirs, regions.get(1))
        functions[key] = annotate(f["profile"]), annotate(reference)
        inclusive[key] = (annotate(f["profile"], inclusive=True),
                          annotate(reference, inclusive=True))

    name = ("real workload: instructions in the zlib region, the plugin's collection region "
            "vs Callgrind's Ir")
    for key, _, _, variant in SETTINGS:
        ours, theirs, _ = counts[key]
        s.add("8", name, variant, [ours], "insns", ours / theirs, "Callgrind Ir",
              note="Callgrind %d, %+d, %+.4f %%" % (theirs, ours - theirs,
                                                     100.0 * (ours - theirs) / theirs))
    name = ("real workload: top %d functions of Callgrind's profile (callgrind_annotate of "
            "both), largest relative difference" % TOP)
    for key, _, _, variant in SETTINGS:
        rows = top_functions(*functions[key])
        worst = max(rows, key=lambda r: abs(r[3]))
        within = sum(1 for r in rows if abs(r[3]) <= 0.001)
        s.add("8", name, variant, [100.0 * abs(worst[3])], "%",
              note="%s: %d vs %d, %+.4f %%; %d of %d within 0.1 %%" % (
                  worst[0], worst[2], worst[1], 100.0 * worst[3], within, len(rows)))
        s.details.append("row 8 top %d functions, %s, plugin vs Callgrind: %s" % (
            TOP, key, "; ".join("%s %d vs %d (%+.4f %%)" % (fn, mine, ir, 100.0 * d)
                                for fn, ir, mine, d in rows)))
        s.details.append("row 8 every function whose count differs, %s, plugin vs Callgrind: "
                         "%s" % (key, "; ".join("%s %s vs %s" % (
                             fn, "-" if a is None else a, "-" if b is None else b)
                             for fn, a, b in differing(*functions[key])[:16]) or "none"))
    name = ("real workload: top %d functions of Callgrind's profile by inclusive cost "
            "(callgrind_annotate --inclusive=yes of both), largest relative difference" % TOP)
    for key, _, _, variant in SETTINGS:
        mine, theirs = inclusive[key]
        # Valgrind names the start-up code "(below main)", QEMU by its symbols.
        theirs = {fn: ir for fn, ir in theirs.items() if not fn.startswith("(below main)")}
        rows = top_functions(mine, theirs)
        worst = max(rows, key=lambda r: abs(r[3]))
        within = sum(1 for r in rows if abs(r[3]) <= 0.005)
        s.add("8", name, variant, [100.0 * abs(worst[3])], "%",
              note="%s: %d vs %d, %+.4f %%; %d of %d within 0.5 %%" % (
                  worst[0], worst[2], worst[1], 100.0 * worst[3], within, len(rows)))
        s.details.append("row 8 top %d functions by inclusive cost, %s, plugin vs Callgrind: "
                         "%s" % (TOP, key, "; ".join("%s %d vs %d (%+.4f %%)" % (
                             fn, m, ir, 100.0 * d) for fn, ir, m, d in rows)))
    ours, _, region1 = counts["default"]
    s.details.append("row 8 backdoor region 1 around the two CALLGRIND_TOGGLE_COLLECT "
                     "requests: %s instructions, the collection region's %d%s" % (
                         region1, ours, " + %d" % (region1 - ours) if region1 else ""))
