# SPDX-License-Identifier: MIT
"""zgss.asyncio: pyzmq's zmq.asyncio (Context, Socket, Poller) over
libzgss's ZMQ_FD, for `import zgss.asyncio as zmq_asyncio` (or
`import zgss.asyncio`) in a program that used `import zmq.asyncio`.

Every send/recv first tries the operation with DONTWAIT; on Again it waits
until ZMQ_EVENTS shows what it needs, then tries again. The wait rides on
the socket's ZMQ_FD, which is edge-triggered (zgss.h "Polling"): it wakes
only after the next change following a read of ZMQ_EVENTS. So every read
of ZMQ_EVENTS here goes through one place (_Waiters.check) that hands the
answer to all the socket's waiters, and each completed send or receive
schedules such a read when others are waiting, since it changes the
answer without signalling the fd. A wake-up therefore never goes to one
waiter and is lost for another.

Cancelling a pending send or receive leaves the socket usable and loses
no message: the operation itself runs only inside the coroutine, all at
once and without awaiting (a whole multipart message included), so a
cancelled one has taken nothing."""
import asyncio as _asyncio
import errno as _errno
import time

from . import context as _context
from . import poll as _poll
from . import socket as _socket
from .constants import DONTWAIT, ETERM, EVENTS, FD, POLLIN, POLLOUT, RCVMORE, RCVTIMEO, SNDMORE, SNDTIMEO
from .error import Again, ZMQError, error_for


class _Waiters:
    """The futures waiting on one socket's events, and the loop reader on
    its ZMQ_FD that serves them (one reader per fd, as the loop allows)."""

    def __init__(self, sock):
        self._sock = sock
        self._pending = []   # [(mask, future)]
        self._loop = None
        self._fd = None
        self._check_scheduled = False

    def wait(self, mask):
        """A future done when ZMQ_EVENTS shows any of mask (its result:
        the events), or failed with the error reading them gave."""
        loop = _asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((mask, future))
        future.add_done_callback(self._forget)
        if self._loop is not loop:
            self._stop_reader()
            self._loop = loop
        if self._fd is None:
            self._fd = self._sock._base_getsockopt(FD)
            loop.add_reader(self._fd, self.check)
        self.check()  # reads EVENTS, which also re-arms the edge-triggered fd
        return future

    def _forget(self, future):
        self._pending = [(m, f) for m, f in self._pending if f is not future]
        if not self._pending:
            self._stop_reader()

    def _stop_reader(self):
        if self._fd is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._fd)
        self._fd = None

    def schedule_check(self):
        """After a send or receive of our own: others waiting must see the
        new EVENTS, which the fd does not signal."""
        if self._pending and not self._check_scheduled and self._loop is not None:
            self._check_scheduled = True
            self._loop.call_soon(self._scheduled_check)

    def _scheduled_check(self):
        self._check_scheduled = False
        self.check()

    def check(self):
        """Reads ZMQ_EVENTS once and completes every waiter it satisfies."""
        if not self._pending:
            return
        try:
            events = self._sock._base_getsockopt(EVENTS)
        except ZMQError as exc:  # ETERM, or the socket closed under us
            for _, future in list(self._pending):
                if not future.done():
                    future.set_exception(error_for(exc.errno))
            return
        for mask, future in list(self._pending):
            if events & mask and not future.done():
                future.set_result(events & mask)

    def close(self, terminating):
        """The socket is closing: its waiters are cancelled, or fail with
        ContextTerminated when the context's term() closes it."""
        self._stop_reader()
        for _, future in list(self._pending):
            if not future.done():
                if terminating:
                    future.set_exception(error_for(ETERM))
                else:
                    future.cancel()
        self._pending = []


def _future(coroutine_function):
    """The method returns a Future (a Task), as pyzmq's do, so it can be
    cancelled, passed to asyncio.wait, or awaited."""
    def method(*args, **kwargs):
        return _asyncio.ensure_future(coroutine_function(*args, **kwargs))
    method.__name__, method.__doc__ = coroutine_function.__name__, coroutine_function.__doc__
    return method


class Socket(_socket.Socket):
    """pyzmq's zmq.asyncio.Socket: send/recv and their multipart, string,
    json, pyobj and serialized variants are coroutines; poll() one too.
    RCVTIMEO / SNDTIMEO bound the wait (Again), as in pyzmq. The socket
    options and the other calls stay as in zgss.Socket."""

    def __init__(self, context, socket_type, **kwargs):
        super().__init__(context, socket_type, **kwargs)
        self._waiters = _Waiters(self)

    def _base_getsockopt(self, option):
        return _socket.Socket.getsockopt(self, option)

    def getsockopt(self, option):
        """As zgss.Socket's; reading EVENTS (sock.events too) also tells this
        socket's waiters, since it re-arms the fd they wait on."""
        value = _socket.Socket.getsockopt(self, option)
        if option == EVENTS:
            self._waiters.schedule_check()
        return value

    get = getsockopt

    def _events_read(self):
        self._waiters.schedule_check()

    async def _attempt(self, operation, mask, flags, timeout_option):
        """operation() with DONTWAIT until it succeeds; in between, waits
        for mask (up to the socket's timeout option; Again after it)."""
        if flags & DONTWAIT:
            result = operation()
            self._waiters.schedule_check()
            return result
        timeout_ms = self._base_getsockopt(timeout_option)
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000.0
        while True:
            try:
                result = operation()
            except Again:
                pass
            else:
                self._waiters.schedule_check()
                return result
            waiting = self._waiters.wait(mask)
            if deadline is None:
                await waiting
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                waiting.cancel()
                raise Again(_errno.EAGAIN, last_error=self._new_security_reason())
            try:
                await _asyncio.wait_for(waiting, left)
            except _asyncio.TimeoutError:
                pass  # one more attempt, then Again above if it fails

    def _receiving(self, method, flags, *args, **kwargs):
        return self._attempt(lambda: method(self, *args, flags=flags | DONTWAIT, **kwargs), POLLIN, flags, RCVTIMEO)

    def _sending(self, method, flags, *args, **kwargs):
        return self._attempt(lambda: method(self, *args, flags=flags | DONTWAIT, **kwargs), POLLOUT, flags, SNDTIMEO)

    # receiving (each takes one whole message or nothing)
    @_future
    async def recv(self, flags=0, copy=True, track=False):
        return await self._receiving(_socket.Socket.recv, flags, copy=copy, track=track)

    @_future
    async def recv_multipart(self, flags=0, copy=True, track=False):
        return await self._receiving(Socket._recv_whole, flags, copy=copy)

    def _recv_whole(self, flags, copy):
        # One message, all at once: once its first part is here, the rest is.
        parts = [_socket.Socket.recv(self, flags, copy=copy)]
        while self._base_getsockopt(RCVMORE):
            parts.append(_socket.Socket.recv(self, flags, copy=copy))
        return parts

    @_future
    async def recv_string(self, flags=0, encoding="utf-8"):
        return (await self.recv(flags)).decode(encoding)

    @_future
    async def recv_json(self, flags=0, **kwargs):
        return _socket.json.loads(await self.recv(flags), **kwargs)

    @_future
    async def recv_pyobj(self, flags=0):
        return _socket.pickle.loads(await self.recv(flags))

    @_future
    async def recv_serialized(self, deserialize, flags=0, copy=True):
        return deserialize(await self.recv_multipart(flags, copy=copy))

    recv_unicode = recv_string

    # sending
    # The bytes are taken (copied from a mutable buffer) when send is
    # called, as pyzmq does, not when the send happens.
    def send(self, data, flags=0, copy=True, track=False, routing_id=None, group=None):
        if routing_id is not None or group is not None:
            raise ZMQError(_errno.ENOTSUP)  # SERVER/RADIO sockets: not in libzgss
        return _asyncio.ensure_future(self._sending(_socket.Socket.send, flags, _socket._payload(data), copy=copy,
                                                    track=track))

    def send_multipart(self, msg_parts, flags=0, copy=True, track=False, **kwargs):
        parts = [_socket._payload(part) for part in msg_parts]
        return _asyncio.ensure_future(self._sending(Socket._send_whole, flags, parts, copy=copy, track=track))

    def _send_whole(self, parts, flags, copy, track):
        for index, part in enumerate(parts):
            _socket.Socket.send(self, part, flags | (SNDMORE if index + 1 < len(parts) else 0))
        return _socket.MessageTracker() if track and not copy else None

    # send_string, send_json, send_pyobj, send_serialized: zgss.Socket's
    # own, which end in the send / send_multipart above and return its Future.

    @_future
    async def poll(self, timeout=None, flags=POLLIN):
        """What of flags is ready within timeout ms (None: no limit), 0 on
        timeout (pyzmq's awaitable Socket.poll)."""
        if self.closed:
            raise ZMQError(_errno.ENOTSUP)
        poller = Poller()
        poller.register(self, flags)
        return dict(await poller.poll(timeout)).get(self, 0)

    def close(self, linger=None):
        """Closes the socket; pending sends and receives are cancelled."""
        waiters = getattr(self, "_waiters", None)
        if waiters is not None:
            waiters.close(self.context._terminating)
        super().close(linger)


class Context(_context.Context):
    """pyzmq's zmq.asyncio.Context: its sockets are zgss.asyncio.Socket."""
    _socket_class = Socket
    _instance = None
    _instance_pid = None


class Poller(_poll.Poller):
    """pyzmq's zmq.asyncio.Poller: `await poller.poll(timeout)`. Sockets
    of zgss.asyncio are waited on through their own fd reader; a plain
    zgss socket or an fd through a reader of this poll's own."""

    @_future
    async def poll(self, timeout=None):
        loop = _asyncio.get_running_loop()
        timeout_ms = _poll._timeout_ms(timeout)
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000.0
        while True:
            ready = _poll.Poller.poll(self, 0)  # tells the sockets' own waiters (_events_read)
            if ready or timeout_ms == 0:
                return ready
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return []
            await self._wait_any(loop, left)

    async def _wait_any(self, loop, timeout_s):
        """Until one registered item may have changed, or timeout_s."""
        woken = loop.create_future()

        def wake(*_):
            if not woken.done():
                woken.set_result(None)

        futures, readers, writers = [], [], []
        try:
            for obj, flags in self.sockets:
                if isinstance(obj, Socket):
                    future = obj._waiters.wait(flags & (POLLIN | POLLOUT) or POLLIN | POLLOUT)
                    future.add_done_callback(wake)
                    futures.append(future)
                    continue
                if isinstance(obj, _socket.Socket):
                    loop.add_reader(obj.getsockopt(FD), wake)  # its EVENTS are read by the next poll
                    readers.append(obj.getsockopt(FD))
                    continue
                fd = _poll._item_target(obj)[1]
                if flags & POLLIN:
                    loop.add_reader(fd, wake)
                    readers.append(fd)
                if flags & POLLOUT:
                    loop.add_writer(fd, wake)
                    writers.append(fd)
            try:
                await _asyncio.wait_for(_asyncio.shield(woken), timeout_s)
            except _asyncio.TimeoutError:
                pass
        finally:
            for future in futures:
                if future.done() and not future.cancelled():
                    future.exception()  # an ETERM here is raised by the next zgss_poll instead
                future.cancel()
            for fd in readers:
                loop.remove_reader(fd)
            for fd in writers:
                loop.remove_writer(fd)
