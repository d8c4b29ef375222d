# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation states what the code does: README lists every option,
and the Python side's register maps are those of docs/abi.md. The ABI tables
of docs/ are generated from ops.h (tests/test_abi.py)."""
import os
import re

from harness import ROOT
from registers import REGISTERS


def test_readme_lists_every_option(t):
    source = open(os.path.join(ROOT, "plugin", "core", "options.c")).read()
    keys = re.search(r'known_keys =\s*((?:"[^"]*"\s*)+);', source).group(1)
    keys = [k.strip() for k in "".join(re.findall(r'"([^"]*)"', keys)).split(",")]
    readme = open(os.path.join(ROOT, "README.md")).read()
    for key in keys:
        t.contains(readme, "| `%s=" % key, "README documents option " + key)


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
