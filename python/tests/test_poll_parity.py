# SPDX-License-Identifier: MIT
"""Poller, Socket.poll, select and zmq.asyncio: the same snippet on pyzmq
(Debian's python3-zmq) and on zgss gives the same results. Sockets and
fds in results are replaced by labels so the two runs compare."""
import asyncio
import socket as pysocket
import threading
import time

import pytest
import zmq
import zmq.asyncio

import zgss
import zgss.asyncio

from test_pyzmq_parity import MODULES, assert_same, pair


def labelled(ready, names):
    """poll()'s [(obj, events)] with each obj replaced by its name."""
    return [(names.get(id(obj), obj if not isinstance(obj, int) else names.get(("fd", obj), obj)), events)
            for obj, events in ready]


def wait_ready(poller, want, deadline_s=10.0):
    """Polls (small timeouts) until `want` items are ready; returns them."""
    deadline = time.monotonic() + deadline_s
    while True:
        ready = poller.poll(100)
        if len(ready) >= want or time.monotonic() > deadline:
            return ready


def test_poll_zero_and_small_timeouts_return_nothing_in_time():
    def snippet(m, c):
        pull = c.socket(m.PULL)
        pull.bind("tcp://127.0.0.1:*")
        poller = m.Poller()
        poller.register(pull, m.POLLIN)
        started = time.monotonic()
        at_once = poller.poll(0)
        quick = time.monotonic() - started < 0.5
        started = time.monotonic()
        after_wait = poller.poll(150)
        waited = time.monotonic() - started
        return at_once, quick, after_wait, 0.14 <= waited < 3.0, pull.poll(0), pull.poll(50, m.POLLIN)
    assert assert_same(snippet)[1] == ([], True, [], True, 0, 0)


def test_poll_reports_each_ready_socket_with_its_events():
    def snippet(m, c):
        server, client = pair(m, c)
        names = {id(server): "server", id(client): "client"}
        poller = m.Poller()
        poller.register(server, m.POLLIN | m.POLLOUT)
        poller.register(client, m.POLLIN)
        client.send(b"ping")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not [s for s, e in poller.poll(100) if s is server and e & m.POLLIN]:
            pass  # until the ping is there
        with_message = labelled(poller.poll(0), names)
        server.recv()
        drained = labelled(poller.poll(0), names)
        return with_message, drained, server.poll(0, m.POLLIN | m.POLLOUT), client.poll(0)
    result = assert_same(snippet)[1]
    assert result[0] == [("server", zgss.POLLIN | zgss.POLLOUT)]
    assert result[1] == [("server", zgss.POLLOUT)]


def test_register_modify_unregister_as_on_pyzmq():
    def snippet(m, c):
        server, client = pair(m, c)
        names = {id(server): "server", id(client): "client"}
        poller = m.Poller()
        steps = []
        poller.register(server, m.POLLIN)
        poller.register(client)                       # default POLLIN | POLLOUT
        steps.append([(names[id(s)], f) for s, f in poller.sockets])
        poller.modify(server, m.POLLOUT)
        poller.register(client, m.POLLIN)             # registering again modifies
        steps.append([(names[id(s)], f) for s, f in poller.sockets])
        steps.append((server in poller, client in poller))
        poller.register(server, 0)                    # flags 0 unregisters
        steps.append([(names[id(s)], f) for s, f in poller.sockets])
        poller.unregister(client)
        steps.append((server in poller, client in poller, poller.poll(0)))
        try:
            poller.unregister(client)
        except KeyError:
            steps.append("KeyError")
        poller.register(client, 0)                    # ignored: not registered
        steps.append(list(poller.sockets))
        poller.register(client, m.POLLOUT)
        steps.append(labelled(wait_ready(poller, 1), names))
        return steps
    steps = assert_same(snippet)[1]
    assert steps[-1] == [("client", zgss.POLLOUT)]


def test_fds_and_objects_with_fileno_are_polled_as_in_pyzmq():
    def snippet(m, c):
        left, right = pysocket.socketpair()
        names = {("fd", left.fileno()): "left fd", ("fd", right.fileno()): "right fd"}
        try:
            poller = m.Poller()
            poller.register(left, m.POLLIN)            # an object with fileno()
            poller.register(right.fileno(), m.POLLOUT)  # a raw fd
            before = labelled(poller.poll(0), names)
            right.send(b"x")
            after = labelled(poller.poll(1000), names)
            selected = m.select([left], [right], [], 1.0)
            return before, after, (selected[0] == [left], selected[1] == [right], selected[2])
        finally:
            left.close()
            right.close()
    result = assert_same(snippet)[1]
    assert result[1] == [("left fd", zgss.POLLIN), ("right fd", zgss.POLLOUT)]


def test_poll_errors_as_on_pyzmq():
    def closed_socket_poll(m, c):
        sock = c.socket(m.PULL)
        sock.close()
        return sock.poll(0)

    def not_pollable(m, c):
        poller = m.Poller()
        poller.register(1.5, m.POLLIN)
        return poller.poll(0)
    assert assert_same(closed_socket_poll)[:3] == ("raised", "ZMQError", zgss.ENOTSUP)
    assert assert_same(not_pollable)[:2] == ("raised", "TypeError")


def test_an_infinite_poll_wakes_for_a_message_from_another_thread():
    for name, module in MODULES.items():
        context = module.Context()
        server, client = pair(module, context)
        poller = module.Poller()
        poller.register(server, module.POLLIN)
        sender = threading.Timer(0.2, lambda: client.send(b"late"))
        sender.start()
        assert poller.poll(None) == [(server, module.POLLIN)], name
        assert server.recv() == b"late"
        sender.join()
        context.destroy(linger=0)


def test_terminating_the_context_ends_a_waiting_poll_with_context_terminated():
    context = zgss.Context()
    pull = context.socket(zgss.PULL)
    pull.bind("tcp://127.0.0.1:*")
    poller = zgss.Poller()
    poller.register(pull, zgss.POLLIN)
    outcome = []

    def wait():
        try:
            outcome.append(poller.poll(None))  # pyzmq's pattern: wait, and end on ETERM
        except zgss.ZMQError as exc:
            outcome.append((type(exc), exc.errno))

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.2)
    context.term()
    waiter.join(20)
    assert not waiter.is_alive(), "the poll did not wake when the context was terminated"
    assert outcome == [(zgss.ContextTerminated, zgss.ETERM)]


# ---- asyncio ---------------------------------------------------------------

ASYNC = {"pyzmq": (zmq, zmq.asyncio), "zgss": (zgss, zgss.asyncio)}


def run_on_both(snippet):
    """snippet(module, asyncio module, context) under asyncio.run on each."""
    results = {}
    for name, (module, aio) in ASYNC.items():
        async def main():
            context = aio.Context()
            try:
                return await snippet(module, aio, context)
            finally:
                context.destroy(linger=0)
        results[name] = asyncio.run(asyncio.wait_for(main(), 60))
    assert results["zgss"] == results["pyzmq"]
    return results["zgss"]


async def async_pair(m, context):
    server, client = pair(m, context)
    return server, client


def test_asyncio_recv_cancelled_then_received_again_loses_nothing():
    async def snippet(m, aio, context):
        server, client = await async_pair(m, context)
        steps = []
        pending = server.recv()
        await asyncio.sleep(0.2)
        pending.cancel()                                   # while waiting on the fd
        try:
            await pending
        except asyncio.CancelledError:
            steps.append("cancelled")
        try:
            await asyncio.wait_for(server.recv_multipart(), 0.2)
        except asyncio.TimeoutError:
            steps.append("timed out")                       # wait_for cancelled it
        await client.send(b"one")
        await client.send_multipart([b"two", b"parts"])
        steps.append(await server.recv())
        steps.append(await server.recv_multipart())
        await client.send_string("three")
        steps.append(await server.recv_string())
        return steps
    assert run_on_both(snippet) == ["cancelled", "timed out", b"one", [b"two", b"parts"], "three"]


def test_asyncio_many_messages_while_receives_are_cancelled_and_restarted():
    # Receives that time out over and over while a stream arrives: every
    # message is received once, in order.
    async def snippet(m, aio, context):
        server, client = await async_pair(m, context)
        count = 300

        async def send_all():
            for n in range(count):
                await client.send(b"%d" % n)
                if n % 30 == 0:
                    await asyncio.sleep(0.01)

        sender = asyncio.ensure_future(send_all())
        received = []
        while len(received) < count:
            try:
                received.append(int(await asyncio.wait_for(server.recv(), 0.002)))
            except asyncio.TimeoutError:
                pass
        await sender
        return received == list(range(count))
    assert run_on_both(snippet) is True


def test_asyncio_poller_and_socket_poll_as_on_pyzmq():
    async def snippet(m, aio, context):
        server, client = await async_pair(m, context)
        poller = aio.Poller()
        poller.register(server, m.POLLIN)
        nothing = await poller.poll(0)
        started = time.monotonic()
        waited = await poller.poll(150)
        elapsed = time.monotonic() - started
        later = asyncio.ensure_future(poller.poll(10000))
        await asyncio.sleep(0.1)
        await client.send(b"wake")
        woken = [(s is server, e) for s, e in await later]
        socket_poll = await server.poll(1000)
        body = await server.recv()
        return nothing, waited, 0.14 <= elapsed < 3.0, woken, socket_poll, body, await server.poll(50)
    assert run_on_both(snippet) == ([], [], True, [(True, zgss.POLLIN)], zgss.POLLIN, b"wake", 0)


def test_asyncio_context_instance_makes_asyncio_sockets():
    context = zgss.asyncio.Context.instance()
    assert type(context) is zgss.asyncio.Context
    assert zgss.asyncio.Context.instance() is context
    with context.socket(zgss.PAIR) as sock:
        assert isinstance(sock, zgss.asyncio.Socket)
    context.term()
    with pytest.raises(zgss.Again):
        async def dontwait():
            with zgss.asyncio.Context() as ctx, ctx.socket(zgss.PULL) as pull:
                await pull.recv(zgss.DONTWAIT)
        asyncio.run(dontwait())
