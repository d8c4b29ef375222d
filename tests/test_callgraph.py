# SPDX-License-Identifier: GPL-2.0-or-later
"""profile=: the call graph and the statistics dumps as parts, against
Callgrind 3.19 run natively on the same static x86-64 binaries, read by
Callgrind's own callgrind_annotate (docs/valgrind.md, "The profile").
tests/guest/valgrind_calls.c has a known call tree: recursion, mutual
recursion (through tail calls), calls through function pointers and a
longjmp out of a recursion."""
import os
import re
import shutil

from harness import BUILD, Skip, guest, runs_natively

PROGRAM = "valgrind_calls"
ON = dict(valgrind="on", collect_atstart="off")
# The program's own functions: library code (longjmp's internals, the
# start-up code's "(below main)") is named differently by QEMU's symbol
# lookup and Valgrind's.
OWN = ("main", "phases", "leaf", "factorial", "factorial'2", "is_even", "is_even'2",
       "is_odd", "is_odd'2", "square", "cube", "dive", "dive'2", "escape_from_depth")
ZLIB = os.path.join(BUILD, "bench", "zlib_region")


def need_callgrind():
    if shutil.which("valgrind") is None or not runs_natively("x86_64"):
        raise Skip("valgrind cannot run here (scripts/install-deps.sh build installs it)")


def callgrind(t, program, args, out):
    return t.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                  "--callgrind-out-file=" + out, program] + list(args), check=0)


def annotate(t, path, inclusive):
    """callgrind_annotate's function table, {function: Ir}."""
    out = t.run(["callgrind_annotate", "--threshold=100",
                 "--inclusive=" + ("yes" if inclusive else "no"), path], check=0).stdout
    return {m.group(2): int(m.group(1).replace(",", ""))
            for m in re.finditer(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+[^:\s]*:(\S+)", out, re.M)}


def calls(path):
    """{(caller, callee): calls} of a profile, compressed names "(N) name"
    resolved as Callgrind writes them."""
    names, edges, caller, callee = {}, {}, None, None

    def name(text):
        m = re.match(r"\((\d+)\)(?: (.*))?$", text)
        if not m:
            return text
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names[m.group(1)]
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("fn="):
            caller = name(line[3:])
        elif line.startswith("cfn="):
            callee = name(line[4:])
        elif line.startswith("calls="):
            key = (caller, callee)
            edges[key] = edges.get(key, 0) + int(line[6:].split()[0])
    return edges


def own(table):
    return {fn: table.get(fn) for fn in OWN}


def test_call_graph_matches_callgrind(t):
    need_callgrind()
    program = guest("x86_64", PROGRAM)
    for n in ("100", "1000"):
        profile, reference = t.path("profile-%s.out" % n), t.path("callgrind-%s.out" % n)
        r = t.user("x86_64", program, [n], check=0, profile=profile, **ON)
        cg = callgrind(t, program, [n], reference)
        t.eq(r.stdout, cg.stdout, "the same work under QEMU and Callgrind", (r, cg))
        ours, theirs = annotate(t, profile, True), annotate(t, reference, True)
        t.check(theirs.get("main", 0) > 10000 and theirs.get("factorial'2"),
                "Callgrind's inclusive costs cover the program", theirs)
        t.eq(own(ours), own(theirs), "inclusive Ir of every function of the program, n=" + n)
        t.eq(own(annotate(t, profile, False)), own(annotate(t, reference, False)),
             "self Ir, recursion levels apart, n=" + n)
        mine, cgs = calls(profile), calls(reference)
        edges = {e: c for e, c in cgs.items() if e[0] in OWN and e[1] in OWN}
        t.check(len(edges) >= 15, "Callgrind's edges among the program's functions", cgs)
        t.eq({e: mine.get(e) for e in edges}, edges, "calls= counts of every edge, n=" + n)


def parts(path):
    """[(part, trigger, totals)] of Callgrind's files for path: PATH.1 ...
    PATH.N, then PATH."""
    files = []
    i = 1
    while os.path.exists("%s.%d" % (path, i)):
        files.append("%s.%d" % (path, i))
        i += 1
    files.append(path)
    out = []
    for f in files:
        text = open(f).read()
        out.append((int(re.search(r"^part: (\d+)", text, re.M).group(1)),
                    re.search(r"^desc: Trigger: (.*)$", text, re.M).group(1),
                    int(re.search(r"^totals: (\d+)", text, re.M).group(1))))
    return out


def test_dumps_as_parts(t):
    need_callgrind()
    program = guest("x86_64", PROGRAM)
    profile, reference = t.path("profile.out"), t.path("callgrind.out")
    t.user("x86_64", program, ["200", "dumps"], check=0, profile=profile, **ON)
    callgrind(t, program, ["200", "dumps"], reference)
    ours, theirs = parts(profile), parts(reference)
    t.eq(len(theirs), 4, "Callgrind: three dumps and the end", theirs)
    t.eq([(p, total) for p, _, total in ours], [(p, total) for p, _, total in theirs],
         "every part's number and total")
    t.eq([trigger for _, trigger, _ in ours[:-1]], [trigger for _, trigger, _ in theirs[:-1]],
         "the dumps' triggers")
    for i in range(1, 4):
        a, b = annotate(t, "%s.%d" % (profile, i), True), annotate(t, "%s.%d" % (reference, i),
                                                                    True)
        t.eq(own(a), own(b), "part %d: inclusive Ir of the program's functions" % i)


def test_zlib_inclusive_top(t):
    """A real program: Debian's static zlib (bench/guest/zlib_region.c), with
    glibc's rep tunables for both (docs/valgrind.md)."""
    need_callgrind()
    if not os.path.exists(ZLIB):
        raise Skip("build/bench/zlib_region is missing: run 'make all'")
    env = {"GLIBC_TUNABLES": "glibc.cpu.x86_rep_movsb_threshold=1073741824:"
                             "glibc.cpu.x86_rep_stosb_threshold=1073741824"}
    profile, reference = t.path("zlib.out"), t.path("zlib-callgrind.out")
    t.user("x86_64", ZLIB, ["262144"], check=0, env=env, profile=profile, timeout=300, **ON)
    t.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
           "--callgrind-out-file=" + reference, ZLIB, "262144"], check=0, env=env, timeout=600)
    ours, theirs = annotate(t, profile, True), annotate(t, reference, True)
    top = sorted((fn for fn in theirs if not fn.startswith("(below")),
                 key=lambda fn: -theirs[fn])[:10]
    worst = max(abs(ours.get(fn, 0) - theirs[fn]) / theirs[fn] for fn in top)
    t.check(worst <= 0.005, "inclusive Ir of Callgrind's top 10 within 0.5 %",
            [(fn, ours.get(fn), theirs[fn]) for fn in top])


def test_call_counts_on_other_arches(t):
    """i386 and aarch64 (no Callgrind for them here): every calls= count
    among the program's functions equals Callgrind's on x86-64 (the same
    source, every function noinline: the same calls), and main's inclusive
    cost is the profile's total."""
    need_callgrind()
    reference = t.path("callgrind.out")
    callgrind(t, guest("x86_64", PROGRAM), ["300"], reference)
    edges = {e: c for e, c in calls(reference).items() if e[0] in OWN and e[1] in OWN}
    for arch in ("i386", "aarch64"):
        profile = t.path("profile-%s.out" % arch)
        t.user(arch, guest(arch, PROGRAM), ["300"], check=0, profile=profile, **ON)
        mine = calls(profile)
        t.eq({e: mine.get(e) for e in edges}, edges, "calls= counts on " + arch)
        total = int(re.search(r"^totals: (\d+)", open(profile).read(), re.M).group(1))
        t.eq(annotate(t, profile, True)["main"], total, "main's inclusive cost on " + arch)


def test_call_graph_off(t):
    """call-graph=off: the profile of before, self costs only (a function's
    recursion levels in one row), the same total."""
    program = guest("x86_64", PROGRAM)
    with_graph, without = t.path("graph.out"), t.path("plain.out")
    t.user("x86_64", program, ["100"], check=0, profile=with_graph, **ON)
    t.user("x86_64", program, ["100"], check=0, profile=without, call_graph="off", **ON)
    plain = open(without).read()
    t.check("calls=" not in plain and "'2" not in plain, "no calls, no recursion levels", plain)
    graph = annotate(t, with_graph, False)
    t.eq(annotate(t, without, False)["factorial"], graph["factorial"] + graph["factorial'2"],
         "factorial's levels in one row")
    t.eq(re.search(r"^totals: \d+", plain, re.M).group(0),
         re.search(r"^totals: \d+", open(with_graph).read(), re.M).group(0), "the same total")


def test_dynamic_calls_through_plt(t):
    """A dynamically linked program (tests/profile/dynamic.c, with -g, on
    Debian's libz, libm, libc): main's calls into the libraries go through
    PLT stubs, which the profile skips as Callgrind does (main -> compress2,
    not main -> a stub), each call with the callee's object (cob=) on the
    line it was made from; main's inclusive cost is Callgrind's."""
    need_callgrind()
    program = os.path.join(BUILD, "profile", "dynamic")
    theirs, ours = t.path("callgrind.out"), t.path("profile.out")
    callgrind(t, program, [], theirs)
    r = t.user("x86_64", program, [], check=0, profile=ours, **ON)
    t.eq(r.returncode, 0, "the program runs under the plugin", r)
    their_calls, my_calls = calls(theirs), calls(ours)
    for callee in ("compress2", "qsort"):
        t.eq(my_calls.get(("main", callee)), their_calls.get(("main", callee)),
             "main -> %s, through its PLT stub" % callee)
    t.check(not any("@plt" in callee or callee == "(no symbol)" for _, callee in my_calls),
            "no call into a stub", sorted(my_calls))
    text = open(ours).read()
    m = re.search(r"^fn=main\n(?:(?!fn=).*\n)*?cob=(\S+)\ncfi=.*\ncfn=compress2\ncalls=1 0\n"
                  r"(\d+) (\d+)$", text, re.M)
    t.check(m is not None and "libz.so" in m.group(1) and int(m.group(2)) > 0,
            "main's call of compress2: libz's, on a source line of main", text[:3000])
    mine, reference = annotate(t, ours, True), annotate(t, theirs, True)
    t.check(abs(mine["main"] - reference["main"]) <= 0.01 * reference["main"],
            "main's inclusive cost %d vs Callgrind's %d" % (mine["main"], reference["main"]))
