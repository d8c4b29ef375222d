# SPDX-License-Identifier: GPL-2.0-or-later
"""Host unit tests of the plugin's pure parts (tests/unit/*.c)."""
import glob
import os

from harness import BUILD, ROOT


def _unit(name):
    def test(t):
        r = t.run([os.path.join(BUILD, "unit", name)])
        t.eq(r.returncode, 0, "%s failed" % name, r)
        t.contains(r.stdout, " 0 failed", "%s summary" % name, r)
    return test


for _path in sorted(glob.glob(os.path.join(ROOT, "tests", "unit", "test_*.c"))):
    _name = os.path.basename(_path)[:-2]
    globals()[_name] = _unit(_name)
