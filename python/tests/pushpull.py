# SPDX-License-Identifier: MIT
"""Helpers for the Kerberos failure tests: zgss PUSH clients, a stock
libzmq (pyzmq) PULL server, and a loop that keeps every client sending
stamped messages while it watches what arrives."""
import time

import zmq

import zgss


def pull_server(zctx, port=None, deadline=5.0):
    """A stock GSSAPI PULL server on 127.0.0.1 (any free port, or `port`:
    after a close, libzmq frees the old listener in the background, so the
    bind is tried again until `deadline`). Returns (socket, port)."""
    sock = zctx.socket(zmq.PULL)
    sock.linger = 0
    sock.gssapi_server = True
    if port is None:
        return sock, sock.bind_to_random_port("tcp://127.0.0.1")
    end = time.monotonic() + deadline
    while True:
        try:
            sock.bind("tcp://127.0.0.1:%d" % port)
            return sock, port
        except zmq.ZMQError as exc:
            if exc.errno != zmq.EADDRINUSE or time.monotonic() > end:
                raise
            time.sleep(0.05)


def push_client(ctx, port, **options):
    """A zgss PUSH client of zmq@localhost; `options` are zgss option names."""
    sock = ctx.socket(zgss.PUSH)
    sock.setsockopt(zgss.LINGER, 0)
    sock.setsockopt(zgss.GSSAPI_SERVICE_PRINCIPAL, b"zmq@localhost")
    for name, value in options.items():
        sock.setsockopt(getattr(zgss, name), value.encode() if isinstance(value, str) else value)
    sock.connect("tcp://127.0.0.1:%d" % port)
    return sock


def deliveries(clients, server, seconds, done=lambda last: False, seen=None):
    """Every 0.2 s each client in `clients` (name -> socket) sends
    b"NAME SENT-AT" (skipped while it has no ready connection). Returns
    name -> the latest sending time the server received, as soon as
    done(that) holds or after `seconds`. `seen`, a set, collects every
    ZGSS_LAST_ERROR text the clients showed meanwhile."""
    last = {}
    end = time.monotonic() + max(seconds, 0)
    while True:
        for name, sock in clients.items():
            try:
                sock.send(b"%s %.3f" % (name.encode(), time.time()), zgss.DONTWAIT)
            except zgss.Again:
                pass
            if seen is not None and sock.last_error:
                seen.add(sock.last_error)
        round_end = time.monotonic() + 0.2
        while True:
            left = round_end - time.monotonic()
            if left <= 0 or not server.poll(int(left * 1000) + 1):
                break
            name, sent = server.recv().split()
            last[name.decode()] = max(last.get(name.decode(), 0.0), float(sent))
        if done(last) or time.monotonic() >= end:
            return last


def last_errors(clients):
    return {name: sock.last_error for name, sock in clients.items()}
