#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Interop matrix: zgss (through libzgss.so's C ABI) against stock libzmq
4.3.4 (python3-zmq), inside a test realm (tools/testrealm.py run -- ...).

Prints one PASS/FAIL line per cell and ends with
"transport: N passed, M failed"; exits 1 when anything failed.
Usage: /usr/bin/python3 tools/interop/matrix.py [substring-filter] [--skip=SUBSTRING ...]
(--skip leaves out the cells whose name contains SUBSTRING; the sanitizer
stage uses it, see tools/test-sanitizers.sh.)
"""
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

import zmq  # noqa: E402
import zgss  # noqa: E402

from sides import Side  # noqa: E402
from patterns import PATTERNS  # noqa: E402
import cells_failure  # noqa: E402
import cells_api  # noqa: E402
import cells_topology  # noqa: E402
import cells_c  # noqa: E402

MODES = ("encrypted", "plaintext", "null")


def main():
    skipped = [arg[len("--skip="):] for arg in sys.argv[1:] if arg.startswith("--skip=")]
    filters = [arg for arg in sys.argv[1:] if not arg.startswith("--skip=")]
    wanted = filters[0] if filters else ""
    for name in ("KRB5_KTNAME", "KRB5_CLIENT_KTNAME", "KRB5_CONFIG"):
        if not os.environ.get(name):
            print("FAIL setup: %s is not set (run inside tools/testrealm.py run -- ...)" % name)
            print("transport: 0 passed, 1 failed")
            return 1
    check_libzmq = zmq.zmq_version() == "4.3.4" and zmq.has("gssapi")
    zctx = zgss.Context()
    lctx = zmq.Context()
    sides = {"zgss": Side("zgss", zgss, zctx), "libzmq": Side("libzmq", zmq, lctx)}
    cells = []
    for mode in MODES:
        for pattern, (client_type, server_type, exercise, client_options) in PATTERNS.items():
            for client, server in (("zgss", "libzmq"), ("libzmq", "zgss"), ("zgss", "zgss")):
                name = "%s %s client(%s) -> server(%s)" % (mode, pattern, client, server)
                cells.append((name, interop_cell(sides, mode, client, server, client_type, server_type,
                                                 exercise, client_options)))
    cells += [(name, bound(fn, sides)) for name, fn in cells_failure.CELLS]
    cells += [(name, bound(fn, sides)) for name, fn in cells_topology.CELLS]
    cells += [(name, bound(fn, sides)) for name, fn in cells_api.CELLS]
    cells += [(name, bound(fn, sides)) for name, fn in cells_c.CELLS]
    passed = failed = 0
    if not check_libzmq:
        print("FAIL setup: libzmq %s gssapi=%s (need 4.3.4 with GSSAPI)" % (zmq.zmq_version(), zmq.has("gssapi")))
        failed += 1
    for name, run in cells:
        if (wanted and wanted not in name) or any(part in name for part in skipped):
            continue
        started = time.monotonic()
        try:
            run()
            passed += 1
            print("PASS %s (%.2fs)" % (name, time.monotonic() - started), flush=True)
        except Exception as exc:
            failed += 1
            print("FAIL %s: %s" % (name, exc), flush=True)
            if os.environ.get("ZGSS_TEST_VERBOSE"):
                traceback.print_exc()
        finally:
            for side in sides.values():
                side.close_all()
    zctx.term()
    lctx.term()
    print("transport: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def bound(fn, sides):
    return lambda: fn(sides)


def interop_cell(sides, mode, client, server, client_type, server_type, exercise, client_options):
    def run():
        cs, ss = sides[client], sides[server]
        s = ss.socket(server_type, "server", mode)
        endpoint = ss.bind_any(s)
        c = cs.socket(client_type, "client", mode, **client_options)
        c.connect(endpoint)
        exercise(cs, c, ss, s)
    return run


if __name__ == "__main__":
    sys.exit(main())
