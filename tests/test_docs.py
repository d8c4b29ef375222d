# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation states what the code does: every option reaches the
parser, the launcher and the docs,
and the Python side's register maps are those of docs/abi.md. The ABI tables
of docs/ are generated from ops.h (tests/test_abi.py)."""
import os
import re
import subprocess

import abi
from harness import BUILD, ROOT
from registers import REGISTERS


def test_every_option_reaches_the_launcher_and_the_docs(t):
    """Each line of backdoor/options.h is an option of the plugin (its key in
    the parser's own list of keys), a --KEY of qemu-backdoor's --help with
    the same value syntax, and a row of README's table and the manual page
    (both generated: tests/test_abi.py checks they are up to date)."""
    help_text = subprocess.run([os.path.join(BUILD, "qemu-backdoor"), "--help"],
                               capture_output=True, text=True, check=True).stdout
    readme = open(os.path.join(ROOT, "README.md")).read()
    man = open(os.path.join(ROOT, "docs", "qemu-backdoor.1")).read()
    keys = subprocess.run([os.path.join(BUILD, "unit", "test_options"), "--keys"],
                          capture_output=True, text=True, check=True).stdout.split(", ")
    t.eq([k.strip() for k in keys], list(abi.OPTIONS), "the plugin's keys, in order")
    for key, option in abi.OPTIONS.items():
        form = "--" + key if option.flag else "--%s=%s" % (key, option.syntax)
        t.check(re.search(r"^  %s( |$)" % re.escape(form), help_text, re.M),
                "qemu-backdoor --help lists " + form, help_text)
        t.contains(readme, "| `%s=%s` |" % (key, option.syntax.replace("|", "\\|")),
                   "README documents option " + key)
        t.contains(man, "\\-\\-" + key.replace("-", "\\-"), "the manual page documents " + key)


def as_documented(name):
    """A QEMU register name as docs/abi.md writes it where the request uses
    its 32-bit part (LEAF and SELECTOR: EAX, w1)."""
    return {"r": "e", "x": "w"}.get(name[0], name[0]) + name[1:]


def test_register_maps_match_abi_md(t):
    """tests/lib/registers.py, the one register map of the Python side,
    says what the table 'Register maps' of docs/abi.md says."""
    doc = open(os.path.join(ROOT, "docs", "abi.md")).read()
    start = doc.index("## Register maps")
    table = doc[start:doc.index("\n\n", doc.index("\n|", start) + 1)]
    rows = {m.group(1): m.group(2).split(" | ") for m in
            re.finditer(r"^\| ([\w-]+) \| (.*) \|$", table, re.M)}
    t.eq(sorted(rows), ["aarch64", "i386", "riscv64", "x86-64"], "rows of the table", rows)
    for arch, row in rows.items():
        regs = REGISTERS[arch.replace("-", "_")]
        words = [as_documented(regs.leaf), as_documented(regs.selector)]
        want = [w.upper() if arch.startswith(("x86", "i386")) else w for w in
                words + list(regs.args) + [regs.result]]
        t.eq(row, want, "register map of " + arch)
    i386 = REGISTERS["i386"]

    def wide(name):
        return "r" + name[1:]
    t.eq(REGISTERS["i386 under qemu-*-x86_64"],
         (wide(i386.leaf), wide(i386.selector), tuple(map(wide, i386.args)), wide(i386.result)),
         "32-bit requests under the x86-64 targets: the i386 map in 64-bit names")
