#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Record real libzmq GSSAPI handshakes between two stock libzmq sockets.

Runs under /usr/bin/python3 with Debian's python3-zmq (libzmq 4.3.4 built
with GSSAPI).  Inside a throwaway realm from testrealm.py it binds a stock
libzmq server socket, connects a stock libzmq client socket through a small
TCP proxy that records every chunk in each direction (with timestamps, so
the interleaving is known), and writes for each scenario

    OUT/<name>/c2s.bin        bytes client -> server (first connection)
    OUT/<name>/s2c.bin        bytes server -> client (first connection)
    OUT/<name>/transcript.txt human-readable decode, chunk order, events
    OUT/<name>/capture.json   chunk list, wrap plaintexts, events (machine use)

If gcc is available, tools/gsswrap_spy.c is built and preloaded (the script
re-executes itself with LD_PRELOAD) so that each gss_wrap token on the wire
is paired with the exact plaintext libzmq wrapped.

    /usr/bin/python3 tools/capture_libzmq.py [--out DIR] [--only NAME ...]
"""

import argparse
import binascii
import datetime
import json
import os
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import zmq  # noqa: E402
from testrealm import Realm  # noqa: E402

DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "Tests", "Fixtures",
                           "libzmq-4.3.4")
SERVICE = "zmq@localhost"          # client's ZMQ_GSSAPI_SERVICE_PRINCIPAL
SERVER_PRINCIPAL = "zmq@localhost"  # server's ZMQ_GSSAPI_PRINCIPAL, hostbased
CLIENT_PRINCIPAL = "alice"         # client's ZMQ_GSSAPI_PRINCIPAL, user name
KRB5_OID = bytes.fromhex("2a864886f712010202")
WRAP_OVERHEAD = 60                 # AES-CTS-HMAC-SHA1 conf wrap, EC 0
# zmq.h ZMQ_GSSAPI_NT_* (pyzmq 24 does not export them)
NT_HOSTBASED, NT_USER_NAME, NT_KRB5_PRINCIPAL = 0, 1, 2


def hx(b, limit=None):
    if limit is not None and len(b) > limit:
        return b[:limit].hex(" ") + " ... (%d bytes)" % len(b)
    return b.hex(" ")


def now_ms(t0):
    return (time.perf_counter() - t0) * 1000.0


# --------------------------------------------------------------- TCP proxy
class RecordingProxy:
    """Accepts on 127.0.0.1:<port>, relays to upstream, records chunks."""

    def __init__(self, upstream_port, t0):
        self.upstream = ("127.0.0.1", upstream_port)
        self.t0 = t0
        self.lock = threading.Lock()
        self.events = []      # dicts in crossing order
        self.conn_count = 0
        self.stopping = threading.Event()
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.lsock.settimeout(0.05)
        self.port = self.lsock.getsockname()[1]
        self.threads = []
        self.accept_thread = threading.Thread(target=self._accept_loop,
                                              daemon=True)
        self.accept_thread.start()

    def _record(self, **ev):
        with self.lock:
            ev["t_ms"] = round(now_ms(self.t0), 3)
            ev["seq"] = len(self.events)
            self.events.append(ev)

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                down, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            up = socket.create_connection(self.upstream)
            for s in (down, up):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conn_count += 1
            conn = self.conn_count
            self._record(kind="open", conn=conn)
            t = threading.Thread(target=self._relay, args=(conn, down, up),
                                 daemon=True)
            t.start()
            self.threads.append(t)

    def _relay(self, conn, down, up):
        sel = selectors.DefaultSelector()
        sel.register(down, selectors.EVENT_READ, ("c2s", up))
        sel.register(up, selectors.EVENT_READ, ("s2c", down))
        offsets = {"c2s": 0, "s2c": 0}
        open_dirs = 2
        try:
            while open_dirs and not self.stopping.is_set():
                for key, _ in sel.select(timeout=0.05):
                    direction, dst = key.data
                    try:
                        data = key.fileobj.recv(65536)
                    except OSError as e:
                        data = b""
                        self._record(kind="error", conn=conn, dir=direction,
                                     error=str(e))
                    if data:
                        self._record(kind="data", conn=conn, dir=direction,
                                     offset=offsets[direction],
                                     data=data)
                        offsets[direction] += len(data)
                        try:
                            dst.sendall(data)
                        except OSError:
                            pass
                    else:
                        self._record(kind="eof", conn=conn, dir=direction)
                        sel.unregister(key.fileobj)
                        open_dirs -= 1
                        try:
                            dst.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
        finally:
            sel.close()
            down.close()
            up.close()

    def stop(self):
        self.stopping.set()
        self.lsock.close()
        self.accept_thread.join(1)
        for t in self.threads:
            t.join(1)

    def stream(self, conn, direction):
        return b"".join(e["data"] for e in self.events
                        if e["kind"] == "data" and e["conn"] == conn
                        and e["dir"] == direction)


# ------------------------------------------------------------ ZAP handler
class ZapHandler:
    """REP on inproc://zeromq.zap.01 answering 200, logging each request."""

    def __init__(self, ctx, t0):
        self.t0 = t0
        self.requests = []
        self.stopping = threading.Event()
        self.sock = ctx.socket(zmq.REP)
        self.sock.linger = 0
        self.sock.bind("inproc://zeromq.zap.01")
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        while not self.stopping.is_set():
            if not poller.poll(50):
                continue
            frames = self.sock.recv_multipart()
            self.requests.append({"t_ms": round(now_ms(self.t0), 3),
                                  "frames": frames})
            version, request_id = frames[0], frames[1]
            credential = frames[6] if len(frames) > 6 else b""
            # user-id = the credential (the client's GSS display name)
            self.sock.send_multipart([version, request_id, b"200", b"OK",
                                      credential, b""])

    def stop(self):
        self.stopping.set()
        self.thread.join(1)
        self.sock.close()


# ---------------------------------------------------------- socket monitor
EVENT_NAMES = {}
for _n in dir(zmq):
    if _n.startswith("EVENT_") and _n not in ("EVENT_ALL",):
        _v = getattr(zmq, _n)
        if isinstance(_v, int) and _v and (_v & (_v - 1)) == 0:
            EVENT_NAMES.setdefault(_v, _n[6:])


class Monitor:
    def __init__(self, sock, label, t0):
        self.label = label
        self.t0 = t0
        self.events = []
        self.msock = sock.get_monitor_socket()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        from zmq.utils.monitor import recv_monitor_message
        poller = zmq.Poller()
        poller.register(self.msock, zmq.POLLIN)
        while not self.stopping.is_set():
            if not poller.poll(20):
                continue
            try:
                m = recv_monitor_message(self.msock)
            except zmq.ZMQError:
                return
            ev = m["event"]
            self.events.append({
                "t_ms": round(now_ms(self.t0), 3), "side": self.label,
                "event": EVENT_NAMES.get(int(ev), str(int(ev))),
                "value": int(m["value"]),
                "endpoint": m["endpoint"].decode(errors="replace")
                if isinstance(m["endpoint"], bytes) else str(m["endpoint"])})

    def has(self, name):
        return any(e["event"] == name for e in self.events)

    def stop(self):
        self.stopping.set()
        self.thread.join(1)
        self.msock.close(linger=0)


PROTOCOL_ERRORS = {}
for _n in dir(zmq):
    if _n.startswith("PROTOCOL_ERROR_"):
        PROTOCOL_ERRORS[getattr(zmq, _n)] = _n


# --------------------------------------------------------------- decoding
def parse_gss_token(tok):
    """Short description of an initial-context token (RFC 2743 framing)."""
    if len(tok) < 2 or tok[0] != 0x60:
        return "not an RFC 2743 initial-context token (first byte %02x)" % (
            tok[0] if tok else 0)
    i = 1
    n = tok[i]
    i += 1
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(tok[i:i + k], "big")
        i += k
    desc = "60 <DER len %d>" % n
    if tok[i:i + 2] == b"\x06\x09" and tok[i + 2:i + 11] == KRB5_OID:
        i += 11
        tok_id = tok[i:i + 2]
        kind = {b"\x01\x00": "AP-REQ", b"\x02\x00": "AP-REP",
                b"\x03\x00": "KRB-ERROR"}.get(tok_id, "?")
        inner = tok[i + 2] if len(tok) > i + 2 else 0
        desc += ", OID 1.2.840.113554.1.2.2 (krb5), TOK_ID %s = %s, " \
                "Kerberos message tag 0x%02x" % (tok_id.hex(" "), kind, inner)
    return desc


def parse_wrap_header(tok):
    if len(tok) < 16:
        return "short token"
    tid = tok[0:2]
    flags = tok[2]
    names = []
    if flags & 1:
        names.append("SentByAcceptor")
    if flags & 2:
        names.append("Sealed")
    if flags & 4:
        names.append("AcceptorSubkey")
    ec, rrc = struct.unpack(">HH", tok[4:8])
    seq = struct.unpack(">Q", tok[8:16])[0]
    return ("TOK_ID %s, flags 0x%02x (%s), filler %02x, EC %d, RRC %d, "
            "SND_SEQ %d" % (tid.hex(" "), flags, "|".join(names) or "-",
                            tok[3], ec, rrc, seq))


def parse_metadata(body):
    props = []
    i = 0
    while i < len(body):
        nl = body[i]
        name = body[i + 1:i + 1 + nl]
        i += 1 + nl
        vl = struct.unpack(">I", body[i:i + 4])[0]
        value = body[i + 4:i + 4 + vl]
        i += 4 + vl
        props.append((name.decode(errors="replace"), value))
    return props


def describe_inner(inner):
    if not inner:
        return "empty"
    flags = inner[0]
    names = [n for bit, n in ((1, "MORE"), (2, "COMMAND"), (4, "SUBSCRIBE?"),
                              (8, "CANCEL?")) if flags & bit]
    payload = inner[1:]
    s = "inner flags 0x%02x (%s), payload %d bytes %r" % (
        flags, "|".join(names) or "-", len(payload), payload[:64])
    if flags & 2 and payload[:6] == b"\x05READY":
        s += "; READY metadata " + ", ".join(
            "%s=%r" % (n, v) for n, v in parse_metadata(payload[6:]))
    return s


def parse_stream(data, wraps):
    """Split one direction into greeting parts and frames.

    Returns a list of items {start, end, label, lines}.  wraps maps a wrap
    token (bytes) to the plaintext libzmq wrapped (from the spy), if known.
    """
    items = []
    pos = 0

    def add(start, end, label, lines=()):
        items.append({"start": start, "end": end, "label": label,
                      "lines": list(lines)})

    # greeting: 64 bytes in three pieces as libzmq sends them
    if len(data) >= 10:
        add(0, 10, "greeting.signature", ["bytes " + hx(data[0:10])])
    if len(data) >= 11:
        add(10, 11, "greeting.version-major", ["%02x" % data[10]])
    if len(data) >= 64:
        g = data
        add(11, 12, "greeting.version-minor", ["%02x" % g[11]])
        add(12, 32, "greeting.mechanism",
            ["%r" % g[12:32].rstrip(b"\0"), "bytes " + hx(g[12:32])])
        add(32, 33, "greeting.as-server", ["%02x" % g[32]])
        add(33, 64, "greeting.filler",
            ["31 bytes, all zero" if g[33:64] == bytes(31) else hx(g[33:64])])
        pos = 64
    else:
        return items
    n = 0
    while pos < len(data):
        start = pos
        flags = data[pos]
        if flags & 0x02:
            if pos + 9 > len(data):
                break
            size = struct.unpack(">Q", data[pos + 1:pos + 9])[0]
            hdr = 9
        else:
            if pos + 2 > len(data):
                break
            size = data[pos + 1]
            hdr = 2
        body = data[pos + hdr:pos + hdr + size]
        truncated = len(body) < size
        pos += hdr + size
        n += 1
        fl = [nm for bit, nm in ((1, "MORE"), (2, "LONG"), (4, "COMMAND"))
              if flags & bit]
        head = "frame %d: header %s: flags 0x%02x (%s), size %d" % (
            n, hx(data[start:start + hdr]), flags, "|".join(fl) or "-", size)
        lines = [head]
        label = "frame %d" % n
        if truncated:
            lines.append("TRUNCATED (stream ended)")
        if flags & 0x04 and size == 0:
            label += " EMPTY command"
            lines.append("empty command frame (no name, no body)")
        elif flags & 0x04 or body[:8] == b"\x07MESSAGE":
            nl = body[0]
            name = body[1:1 + nl].decode(errors="replace")
            rest = body[1 + nl:]
            label += " %s %s" % ("command" if flags & 0x04 else "data", name)
            lines.append("command name %r (name-length byte %02x)" % (name, nl))
            if name in ("INITIATE", "MESSAGE") and len(rest) >= 4:
                tl = struct.unpack(">I", rest[:4])[0]
                tok = rest[4:4 + tl]
                lines.append("token length %s = %d" % (hx(rest[:4]), tl))
                lines.append("token: " + hx(tok, 48))
                if name == "INITIATE":
                    lines.append(parse_gss_token(tok))
                else:
                    lines.append("RFC 4121 header: " + parse_wrap_header(tok))
                    lines.append("overhead if EC 0: %d bytes -> inner %d bytes"
                                 % (WRAP_OVERHEAD, tl - WRAP_OVERHEAD))
                    inner = wraps.get(bytes(tok))
                    if inner is not None:
                        lines.append("gss_wrap input (spy): " + hx(inner, 64))
                        lines.append(describe_inner(inner))
                if len(rest) > 4 + tl:
                    lines.append("TRAILING %d bytes" % (len(rest) - 4 - tl))
            elif name == "READY":
                lines.append("metadata: " + ", ".join(
                    "%s=%r" % (k, v) for k, v in parse_metadata(rest)))
            else:
                lines.append("rest: " + hx(rest, 64))
        else:
            label += " data"
            lines.append("body %r" % body[:80])
        add(start, pos, label, lines)
    if pos < len(data):
        add(pos, len(data), "incomplete tail", [hx(data[pos:], 32)])
    return items


# --------------------------------------------------------------- scenario
class Scenario:
    def __init__(self, name, title):
        self.name = name
        self.title = title
        self.notes = []
        self.config = []

    def note(self, s):
        self.notes.append(s)


def set_server(sock, plaintext):
    sock.setsockopt(zmq.GSSAPI_SERVER, 1)
    sock.setsockopt(zmq.GSSAPI_PRINCIPAL_NAMETYPE, NT_HOSTBASED)
    sock.setsockopt_string(zmq.GSSAPI_PRINCIPAL, SERVER_PRINCIPAL)
    sock.setsockopt(zmq.GSSAPI_PLAINTEXT, 1 if plaintext else 0)
    return ("GSSAPI_SERVER=1, GSSAPI_PRINCIPAL=%r NAMETYPE=0 (hostbased), "
            "GSSAPI_PLAINTEXT=%d" % (SERVER_PRINCIPAL, 1 if plaintext else 0))


def set_client(sock, plaintext):
    sock.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
                    NT_HOSTBASED)
    sock.setsockopt_string(zmq.GSSAPI_SERVICE_PRINCIPAL, SERVICE)
    sock.setsockopt(zmq.GSSAPI_PRINCIPAL_NAMETYPE, NT_USER_NAME)
    sock.setsockopt_string(zmq.GSSAPI_PRINCIPAL, CLIENT_PRINCIPAL)
    sock.setsockopt(zmq.GSSAPI_PLAINTEXT, 1 if plaintext else 0)
    return ("GSSAPI_SERVICE_PRINCIPAL=%r NAMETYPE=0 (hostbased), "
            "GSSAPI_PRINCIPAL=%r NAMETYPE=1 (user name), GSSAPI_PLAINTEXT=%d"
            % (SERVICE, CLIENT_PRINCIPAL, 1 if plaintext else 0))


def recv_timeout(sock, ms, multipart=False):
    if not sock.poll(ms):
        return None
    if multipart:
        return sock.recv_multipart(copy=False)
    return sock.recv(copy=False)


def frame_props(frame):
    out = {}
    for prop in ("User-Id", "Socket-Type", "Identity", "Routing-Id",
                 "Peer-Address"):
        try:
            out[prop] = frame.get(prop)
        except (zmq.ZMQError, KeyError, TypeError):
            pass
    return out


def wait_for(pred, ms):
    end = time.monotonic() + ms / 1000.0
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.005)
    return pred()


def run_scenario(sc, body, server_type, client_type, server_plain,
                 client_plain, zap=False):
    t0 = time.perf_counter()
    ctx = zmq.Context()
    zap_handler = ZapHandler(ctx, t0) if zap else None
    server = ctx.socket(server_type)
    server.linger = 0
    sc.config.append("server: %s, bind tcp://127.0.0.1:*, %s" % (
        server_type.name if hasattr(server_type, "name") else server_type,
        set_server(server, server_plain)))
    if zap:
        server.setsockopt_string(zmq.ZAP_DOMAIN, "zgss-capture")
        sc.config.append("server: ZAP_DOMAIN='zgss-capture'; ZAP handler "
                         "on inproc://zeromq.zap.01 replies 200 with "
                         "user-id = credential frame")
    server.bind("tcp://127.0.0.1:0")
    sport = int(server.getsockopt_string(zmq.LAST_ENDPOINT).rsplit(":", 1)[1])
    proxy = RecordingProxy(sport, t0)
    client = ctx.socket(client_type)
    client.linger = 0
    sc.config.append("client: %s, connect via recording proxy, %s" % (
        client_type.name if hasattr(client_type, "name") else client_type,
        set_client(client, client_plain)))
    smon = Monitor(server, "server", t0)
    cmon = Monitor(client, "client", t0)
    started = time.perf_counter()
    try:
        body(sc, ctx, server, client, smon, cmon, lambda: now_ms(t0), proxy)
    finally:
        time.sleep(0.1)
        elapsed = (time.perf_counter() - started) * 1000
        client.close(linger=0)
        server.close(linger=0)
        time.sleep(0.05)
        proxy.stop()
        smon.stop()
        cmon.stop()
        if zap_handler:
            zap_handler.stop()
        ctx.term()
    sc.elapsed_ms = elapsed
    sc.proxy = proxy
    sc.monitor_events = sorted(smon.events + cmon.events,
                               key=lambda e: e["t_ms"])
    sc.zap_requests = zap_handler.requests if zap_handler else None
    return sc


# The scenario bodies: sc gets notes about what the application saw.
def body_req_rep(sc, ctx, server, client, smon, cmon, clock, proxy):
    client.connect("tcp://127.0.0.1:%d" % proxy.port)
    client.send(b"hello")
    sc.note("client sent b'hello' at %.1f ms" % clock())
    f = recv_timeout(server, 5000)
    if f is None:
        sc.note("server received NOTHING within 5 s")
        return
    sc.note("server received %r at %.1f ms, properties %r" % (
        f.bytes, clock(), frame_props(f)))
    server.send(b"world")
    r = recv_timeout(client, 5000)
    sc.note("client received %r at %.1f ms" % (
        r.bytes if r is not None else None, clock()))


def body_dealer_router(sc, ctx, server, client, smon, cmon, clock, proxy):
    client.setsockopt(zmq.ROUTING_ID, b"client-1")
    sc.config.append("client: ROUTING_ID=b'client-1'")
    client.connect("tcp://127.0.0.1:%d" % proxy.port)
    client.send_multipart([b"", b"part1", b"part2"])
    sc.note("DEALER sent [b'', b'part1', b'part2'] at %.1f ms" % clock())
    m = recv_timeout(server, 5000, multipart=True)
    if m is None:
        sc.note("ROUTER received NOTHING within 5 s")
        return
    sc.note("ROUTER received %r at %.1f ms, properties of last frame %r" % (
        [x.bytes for x in m], clock(), frame_props(m[-1])))
    reply = [m[0].bytes, b"", b"reply1", b"reply2"]
    server.send_multipart(reply)
    sc.note("ROUTER sent %r" % reply)
    r = recv_timeout(client, 5000, multipart=True)
    sc.note("DEALER received %r at %.1f ms" % (
        [x.bytes for x in r] if r is not None else None, clock()))


def body_pub_sub(sc, ctx, server, client, smon, cmon, clock, proxy):
    client.setsockopt(zmq.SUBSCRIBE, b"topic")
    client.connect("tcp://127.0.0.1:%d" % proxy.port)
    sc.note("SUB subscribed b'topic' before connecting")
    ok = wait_for(lambda: smon.has("HANDSHAKE_SUCCEEDED") and
                  cmon.has("HANDSHAKE_SUCCEEDED"), 5000)
    sc.note("handshake succeeded on both sides: %s (%.1f ms)" % (ok, clock()))
    time.sleep(0.2)  # let the subscription reach the PUB
    got = []
    sent = []
    end = time.monotonic() + 1.0
    i = 0
    while time.monotonic() < end:
        for msg in (b"topic %d" % i, b"other %d" % i):
            server.send(msg)
            sent.append(msg)
        i += 1
        while client.poll(100):
            got.append(client.recv())
    while client.poll(200):
        got.append(client.recv())
    sc.note("PUB sent %d messages over 1 s: %r" % (len(sent), sent))
    sc.note("SUB received %d messages: %r" % (len(got), got))


def body_mismatch(sc, ctx, server, client, smon, cmon, clock, proxy,
                  seconds=3.0):
    client.connect("tcp://127.0.0.1:%d" % proxy.port)
    client.send(b"hello")
    sc.note("client sent b'hello' at %.1f ms; watching %.1f s" % (
        clock(), seconds))
    f = recv_timeout(server, int(seconds * 1000))
    sc.note("server received %r (%.1f ms)" % (
        f.bytes if f is not None else None, clock()))
    sc.note("connections made through the proxy: %d" % proxy.conn_count)


# ------------------------------------------------------------------ output
def load_spy(path):
    wraps = {}
    unwraps = []
    calls = []
    if not path or not os.path.exists(path):
        return wraps, calls
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "W" and len(parts) == 6:
                _, conf_req, maj, state, inp, out = parts
                inp = b"" if inp == "-" else bytes.fromhex(inp)
                out = b"" if out == "-" else bytes.fromhex(out)
                wraps[out] = inp
                calls.append(("wrap", int(conf_req), int(maj), int(state),
                              inp, out))
            elif parts[0] == "U" and len(parts) == 5:
                _, maj, state, inp, out = parts
                inp = b"" if inp == "-" else bytes.fromhex(inp)
                out = b"" if out == "-" else bytes.fromhex(out)
                unwraps.append((inp, out))
                calls.append(("unwrap", None, int(maj), int(state), inp, out))
    return wraps, calls


def write_capture(sc, outdir, wraps, spy_calls, header):
    d = os.path.join(outdir, sc.name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    proxy = sc.proxy
    c2s = proxy.stream(1, "c2s")
    s2c = proxy.stream(1, "s2c")
    with open(os.path.join(d, "c2s.bin"), "wb") as f:
        f.write(c2s)
    with open(os.path.join(d, "s2c.bin"), "wb") as f:
        f.write(s2c)
    parsed = {"c2s": parse_stream(c2s, wraps), "s2c": parse_stream(s2c, wraps)}

    L = []
    L.append("# libzmq 4.3.4 GSSAPI capture: %s" % sc.name)
    L.append("# %s" % sc.title)
    L += ["# " + h for h in header]
    L.append("")
    L.append("## Configuration")
    L += ["  " + c for c in sc.config]
    L.append("")
    L.append("## What the applications saw")
    L += ["  " + n for n in sc.notes]
    L.append("  scenario ran %.1f ms; TCP connections through the proxy: %d"
             % (sc.elapsed_ms, proxy.conn_count))
    L.append("  c2s.bin = connection 1 client->server, %d bytes; "
             "s2c.bin = connection 1 server->client, %d bytes"
             % (len(c2s), len(s2c)))
    L.append("")
    L.append("## Chunks in the order they crossed the proxy")
    L.append("  (time from scenario start; offset within that direction of "
             "that connection; 'has' = items ending in the chunk)")
    for ev in proxy.events:
        if ev["kind"] != "data":
            L.append("  %9.3f ms  conn %d  %s %s" % (
                ev["t_ms"], ev["conn"], ev["kind"].upper(),
                ev.get("dir", "") + (" " + ev["error"] if "error" in ev
                                     else "")))
            continue
        lo, hi = ev["offset"], ev["offset"] + len(ev["data"])
        has = []
        if ev["conn"] == 1:
            for it in parsed[ev["dir"]]:
                if lo < it["end"] <= hi:
                    has.append(it["label"] + (
                        "" if it["start"] >= lo else " (started earlier)"))
        L.append("  %9.3f ms  conn %d  %s  off %5d  len %5d  %s" % (
            ev["t_ms"], ev["conn"], ev["dir"], lo, len(ev["data"]),
            "; ".join(has) if has else hx(ev["data"], 16)))
    L.append("")
    for direction in ("c2s", "s2c"):
        data = c2s if direction == "c2s" else s2c
        L.append("## %s decoded (connection 1, %d bytes)" % (direction,
                                                              len(data)))
        for it in parsed[direction]:
            L.append("  [%5d..%5d) %s" % (it["start"], it["end"], it["label"]))
            for line in it["lines"]:
                L.append("                 " + line)
        L.append("")
    for conn in range(2, proxy.conn_count + 1):
        a, b = proxy.stream(conn, "c2s"), proxy.stream(conn, "s2c")
        labels = {dr: [it["label"] for it in parse_stream(x, wraps)
                       if not it["label"].startswith("greeting")]
                  for dr, x in (("c2s", a), ("s2c", b))}
        L.append("## connection %d: c2s %d bytes %s; s2c %d bytes %s" % (
            conn, len(a), labels["c2s"], len(b), labels["s2c"]))
    if proxy.conn_count > 1:
        L.append("")
    L.append("## Socket monitor events")
    for e in sc.monitor_events:
        v = e["value"]
        extra = ""
        if e["event"].startswith("HANDSHAKE_FAILED_PROTOCOL"):
            extra = " (%s)" % PROTOCOL_ERRORS.get(v, "?")
        L.append("  %9.3f ms  %-6s %s value=%d%s %s" % (
            e["t_ms"], e["side"], e["event"], v, extra, e["endpoint"]))
    L.append("")
    if sc.zap_requests is not None:
        L.append("## ZAP requests seen by the handler (%d)" %
                 len(sc.zap_requests))
        names = ["version", "request id", "domain", "address", "routing id",
                 "mechanism", "credential"]
        for r in sc.zap_requests:
            L.append("  at %.3f ms, %d frames:" % (r["t_ms"], len(r["frames"])))
            for i, fr in enumerate(r["frames"]):
                nm = names[i] if i < len(names) else "credential %d" % (i - 5)
                L.append("    %d %-11s %r  (%s)" % (i, nm, fr, hx(fr) or
                                                   "empty"))
        L.append("")
    if spy_calls is not None:
        L.append("## gss_wrap / gss_unwrap calls (gsswrap_spy, process-wide,"
                 " in call order; both peers share this process)")
        for kind, conf_req, maj, state, inp, out in spy_calls:
            if kind == "wrap":
                L.append("  wrap   conf_req=%d maj=%d conf_state=%d in(%d)=%s"
                         " -> token %d bytes" % (conf_req, maj, state,
                                                 len(inp), hx(inp, 24),
                                                 len(out)))
            else:
                L.append("  unwrap maj=%d conf_state=%d token %d bytes -> "
                         "out(%d)=%s" % (maj, state, len(inp), len(out),
                                         hx(out, 24)))
        L.append("")
    with open(os.path.join(d, "transcript.txt"), "w") as f:
        f.write("\n".join(L).rstrip() + "\n")

    # machine-readable companion
    js = {
        "name": sc.name, "title": sc.title, "config": sc.config,
        "notes": sc.notes, "connections": proxy.conn_count,
        "chunks": [{"seq": e["seq"], "t_ms": e["t_ms"], "conn": e["conn"],
                    "kind": e["kind"], "dir": e.get("dir"),
                    "offset": e.get("offset"),
                    "len": len(e["data"]) if "data" in e else None}
                   for e in proxy.events],
        "frames": {dr: [{"start": it["start"], "end": it["end"],
                         "label": it["label"]} for it in parsed[dr]]
                   for dr in parsed},
        "wraps": [],
        "monitor": sc.monitor_events,
        "zap": [[fr.hex() for fr in r["frames"]] for r in sc.zap_requests]
        if sc.zap_requests is not None else None,
    }
    for dr, data in (("c2s", c2s), ("s2c", s2c)):
        for tok, inner in wraps.items():
            if tok:
                at = data.find(tok)
                if at >= 0:
                    js["wraps"].append({"dir": dr, "token_offset": at,
                                        "token_len": len(tok),
                                        "plaintext_hex": inner.hex()})
    js["wraps"].sort(key=lambda w: (w["dir"], w["token_offset"]))
    with open(os.path.join(d, "capture.json"), "w") as f:
        json.dump(js, f, indent=1)
        f.write("\n")
    return d


# -------------------------------------------------------------------- main
SCENARIOS = {
    "req-rep-encrypted": (
        "REQ client sends 'hello', REP replies 'world'; encrypted (default); "
        "ZAP handler answers 200",
        body_req_rep, zmq.REP, zmq.REQ, False, False, True),
    "req-rep-plaintext": (
        "REQ 'hello' / REP 'world' with GSSAPI_PLAINTEXT=1 on both sides",
        body_req_rep, zmq.REP, zmq.REQ, True, True, False),
    "dealer-router-encrypted": (
        "DEALER (routing id 'client-1') sends ['', 'part1', 'part2'], ROUTER "
        "replies ['', 'reply1', 'reply2']; encrypted",
        body_dealer_router, zmq.ROUTER, zmq.DEALER, False, False, False),
    "pub-sub-encrypted": (
        "SUB subscribes 'topic', PUB publishes 'topic N' and 'other N' for "
        "1 s; encrypted",
        body_pub_sub, zmq.PUB, zmq.SUB, False, False, False),
    "pub-sub-plaintext": (
        "same as pub-sub-encrypted with GSSAPI_PLAINTEXT=1 on both sides "
        "(shows the subscription bytes in the clear)",
        body_pub_sub, zmq.PUB, zmq.SUB, True, True, False),
    "plaintext-mismatch": (
        "REQ with GSSAPI_PLAINTEXT=1 against REP with GSSAPI_PLAINTEXT=0",
        body_mismatch, zmq.REP, zmq.REQ, False, True, False),
}


def build_spy(workdir):
    src = os.path.join(HERE, "gsswrap_spy.c")
    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc or not os.path.exists(src):
        return None
    so = os.path.join(workdir, "gsswrap_spy.so")
    res = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", so, src,
                          "-ldl"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True)
    if res.returncode != 0:
        print("capture: could not build gsswrap_spy (%s); continuing "
              "without plaintext pairing" % res.stdout.strip(),
              file=sys.stderr)
        return None
    return so


def tool_version(cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL,
                              universal_newlines=True).stdout.strip()
    except OSError:
        return "?"


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--only", nargs="*", choices=sorted(SCENARIOS))
    p.add_argument("--no-spy", action="store_true",
                   help="do not preload gsswrap_spy")
    p.add_argument("--mismatch-seconds", type=float, default=3.0)
    args = p.parse_args()

    # Re-exec with the spy preloaded (LD_PRELOAD only works at exec time).
    if not args.no_spy and not os.environ.get("ZGSS_SPY_ACTIVE"):
        work = tempfile.mkdtemp(prefix="zgss-spy-")
        so = build_spy(work)
        if so:
            env = dict(os.environ)
            env["LD_PRELOAD"] = so + (":" + env["LD_PRELOAD"]
                                      if env.get("LD_PRELOAD") else "")
            env["ZGSS_SPY_ACTIVE"] = work
            os.execve(sys.executable, [sys.executable] + sys.argv, env)
    spy_work = os.environ.get("ZGSS_SPY_ACTIVE")
    if spy_work:
        os.environ.pop("LD_PRELOAD", None)  # not for child processes

    if zmq.zmq_version() != "4.3.4":
        print("capture: warning: libzmq is %s, not 4.3.4" % zmq.zmq_version(),
              file=sys.stderr)
    if not zmq.has("gssapi"):
        print("capture: this libzmq has no GSSAPI", file=sys.stderr)
        return 1

    # Stock libzmq with ZMQ_GSSAPI_PRINCIPAL set acquires GSS_C_BOTH creds:
    # the named client (alice) needs her key in the acceptor keytab and the
    # named server (zmq/localhost) needs its key in the client keytab, and
    # both sides get initial creds in this one process, so the ccache must
    # be a collection (DIR:), not a single FILE: cache.
    header = []
    with Realm(ccache="DIR") as realm:
        realm.apply_env()
        os.environ["KRB5_KTNAME"] = "FILE:" + realm.all_keytab
        os.environ["KRB5_CLIENT_KTNAME"] = "FILE:" + realm.all_keytab
        header.append("captured %s with libzmq %s, pyzmq %s, %s" % (
            datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%d %H:%M:%S UTC"),
            zmq.zmq_version(), zmq.pyzmq_version(),
            tool_version(["krb5-config", "--version"]) or "MIT krb5"))
        header.append("realm %s (testrealm.py, KDC 127.0.0.1:%d), "
                      "KRB5_KTNAME = KRB5_CLIENT_KTNAME = all.keytab, "
                      "KRB5CCNAME = DIR: collection" % (realm.realm,
                                                         realm.kdc_port))
        header.append("regenerate: /usr/bin/python3 tools/capture_libzmq.py"
                      " (random keys: bytes differ on every run)")
        names = args.only or list(SCENARIOS)
        for name in names:
            title, body, stype, ctype, splain, cplain, zap = SCENARIOS[name]
            if body is body_mismatch:
                secs = args.mismatch_seconds

                def body(sc, *a, _s=secs):
                    return body_mismatch(sc, *a, seconds=_s)
            spy_log = None
            if spy_work:
                spy_log = os.path.join(spy_work, name + ".log")
                os.environ["ZGSS_GSS_SPY"] = spy_log
            sc = Scenario(name, title)
            run_scenario(sc, body, stype, ctype, splain, cplain, zap)
            os.environ.pop("ZGSS_GSS_SPY", None)
            wraps, calls = load_spy(spy_log)
            d = write_capture(sc, args.out, wraps,
                              calls if spy_work else None, header)
            print("capture: %-24s c2s %5d B, s2c %5d B, %d conn -> %s" % (
                name, len(sc.proxy.stream(1, "c2s")),
                len(sc.proxy.stream(1, "s2c")), sc.proxy.conn_count, d),
                file=sys.stderr)
    if spy_work:
        shutil.rmtree(spy_work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
