# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation states what the code does: README lists every option.
The ABI tables of docs/ are generated from ops.h (tests/test_abi.py)."""
import os
import re

from harness import ROOT


def test_readme_lists_every_option(t):
    source = open(os.path.join(ROOT, "plugin", "options.c")).read()
    keys = re.search(r'known_keys =\s*((?:"[^"]*"\s*)+);', source).group(1)
    keys = [k.strip() for k in "".join(re.findall(r'"([^"]*)"', keys)).split(",")]
    readme = open(os.path.join(ROOT, "README.md")).read()
    for key in keys:
        t.contains(readme, "| `%s=" % key, "README documents option " + key)
