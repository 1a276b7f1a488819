# SPDX-License-Identifier: MIT
"""The message patterns each interop cell runs: (client type, server
type, exercise(client_side, client, server_side, server))."""
import os
import time

import zmq

from sides import check


def req_rep(cs, c, ss, s):
    for i in range(3):
        c.send(b"request %d" % i)
        check(s.recv() == b"request %d" % i, "REP got the wrong request")
        s.send(b"reply %d" % i)
        check(c.recv() == b"reply %d" % i, "REQ got the wrong reply")


def dealer_router(cs, c, ss, s):
    big = os.urandom(1 << 20)
    c.send_multipart([b"hello", b"", big])
    parts = s.recv_multipart()
    check(len(parts) == 4, "ROUTER got %d parts, wanted 4" % len(parts))
    check(parts[0] == b"dealer-1", "ROUTER saw routing id %r, wanted the DEALER's Identity" % parts[0])
    check(parts[1:] == [b"hello", b"", big], "ROUTER got the wrong parts")
    s.send_multipart([parts[0], b"reply", b"", big[::-1]])
    back = c.recv_multipart()
    check(back == [b"reply", b"", big[::-1]], "DEALER got the wrong reply (%d parts)" % len(back))


def push_pull(cs, c, ss, s):
    for i in range(1000):
        c.send(b"message %d" % i)
    for i in range(1000):
        got = s.recv()
        check(got == b"message %d" % i, "PULL got %r at %d" % (got[:20], i))


def pub_sub(cs, sub, ss, pub):
    sub.setsockopt(zmq.SUBSCRIBE, b"A")
    sub.setsockopt(zmq.SUBSCRIBE, b"B.")
    deadline = time.monotonic() + 8
    synced = False
    while time.monotonic() < deadline and not synced:
        pub.send(b"A-sync")
        time.sleep(0.05)
        synced = cs.try_recv(sub) is not None
    check(synced, "SUB never received a matching message (subscription not honoured)")
    pub.send(b"C-no")
    pub.send(b"B.yes")
    pub.send(b"Bx-no")
    pub.send_multipart([b"A-multi", b"payload"])
    pub.send(b"A-yes")
    pub.send(b"B.end")
    got = []
    while True:
        parts = sub.recv_multipart()
        if parts == [b"A-sync"]:
            continue
        got.append(parts)
        if parts == [b"B.end"]:
            break
    want = [[b"B.yes"], [b"A-multi", b"payload"], [b"A-yes"], [b"B.end"]]
    check(got == want, "SUB got %r, wanted %r" % (got, want))


def pair(cs, c, ss, s):
    for i in range(2):
        c.send(b"ping %d" % i)
        check(s.recv() == b"ping %d" % i, "PAIR server got the wrong message")
        s.send(b"pong %d" % i)
        check(c.recv() == b"pong %d" % i, "PAIR client got the wrong message")


PATTERNS = {
    "REQ/REP": (zmq.REQ, zmq.REP, req_rep, {}),
    "DEALER/ROUTER": (zmq.DEALER, zmq.ROUTER, dealer_router, {"ROUTING_ID": b"dealer-1"}),
    "PUSH/PULL x1000": (zmq.PUSH, zmq.PULL, push_pull, {}),
    "SUB/PUB": (zmq.SUB, zmq.PUB, pub_sub, {}),
    "PAIR": (zmq.PAIR, zmq.PAIR, pair, {}),
}
