#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""include/zgss.h is the one source of zgss's numbers; this checks the
copies that cannot include it:

  - every zmq.h constant that zgss.h and zgss_zmq.h mirror (socket types,
    flags, options, ZMQ_HAUSNUMERO and libzmq's errno values, the API
    version) against the system's <errno.h> + <zmq.h> (stock libzmq);
  - python/zgss/constants.py (SOCKET_OPTIONS names and numbers, socket
    types, flags, name types, errno values) and the example bindings'
    top-level constants (examples/sansio, examples/mqtt) against the
    headers.

The values come from a C compiler, never from reading the text, so an
expression such as (ZMQ_HAUSNUMERO + 51) counts as the compiler sees it.
The Swift code imports the header (Sources/CZGSSHeader) and
Tests/ZGSSTests/HeaderConstantsTests checks what it must still spell
itself. Prints "constants: N passed, M failed"; exits 1 on any failure.
  tools/check-constants.py
"""
import ast
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(ROOT, "include")
passed = failed = 0


def check(ok, message):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("check-constants: " + message)


def macro_names(path):
    """Object-like macros a header defines (function-like ones and include
    guards left out)."""
    names = []
    for line in open(path, encoding="utf-8"):
        match = re.match(r"\s*#\s*define\s+([A-Z_][A-Z0-9_]*)(\s+|$)", line)
        if match and not is_guard(match.group(1)) and '"' not in line:
            names.append(match.group(1))
    return names


def is_guard(name):
    return name.endswith("_INCLUDED") or name.endswith("_INCLUDED__")


def values(prelude, names):
    """name -> integer value (None: not defined, or not an integer) as a C
    program with `prelude` sees them."""
    lines = [prelude, "#include <stdio.h>", "int main(void) {"]
    for name in names:
        lines.append("#ifdef %s" % name)
        lines.append('  printf("%s %%lld\\n", (long long)(%s));' % (name, name))
        lines.append("#else")
        lines.append('  printf("%s -\\n");' % name)
        lines.append("#endif")
    lines.append("  return 0;\n}")
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, "values.c")
        binary = os.path.join(work, "values")
        with open(source, "w") as out:
            out.write("\n".join(lines) + "\n")
        build = subprocess.run(["cc", "-std=c99", "-w", "-I", INCLUDE, "-o", binary, source],
                               capture_output=True, text=True)
        if build.returncode != 0:
            check(False, "cannot compile a program with %r: %s" % (prelude, build.stderr.strip()[-400:]))
            return {}
        output = subprocess.run([binary], capture_output=True, text=True, check=True).stdout
    result = {}
    for line in output.splitlines():
        name, value = line.split(" ", 1)
        result[name] = None if value == "-" else int(value)
    return result


def mirrored_names():
    """The zmq.h constants zgss.h defines only when zmq.h has not (each
    under #ifndef NAME), and zgss_zmq.h's own zmq.h constants."""
    text = open(os.path.join(INCLUDE, "zgss.h"), encoding="utf-8").read()
    names = [n for n in re.findall(r"#ifndef\s+(\w+)\s*\n\s*#define\s+\1\b", text) if not is_guard(n)]
    names += [n for n in macro_names(os.path.join(INCLUDE, "zgss_zmq.h")) if n.startswith("ZMQ_")]
    return sorted(set(names))


EXAMPLE_BINDINGS = ["examples/sansio/zgss_mech.py", "examples/mqtt/zgss_mqtt.py"]


def top_level_numbers(path):
    """NAME = <int> at the top level of a Python file."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    numbers = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                numbers[node.targets[0].id] = value
    return numbers


def load_python_constants():
    path = os.path.join(ROOT, "python", "zgss", "constants.py")
    spec = importlib.util.spec_from_file_location("zgss_constants", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    names = mirrored_names()
    check(len(names) > 40, "found only %d mirrored zmq.h constants in the headers" % len(names))
    ours = values('#include "zgss_zmq.h"', names)
    stock = values("#include <errno.h>\n#include <zmq.h>", names)
    for name in names:
        check(ours.get(name) is not None, "%s has no integer value in zgss's headers" % name)
        check(stock.get(name) is not None, "%s is not in the system's zmq.h" % name)
        if ours.get(name) is not None and stock.get(name) is not None:
            check(ours[name] == stock[name], "%s is %s in zgss's headers, %s in zmq.h"
                  % (name, ours[name], stock[name]))

    # python/zgss/constants.py against the headers.
    header_names = sorted(set(names + macro_names(os.path.join(INCLUDE, "zgss.h"))))
    header = values('#include "zgss_zmq.h"', header_names)
    py = load_python_constants()
    for name, spec in py.SOCKET_OPTIONS.items():
        candidates = [c for c in ("ZMQ_" + name, "ZGSS_" + name) if header.get(c) is not None]
        check(len(candidates) == 1, "python SOCKET_OPTIONS[%r]: the headers have %s" % (name, candidates or "no such option"))
        if candidates:
            check(spec.number == header[candidates[0]], "python SOCKET_OPTIONS[%r] is %d, %s is %d"
                  % (name, spec.number, candidates[0], header[candidates[0]]))
    plain = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "DONTWAIT", "SNDMORE",
             "POLLIN", "POLLOUT", "POLLERR", "POLLPRI",
             "GSSAPI_NT_HOSTBASED", "GSSAPI_NT_USER_NAME", "GSSAPI_NT_KRB5_PRINCIPAL", "HAUSNUMERO"]
    for name in plain:
        check(hasattr(py, name), "python constants lack %s" % name)
        if hasattr(py, name):
            check(getattr(py, name) == header.get("ZMQ_" + name), "python %s is %r, ZMQ_%s is %r"
                  % (name, getattr(py, name), name, header.get("ZMQ_" + name)))
    for name in ["EFSM", "ETERM", "ENOCOMPATPROTO", "EMTHREAD"]:
        if hasattr(py, name):
            check(getattr(py, name) == header.get(name), "python %s is %r, the header's is %r"
                  % (name, getattr(py, name), header.get(name)))

    # The example bindings' own copies (top-level NAME = number, where NAME
    # or ZGSS_NAME is a header constant), read without importing them.
    for relative in EXAMPLE_BINDINGS:
        copies = top_level_numbers(os.path.join(ROOT, relative))
        check(len(copies) > 0, "%s: no constants found (moved? update EXAMPLE_BINDINGS)" % relative)
        for name, value in copies.items():
            header_name = name if name in header else "ZGSS_" + name if "ZGSS_" + name in header else None
            if header_name is None:
                continue
            check(value == header[header_name], "%s: %s is %d, %s is %r"
                  % (relative, name, value, header_name, header[header_name]))

    print("constants: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
