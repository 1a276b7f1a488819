# SPDX-License-Identifier: MIT
"""zgss.Poller and zgss.select: pyzmq's polling API over zgss_poll.

A Poller keeps its zgss_pollitem_t array between polls and rebuilds it
only when a registration changes, so a loop that polls the same sockets
pays for the C call alone."""
import errno as _errno
import time

from ._lib import PollItem, lib
from .constants import ETERM, POLLERR, POLLIN, POLLOUT
from .error import ZMQError, error_for
from .socket import Socket


def _item_target(obj):
    """(socket handle or None, fd) for zgss_poll: a zgss Socket, an int fd,
    or an object whose fileno() gives one (read when registered)."""
    if _is_zgss_socket(obj):
        if obj._handle is None:
            raise ZMQError(_errno.ENOTSOCK)  # a closed socket
        return obj._handle, 0
    if isinstance(obj, int) and not isinstance(obj, bool):
        return None, obj
    if hasattr(obj, "fileno"):
        try:
            return None, int(obj.fileno())
        except Exception:  # noqa: BLE001 - any failure means no usable fd
            raise ValueError("fileno() must return a valid integer fd") from None
    raise TypeError("Socket must be a 0MQ socket, an integer fd or have a fileno() method: %r" % (obj,))


def _is_zgss_socket(obj):
    return isinstance(obj, Socket)


def _timeout_ms(timeout):
    """pyzmq's reading of a Poller timeout: None or negative waits forever."""
    if timeout is None or timeout < 0:
        return -1
    return int(timeout)


def zgss_poll(items, count, timeout_ms):
    """Runs zgss_poll on a ready array; returns the count, restarting
    after a signal (Python's handlers run between attempts) with what is
    left of the timeout, as pyzmq does."""
    deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000.0
    while True:
        rc = lib.zgss_poll(items, count, timeout_ms)
        if rc >= 0:
            return rc
        errnum = lib.zgss_errno()
        if errnum != _errno.EINTR:
            raise error_for(errnum)
        if deadline is not None:
            timeout_ms = max(0, int((deadline - time.monotonic()) * 1000))


class Poller:
    """pyzmq's zmq.Poller: register(obj, flags), modify, unregister, and
    poll(timeout ms; None waits forever) returning [(obj, events)] for the
    ready ones: the Socket itself, or the int fd for an fd or an object
    with fileno() (as pyzmq)."""

    def __init__(self):
        self.sockets = []   # [(obj, flags)] in registration order, as pyzmq's
        self._map = {}
        self._items = None  # the cached zgss_pollitem_t array, None after a change
        self._results = []  # per item: what poll returns for it

    def __contains__(self, socket):
        return socket in self._map

    def register(self, socket, flags=POLLIN | POLLOUT):
        """Watches socket (a zgss Socket, an fd, or an object with
        fileno()) for flags; flags 0 unregisters, as in pyzmq."""
        if not flags:
            if socket in self._map:
                self.unregister(socket)
            return
        _item_target(socket)  # refuse what zgss_poll cannot take now, not at the next poll
        if socket in self._map:
            self.sockets[self._map[socket]] = (socket, flags)
        else:
            self._map[socket] = len(self.sockets)
            self.sockets.append((socket, flags))
        self._items = None

    def modify(self, socket, flags=POLLIN | POLLOUT):
        self.register(socket, flags)

    def unregister(self, socket):
        """Stops watching socket; KeyError if it was not registered."""
        index = self._map.pop(socket)
        self.sockets.pop(index)
        for other, _ in self.sockets[index:]:
            self._map[other] -= 1
        self._items = None

    def _build(self):
        """The item array: the registered ones, then each of their
        contexts' term_fd (ContextTerminated when it is readable)."""
        targets = [_item_target(obj) for obj, _ in self.sockets]
        self._handles = [(obj, obj._handle) for obj, _ in self.sockets if _is_zgss_socket(obj)]
        self._notified = [obj for obj, _ in self._handles if
                          type(obj)._events_read is not Socket._events_read]
        contexts = list({id(obj.context): obj.context for obj, _ in self._handles}.values())
        items = (PollItem * (len(targets) + len(contexts)))()
        results = []
        for item, (handle, fd), (obj, flags) in zip(items, targets, self.sockets):
            item.socket, item.fd, item.events = handle, fd, flags
            results.append(obj if handle is not None else fd)
        for item, context in zip(items[len(targets):], contexts):
            item.socket, item.fd, item.events = None, context.term_fd(), POLLIN
        self._items, self._results = items, results

    def poll(self, timeout=None):
        """Waits up to timeout ms (None or < 0: no limit, 0: just checks)
        and returns [(socket_or_fd, events)] for every ready item."""
        try:
            if self._items is None:
                self._build()
            for obj, handle in self._handles:
                if obj._handle != handle:
                    self._build()  # a socket was closed since: _item_target refuses it
                    break
            items = self._items  # zgss_poll sets every item's revents
            count = zgss_poll(items, len(items), _timeout_ms(timeout))
            for obj in self._notified:
                obj._events_read()
            if not count:
                return []
        except ZMQError as exc:
            # term() closes its sockets, so a poll in another thread may
            # find them closed: that is ContextTerminated, as in pyzmq.
            if exc.errno == _errno.ENOTSOCK and self._terminating():
                raise error_for(ETERM) from None
            raise
        if any(item.revents for item in items[len(self._results):]):
            raise error_for(ETERM)  # a context's term() began
        return [(result, item.revents) for result, item in zip(self._results, items) if item.revents]

    def _terminating(self):
        return any(obj.context._terminating for obj, _ in self.sockets if _is_zgss_socket(obj))


def select(rlist, wlist, xlist, timeout=None):
    """pyzmq's zmq.select (timeout in seconds, None waits forever): the
    sockets and fds of each list that are readable, writable, in error."""
    timeout_ms = -1 if timeout is None else int(timeout * 1000.0)
    poller = Poller()
    for obj in list(dict.fromkeys(list(rlist) + list(wlist) + list(xlist))):
        flags = (POLLIN if obj in rlist else 0) | (POLLOUT if obj in wlist else 0) | (POLLERR if obj in xlist else 0)
        poller.register(obj, flags)
    ready = poller.poll(timeout_ms)
    return ([obj for obj, events in ready if events & POLLIN], [obj for obj, events in ready if events & POLLOUT],
            [obj for obj, events in ready if events & POLLERR])
