# SPDX-License-Identifier: MIT
"""Failure cells: the zgss side must report a clear ZGSS_LAST_ERROR within
a timeout and keep serving a good peer afterwards."""
import os
import socket as pysocket
import struct
import sys
import threading
import time

import zmq
import zgss

from replay_proxy import ReadyReplayProxy
import hostile
from sides import check, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "sansio"))
import zgss_mech  # noqa: E402  (a scriptable encrypted ZMTP peer over the sans-I/O API)


def expect_error(sock, *needles, timeout=8.0):
    """Waits until ZGSS_LAST_ERROR mentions every needle (reconnects may
    briefly put another connection's reason there)."""
    def matches():
        text = sock.last_error
        return text if text and all(n.lower() in text.lower() for n in needles) else None
    text = wait_for(matches, timeout=timeout)
    check(text, "ZGSS_LAST_ERROR %r does not mention %r after %.0f s" % (sock.last_error, needles, timeout))
    if os.environ.get("ZGSS_TEST_VERBOSE"):
        print("    ZGSS_LAST_ERROR: %s" % text)
    return text


def round_trip(client, server):
    client.send(b"after the failure")
    check(server.recv() == b"after the failure", "server got the wrong request")
    server.send(b"still serving")
    check(client.recv() == b"still serving", "client got the wrong reply")


def wrong_service_principal(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = l.socket(zmq.REP, "server", "encrypted")
    endpoint = l.bind_any(server)
    client = z.socket(zmq.REQ, "client", "encrypted", service="nosuch@localhost")
    client.connect(endpoint)
    expect_error(client, "not found in Kerberos database", "nosuch")
    client.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL, b"zmq@localhost")
    round_trip(client, server)


def no_credentials(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = l.socket(zmq.REP, "server", "encrypted")
    endpoint = l.bind_any(server)
    client = z.socket(zmq.REQ, "client", "encrypted", CLIENT_KEYTAB="/nonexistent/zgss.keytab",
                      CCACHE="MEMORY:zgss-no-creds")
    client.connect(endpoint)
    expect_error(client, "credentials")
    client.setsockopt_string(zgss.CLIENT_KEYTAB, os.environ["KRB5_CLIENT_KTNAME"])
    round_trip(client, server)


def plaintext_mismatch_zgss_client(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = l.socket(zmq.REP, "server", "encrypted")
    endpoint = l.bind_any(server)
    client = z.socket(zmq.REQ, "client", "plaintext")
    client.connect(endpoint)
    expect_error(client, "PLAINTEXT")
    client.setsockopt(zmq.GSSAPI_PLAINTEXT, 0)
    round_trip(client, server)


def plaintext_mismatch_zgss_server(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.REP, "server", "encrypted")
    endpoint = z.bind_any(server)
    bad = l.socket(zmq.REQ, "client", "plaintext")
    bad.connect(endpoint)
    expect_error(server, "PLAINTEXT")
    bad.close(linger=0)
    good = l.socket(zmq.REQ, "client", "encrypted")
    good.connect(endpoint)
    round_trip(good, server)


def unauthorized_principal(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.REP, "server", "encrypted", ALLOW_PRINCIPAL="alice@EXAMPLE.TEST")
    endpoint = z.bind_any(server)
    bad = z.socket(zmq.REQ, "client", "encrypted", GSSAPI_PRINCIPAL="mallory",
                   GSSAPI_PRINCIPAL_NAMETYPE=zgss.GSSAPI_NT_USER_NAME, CCACHE="MEMORY:zgss-mallory")
    bad.connect(endpoint)
    try:
        expect_error(server, "mallory@EXAMPLE.TEST", "not in the allowed list")
    except AssertionError as exc:
        raise AssertionError("%s; the client says: %s" % (exc, bad.last_error))
    bad.close(linger=0)
    good = l.socket(zmq.REQ, "client", "encrypted")
    good.connect(endpoint)
    round_trip(good, server)
    check(server.getsockopt(zgss.PEER_PRINCIPAL) == b"alice@EXAMPLE.TEST", "PEER_PRINCIPAL is not alice")


def refused_stock_client_stops(sides):
    """A zgss server that refuses a stock libzmq 4.3.4 client (not in
    ZGSS_ALLOW_PRINCIPAL) sends ERROR "400": the client takes it for a
    protocol error and stops, where it used to reconnect every ~150 ms
    (HANDSHAKE_FAILED_NO_DETAIL each time)."""
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.REP, "server", "encrypted", ALLOW_PRINCIPAL="bob@EXAMPLE.TEST")
    endpoint = z.bind_any(server)
    client = l.socket(zmq.REQ, "client", "encrypted")
    monitor = client.get_monitor_socket()
    try:
        client.connect(endpoint)
        events = count_monitor_events(monitor, seconds=2.5)
    finally:
        client.disable_monitor()
        monitor.close(linger=0)
    expect_error(server, "alice@EXAMPLE.TEST", "not in the allowed list")
    check(events.get(zmq.EVENT_HANDSHAKE_SUCCEEDED, 0) == 0, "the refused client's handshake succeeded")
    check(1 <= events.get(zmq.EVENT_CONNECTED, 0) <= 2,
          "the refused client connected %d times in 2.5 s" % events.get(zmq.EVENT_CONNECTED, 0))
    check(events.get(zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL, 0) == 0, "HANDSHAKE_FAILED_NO_DETAIL: no ERROR was read")
    check(events.get(zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, 0) >= 1, "no HANDSHAKE_FAILED_PROTOCOL (events %r)" % events)


def refused_zgss_client_backs_off(sides):
    """A zgss client refused by a zgss server reads its ERROR "400", says
    so in ZGSS_LAST_ERROR, and waits the longest backoff (3.2 s) before
    trying again (counted by a TCP relay in front of the server)."""
    z = sides["zgss"]
    server = z.socket(zmq.REP, "server", "encrypted", ALLOW_PRINCIPAL="bob@EXAMPLE.TEST")
    endpoint = z.bind_any(server)
    relay = CountingRelay(endpoint)
    try:
        client = z.socket(zmq.REQ, "client", "encrypted")
        client.connect(relay.endpoint)
        expect_error(client, "server refused the handshake", '"400"', "not authorized")
        # A negative check, timed from the first connection (not from when
        # this thread saw the refusal, which a loaded machine delays):
        # without the backoff the client reconnects within about 0.2 s; with
        # it, not before 3.2 s after the refusal, which came after that
        # connection. So no reconnect may come within 2.8 s of it.
        first = relay.accepted[0]
        time.sleep(max(0.0, first + 2.8 - time.monotonic()))
        early = [round(t - first, 2) for t in relay.accepted[1:] if t - first < 2.8]
        check(not early, "the refused client reconnected after %r s (backoff 3.2 s)" % early)
    finally:
        relay.close()


def count_monitor_events(monitor, seconds):
    """{event: count} from a pyzmq monitor socket over `seconds`."""
    from zmq.utils.monitor import recv_monitor_message
    counts = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if monitor.poll(max(1, int((deadline - time.monotonic()) * 1000))):
            event = recv_monitor_message(monitor)["event"]
            counts[event] = counts.get(event, 0) + 1
    return counts


class CountingRelay:
    """A TCP relay to `endpoint` on a free loopback port that counts the
    connections it accepts."""

    def __init__(self, endpoint):
        host, port = endpoint.rsplit("/", 1)[1].rsplit(":", 1)
        self.target = (host, int(port))
        self.listener = pysocket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.endpoint = "tcp://127.0.0.1:%d" % self.listener.getsockname()[1]
        self.connections = 0
        self.accepted = []  # time.monotonic() of each accepted connection
        self.open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                inbound, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(time.monotonic())
            self.connections += 1
            outbound = pysocket.create_connection(self.target)
            self.open += [inbound, outbound]
            threading.Thread(target=self._pump, args=(inbound, outbound), daemon=True).start()
            threading.Thread(target=self._pump, args=(outbound, inbound), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(pysocket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.listener.close()
        for sock in self.open:
            sock.close()


def mechanism_mismatch(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.REP, "server", "encrypted")
    endpoint = z.bind_any(server)
    bad = l.socket(zmq.REQ, "client", "null")
    bad.connect(endpoint)
    expect_error(server, "security mechanism", "NULL")
    bad.close(linger=0)
    good = l.socket(zmq.REQ, "client", "encrypted")
    good.connect(endpoint)
    round_trip(good, server)


def silent_peer_times_out(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.REP, "server", "encrypted", HANDSHAKE_IVL=300)
    endpoint = z.bind_any(server)
    host, port = endpoint.rsplit("/", 1)[1].rsplit(":", 1)
    raw = pysocket.create_connection((host, int(port)))
    try:
        expect_error(server, "timed out")
    finally:
        raw.close()
    good = l.socket(zmq.REQ, "client", "encrypted")
    good.connect(endpoint)
    round_trip(good, server)


def garbage_peer(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.REP, "server", "null")
    endpoint = z.bind_any(server)
    host, port = endpoint.rsplit("/", 1)[1].rsplit(":", 1)
    raw = pysocket.create_connection((host, int(port)))
    try:
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n" + os.urandom(200))
        expect_error(server, "ZMTP")
    finally:
        raw.close()
    good = l.socket(zmq.REQ, "client", "null")
    good.connect(endpoint)
    round_trip(good, server)


def oversized_message(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.PULL, "server", "encrypted", MAXMSGSIZE=1000)
    endpoint = z.bind_any(server)
    big = l.socket(zmq.PUSH, "client", "encrypted")
    big.connect(endpoint)
    big.send(b"x" * 100000)
    expect_error(server, "limit")
    big.close(linger=0)
    good = l.socket(zmq.PUSH, "client", "encrypted")
    good.connect(endpoint)
    good.send(b"small")
    check(server.recv() == b"small", "small message after the oversized one")


def kdc_unreachable(sides):
    z, l = sides["zgss"], sides["libzmq"]
    server = l.socket(zmq.REP, "server", "encrypted")
    endpoint = l.bind_any(server)
    down_keytab = os.path.join(os.environ["ZGSS_TEST_DIR"], "down-client.keytab")
    client = z.socket(zmq.REQ, "client", "encrypted", GSSAPI_PRINCIPAL="alice@DOWN.TEST",
                      GSSAPI_PRINCIPAL_NAMETYPE=zgss.GSSAPI_NT_KRB5_PRINCIPAL, CLIENT_KEYTAB=down_keytab,
                      CCACHE="MEMORY:zgss-down")
    client.connect(endpoint)
    expect_error(client, "Cannot contact any KDC for realm 'DOWN.TEST'", timeout=20)
    for option, value in ((zgss.GSSAPI_PRINCIPAL, b"alice"), (zgss.GSSAPI_PRINCIPAL_NAMETYPE, 1),
                          (zgss.CLIENT_KEYTAB, os.environ["KRB5_CLIENT_KTNAME"].encode()), (zgss.CCACHE, b"MEMORY:zgss-up")):
        client.setsockopt(option, value)
    round_trip(client, server)


def random_garbage_storm(sides):
    z, l = sides["zgss"], sides["libzmq"]
    import random
    rng = random.Random(4121)
    for mode in ("null", "encrypted"):
        server = z.socket(zmq.REP, "server", mode)
        endpoint = z.bind_any(server)
        host, port = endpoint.rsplit("/", 1)[1].rsplit(":", 1)
        mechanism = b"NULL" if mode == "null" else b"GSSAPI"
        greeting = b"\xff" + bytes(8) + b"\x7f\x03\x01" + mechanism.ljust(20, b"\0") + bytes(32)
        for i in range(60):
            raw = pysocket.create_connection((host, int(port)))
            try:
                prefix = greeting if i % 3 else greeting[:rng.randrange(64)]
                tail = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
                if i % 5 == 0:
                    tail = b"\x06" + rng.choice([b"\xff" * 8, bytes(7) + b"\x10"]) + tail  # huge or odd sizes
                if i % 7 == 0:
                    tail = b"\x04\x0d\x08INITIATE\xff\xff\xff\xff" + tail  # lying token length
                raw.sendall(prefix + tail)
            except OSError:
                pass
            finally:
                raw.close()
        expect_error(server)
        good = l.socket(zmq.REQ, "client", mode)
        good.connect(endpoint)
        round_trip(good, server)


def server_keytab_lacks_the_key(sides):
    z, l = sides["zgss"], sides["libzmq"]
    wrong = os.path.join(os.environ["ZGSS_TEST_DIR"], "keytabs", "mqtt_localhost.keytab")
    check(os.path.exists(wrong), "test realm has no %s" % wrong)
    server = z.socket(zmq.REP, "server", "encrypted", KEYTAB=wrong)
    endpoint = z.bind_any(server)
    client = l.socket(zmq.REQ, "client", "encrypted")
    client.connect(endpoint)
    expect_error(server, "cannot accept the client's Kerberos token")
    server.setsockopt_string(zgss.KEYTAB, os.environ["KRB5_KTNAME"])
    # libzmq's client waits ZMQ_HANDSHAKE_IVL before it retries: use a fresh one.
    client.close(linger=0)
    good = l.socket(zmq.REQ, "client", "encrypted")
    good.connect(endpoint)
    round_trip(good, server)


def frame_bytes(body, command=False):
    """One ZMTP frame, short or long form."""
    flags = 0x04 if command else 0
    if len(body) <= 255:
        return bytes([flags, len(body)]) + body
    return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body


def good_messages_before_a_bad_mac(sides):
    """A raw encrypted peer writes, with one send, 40 good messages and
    then one whose wrap token was tampered with: the zgss socket gets the
    40, then drops the connection with the integrity failure."""
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.PULL, "server", "encrypted")
    endpoint = z.bind_any(server)
    host, port = endpoint.rsplit("/", 1)[1].rsplit(":", 1)
    mech = zgss_mech.Mechanism("PUSH", {zgss_mech.ZMQ_GSSAPI_SERVICE_PRINCIPAL: "zmq@localhost"})
    raw = pysocket.create_connection((host, int(port)))
    try:
        zgss_mech.Peer(raw, mech).handshake()
        expected = [b"good %d " % i + b"x" * (i * 7) for i in range(40)]
        batch = b""
        for body in expected:
            wire, _ = mech.encode(body)
            batch += frame_bytes(wire)
        forged, _ = mech.encode(b"tampered")
        forged = forged[:-1] + bytes([forged[-1] ^ 0x01])
        batch += frame_bytes(forged)
        raw.sendall(batch)
        got = []
        for _ in expected:
            message = z.try_recv(server) or wait_for(lambda: z.try_recv(server), timeout=10)
            if message is None:
                break
            got.append(message)
        check(got == expected, "received %d of the %d good messages sent before the bad one"
              % (len(got), len(expected)))
        expect_error(server, "integrity check")
        raw.settimeout(10)
        check(raw.recv(1) == b"", "the connection stayed open after the bad message")
    finally:
        raw.close()
        mech.close()
    good = l.socket(zmq.PUSH, "client", "encrypted")
    good.connect(endpoint)
    good.send(b"after the bad one")
    check(server.recv() == b"after the bad one", "good client after the bad message")


def replayed_ready(victim_role, peer_name):
    """An on-path attacker sends the peer's wrapped READY a second time,
    after both READYs crossed. The zgss victim must neither deliver it as
    a message nor keep the connection; a clean reconnect then works."""
    def cell(sides):
        z, peer = sides["zgss"], sides[peer_name]
        peer_role = "client" if victim_role == "server" else "server"
        # The victim receives (PULL), the peer sends (PUSH); the GSSAPI
        # server binds, the client connects through the proxy.
        if victim_role == "server":
            victim = z.socket(zmq.PULL, "server", "encrypted")
            proxy = ReadyReplayProxy(z.bind_any(victim), duplicate=peer_role)
            sender = peer.socket(zmq.PUSH, "client", "encrypted")
            sender.connect(proxy.endpoint)
        else:
            sender = peer.socket(zmq.PUSH, "server", "encrypted")
            proxy = ReadyReplayProxy(peer.bind_any(sender), duplicate=peer_role)
            victim = z.socket(zmq.PULL, "client", "encrypted")
            victim.connect(proxy.endpoint)
        try:
            check(wait_for(proxy.injected.is_set, timeout=10), "the proxy never saw both READYs")
            delivered = []

            def settled():
                message = z.try_recv(victim)
                if message is not None:
                    delivered.append(message)
                return proxy.victim_closed.is_set()
            wait_for(settled, timeout=10)
            check(not delivered, "zgss %s delivered the replayed READY as a message: %r" % (victim_role, delivered[:1]))
            check(proxy.victim_closed.is_set(), "zgss %s kept the connection after a replayed READY" % victim_role)
            expect_error(victim, "replayed")
            # The next connection through the proxy is left alone.
            check(wait_for(proxy.later_ready.is_set, timeout=10), "no clean reconnect after the replay")
            sender.send(b"after the replay")
            check(victim.recv() == b"after the replay", "zgss %s got the wrong message after reconnecting" % victim_role)
        finally:
            proxy.close()
    return cell


def preauth_huge_frames(sides):
    """4 unauthenticated raw clients each declare a 250 MiB INITIATE and
    stream up to 48 MiB of it at a GSSAPI zgss server (its own process, so
    its VmRSS is its alone). The server drops each one at the frame's
    header, with ZGSS_LAST_ERROR naming ZGSS_HANDSHAKE_MAXMSGSIZE, its RSS
    stays within 32 MB of where it was, and a stock client is served."""
    server = hostile.ServerProcess()
    try:
        check(hostile.good_round_trip(server.endpoint), "the server does not answer a good client")
        before = server.rss_kib()
        peers = [hostile.HostilePeer(server.address, 48 << 20) for _ in range(4)]
        for peer in peers:
            peer.start()
        give_up = time.monotonic() + 15
        peak = hostile.watch_rss(server, lambda: all(p.finished.is_set() for p in peers)
                                 or time.monotonic() > give_up)
        slowest = max(p.dropped_after if p.dropped_after is not None else 15 for p in peers)
        check(slowest < 5, "the server held a hostile connection for %.1f s (sent %s MiB; VmRSS %.1f -> %.1f MB)"
              % (slowest, ", ".join("%.1f" % (p.sent / 1048576) for p in peers), before / 1024, peak / 1024))
        check(peak - before < 32 << 10, "server VmRSS grew from %.1f MB to %.1f MB" % (before / 1024, peak / 1024))
        text = server.last_error()
        for needle in ("262144000-byte command frame before the GSSAPI handshake completed", "131072",
                       "ZGSS_HANDSHAKE_MAXMSGSIZE"):
            check(needle in text, "ZGSS_LAST_ERROR %r does not mention %r" % (text, needle))
        check(hostile.good_round_trip(server.endpoint), "good client after the hostile ones")
        after = server.rss_kib()
        check(after - before < 32 << 10, "server VmRSS %.1f MB after, %.1f MB before" % (after / 1024, before / 1024))
        if os.environ.get("ZGSS_TEST_VERBOSE"):
            print("    VmRSS %.1f -> peak %.1f -> %.1f MB; %s" % (before / 1024, peak / 1024, after / 1024, text))
    finally:
        server.close()


def big_message_not_kept(sides):
    """A stock libzmq client sends one 128 MiB encrypted request to a zgss
    server (its own process): once it has been delivered and answered, the
    server's VmRSS is back within 32 MB of where it was (the I/O thread used
    to keep the last messages it read until its next read)."""
    server = hostile.ServerProcess()
    try:
        check(hostile.good_round_trip(server.endpoint), "the server does not answer a good client")
        before = server.rss_kib()
        check(hostile.good_round_trip(server.endpoint, timeout_ms=60000, request=b"\x5a" * (128 << 20)),
              "no answer to the 128 MiB request")
        after = wait_for(lambda: server.rss_kib() if server.rss_kib() - before < 32 << 10 else None, timeout=5)
        check(after, "server VmRSS %.1f MB after a 128 MiB message, %.1f MB before"
              % (server.rss_kib() / 1024, before / 1024))
    finally:
        server.close()


def preauth_trickle_times_out(sides):
    """A raw client sends a GSSAPI greeting and a 100 KB INITIATE header
    (within the handshake limit), then one byte every 50 ms: the server
    (ZMQ_HANDSHAKE_IVL 500) drops it at the interval, says how far it got,
    and serves a good client."""
    z, l = sides["zgss"], sides["libzmq"]
    server = z.socket(zmq.REP, "server", "encrypted", HANDSHAKE_IVL=500)
    endpoint = z.bind_any(server)
    host, port = endpoint.rsplit("/", 1)[1].rsplit(":", 1)
    raw = pysocket.create_connection((host, int(port)))
    started = time.monotonic()
    dropped = None
    try:
        raw.sendall(hostile.GSSAPI_GREETING + hostile.huge_command_header(100000))
        raw.settimeout(0.05)
        while time.monotonic() - started < 10:
            try:
                raw.sendall(b"\0")
                if raw.recv(65536) == b"":
                    dropped = time.monotonic() - started
                    break
            except pysocket.timeout:
                continue
            except OSError:
                dropped = time.monotonic() - started
                break
    finally:
        raw.close()
    check(dropped is not None, "a trickling pre-auth client was kept for 10 s")
    check(0.4 <= dropped < 5, "dropped after %.2f s with ZMQ_HANDSHAKE_IVL 500 ms" % dropped)
    expect_error(server, "timed out after 500 ms", "the peer had sent its greeting and",
                 "of the 100000 bytes of a command frame")
    good = l.socket(zmq.REQ, "client", "encrypted")
    good.connect(endpoint)
    round_trip(good, server)


CELLS = [
    ("failure: good messages before a tampered one in the same read are delivered (encrypted)",
     good_messages_before_a_bad_mac),
    ("failure: replayed READY (libzmq client -> zgss server) is refused and drops the connection",
     replayed_ready("server", "libzmq")),
    ("failure: replayed READY (libzmq server -> zgss client) is refused and drops the connection",
     replayed_ready("client", "libzmq")),
    ("failure: replayed READY (zgss client -> zgss server) is refused and drops the connection",
     replayed_ready("server", "zgss")),
    ("failure: replayed READY (zgss server -> zgss client) is refused and drops the connection",
     replayed_ready("client", "zgss")),
    ("failure: zgss server keytab lacks the service key, then fixed", server_keytab_lacks_the_key),
    ("failure: KDC unreachable (Cannot contact any KDC), then fixed", kdc_unreachable),
    ("failure: 120 connections of random garbage, then a good client (NULL and GSSAPI)", random_garbage_storm),
    ("failure: frame above ZMQ_MAXMSGSIZE drops the peer, then a good client", oversized_message),
    ("failure: wrong service principal (zgss client), then fixed", wrong_service_principal),
    ("failure: no credentials (zgss client), then fixed", no_credentials),
    ("failure: plaintext mismatch (zgss client), then fixed", plaintext_mismatch_zgss_client),
    ("failure: plaintext mismatch (zgss server), then a good libzmq client", plaintext_mismatch_zgss_server),
    ("failure: unauthorized principal (ZGSS_ALLOW_PRINCIPAL), then a good libzmq client", unauthorized_principal),
    ("failure: stock libzmq client refused by ZGSS_ALLOW_PRINCIPAL gets ERROR 400 and stops reconnecting",
     refused_stock_client_stops),
    ("failure: zgss client refused with ERROR 400 says so and backs off", refused_zgss_client_backs_off),
    ("failure: NULL client on a GSSAPI zgss server, then a good client", mechanism_mismatch),
    ("failure: silent peer hits ZMQ_HANDSHAKE_IVL, then a good client", silent_peer_times_out),
    ("failure: garbage instead of a greeting, then a good client", garbage_peer),
    ("failure: 4 unauthenticated 250 MiB INITIATE frames are dropped at the header, RSS stays bounded",
     preauth_huge_frames),
    ("failure: a pre-auth client trickling a handshake frame is dropped at ZMQ_HANDSHAKE_IVL", preauth_trickle_times_out),
    ("failure: a 128 MiB message is not kept by the server after delivery (VmRSS)", big_message_not_kept),
]
