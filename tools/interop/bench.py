#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Rough PUSH/PULL throughput (100-byte messages) between zgss and stock
libzmq through Python, NULL and encrypted. Not a test; run inside a realm:
  ZGSS_LIB=$PWD/.dist/lib/libzgss.so python3 tools/testrealm.py run -- \
      /usr/bin/python3 tools/interop/bench.py [COUNT]
"""
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

import zmq  # noqa: E402
import zgss  # noqa: E402
from sides import Side  # noqa: E402


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
    z = Side("zgss", zgss, zgss.Context())
    l = Side("libzmq", zmq, zmq.Context())
    for mode in ("null", "encrypted"):
        for sender, receiver in ((z, l), (l, z), (z, z)):
            pull = receiver.socket(zmq.PULL, "server", mode)
            endpoint = receiver.bind_any(pull)
            push = sender.socket(zmq.PUSH, "client", mode)
            push.connect(endpoint)
            push.send(b"warm-up")
            pull.recv()
            message = b"x" * 100
            started = time.monotonic()
            drain = threading.Thread(target=lambda: [pull.recv() for _ in range(count)])
            drain.start()
            for _ in range(count):
                push.send(message)
            drain.join()
            rate = count / (time.monotonic() - started)
            print("%-9s %-6s -> %-6s %8.0f msg/s" % (mode, sender.name, receiver.name, rate), flush=True)
            z.close_all()
            l.close_all()
    z.context.term()
    l.context.term()


if __name__ == "__main__":
    main()
