# SPDX-License-Identifier: MIT
"""The Python binding against stock libzmq peers (python3-zmq)."""
import errno
import os

import pytest
import zmq

import zgss


def server(zctx, kind, plaintext=False):
    sock = zctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = 5000
    sock.gssapi_server = True
    sock.gssapi_plaintext = plaintext
    port = sock.bind_to_random_port("tcp://127.0.0.1")
    return sock, "tcp://127.0.0.1:%d" % port


def client(ctx, kind, endpoint, service="zmq@localhost", **options):
    sock = ctx.socket(kind)
    sock.setsockopt(zgss.LINGER, 0)
    sock.setsockopt(zgss.RCVTIMEO, 5000)
    sock.setsockopt_string(zgss.GSSAPI_SERVICE_PRINCIPAL, service)
    for name, value in options.items():
        sock.setsockopt(getattr(zgss, name), value.encode() if isinstance(value, str) else value)
    sock.connect(endpoint)
    return sock


def test_version_is_semver():
    assert zgss.version().count(".") == 2


def test_encrypted_request_reply(ctx, zctx):
    rep, endpoint = server(zctx, zmq.REP)
    with client(ctx, zgss.REQ, endpoint) as req:
        req.send(b"hello")
        assert rep.recv() == b"hello"
        rep.send(b"world")
        assert req.recv() == b"world"
        assert req.getsockopt(zgss.PEER_PRINCIPAL) == b"zmq/localhost@EXAMPLE.TEST"
        assert req.getsockopt(zgss.MECHANISM) == 3


def test_multipart_with_a_large_part(ctx, zctx):
    router, endpoint = server(zctx, zmq.ROUTER, plaintext=True)
    big = os.urandom(2 << 20)
    with client(ctx, zgss.DEALER, endpoint, ROUTING_ID=b"py", GSSAPI_PLAINTEXT=1) as dealer:
        dealer.send_multipart([b"", big])
        assert router.recv_multipart() == [b"py", b"", big]
        router.send_multipart([b"py", b"ok", b""])
        assert dealer.recv_multipart() == [b"ok", b""]


def test_exception_carries_the_kerberos_reason(ctx, zctx):
    _, endpoint = server(zctx, zmq.REP)
    with client(ctx, zgss.REQ, endpoint, service="nosuch@localhost", RCVTIMEO=500) as req:
        req.send(b"hello")
        with pytest.raises(zgss.Again) as caught:
            req.recv()
        assert caught.value.errno == errno.EAGAIN
        assert "not found in Kerberos database" in caught.value.last_error
        assert "not found in Kerberos database" in str(caught.value)


def test_state_errors_are_zgss_errors(ctx):
    with ctx.socket(zgss.REQ) as req:
        with pytest.raises(zgss.ZGSSError) as caught:
            req.recv()
        assert caught.value.errno == zgss.EFSM
        with pytest.raises(zgss.ZGSSError) as caught:
            req.setsockopt(zgss.GSSAPI_PLAINTEXT, 7)
        assert caught.value.errno == errno.EINVAL


def test_subscriber_with_a_stock_encrypted_publisher(ctx, zctx):
    pub, endpoint = server(zctx, zmq.PUB)
    with client(ctx, zgss.SUB, endpoint) as sub:
        sub.setsockopt(zgss.SUBSCRIBE, b"news")
        sub.setsockopt(zgss.RCVTIMEO, 50)
        for _ in range(100):
            pub.send(b"sports")
            pub.send(b"news today")
            try:
                assert sub.recv() == b"news today"
                break
            except zgss.Again:
                continue
        else:
            pytest.fail("no message through the subscription")


def test_context_manager_closes_sockets():
    with zgss.Context() as context:
        sock = context.socket(zgss.PUSH)
        sock.connect("tcp://127.0.0.1:9")
        sock.setsockopt(zgss.LINGER, 0)
        sock.send(b"queued, never delivered")
    assert sock.closed
