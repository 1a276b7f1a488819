# SPDX-License-Identifier: MIT
"""Socket options set as attributes (pyzmq's style, `sock.gssapi_server =
True`) either reach the library or fail: a security option must never be
dropped silently, leaving the socket on the NULL mechanism."""
import ctypes
import errno
import time

import pytest
import zmq

import zgss

REPLY_DEADLINE_MS = 2000


def attribute_server(ctx):
    """A zgss REP made a GSSAPI server by attribute. Its timeouts are set
    with setsockopt so that these tests cannot hang on a binding that drops
    attributes."""
    rep = ctx.socket(zgss.REP)
    rep.setsockopt(zgss.LINGER, 0)
    rep.setsockopt(zgss.RCVTIMEO, REPLY_DEADLINE_MS)
    rep.gssapi_server = True
    rep.bind("tcp://127.0.0.1:*")
    return rep


def stock_client(zctx, endpoint, service=None):
    req = zctx.socket(zmq.REQ)
    req.linger = 0
    if service is not None:
        req.gssapi_service_principal = service
    req.connect(endpoint)
    return req


def serve_once(rep):
    """Receives one request and answers it; None when nothing came."""
    try:
        request = rep.recv()
    except zgss.Again:
        return None
    rep.send(b"served")
    return request


def test_attribute_gssapi_server_refuses_an_unauthenticated_client(ctx, zctx):
    with attribute_server(ctx) as rep:
        req = stock_client(zctx, rep.getsockopt_string(zgss.LAST_ENDPOINT))
        req.send(b"let me in")
        request = serve_once(rep)
        assert req.poll(REPLY_DEADLINE_MS) == 0, "a NULL client was served"
        assert request is None
        assert rep.getsockopt(zgss.MECHANISM) == 3
        assert "NULL" in rep.last_error


def test_attribute_gssapi_server_serves_a_kerberos_client(ctx, zctx):
    with attribute_server(ctx) as rep:
        req = stock_client(zctx, rep.getsockopt_string(zgss.LAST_ENDPOINT), service=b"zmq@localhost")
        req.send(b"hello")
        assert serve_once(rep) == b"hello"
        assert req.poll(5000) == zmq.POLLIN
        assert req.recv() == b"served"
        assert rep.getsockopt(zgss.PEER_PRINCIPAL).endswith(b"@EXAMPLE.TEST")


@pytest.mark.parametrize("name", ["gssapi_sever", "gssapi_servr", "gssapi_plain_text", "curve_sever"])
def test_an_unknown_socket_attribute_is_refused_by_name(ctx, name):
    with ctx.socket(zgss.REP) as rep:
        with pytest.raises(AttributeError, match=name.upper()):
            setattr(rep, name, True)
        with pytest.raises(AttributeError, match=name.upper()):
            getattr(rep, name)
        assert rep.getsockopt(zgss.MECHANISM) == 0


@pytest.mark.parametrize(("name", "value"), [("curve_server", True), ("plain_server", True), ("zap_domain", b"x"),
                                           ("tcp_keepalive", 1)])
def test_a_pyzmq_option_libzgss_lacks_fails_in_the_library(ctx, name, value):
    # pyzmq knows these names; libzgss has no such option, so setting one
    # raises ZMQError(EINVAL) as a libzmq built without it would, never
    # AttributeError (the name is right) nor silence.
    with ctx.socket(zgss.REP) as rep:
        with pytest.raises(zgss.ZMQError) as caught:
            setattr(rep, name, value)
        assert caught.value.errno == zgss.EINVAL
        assert rep.getsockopt(zgss.MECHANISM) == 0


@pytest.mark.parametrize("name", ["gssapi_server", "linger", "gssapi_sever"])
def test_context_attributes_are_refused(name):
    with zgss.Context() as context:
        with pytest.raises(AttributeError, match=name.upper()):
            setattr(context, name, 1)
        with context.socket(zgss.REP) as rep:
            assert rep.getsockopt(zgss.MECHANISM) == 0


def test_attribute_values_are_typed_as_pyzmq(ctx):
    with ctx.socket(zgss.DEALER) as dealer:
        with pytest.raises(TypeError, match="setsockopt_string"):
            dealer.gssapi_service_principal = "zmq@localhost"
        with pytest.raises(TypeError, match="setsockopt_string"):
            dealer.routing_id = "id"
        with pytest.raises(TypeError):
            dealer.gssapi_server = "1"
        with pytest.raises(TypeError):
            dealer.gssapi_principal = 5
        with pytest.raises(OverflowError):
            dealer.gssapi_plaintext = 1 << 32
        with pytest.raises(AttributeError, match="MECHANISM"):
            dealer.mechanism = 3
        assert dealer.getsockopt(zgss.MECHANISM) == 0
        dealer.setsockopt_string(zgss.GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost")
        assert dealer.gssapi_service_principal == b"zmq@localhost"


def test_setsockopt_refuses_values_of_the_wrong_type(ctx):
    with ctx.socket(zgss.REP) as rep:
        with pytest.raises(OverflowError):
            rep.setsockopt(zgss.GSSAPI_SERVER, (1 << 32) + 1)
        with pytest.raises(TypeError):
            rep.setsockopt(zgss.GSSAPI_PRINCIPAL, 0x41414141)
        with pytest.raises(TypeError):
            rep.setsockopt(zgss.GSSAPI_SERVER, b"\x01\x00\x00\x00")
        assert rep.getsockopt(zgss.MECHANISM) == 0
        assert rep.getsockopt(zgss.GSSAPI_PRINCIPAL) == b""


@pytest.mark.parametrize(("number", "value"), [(47, 1), (44, 1), (55, b"x"), (9999, 1)])  # CURVE_SERVER, PLAIN_SERVER, ZAP_DOMAIN
def test_setsockopt_of_an_unsupported_option_fails(ctx, number, value):
    with ctx.socket(zgss.REP) as rep:
        with pytest.raises(zgss.ZGSSError) as caught:
            rep.setsockopt(number, value)
        assert caught.value.errno == errno.EINVAL


def test_subscribe_attribute_filters(ctx, zctx):
    pub = zctx.socket(zmq.PUB)
    pub.linger = 0
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    with ctx.socket(zgss.SUB) as sub:
        sub.setsockopt(zgss.RCVTIMEO, 50)
        sub.subscribe = b"news"   # sets the option (pyzmq would shadow its subscribe method)
        sub.connect("tcp://127.0.0.1:%d" % port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pub.send(b"sports")
            pub.send(b"news today")
            try:
                assert sub.recv() == b"news today"
                return
            except zgss.Again:
                continue
        pytest.fail("no message through a subscription set as an attribute")


def sample_value(name, spec, current):
    """A valid value for the option that differs from its current one."""
    if spec.type in (zgss.OptionType.INT, zgss.OptionType.INT64):
        return 0 if current != 0 else 1
    return b"x-" + name.lower().encode()


@pytest.mark.parametrize("name", sorted(zgss.SOCKET_OPTIONS))
def test_every_option_attribute_reaches_the_library(ctx, name):
    spec = zgss.SOCKET_OPTIONS[name]
    attribute = name.lower()
    kind = zgss.SUB if name in ("SUBSCRIBE", "UNSUBSCRIBE") else zgss.XPUB if name.startswith("XPUB_") else zgss.DEALER
    with ctx.socket(kind) as sock:
        if not spec.readable:
            sample = b"topic" if spec.type is zgss.OptionType.BYTES else 1
            setattr(sock, attribute, sample)
            with pytest.raises(zgss.ZMQError) as caught:
                sock.getsockopt(spec.number)     # as libzmq: EINVAL
            assert caught.value.errno == errno.EINVAL
            with ctx.socket(zgss.DEALER) as dealer, pytest.raises(zgss.ZGSSError) as caught:
                setattr(dealer, attribute, sample)   # libzgss: SUB or XPUB only
            assert caught.value.errno == errno.EINVAL
            return
        current = sock.getsockopt(spec.number)
        if name == "LAST_ERROR":  # zgss's text property; getsockopt gives bytes as for every text option
            assert sock.last_error == current.decode()
            return
        assert getattr(sock, attribute) == current
        if not spec.writable:
            with pytest.raises(AttributeError, match="read-only"):
                setattr(sock, attribute, current)
            return
        value = sample_value(name, spec, current)
        setattr(sock, attribute, value)
        expected = value
        assert sock.getsockopt(spec.number) == expected
        assert getattr(sock, attribute) == expected
        assert getattr(sock, name) == expected   # pyzmq takes any case


def test_handshake_maxmsgsize_reads_back_and_refuses_nonsense(ctx):
    with ctx.socket(zgss.REP) as rep:
        assert rep.getsockopt(zgss.HANDSHAKE_MAXMSGSIZE) == 128 << 10
        rep.setsockopt(zgss.HANDSHAKE_MAXMSGSIZE, 65536)
        assert rep.handshake_maxmsgsize == 65536
        for bad in (-1, (256 << 20) + 1, 1 << 40):
            with pytest.raises(zgss.ZGSSError) as caught:
                rep.setsockopt(zgss.HANDSHAKE_MAXMSGSIZE, bad)
            assert caught.value.errno == errno.EINVAL
        # An int (4 bytes) where an int64_t is due: EINVAL, not a guess.
        four = ctypes.c_int(4096)
        rc = zgss._lib.lib.zgss_setsockopt(rep._handle, zgss.HANDSHAKE_MAXMSGSIZE, ctypes.byref(four), 4)
        assert rc == -1
        assert rep.getsockopt(zgss.HANDSHAKE_MAXMSGSIZE) == 65536


def test_config_refuses_the_socket_only_handshake_limit():
    lib = zgss._lib.lib
    lib.zgss_config_new.restype = ctypes.c_void_p
    lib.zgss_config_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
    lib.zgss_config_last_error.restype = ctypes.c_char_p
    lib.zgss_config_last_error.argtypes = [ctypes.c_void_p]
    lib.zgss_config_destroy.argtypes = [ctypes.c_void_p]
    config = lib.zgss_config_new()
    try:
        value = ctypes.c_int64(65536)
        assert lib.zgss_config_set(config, zgss.HANDSHAKE_MAXMSGSIZE, ctypes.byref(value), 8) == -1  # ZGSS_E_INVAL
        assert b"ZGSS_HANDSHAKE_MAXMSGSIZE is a socket option" in lib.zgss_config_last_error(config)
    finally:
        lib.zgss_config_destroy(config)


def test_the_largest_maxmsgsize_is_no_limit_not_a_crash(ctx, zctx):
    # INT64_MAX + 256 (room for the GSSAPI wrap) overflowed in the I/O
    # thread when a connection was made, and the process died.
    with ctx.socket(zgss.PULL) as pull:
        pull.setsockopt(zgss.LINGER, 0)
        pull.setsockopt(zgss.RCVTIMEO, 10000)
        pull.setsockopt(zgss.MAXMSGSIZE, (1 << 63) - 1)
        pull.bind("tcp://127.0.0.1:*")
        push = zctx.socket(zmq.PUSH)
        push.linger = 0
        push.connect(pull.getsockopt_string(zgss.LAST_ENDPOINT))
        push.send(b"x" * 300000)
        assert pull.recv() == b"x" * 300000
