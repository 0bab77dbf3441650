#!/usr/bin/env python3
"""Sums up the test command: CTest's JUnit files and the skip log of tests/support/skip.hpp.

Usage: scripts/test-summary.py SKIP_LOG JUNIT_FILE...

Prints the tests skipped, grouped by reason with their counts, then one last line
"N passed, N failed, N skipped". Exit status 1 when a test failed, else 0.
"""
import collections
import sys
import xml.etree.ElementTree as ElementTree


def outcomes(junit_file):
    """(passed, failed, skipped) of one CTest --output-junit file."""
    passed = failed = skipped = 0
    for case in ElementTree.parse(junit_file).getroot().iter("testcase"):
        status = case.get("status", "")
        if case.find("skipped") is not None or status in ("notrun", "disabled"):
            skipped += 1
        elif case.find("failure") is not None or case.find("error") is not None or status == "fail":
            failed += 1
        else:
            passed += 1
    return passed, failed, skipped


def skip_reasons(skip_log):
    """reason -> tests, from the lines "<reason>\t<test>\t<detail>"."""
    reasons = collections.defaultdict(list)
    try:
        with open(skip_log, encoding="utf-8", errors="replace") as log:
            for line in log:
                fields = line.rstrip("\n").split("\t")
                if len(fields) >= 2:
                    reasons[fields[0]].append(fields[1])
    except FileNotFoundError:
        pass
    return reasons


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    totals = [0, 0, 0]
    for junit_file in argv[2:]:
        for i, count in enumerate(outcomes(junit_file)):
            totals[i] += count
    reasons = skip_reasons(argv[1])
    if reasons:
        print("skipped, by reason (under CI=true only reasons this machine cannot provide are allowed):")
        for reason, tests in sorted(reasons.items()):
            print(f"  {reason}: {len(tests)}")
            for test in tests:
                print(f"    {test}")
    passed, failed, skipped = totals
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
