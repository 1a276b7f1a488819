# SPDX-License-Identifier: MIT
"""unbind, disconnect and the socket monitor (get_monitor_socket,
zmq.utils.monitor): the same snippet on pyzmq (Debian's python3-zmq) and on
zgss gives the same results."""
import errno
import importlib

import zmq

import zgss
import zgss.utils.monitor

from test_pyzmq_parity import assert_same


def monitor_module(m):
    return importlib.import_module(m.__name__ + ".utils.monitor")


def test_unbind_frees_the_port_and_a_second_unbind_is_enoent():
    def snippet(m, c):
        pull = c.socket(m.PULL)
        pull.linger = 0
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        endpoint = "tcp://127.0.0.1:%d" % port
        pull.unbind(endpoint)
        try:
            pull.unbind(endpoint)
            second = "ok"
        except m.ZMQError as exc:
            second = exc.errno
        # The port is free again: bind it once more (libzmq's unbind is
        # asynchronous, so retry briefly).
        other = c.socket(m.PULL)
        other.linger = 0
        for _ in range(100):
            try:
                other.bind(endpoint)
                break
            except m.ZMQError:
                import time
                time.sleep(0.02)
        else:
            return ("rebind failed", second)
        return ("rebound", second)
    assert assert_same(snippet) == ("ok", ("rebound", errno.ENOENT), "tuple")


def test_disconnect_of_an_unknown_endpoint_is_enoent():
    def snippet(m, c):
        push = c.socket(m.PUSH)
        push.linger = 0
        push.connect("tcp://127.0.0.1:5")
        push.disconnect("tcp://127.0.0.1:5")
        push.disconnect("tcp://127.0.0.1:5")
    result = assert_same(snippet)
    assert result[0] == "raised" and result[2] == errno.ENOENT


def test_monitor_socket_reports_listening_accepted_and_handshake():
    def snippet(m, c):
        monitor = monitor_module(m)
        server = c.socket(m.PAIR)
        server.linger = 0
        events = server.get_monitor_socket()
        events.rcvtimeo = 10000
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client = c.socket(m.PAIR)
        client.linger = 0
        client.connect("tcp://127.0.0.1:%d" % port)
        seen = []
        want = {m.EVENT_LISTENING, m.EVENT_ACCEPTED, m.EVENT_HANDSHAKE_SUCCEEDED}
        while not want <= set(seen):
            message = monitor.recv_monitor_message(events)
            seen.append(int(message["event"]))
            assert message["endpoint"].startswith(b"tcp://127.0.0.1:")
        server.disable_monitor()
        return [e for e in seen if e in want]
    result = assert_same(snippet)
    assert result[1] == [zmq.EVENT_LISTENING, zmq.EVENT_ACCEPTED, zmq.EVENT_HANDSHAKE_SUCCEEDED]


def test_monitor_needs_an_inproc_endpoint():
    def snippet(m, c):
        c.socket(m.PAIR).monitor("tcp://127.0.0.1:5", m.EVENT_ALL)
    result = assert_same(snippet)
    assert result[0] == "raised"


def test_refused_handshake_event_comes_with_its_reason(realm):
    """A GSSAPI server with an allowlist refuses the client: its monitor
    shows HANDSHAKE_FAILED_AUTH 400 and last_error names the principal."""
    with zgss.Context() as context:
        server = context.socket(zgss.REP)
        server.linger = 0
        server.gssapi_server = True
        server.setsockopt(zgss.ALLOW_PRINCIPAL, b"bob@EXAMPLE.TEST")
        events = server.get_monitor_socket(zgss.EVENT_HANDSHAKE_FAILED_AUTH)
        events.rcvtimeo = 20000
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client = context.socket(zgss.REQ)
        client.linger = 0
        client.gssapi_service_principal = b"zmq@localhost"
        client.connect("tcp://127.0.0.1:%d" % port)
        message = zgss.utils.monitor.recv_monitor_message(events)
        assert message["event"] == zgss.EVENT_HANDSHAKE_FAILED_AUTH
        assert message["value"] == 400
        assert "alice@EXAMPLE.TEST" in server.last_error
