#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Which stored class properties Swift checks for exclusivity at run time.

Reads optimised SIL (swiftc -emit-sil -O -whole-module-optimization) and
counts, per property, the accesses left `[dynamic]`. The optimiser proves
an access safe when compiled only if no access to that property anywhere
in the module spans code it cannot see through (a call into another
module, a release that could run a deinit); one such access makes them
all checked at run time, each check a thread-local lookup and a walk of
the thread's active accesses. OutputBuffer.appendToTail says how the
transport avoids that on its hot paths.

  dynamic_accesses.py FILE.sil            the table: accesses, of them the
                                          ones that span unknown code, and where
  dynamic_accesses.py FILE.sil --hot P..  also one test per property P: it
                                          passes when P is accessed and no access
                                          to it is dynamic
"""
import re
import sys
from collections import Counter, defaultdict


def scan(path):
    dynamic, spanning, where = Counter(), Counter(), defaultdict(set)
    address, seen = {}, set()
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("sil "):
            address = {}
            continue
        m = re.match(r"\s*(%\d+) = ref_element_addr (?:\[immutable\] )?%\d+(?: : \$\S+)?, #([\w.]+)", line)
        if m:
            address[m.group(1)] = m.group(2)
            seen.add(m.group(2))
            continue
        m = re.match(r"\s*%\d+ = begin_access \[(\w+)\] \[dynamic\]( \[no_nested_conflict\])? (%\d+)"
                     r".*?loc \"([^\"]+)\":(\d+)", line)
        if m:
            prop = address.get(m.group(3), "(not a class property)")
            dynamic[prop] += 1
            if not m.group(2):
                spanning[prop] += 1
                where[prop].add(f"{m.group(4).rsplit('/', 1)[-1]}:{m.group(5)}")
    return dynamic, spanning, where, seen


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__.strip())
        return 2
    hot = args[args.index("--hot") + 1:] if "--hot" in args else []
    dynamic, spanning, where, seen = scan(args[0])
    for prop, count in dynamic.most_common():
        print(f"{count:4} {spanning[prop]:3}  {prop}  {' '.join(sorted(where[prop])[:8])}")
    if not hot:
        return 0
    passed = failed = 0
    for prop in hot:
        if prop not in seen:
            failed += 1
            print(f"FAIL {prop}: no access to it in the SIL (renamed or gone? update the list)")
        elif dynamic[prop]:
            failed += 1
            print(f"FAIL {prop}: {dynamic[prop]} accesses checked at run time; "
                  f"spanning unknown code at {' '.join(sorted(where[prop])) or '(none listed)'}")
        else:
            passed += 1
            print(f"PASS {prop}")
    print(f"exclusivity: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
