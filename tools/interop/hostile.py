#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Unauthenticated peers that try to make a zgss server hold memory, and a
zgss server in a process of its own whose resident size can be watched.

Used by cells_failure.py (preauth cells). Run directly, inside a test realm,
it measures a server's VmRSS before, during and after such peers:
  tools/testrealm.py run -- /usr/bin/python3 tools/interop/hostile.py [PEERS] [MiB_EACH] [HANDSHAKE_IVL]
or around an authenticated client's large messages, for comparison:
  tools/testrealm.py run -- /usr/bin/python3 tools/interop/hostile.py authenticated [MiB] [ROUNDS]
"""
import os
import socket as pysocket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

GSSAPI_GREETING = b"\xff" + bytes(8) + b"\x7f\x03\x01" + b"GSSAPI".ljust(20, b"\0") + bytes(32)

# The server process: a GSSAPI REP that echoes (b"big" for a message over
# 64 KiB), on the zgss library in ZGSS_LIB. Its first line is its endpoint;
# "error" on stdin prints its ZGSS_LAST_ERROR on one line, "trim" calls
# glibc's malloc_trim(0) (to see what the heap kept); end of stdin stops it.
SERVER = r"""
import ctypes, os, sys, threading
sys.path.insert(0, os.path.join(sys.argv[1], "python"))
import zgss
ctx = zgss.Context()
rep = ctx.socket(zgss.REP)
rep.setsockopt(zgss.LINGER, 0)
rep.setsockopt(zgss.RCVTIMEO, 100)
rep.setsockopt(zgss.GSSAPI_SERVER, 1)
for option, value in zip(sys.argv[2::2], sys.argv[3::2]):
    rep.setsockopt(getattr(zgss, option), int(value))
rep.bind("tcp://127.0.0.1:0")
print(rep.getsockopt_string(zgss.LAST_ENDPOINT), flush=True)
done = threading.Event()
def commands():
    for line in sys.stdin:
        if line.strip() == "error":
            print(rep.last_error.replace("\n", " "), flush=True)
        elif line.strip() == "trim":
            print(ctypes.CDLL("libc.so.6").malloc_trim(0), flush=True)
    done.set()
threading.Thread(target=commands, daemon=True).start()
while not done.is_set():
    try:
        request = rep.recv()
    except zgss.Again:
        continue
    if len(request) > 65536:
        request = b"big"  # the large part is let go at once, so VmRSS shows only what zgss keeps
    rep.send(request)
rep.close()
ctx.term()
"""


class ServerProcess:
    """A zgss GSSAPI REP server in its own /usr/bin/python3 process.
    `options`: {"HANDSHAKE_IVL": 500, ...} (int options, by zgss name)."""

    def __init__(self, **options):
        root = os.path.abspath(os.path.join(HERE, "..", ".."))
        args = [sys.executable, "-c", SERVER, root]
        for name, value in options.items():
            args += [name, str(value)]
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.endpoint = self.process.stdout.readline().strip()
        if not self.endpoint.startswith("tcp://"):
            self.close()
            raise AssertionError("the server process did not start (said %r)" % self.endpoint)
        host, port = self.endpoint.rsplit("/", 1)[1].rsplit(":", 1)
        self.address = (host, int(port))
        self._lock = threading.Lock()

    def rss_kib(self):
        """VmRSS of the server process, in KiB."""
        with open("/proc/%d/status" % self.process.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS for pid %d" % self.process.pid)

    def last_error(self):
        return self._ask("error")

    def trim(self):
        """Runs malloc_trim(0) in the server process."""
        return self._ask("trim")

    def _ask(self, command):
        with self._lock:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
            return self.process.stdout.readline().strip()

    def close(self):
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def huge_command_header(size=250 << 20):
    """A long command frame header declaring `size` bytes, then the start of
    an INITIATE body, as an unauthenticated client would send it."""
    return struct.pack(">BQ", 0x06, size) + b"\x08INITIATE" + struct.pack(">I", size - 13)


class HostilePeer(threading.Thread):
    """Connects, sends a greeting and a command frame header declaring
    `declared` bytes, then streams up to `send_bytes` of body as fast as
    the server reads. `dropped_after`: seconds from connect until the server
    closed the connection (None while open or if it never did)."""

    def __init__(self, address, send_bytes, declared=250 << 20, chunk=1 << 16):
        super().__init__(daemon=True)
        self.address, self.send_bytes, self.declared, self.chunk = address, send_bytes, declared, chunk
        self.sent = 0
        self.dropped_after = None
        self.finished = threading.Event()

    def run(self):
        started = time.monotonic()
        sock = pysocket.create_connection(self.address)
        try:
            sock.sendall(GSSAPI_GREETING + huge_command_header(self.declared))
            filler = b"\xa5" * self.chunk
            while self.sent < self.send_bytes:
                sock.sendall(filler[:min(self.chunk, self.send_bytes - self.sent)])
                self.sent += min(self.chunk, self.send_bytes - self.sent)
            # Everything sent: hold the connection until the server drops it.
            sock.settimeout(60)
            while sock.recv(65536):
                pass
            self.dropped_after = time.monotonic() - started
        except OSError:
            self.dropped_after = time.monotonic() - started
        finally:
            sock.close()
            self.finished.set()


def watch_rss(server, until, step=0.02):
    """Polls the server's VmRSS until `until()` is true; returns the peak."""
    peak = server.rss_kib()
    while not until():
        peak = max(peak, server.rss_kib())
        time.sleep(step)
    return max(peak, server.rss_kib())


def settled_rss(server, timeout=20.0, step=0.25, slack_kib=256):
    """The server's VmRSS once it has stopped moving (two readings `step`
    seconds apart within `slack_kib`): the server has finished with the
    connections before. Fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = server.rss_kib()
    while time.monotonic() < deadline:
        time.sleep(step)
        now = server.rss_kib()
        if abs(now - last) <= slack_kib:
            return now
        last = now
    raise AssertionError("the server's VmRSS did not settle within %.0f s" % timeout)


def good_round_trip(address_endpoint, timeout_ms=10000, request=b"ping"):
    """One REQ/REP round trip as a stock libzmq GSSAPI client."""
    import zmq
    ctx = zmq.Context()
    try:
        req = ctx.socket(zmq.REQ)
        req.setsockopt(zmq.LINGER, 0)
        req.setsockopt(zmq.RCVTIMEO, timeout_ms)
        req.setsockopt(zmq.SNDTIMEO, timeout_ms)
        req.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL, b"zmq@localhost")
        req.connect(address_endpoint)
        req.send(request)
        reply = req.recv()
        req.close()
        return reply == (request if len(request) <= 1 << 16 else b"big")
    except zmq.ZMQError:
        return False
    finally:
        ctx.destroy(linger=0)


def measure(peers=4, mib_each=64, handshake_ivl=30000):
    server = ServerProcess(HANDSHAKE_IVL=handshake_ivl)
    try:
        if not good_round_trip(server.endpoint):
            raise AssertionError("the server does not answer a good client")
        before = settled_rss(server)
        started = time.monotonic()
        hostile = [HostilePeer(server.address, mib_each << 20) for _ in range(peers)]
        for peer in hostile:
            peer.start()
        peak = watch_rss(server, lambda: all(p.finished.is_set() for p in hostile))
        elapsed = time.monotonic() - started
        after = settled_rss(server)
        served = good_round_trip(server.endpoint)
        print("peers %d x %d MiB sent at most, declared 250 MiB each" % (peers, mib_each))
        print("  sent: %s MiB" % ", ".join("%.1f" % (p.sent / 1048576) for p in hostile))
        print("  dropped after: %s s" % ", ".join("%.2f" % (p.dropped_after or -1) for p in hostile))
        print("  VmRSS before %.1f MB, peak %.1f MB, settled after the last drop %.1f MB (%.1f s)"
              % (before / 1024, peak / 1024, after / 1024, elapsed))
        print("  good client served afterwards: %s" % served)
        print("  ZGSS_LAST_ERROR: %s" % server.last_error())
        server.trim()
        print("  after malloc_trim(0) from outside: %.1f MB" % (server.rss_kib() / 1024))
    finally:
        server.close()


def measure_authenticated(mib=200, rounds=3):
    """An authenticated stock libzmq client sends one `mib` MiB message,
    `rounds` times on fresh connections: the server's VmRSS around it."""
    server = ServerProcess()
    try:
        if not good_round_trip(server.endpoint):
            raise AssertionError("the server does not answer a good client")
        before = settled_rss(server)
        payload = b"\x5a" * (mib << 20)
        done = threading.Event()
        results = []
        def send_all():
            for _ in range(rounds):
                results.append(good_round_trip(server.endpoint, timeout_ms=60000, request=payload))
            done.set()
        threading.Thread(target=send_all, daemon=True).start()
        peak = watch_rss(server, done.is_set)
        after = settled_rss(server)
        server.trim()
        trimmed = server.rss_kib()
        print("authenticated: %d x %d MiB messages (answered: %s)" % (rounds, mib, results))
        print("  VmRSS before %.1f MB, peak %.1f MB, settled after %.1f MB, after malloc_trim(0) from outside %.1f MB"
              % (before / 1024, peak / 1024, after / 1024, trimmed / 1024))
    finally:
        server.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["authenticated"]:
        measure_authenticated(*(int(a) for a in sys.argv[2:]))
    else:
        measure(*(int(a) for a in sys.argv[1:]))
