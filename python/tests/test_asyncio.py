# SPDX-License-Identifier: MIT
"""zgss.asyncio on its own: the edge-triggered ZMQ_FD never loses a
wake-up (whoever reads EVENTS), term() and close() end pending calls, and
a GSSAPI stream from stock pyzmq arrives whole while receives are being
cancelled."""
import asyncio
import threading
import time

import pytest
import zmq

import zgss
import zgss.asyncio

from test_pyzmq_parity import pair


def run(coroutine_function, deadline_s=60):
    async def main():
        context = zgss.asyncio.Context()
        try:
            return await coroutine_function(context)
        finally:
            context.destroy(linger=0)
    return asyncio.run(asyncio.wait_for(main(), deadline_s))


def wait_until_readable(sock):
    """Blocks the loop (no await) until sock shows POLLIN, reading EVENTS
    through a plain zgss.Poller: that read re-arms the fd the pending
    receive waits on, before the loop has seen it signalled."""
    poller = zgss.Poller()
    poller.register(sock, zgss.POLLIN)
    deadline = time.monotonic() + 20
    while not poller.poll(100):
        assert time.monotonic() < deadline, "nothing arrived"


@pytest.mark.parametrize("reader", ["Poller", "Socket.poll", "events attribute"])
def test_an_events_read_elsewhere_does_not_lose_the_wake_up(reader):
    async def scenario(context):
        server, client = pair(zgss, context)
        server.rcvtimeo = -1               # no timeout to retry at: only a wake-up ends the wait
        pending = server.recv()
        await asyncio.sleep(0.1)           # the receive now waits on the fd
        await client.send(b"hello")
        if reader == "Poller":
            wait_until_readable(server)
        elif reader == "Socket.poll":   # the blocking one, on the asyncio socket
            deadline = time.monotonic() + 20
            while not zgss.Socket.poll(server, 100) and time.monotonic() < deadline:
                pass
        else:
            deadline = time.monotonic() + 20
            while not server.events & zgss.POLLIN and time.monotonic() < deadline:
                time.sleep(0.01)
        return await asyncio.wait_for(pending, 5)
    assert run(scenario) == b"hello"


def test_a_waiting_receive_and_a_waiting_send_on_one_socket_both_complete():
    # A PAIR with the smallest queues: receives and sends wait on the same
    # socket pair at once; each completion must re-check for the others.
    async def scenario(context):
        server, client = pair(zgss, context)
        client.sndhwm = 1
        server.rcvhwm = 1
        receiving = server.recv()
        sends = [client.send(b"%d" % n) for n in range(50)]
        got = [await asyncio.wait_for(receiving, 10)]
        while len(got) < 50:
            got.append(await asyncio.wait_for(server.recv(), 10))
        await asyncio.wait_for(asyncio.gather(*sends), 10)
        return got
    assert sorted(run(scenario), key=int) == [b"%d" % n for n in range(50)]


def test_term_fails_a_pending_receive_with_context_terminated():
    async def scenario(context):
        pull = context.socket(zgss.PULL)
        pull.bind("tcp://127.0.0.1:*")
        pending = pull.recv()
        await asyncio.sleep(0.1)
        context.term()
        with pytest.raises(zgss.ContextTerminated):
            await asyncio.wait_for(pending, 10)
        return True
    assert run(scenario)


def test_close_cancels_a_pending_receive():
    async def scenario(context):
        pull = context.socket(zgss.PULL)
        pull.bind("tcp://127.0.0.1:*")
        pending = pull.recv()
        await asyncio.sleep(0.1)
        pull.close()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(pending, 10)
        return True
    assert run(scenario)


def test_stream_from_stock_pyzmq_over_gssapi_survives_cancelled_receives(zctx):
    count = 400

    async def scenario(context):
        pull = context.socket(zgss.PULL)
        pull.gssapi_server = True
        pull.linger = 0
        pull.bind("tcp://127.0.0.1:*")
        push = zctx.socket(zmq.PUSH)
        push.linger = 2000
        push.gssapi_service_principal = b"zmq@localhost"
        push.connect(pull.last_endpoint.decode())

        def send_in_bursts():
            for n in range(count):
                push.send_multipart([b"part", b"%d" % n])
                if n % 40 == 39:
                    time.sleep(0.005)

        sender = threading.Thread(target=send_in_bursts)
        sender.start()
        received = []
        deadline = time.monotonic() + 40
        while len(received) < count and time.monotonic() < deadline:
            try:
                part, number = await asyncio.wait_for(pull.recv_multipart(), 0.003)
                received.append(int(number))
            except asyncio.TimeoutError:
                pass  # the receive was cancelled: it must have taken nothing
        sender.join()
        push.close()
        return received, pull.mechanism, pull.peer_principal
    received, mechanism, principal = run(scenario)
    assert received == list(range(count))
    assert mechanism == zgss.GSSAPI and principal
