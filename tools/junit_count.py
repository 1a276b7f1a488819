#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads JUnit/xUnit XML files (swift test --xunit-output, pytest --junitxml)
and prints "NAME: N passed, M failed" for tools/test.sh.

A skipped test counts as failed: the suite promises that nothing is skipped.
No file, an unreadable file, or zero test cases in all files is a failure
too, so a stage cannot pass by running nothing.
    tools/junit_count.py NAME FILE [FILE...]
Exit status: 0 when every case passed and there was at least one.
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    passed = failed = 0
    problems = []
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = "%s.%s" % (case.get("classname", "?"), case.get("name", "?"))
        verdicts = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        if verdicts:
            failed += 1
            problems.append("%s: %s" % (verdicts[0], name))
        else:
            passed += 1
    return passed, failed, problems


def main(argv):
    if len(argv) < 3:
        print("usage: junit_count.py NAME FILE [FILE...]", file=sys.stderr)
        return 2
    name, paths = argv[1], argv[2:]
    passed = failed = 0
    for path in paths:
        try:
            p, f, problems = count(path)
        except (OSError, ET.ParseError) as error:
            print("%s: cannot read test results %s: %s" % (name, path, error))
            failed += 1
            continue
        passed += p
        failed += f
        for line in problems:
            print("%s: %s" % (name, line))
    if passed + failed == 0:
        print("%s: no test ran" % name)
        failed = 1
    print("%s: %d passed, %d failed" % (name, passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
