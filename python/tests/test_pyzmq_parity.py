# SPDX-License-Identifier: MIT
"""The same snippet on pyzmq (Debian's python3-zmq) and on zgss: equal
results, return types, exception classes, errno values and messages."""
import errno
import time

import pytest
import zmq

import zgss

MODULES = {"pyzmq": zmq, "zgss": zgss}


def outcome(call):
    """What a call gives: ("ok", value, type name) or ("raised", class
    name, errno, str)."""
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - the point is to compare them
        text = exc.strerror if isinstance(exc, (zmq.ZMQError, zgss.ZMQError)) else str(exc)
        return ("raised", type(exc).__name__, getattr(exc, "errno", None), text)
    return ("ok", value, type(value).__name__)


def both(snippet):
    """snippet(module, context) run on each library, a fresh context each."""
    results = {}
    for name, module in MODULES.items():
        context = module.Context()
        try:
            results[name] = outcome(lambda: snippet(module, context))
        finally:
            context.destroy(linger=0)
    return results


def assert_same(snippet):
    results = both(snippet)
    assert results["zgss"] == results["pyzmq"]
    return results["zgss"]


SNIPPETS = {
    "send str": lambda m, c: c.socket(m.PUSH).send("text"),
    "send int": lambda m, c: c.socket(m.PUSH).send(5),
    "send_string bytes": lambda m, c: c.socket(m.PUSH).send_string(b"bytes"),
    "REQ recv first (EFSM)": lambda m, c: c.socket(m.REQ).recv(),
    "REP send first (EFSM)": lambda m, c: c.socket(m.REP).send(b"x"),
    "recv NOBLOCK (EAGAIN)": lambda m, c: c.socket(m.PULL).recv(m.NOBLOCK),
    "recv DONTWAIT (EAGAIN)": lambda m, c: c.socket(m.PULL).recv_multipart(m.DONTWAIT),
    "send on PULL (ENOTSUP)": lambda m, c: c.socket(m.PULL).send(b"x"),
    "setsockopt int option str": lambda m, c: c.socket(m.REQ).setsockopt(m.RCVTIMEO, "100"),
    "setsockopt bytes option str": lambda m, c: c.socket(m.REQ).setsockopt(m.GSSAPI_PRINCIPAL, "alice"),
    "attribute bytes option str": lambda m, c: setattr(c.socket(m.REQ), "gssapi_principal", "alice"),
    "misspelt attribute": lambda m, c: setattr(c.socket(m.REQ), "gssapi_sever", True),
    "unknown option number": lambda m, c: c.socket(m.REQ).getsockopt(9999),
    "bind unknown transport": lambda m, c: c.socket(m.REP).bind("nosuch://x"),
    "bind no port": lambda m, c: c.socket(m.REP).bind("tcp://127.0.0.1"),
    "rcvtimeo attribute": lambda m, c: (setattr(s := c.socket(m.REQ), "rcvtimeo", 150), s.rcvtimeo)[1],
    "type attribute": lambda m, c: int(c.socket(m.DEALER).type),   # pyzmq's is an IntEnum
    "routing id bytes": lambda m, c: (setattr(s := c.socket(m.DEALER), "routing_id", b"\x01id"), s.routing_id)[1],
    "empty routing id": lambda m, c: c.socket(m.DEALER).getsockopt(m.ROUTING_ID),
    "principal bytes": lambda m, c: (s := c.socket(m.REQ), s.setsockopt(m.GSSAPI_SERVICE_PRINCIPAL, b"zmq@h"),
                                     s.getsockopt(m.GSSAPI_SERVICE_PRINCIPAL))[2],
    "principal string": lambda m, c: (s := c.socket(m.REQ), s.setsockopt_string(m.GSSAPI_PRINCIPAL, "alice"),
                                      s.getsockopt_string(m.GSSAPI_PRINCIPAL))[2],
    "getsockopt_string of an int": lambda m, c: c.socket(m.REQ).getsockopt_string(m.LINGER),
    "maxmsgsize int64": lambda m, c: (s := c.socket(m.PULL), s.setsockopt(m.MAXMSGSIZE, 1 << 33),
                                      s.maxmsgsize)[2],
    "last endpoint type": lambda m, c: type(bound_any(m, c.socket(m.PULL))).__name__,
    "closed socket": lambda m, c: (s := c.socket(m.PUSH), s.close(), s.closed)[2],
    "socket on a terminated context": lambda m, c: (c.term(), c.socket(m.PUSH))[1],
}


def bound_any(m, sock):
    sock.bind("tcp://127.0.0.1:*")
    return sock.getsockopt(m.LAST_ENDPOINT)


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippet_behaves_as_on_pyzmq(name):
    assert_same(SNIPPETS[name])


def test_exception_classes_match_pyzmq():
    for name in ("ZMQBaseError", "ZMQError", "Again", "ContextTerminated", "NotDone", "ZMQBindError"):
        ours = [cls.__name__ for cls in getattr(zgss, name).__mro__]
        theirs = [cls.__name__ for cls in getattr(zmq, name).__mro__]
        assert ours == theirs, name


def test_every_pyzmq_constant_has_its_value():
    names = [n for n in dir(zmq) if n.isupper() and not n.startswith("_") and isinstance(getattr(zmq, n), int)]
    assert len(names) > 200
    for name in names:
        assert hasattr(zgss, name), name
        assert getattr(zgss, name) == int(getattr(zmq, name)), name
    assert (zgss.EAGAIN, zgss.EFSM, zgss.ETERM, zgss.ENOTSOCK) == (errno.EAGAIN, 156384763, 156384765,
                                                                   errno.ENOTSOCK)


def test_every_pyzmq_option_name_is_an_attribute():
    # A name pyzmq knows either works or fails in libzgss (ZMQError), never
    # as an unknown attribute.
    from zmq.constants import SocketOption
    with zgss.Context() as context, context.socket(zgss.DEALER) as sock:
        for option in SocketOption:
            try:
                getattr(sock, option.name.lower())
            except zgss.ZMQError as exc:
                assert exc.errno == zgss.EINVAL, option.name
            except AttributeError as exc:
                assert "write-only" in str(exc), option.name


def test_context_instance_is_shared_until_terminated():
    first = zgss.Context.instance()
    assert zgss.Context.instance() is first
    first.term()
    second = zgss.Context.instance()
    assert second is not first and not second.closed
    second.term()


def test_bind_to_random_port_returns_the_bound_port():
    for module in MODULES.values():
        context = module.Context()
        sock = context.socket(module.PULL)
        port = sock.bind_to_random_port("tcp://127.0.0.1")
        assert isinstance(port, int)
        assert sock.getsockopt(module.LAST_ENDPOINT) == b"tcp://127.0.0.1:%d" % port
        other = context.socket(module.PULL)
        ranged = other.bind_to_random_port("tcp://127.0.0.1", min_port=40000, max_port=60000)
        assert 40000 <= ranged < 60000
        context.destroy(linger=0)


def pair(module, context, plain_peer_module=None):
    """A connected PAIR over tcp (NULL mechanism), from `module`'s side."""
    server = context.socket(module.PAIR)
    server.linger = 0
    server.rcvtimeo = 10000
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client = context.socket(module.PAIR)
    client.linger = 0
    client.rcvtimeo = 10000
    client.connect("tcp://127.0.0.1:%d" % port)
    return server, client


def test_serialising_senders_round_trip_as_on_pyzmq():
    def snippet(m, c):
        server, client = pair(m, c)
        client.send_string("grüße")
        client.send_json({"a": [1, 2]})
        client.send_pyobj(("tuple", 3))
        client.send_multipart([b"one", bytearray(b"two"), memoryview(b"three")])
        client.send(b"frame")
        received = [server.recv_string(), server.recv_json(), server.recv_pyobj(), server.recv_multipart(),
                    server.recv(copy=False).bytes]
        trackers = [client.send(b"t", track=True), client.send(b"t", copy=False, track=True)]
        server.recv(), server.recv()
        return received, [type(t).__name__ for t in trackers], trackers[1].done
    result = assert_same(snippet)
    assert result[1][0] == ["grüße", {"a": [1, 2]}, ("tuple", 3), [b"one", b"two", b"three"], b"frame"]


def test_a_five_mib_message_arrives_whole():
    # The binding received into a 4 MiB buffer: a 5 MiB part was taken off
    # the queue and lost with EMSGSIZE, where pyzmq gets it.
    big = bytes(range(256)) * (5 * 4096)
    for name, module in MODULES.items():
        context = module.Context()
        server, client = pair(module, context)
        client.send(big)
        client.send(b"after")
        assert server.recv() == big, name
        assert server.recv() == b"after", name
        context.destroy(linger=0)
    with zgss.Context() as ours:   # zgss receiving from stock libzmq
        theirs = zmq.Context()
        pull = ours.socket(zgss.PULL)
        pull.rcvtimeo = 10000
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = theirs.socket(zmq.PUSH)
        push.connect("tcp://127.0.0.1:%d" % port)
        push.send(big)
        assert pull.recv() == big
        theirs.destroy(linger=0)


def test_a_part_above_maxmsgsize_is_refused_not_cut_short():
    # As libzmq: the peer sending a part larger than ZMQ_MAXMSGSIZE is
    # dropped when its header arrives; recv never hands out part of it
    # nor consumes it and fails afterwards.
    def snippet(m, c):
        pull = c.socket(m.PULL)
        pull.maxmsgsize = 1000
        pull.rcvtimeo = 1500
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = zmq_context.socket(zmq.PUSH)
        push.linger = 0
        push.connect("tcp://127.0.0.1:%d" % port)
        push.send(b"x" * 2000)
        return pull.recv()
    zmq_context = zmq.Context()
    try:
        result = assert_same(snippet)
    finally:
        zmq_context.destroy(linger=0)
    assert result[:3] == ("raised", "Again", errno.EAGAIN)


def test_the_security_reason_rides_once_on_the_call_it_belongs_to(ctx):
    # A client asking for a service the KDC does not know: the first Again
    # carries the Kerberos reason; later ones do not repeat that old text
    # (the binding attached the socket's last error to every exception).
    with ctx.socket(zgss.REQ) as req:
        req.linger = 0
        req.rcvtimeo = 300
        req.gssapi_service_principal = b"nosuch@localhost"
        server = zmq.Context()
        rep = server.socket(zmq.REP)
        rep.gssapi_server = True
        port = rep.bind_to_random_port("tcp://127.0.0.1")
        req.connect("tcp://127.0.0.1:%d" % port)
        req.send(b"anyone?")
        deadline = time.monotonic() + 20
        while not req.last_error and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(zgss.Again) as first:
            req.recv()
        assert "nosuch" in first.value.last_error
        assert "nosuch" in str(first.value)
        assert first.value.errno == zgss.EAGAIN
        req.reconnect_ivl = -1   # no new handshake, so no new reason
        with pytest.raises(zgss.Again) as second:
            req.recv()
        assert second.value.last_error == ""
        assert str(second.value) == "Resource temporarily unavailable"
        server.destroy(linger=0)
