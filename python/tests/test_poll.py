# SPDX-License-Identifier: MIT
"""Event loops on ZMQ_FD, as pyzmq's integrations use it: asyncio's
loop.add_reader on a zgss socket's FD, draining while EVENTS shows POLLIN,
receives every message a stock libzmq (pyzmq) peer sends, over GSSAPI;
the FD is edge-triggered (reset by reading EVENTS) and read-only."""
import asyncio
import select
import threading
import time

import pytest
import zmq

import zgss

MESSAGES = 500


def gssapi_pull(ctx):
    pull = ctx.socket(zgss.PULL)
    pull.setsockopt(zgss.LINGER, 0)
    pull.setsockopt(zgss.GSSAPI_SERVER, 1)
    pull.bind("tcp://127.0.0.1:*")
    return pull


def stock_push(zctx, endpoint):
    push = zctx.socket(zmq.PUSH)
    push.linger = 2000
    push.setsockopt_string(zmq.GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost")
    push.connect(endpoint)
    return push


def test_asyncio_add_reader_on_fd_receives_from_stock_push(ctx, zctx):
    pull = gssapi_pull(ctx)
    push = stock_push(zctx, pull.last_endpoint)
    received = []

    def send_in_bursts():
        for i in range(MESSAGES):
            push.send(b"message %d" % i)
            if i % 50 == 49:
                time.sleep(0.005)

    async def main():
        loop = asyncio.get_running_loop()
        finished = loop.create_future()

        def on_readable():
            # The FD only says "may have changed": drain what EVENTS shows.
            while pull.events & zgss.POLLIN:
                received.append(pull.recv(zgss.DONTWAIT))
            if len(received) >= MESSAGES and not finished.done():
                finished.set_result(None)

        fd = pull.fd
        loop.add_reader(fd, on_readable)
        try:
            on_readable()  # what was queued before the reader was added
            sender = threading.Thread(target=send_in_bursts)
            sender.start()
            await asyncio.wait_for(finished, 30)
            sender.join()
        finally:
            loop.remove_reader(fd)

    asyncio.run(main())
    assert received == [b"message %d" % i for i in range(MESSAGES)]
    assert pull.peer_principal  # the stock peer authenticated with Kerberos
    assert pull.events == 0
    push.close()


def test_fd_is_edge_triggered_and_read_only(ctx, zctx):
    pull = gssapi_pull(ctx)
    push = stock_push(zctx, pull.last_endpoint)
    fd = pull.fd
    assert pull.fd == fd

    def readable(timeout=0.0):
        return bool(select.select([fd], [], [], timeout)[0])

    assert readable(), "a new ZMQ_FD is readable until EVENTS is read"
    assert pull.events == 0
    assert not readable()
    push.send(b"one")
    push.send(b"two")
    assert readable(20.0), "a message arrival signals the FD"

    def wait_for_message():
        # The drain pattern's wait: EVENTS first, the FD only when it
        # shows nothing. Returns right after an EVENTS read showed POLLIN.
        deadline = time.monotonic() + 20
        while not pull.events & zgss.POLLIN:
            assert time.monotonic() < deadline, "no message within 20 s"
            readable(1.0)

    wait_for_message()
    assert pull.recv(zgss.DONTWAIT) == b"one"
    wait_for_message()
    # EVENTS has just reported "two": edge-triggered, the FD stays quiet
    # although the message waits, and EVENTS still shows it.
    assert not readable()
    assert pull.events & zgss.POLLIN
    assert pull.recv(zgss.DONTWAIT) == b"two"
    with pytest.raises(AttributeError):
        pull.fd = 3
    with pytest.raises(AttributeError):
        pull.events = 1
    push.close()
