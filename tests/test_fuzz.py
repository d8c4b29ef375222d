# SPDX-License-Identifier: GPL-2.0-or-later
"""The libFuzzer targets (tests/fuzz) for a few seconds each, from the seed
corpus in the tree: no sanitizer report, no broken invariant, and enough
inputs run to mean something. 'make fuzz' runs them for minutes."""
import glob
import os
import re

from harness import BUILD, ROOT

SECONDS = 5
# Each target runs 15,000-40,000 inputs a second on one idle core; this
# floor still holds on a machine busy with the other tests.
MIN_RUNS = 5000


def _fuzz(name):
    def test(t):
        seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
        found = t.path("corpus")
        os.mkdir(found)
        cmd = [os.path.join(BUILD, "fuzz", name), "-max_total_time=%d" % SECONDS,
               "-print_final_stats=1", "-timeout=10", "-artifact_prefix=%s/" % t.dir]
        dictionary = os.path.join(ROOT, "tests", "fuzz", name + ".dict")
        if os.path.exists(dictionary):
            cmd.append("-dict=" + dictionary)
        r = t.run(cmd + [found, seeds], timeout=SECONDS + 60)
        t.eq(r.returncode, 0, "%s found a crash, a sanitizer report or a broken invariant"
             % name, r)
        m = re.search(r"INFO: seed corpus: files: (\d+)", r.stderr)
        t.eq(int(m.group(1)) if m else None, len(os.listdir(seeds)),
             "every seed of tests/fuzz/corpus/%s was read" % name, r)
        m = re.search(r"stat::number_of_executed_units: (\d+)", r.stderr)
        runs = int(m.group(1)) if m else 0
        t.check(runs >= MIN_RUNS, "%s ran %d inputs, fewer than %d" % (name, runs, MIN_RUNS), r)
        t.notes.append("%s: %d inputs in %d s, %d new corpus entries"
                       % (name, runs, SECONDS, len(os.listdir(found))))
    return test


for _path in sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "fuzz_*.c"))):
    _name = os.path.basename(_path)[:-2]
    globals()["test_" + _name[5:]] = _fuzz(_name)
