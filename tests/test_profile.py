# SPDX-License-Identifier: GPL-2.0-or-later
"""profile= on programs as users build them (tests/profile/): dynamically
linked against Debian's zlib and libm, run under Callgrind and under the
plugin; every mapped ELF's functions named as Callgrind names them, the
libraries as ob=, source lines that callgrind_annotate --auto=yes
annotates; a stripped program, a corrupt debug file, a dlopen/dlclose loop
and generated code named by address, never a crash; symbol names that
cannot write lines of the profile (docs/valgrind.md, "Names")."""
import os
import re
import shutil

from harness import BUILD, Skip, runs_natively

OUT = os.path.join(BUILD, "profile")
ON = dict(valgrind="on", collect_atstart="off", summary="none")
# glibc picks these by the CPU's features, which QEMU's and Valgrind's
# differ in (issue 19, item 1): their names and counts are not compared.
CPU_VARIANT = re.compile(r"_(avx|avx2|evex|sse\d*|ssse3|fma\d?|erms|unaligned)")
ANNOTATED_LINE = re.compile(r"^\s*([\d,]+) \([\s\d.]+%\)\s+(.*)$")


def need_callgrind():
    if shutil.which("valgrind") is None or not runs_natively("x86_64"):
        raise Skip("valgrind cannot run here (scripts/install-deps.sh build installs it)")


def callgrind(t, program, args=(), name="callgrind.out"):
    out = t.path(name)
    t.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
           "--callgrind-out-file=" + out, program] + [str(a) for a in args], check=0,
          timeout=300)
    return out


def plugin_profile(t, program, args=(), name="profile.out", **options):
    out = t.path(name)
    r = t.user("x86_64", program, list(args), check=0, profile=out, **dict(ON, **options))
    return out, r


def functions(t, path):
    """callgrind_annotate's table: {function: (Ir, object)}."""
    out = t.run(["callgrind_annotate", "--auto=no", "--threshold=100", path], check=0).stdout
    table = {}
    line = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+([^:\n]*):(.+?)(?: \[([^\]]*)\])?\s*$",
                      re.M)
    for m in line.finditer(out):
        ir = int(m.group(1).replace(",", ""))
        fn = re.sub(r"'\d+$", "", m.group(3))  # Callgrind's recursion cycles: one function
        old = table.get(fn, (0, None))
        table[fn] = (old[0] + ir, m.group(4) or old[1])
    return table


def total(path):
    return int(re.search(r"^(?:summary|totals): (\d+)", open(path).read(), re.M).group(1))


def unnamed(table):
    """Instructions in code no symbol names."""
    return sum(ir for fn, (ir, _) in table.items() if fn == "(no symbol)" or fn.startswith("0x"))


def test_dynamic_program_as_callgrind(t):
    """Library code named, the same names as Callgrind's, ob= the library."""
    need_callgrind()
    program = os.path.join(OUT, "dynamic")
    theirs_path = callgrind(t, program)
    ours_path, r = plugin_profile(t, program)
    t.eq(r.returncode, 0, "the program runs under the plugin", r)
    theirs, ours = functions(t, theirs_path), functions(t, ours_path)
    t.check("(no symbol)" not in ours, "no (no symbol) row", ours)
    t.check(unnamed(ours) <= unnamed(theirs) * 1.001,
            "unnamed code at most Callgrind's (zlib has no debug file: Callgrind names its "
            "static functions by address too): %d vs %d" % (unnamed(ours), unnamed(theirs)))
    for fn in ours:
        t.check(not fn.startswith("0x") or fn in theirs or ours[fn][0] < 100,
                "an address-named function of the profile is Callgrind's too: " + fn)
    top = sorted(theirs.items(), key=lambda kv: -kv[1][0])[:10]
    compared = 0
    for fn, (ir, obj) in top:
        if CPU_VARIANT.search(fn):
            continue
        t.check(fn in ours, "Callgrind's top function %s is in the profile" % fn,
                sorted(ours.items(), key=lambda kv: -kv[1][0])[:15])
        mine, my_obj = ours[fn]
        t.eq(my_obj, obj, "%s: the same object" % fn)
        t.check(abs(mine - ir) <= 0.01 * ir, "%s: %d vs Callgrind's %d" % (fn, mine, ir))
        compared += 1
    t.check(compared >= 6, "most of the top 10 compared", top)
    text = open(ours_path).read()
    for lib in ("libz.so", "libc.so.6", "libm.so.6"):
        t.check(re.search(r"^ob=/\S*%s" % re.escape(lib), text, re.M) is not None,
                "ob= names " + lib)


def annotated_lines(t, path, source):
    """{source line text: Ir} of callgrind_annotate --auto=yes for source."""
    out = t.run(["callgrind_annotate", "--auto=yes", "--threshold=100", path], check=0).stdout
    # callgrind_annotate names the file relative to its working directory
    # when it lies below it.
    part = re.split(r"Auto-annotated source: \S*%s\n" % re.escape(os.path.basename(source)),
                    out, maxsplit=1)
    lines = {}
    if len(part) == 2:
        for text in part[1].split("Auto-annotated source: ", 1)[0].splitlines():
            m = ANNOTATED_LINE.match(text)
            if m:
                lines[m.group(2).strip()] = int(m.group(1).replace(",", ""))
    return lines


def test_source_lines_annotated(t):
    """callgrind_annotate --auto=yes annotates the program's own source from
    the profile's line numbers, with Callgrind's counts."""
    need_callgrind()
    program = os.path.join(OUT, "dynamic")
    source = os.path.realpath(os.path.join(os.path.dirname(__file__), "profile", "dynamic.c"))
    ours = annotated_lines(t, plugin_profile(t, program)[0], source)
    theirs = annotated_lines(t, callgrind(t, program), source)
    loop = "sum = sum * 31 + buf[i];"
    t.check(ours.get(loop, 0) > 0, "the checksum loop's line annotated", ours)
    t.eq(ours.get(loop), theirs.get(loop), "its count, ours and Callgrind's")
    line_sort = "return (x > y) - (x < y);"
    t.eq(ours.get(line_sort), theirs.get(line_sort), "the comparison's line")


def test_bad_input_never_crashes(t):
    """Stripped, a corrupt debug file, libraries unloaded and others loaded at
    their address, generated code: the run and the profile complete; names
    fall back to the address."""
    for name, args, expect in (("dynamic-stripped", (), "rc 0 packed"),
                               ("dynamic-baddebug", (), "rc 0 packed"),
                               ("dlopen_loop", (200,), "generated 42000")):
        profile, r = plugin_profile(t, os.path.join(OUT, name), args, name=name + ".out",
                                    collect_atstart="on")
        t.eq(r.returncode, 0, name + " runs to its end", r)
        t.contains(r.stdout, expect, name + "'s output", r)
        table = functions(t, profile)
        t.check(sum(ir for ir, _ in table.values()) == total(profile),
                name + ": callgrind_annotate reads the whole profile")
        t.check("inflate" in table or "deflate" in table or "compressBound" in table,
                name + ": library functions still named", sorted(table)[:40])
    stripped = functions(t, t.path("dynamic-stripped.out"))
    t.check(not any(fn in stripped for fn in ("checksum", "by_value")),
            "the stripped program's own functions have no names", sorted(stripped))
    loop = functions(t, t.path("dlopen_loop.out"))
    t.check("compressBound" in loop and "cos" in loop,
            "functions of libraries loaded and unloaded 200 times", sorted(loop))


def test_symbol_names_cannot_forge_lines(t):
    """A symbol holding newlines and a cost line (written into the ELF's
    string tables) becomes one escaped name: callgrind_annotate shows no
    function it did not run (issue 21, finding 6)."""
    data = open(os.path.join(OUT, "named"), "rb").read()
    plain = b"evilXfnYforgedX0Z999999999"
    evil = plain.replace(b"X", b"\n").replace(b"Y", b"=").replace(b"Z", b" ")
    t.check(plain in data, "the test program has the symbol to rewrite")
    program = t.path("named")
    with open(program, "wb") as f:
        f.write(data.replace(plain, evil))
    os.chmod(program, 0o755)
    profile, r = plugin_profile(t, program, collect_atstart="on")
    t.eq(r.returncode, 0, "the program runs", r)
    text = open(profile).read()
    t.check("\nfn=forged" not in text and "\n0 999999999" not in text,
            "no line of the symbol's making", text[-2000:])
    t.contains(text, "fn=evil\\x0afn=forged\\x0a0 999999999\n", "the name, escaped")
    table = functions(t, profile)
    t.check(all(ir < 999999999 for ir, _ in table.values()) and "forged" not in table,
            "callgrind_annotate shows no forged function", table)
    t.eq(sum(ir for ir, _ in table.values()), total(profile), "every cost line is a real one")


def test_system_mode_kernel_symbols(t):
    """System mode: the kernel's functions named from the ELF given as
    -kernel, or from a System.map given as symbols=."""
    elf = os.path.join(BUILD, "baremetal", "x86", "idle.elf")
    t.check(os.path.exists(elf), "the bare-metal kernel is built (make all)", elf)
    profile = t.path("kernel.out")
    r = t.system(elf, valgrind="on", profile=profile, summary="none", timeout=60)
    t.eq(r.returncode, 1, "the kernel ran to its end", r)
    table = functions(t, profile)
    t.check("kernel_main" in table and table["kernel_main"][1] == elf,
            "kernel_main named from -kernel's ELF, its object the ELF", sorted(table)[:30])
    symbol_map = t.path("System.map")
    nm = t.run(["nm", "-n", elf], check=0).stdout
    with open(symbol_map, "w") as f:
        f.write(nm)
    profile_map = t.path("kernel-map.out")
    r = t.system(elf, valgrind="on", profile=profile_map, symbols=symbol_map, summary="none",
                 timeout=60)
    t.eq(r.returncode, 1, "the kernel ran to its end", r)
    from_map = functions(t, profile_map)
    t.check("kernel_main" in from_map, "kernel_main named from the System.map",
            sorted(from_map)[:30])
    t.eq(from_map["kernel_main"][0], table["kernel_main"][0],
         "the same count for kernel_main either way")
    bad = t.system(elf, valgrind="on", profile=t.path("x.out"), symbols=t.path("missing"),
                   summary="none", timeout=60)
    t.check("option 'symbols=" in bad.stderr and "No such file" in bad.stderr and
            "Could not load plugin" in bad.stderr and not os.path.exists(t.path("x.out")),
            "a missing symbols= file is refused with its option named", bad)
