# SPDX-License-Identifier: MIT
"""One interface over the two implementations under test: zgss (ctypes
over .dist's libzgss.so) and stock libzmq 4.3.4 (Debian's python3-zmq)."""
import time

import zmq
import zgss

TIMEOUT_MS = 10000
SERVICE = "zmq@localhost"


class Side:
    def __init__(self, name, module, context):
        self.name = name
        self.m = module
        self.context = context
        self.sockets = []

    def socket(self, kind, role, mode, **extra):
        """A socket of zmq type `kind`; role "server" (binds, GSSAPI
        server) or "client"; mode "null", "encrypted" or "plaintext"."""
        sock = self.context.socket(kind)
        self.sockets.append(sock)
        for option, value in ((zmq.LINGER, 0), (zmq.RCVTIMEO, TIMEOUT_MS), (zmq.SNDTIMEO, TIMEOUT_MS)):
            sock.setsockopt(option, value)
        if mode != "null":
            if role == "server":
                sock.setsockopt(zmq.GSSAPI_SERVER, 1)
            else:
                sock.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL, extra.pop("service", SERVICE).encode())
            if mode == "plaintext":
                sock.setsockopt(zmq.GSSAPI_PLAINTEXT, 1)
        for option, value in extra.items():
            sock.setsockopt(getattr(zmq, option) if hasattr(zmq, option) else getattr(zgss, option),
                            value.encode() if isinstance(value, str) else value)
        return sock

    def bind_any(self, sock, host="127.0.0.1"):
        sock.bind("tcp://%s:%s" % (host, "*" if self.m is zmq else "0"))
        return sock.getsockopt(zmq.LAST_ENDPOINT).decode()

    def try_recv(self, sock):
        """A message part, or None when nothing is waiting."""
        try:
            return sock.recv(zmq.DONTWAIT)
        except (zmq.Again, zgss.Again):
            return None

    def close_all(self):
        for sock in self.sockets:
            try:
                sock.close(linger=0)
            except Exception:
                pass
        self.sockets = []


def wait_for(predicate, timeout=8.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def wait_until(predicate, what, timeout=20.0):
    """Polls `predicate` until it returns something true and returns that;
    fails naming `what` (what did not happen) after `timeout` seconds."""
    value = wait_for(predicate, timeout)
    check(value, "%s: not within %g s" % (what, timeout))
    return value


def send_until_received(send, receive, what, timeout=20.0, step=0.05):
    """The slow-joiner pattern: calls send() and then polls receive() (None
    while nothing has arrived) for `step` seconds, again and again, until
    something arrives; returns it. Fails naming `what` after `timeout`
    seconds. Earlier sends may still arrive afterwards: the caller skips
    them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        send()
        got = wait_for(receive, step, step=0.005)
        if got is not None:
            return got
    raise AssertionError("%s: nothing arrived within %g s" % (what, timeout))


def check(condition, message):
    if not condition:
        raise AssertionError(message)
