# SPDX-License-Identifier: MIT
"""zgss's sans-I/O mechanism, hosted by a minimal Python ZMTP peer, against
stock libzmq 4.3.4 (Debian's pyzmq) over real TCP. Needs /usr/bin/python3
(python3-zmq) and a realm (the `realm` fixture makes one)."""
import socket
import threading

import pytest
import zmq

from zgss_mech import (Mechanism, Peer, ZGSSError, ZGSS_ALLOW_PRINCIPAL, ZMQ_GSSAPI_PLAINTEXT,
                       ZMQ_GSSAPI_SERVER, ZMQ_GSSAPI_SERVICE_PRINCIPAL)

TIMEOUT_MS = 5000


def libzmq_socket(ctx, kind, server, plaintext, service="zmq@localhost"):
    s = ctx.socket(kind)
    if server:
        s.setsockopt(zmq.GSSAPI_SERVER, 1)
    else:
        s.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL, service.encode())
    s.setsockopt(zmq.GSSAPI_PLAINTEXT, int(plaintext))
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.LINGER, 0)
    return s


def failed_handshake_with_libzmq_rep(options):
    """A zgss REQ client with `options` against an encrypted libzmq REP; the
    handshake must fail. Returns the error and the mechanism's last error."""
    ctx = zmq.Context()
    rep = libzmq_socket(ctx, zmq.REP, server=True, plaintext=False)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    conn = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_MS / 1000)
    mech = Mechanism("REQ", options)
    try:
        with pytest.raises(ZGSSError) as failure:
            Peer(conn, mech).handshake()
        return failure.value, mech.last_error
    finally:
        conn.close()
        mech.close()
        rep.close()
        ctx.term()


class ZgssServer:
    """Accepts one connection on a loopback port and runs `body(peer)` in a
    thread; records the result or the exception."""

    def __init__(self, socket_type, options, body):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT_MS / 1000)
        self.port = self.listener.getsockname()[1]
        self.mech = Mechanism(socket_type, options)
        self.error = None
        self.result = None

        def run():
            try:
                conn, _ = self.listener.accept()
                conn.settimeout(TIMEOUT_MS / 1000)
                with conn:
                    peer = Peer(conn, self.mech)
                    peer.handshake()
                    self.result = body(peer)
            except Exception as e:  # noqa: BLE001 - recorded for the test
                self.error = e

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self):
        self.thread.join(TIMEOUT_MS / 1000 + 2)
        assert not self.thread.is_alive(), "zgss server thread hung"
        self.listener.close()


@pytest.mark.parametrize("plaintext", [False, True], ids=["encrypted", "plaintext"])
def test_libzmq_req_to_zgss_rep(realm, plaintext):
    server = ZgssServer("REP", {ZMQ_GSSAPI_SERVER: 1, ZMQ_GSSAPI_PLAINTEXT: int(plaintext)},
                        lambda peer: (peer.recv(), peer.send([b"", b"world"])))
    ctx = zmq.Context()
    req = libzmq_socket(ctx, zmq.REQ, server=False, plaintext=plaintext)
    req.connect(f"tcp://127.0.0.1:{server.port}")
    req.send(b"hello")
    assert req.recv() == b"world"
    server.join()
    assert server.error is None
    assert server.result[0] == [b"", b"hello"]
    assert server.mech.peer_principal == "alice@EXAMPLE.TEST"
    req.close()
    ctx.term()


@pytest.mark.parametrize("plaintext", [False, True], ids=["encrypted", "plaintext"])
def test_zgss_dealer_to_libzmq_router_multipart(realm, plaintext):
    ctx = zmq.Context()
    router = libzmq_socket(ctx, zmq.ROUTER, server=True, plaintext=plaintext)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    conn = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_MS / 1000)
    mech = Mechanism("DEALER", {ZMQ_GSSAPI_SERVICE_PRINCIPAL: "zmq@localhost",
                                ZMQ_GSSAPI_PLAINTEXT: int(plaintext)}, routing_id=b"dealer-7")
    peer = Peer(conn, mech)
    peer.handshake()
    big = bytes(range(256)) * 4096  # 1 MiB
    peer.send([b"", b"part1", big])
    frames = router.recv_multipart()
    assert frames == [b"dealer-7", b"", b"part1", big]
    router.send_multipart([b"dealer-7", b"", b"reply", big[::-1]])
    assert peer.recv() == [b"", b"reply", big[::-1]]
    assert mech.peer_principal == "zmq/localhost@EXAMPLE.TEST"
    conn.close()
    mech.close()
    router.close()
    ctx.term()


def test_libzmq_push_to_zgss_pull_1000_messages(realm):
    def drain(peer):
        return [peer.recv()[0] for _ in range(1000)]

    server = ZgssServer("PULL", {ZMQ_GSSAPI_SERVER: 1}, drain)
    ctx = zmq.Context()
    push = libzmq_socket(ctx, zmq.PUSH, server=False, plaintext=False)
    push.connect(f"tcp://127.0.0.1:{server.port}")
    for i in range(1000):
        push.send(b"msg-%d" % i)
    server.join()
    assert server.error is None
    assert server.result == [b"msg-%d" % i for i in range(1000)]
    push.close()
    ctx.term()


def test_plaintext_mismatch_is_reported_by_zgss(realm):
    server = ZgssServer("REP", {ZMQ_GSSAPI_SERVER: 1, ZMQ_GSSAPI_PLAINTEXT: 1}, lambda peer: peer.recv())
    ctx = zmq.Context()
    req = libzmq_socket(ctx, zmq.REQ, server=False, plaintext=False)
    req.connect(f"tcp://127.0.0.1:{server.port}")
    req.send(b"hello")
    server.join()
    # libzmq's client sees our plain READY, fails and hangs up; zgss names
    # the likely cause.
    assert isinstance(server.error, ZGSSError)
    assert "ZMQ_GSSAPI_PLAINTEXT probably differs" in server.mech.last_error
    req.close()
    ctx.term()


def test_plaintext_mismatch_detected_by_zgss_client(realm):
    failure, reason = failed_handshake_with_libzmq_rep(
        {ZMQ_GSSAPI_SERVICE_PRINCIPAL: "zmq@localhost", ZMQ_GSSAPI_PLAINTEXT: 1})
    assert failure.code == -3
    assert "ZMQ_GSSAPI_PLAINTEXT is set on this side" in reason


def test_unauthorized_principal_is_refused(realm):
    server = ZgssServer("REP", {ZMQ_GSSAPI_SERVER: 1, ZGSS_ALLOW_PRINCIPAL: "bob@EXAMPLE.TEST"},
                        lambda peer: peer.recv())
    ctx = zmq.Context()
    req = libzmq_socket(ctx, zmq.REQ, server=False, plaintext=False)
    req.connect(f"tcp://127.0.0.1:{server.port}")
    req.send(b"hello")
    server.join()
    assert isinstance(server.error, ZGSSError)
    assert server.error.code == -5
    assert "alice@EXAMPLE.TEST is not in the allowed list" in server.mech.last_error
    # Nothing reached the application: the zgss side never produced READY.
    assert server.result is None
    req.close()
    ctx.term()


def test_wrong_service_principal_names_the_kerberos_reason(realm):
    failure, reason = failed_handshake_with_libzmq_rep({ZMQ_GSSAPI_SERVICE_PRINCIPAL: "nosuch@localhost"})
    assert failure.code == -4
    assert "not found in Kerberos database" in reason


def test_zgss_pub_accepts_bare_topic_from_libzmq_sub_plaintext_marker(realm):
    """Encrypted: libzmq 4.3.4's SUB loses the subscribe marker inside the
    wrap, so what arrives is the bare topic (DESIGN.md §2)."""
    def first_message(peer):
        return peer.recv()

    server = ZgssServer("PUB", {ZMQ_GSSAPI_SERVER: 1}, first_message)
    ctx = zmq.Context()
    sub = libzmq_socket(ctx, zmq.SUB, server=False, plaintext=False)
    sub.setsockopt(zmq.SUBSCRIBE, b"weather")
    sub.connect(f"tcp://127.0.0.1:{server.port}")
    server.join()
    assert server.error is None
    assert server.result == [b"weather"]
    sub.close()
    ctx.term()
