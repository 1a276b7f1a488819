# SPDX-License-Identifier: MIT
"""The zgss demo: zgss sockets and stock libzmq 4.3.4 (Debian's pyzmq, with
GSSAPI) authenticate each other with Kerberos and talk encrypted, in both
roles. Run it inside a realm (tools/demo.sh does all of it):
    python3 tools/testrealm.py run -- /usr/bin/python3 examples/demo_sockets.py
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

import zgss  # noqa: E402
import zmq  # noqa: E402

TIMEOUT = 5000


def step(text):
    print(f"\n-- {text}")


def stock(ctx, kind, server):
    s = ctx.socket(kind)
    if server:
        s.setsockopt(zmq.GSSAPI_SERVER, 1)
    else:
        s.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL, b"zmq@localhost")
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT)
    s.setsockopt(zmq.LINGER, 0)
    return s


def ours(zctx, kind, server, service="zmq@localhost"):
    s = zctx.socket(kind)
    if server:
        s.setsockopt(zgss.GSSAPI_SERVER, 1)
    else:
        s.setsockopt_string(zgss.GSSAPI_SERVICE_PRINCIPAL, service)
    s.setsockopt(zgss.RCVTIMEO, TIMEOUT)
    s.setsockopt(zgss.LINGER, 0)
    return s


def main():
    print(f"zgss {zgss.version()} and libzmq {zmq.zmq_version()}, realm {os.environ.get('ZGSS_TEST_REALM')}")
    ctx = zmq.Context()
    with zgss.Context() as zctx:
        step("zgss REP server <- stock libzmq REQ client (encrypted)")
        with ours(zctx, zgss.REP, server=True) as rep:
            rep.bind("tcp://127.0.0.1:*")
            req = stock(ctx, zmq.REQ, server=False)
            req.connect(rep.getsockopt_string(zgss.LAST_ENDPOINT))
            req.send(b"hello from libzmq")
            print("zgss server received:", rep.recv())
            print("authenticated client principal:", rep.getsockopt_string(zgss.PEER_PRINCIPAL))
            rep.send(b"hello from zgss")
            print("libzmq client received:", req.recv())
            req.close()

        step("zgss REQ client -> stock libzmq REP server (encrypted)")
        rep = stock(ctx, zmq.REP, server=True)
        port = rep.bind_to_random_port("tcp://127.0.0.1")
        with ours(zctx, zgss.REQ, server=False) as req:
            req.connect(f"tcp://127.0.0.1:{port}")
            req.send(b"ping")
            print("libzmq server received:", rep.recv())
            rep.send(b"pong")
            print("zgss client received:", req.recv())
            print("authenticated service principal:", req.getsockopt_string(zgss.PEER_PRINCIPAL))
        rep.close()

        step("zgss PUB -> stock libzmq SUB, encrypted (two stock 4.3.4 peers deliver nothing here)")
        with ours(zctx, zgss.PUB, server=True) as pub:
            pub.bind("tcp://127.0.0.1:*")
            sub = stock(ctx, zmq.SUB, server=False)
            sub.setsockopt(zmq.SUBSCRIBE, b"weather")
            sub.connect(pub.getsockopt_string(zgss.LAST_ENDPOINT))
            deadline = time.time() + TIMEOUT / 1000
            received = None
            while received is None and time.time() < deadline:
                pub.send(b"sports 1-0")
                pub.send(b"weather sunny")
                try:
                    received = sub.recv(zmq.NOBLOCK)
                except zmq.Again:
                    time.sleep(0.05)
            print("libzmq subscriber received:", received)
            sub.close()

        step("a failure is explained: zgss client asking for a service the KDC does not know")
        rep = stock(ctx, zmq.REP, server=True)
        port = rep.bind_to_random_port("tcp://127.0.0.1")
        with ours(zctx, zgss.REQ, server=False, service="nosuch@localhost") as req:
            req.setsockopt(zgss.RCVTIMEO, 1000)
            req.connect(f"tcp://127.0.0.1:{port}")
            req.send(b"anyone?")
            try:
                req.recv()
            except zgss.Again as e:
                print("no reply; ZGSS_LAST_ERROR:", e.last_error)
        rep.close()
    ctx.term()


if __name__ == "__main__":
    main()
