#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the tests: every test_* function of every tests/test_*.py module.

  tests/run.py [-j N] [PATTERN...]   run the tests whose name contains a pattern

Prints one line per test and ends with 'N passed, N failed, N skipped'.
"""
import argparse
import concurrent.futures
import importlib.util
import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402


def collect(patterns):
    here = os.path.dirname(os.path.abspath(__file__))
    tests = []
    for name in sorted(os.listdir(here)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(here, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr in sorted(vars(module)):
            fn = getattr(module, attr)
            if attr.startswith("test_") and callable(fn):
                for key in getattr(fn, "qemus", (None,)):
                    full = "%s.%s" % (name[5:-3], attr[5:]) + ("@" + key if key else "")
                    if not patterns or any(p in full for p in patterns):
                        tests.append((full, fn, key))
    return tests


def run_one(full, fn, qemu_key):
    t = harness.Test(re.sub(r"[^\w-]", "-", full), qemu_key or "built")
    start = time.time()
    try:
        fn(t)
        outcome, detail = "passed", ""
    except harness.Skip as e:
        outcome, detail = "skipped", str(e)
    except harness.Failure as e:
        outcome, detail = "failed", str(e)
    except Exception:
        outcome, detail = "failed", traceback.format_exc()
    finally:
        if os.environ.get("KEEP") is None:
            t.cleanup()
    return full, outcome, detail, time.time() - start, t.notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-j", type=int, default=int(os.environ.get("JOBS", 2)))
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()
    tests = collect(args.patterns)
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    failures = []
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        futures = [pool.submit(run_one, full, fn, key) for full, fn, key in tests]
        for future in concurrent.futures.as_completed(futures):
            full, outcome, detail, seconds, notes = future.result()
            counts[outcome] += 1
            mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}[outcome]
            line = "%s %-48s %6.1fs" % (mark, full, seconds)
            if outcome == "skipped":
                line += "  (%s)" % detail
            for note in notes:
                line += "\n       " + note
            print(line, flush=True)
            if outcome == "failed":
                failures.append((full, detail))
    for full, detail in failures:
        print("\n=== %s ===\n%s" % (full, detail.rstrip()))
    print("\n%d tests in %.0f s" % (len(tests), time.time() - start))
    summary = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    if counts["skipped"]:
        summary += ", %d skipped" % counts["skipped"]
    print(summary)
    return 1 if counts["failed"] or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
