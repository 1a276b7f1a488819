# SPDX-License-Identifier: MIT
"""zgss.Socket: pyzmq's blocking Socket API over libzgss's socket calls."""
import ctypes
import errno as _errno
import json
import mmap
import pickle
import random

from ._lib import lib
from .constants import (EVENT_ALL, FD, LAST_ENDPOINT, LAST_ERROR, LINGER, MAXMSGSIZE, OPTION_NAMES, PAIR, POLLIN, RCVMORE, SNDMORE,
                        SOCKET_OPTIONS, SUBSCRIBE, UNSUBSCRIBE, UNSUPPORTED_OPTIONS, OptionType)
from .error import ZMQBindError, ZMQError, error_for

_C_INTS = {OptionType.INT: ctypes.c_int, OptionType.INT64: ctypes.c_int64}
_ALL_OPTIONS = dict(UNSUPPORTED_OPTIONS, **SOCKET_OPTIONS)
_NUMBERS = {option.number: option for option in _ALL_OPTIONS.values()}
# The largest part libzgss takes while ZMQ_MAXMSGSIZE is -1 (zgss.h), and
# the largest zgss_recv can report (its int result).
_LIBRARY_PART_LIMIT = 256 << 20
_INT_MAX = (1 << 31) - 1
_TEXT_LIMIT = 8192


def _option_type(option):
    spec = _NUMBERS.get(option)
    return spec.type if spec is not None else None


def _option_label(option):
    return OPTION_NAMES.get(option) or next((n for n, s in UNSUPPORTED_OPTIONS.items() if s.number == option),
                                            "option %r" % (option,))


def _c_option_value(option, value):
    """(pointer, length) for zgss_setsockopt. As pyzmq: str is refused
    (setsockopt_string), an int option takes only an int, a bytes option
    only bytes; an int that does not fit the C type is OverflowError."""
    if isinstance(value, str):
        raise TypeError("unicode not allowed, use setsockopt_string")
    kind = _option_type(option) or (OptionType.INT if isinstance(value, int) else OptionType.BYTES)
    if kind in _C_INTS:
        if not isinstance(value, int):
            raise TypeError("expected int, got: %r" % (value,))
        raw = _C_INTS[kind](value)
        if raw.value != value:
            raise OverflowError("%s: %d does not fit in a C %s" % (_option_label(option), value, kind.value))
        return ctypes.byref(raw), ctypes.sizeof(raw)
    if not isinstance(value, bytes):
        raise TypeError("expected bytes, got: %r" % (value,))
    return value or None, len(value)


def _payload(data):
    """bytes for zgss_send (no copy when `data` is bytes)."""
    if isinstance(data, str):
        raise TypeError("unicode not allowed, use send_string")
    if isinstance(data, bytes):
        return data
    if isinstance(data, Frame):
        return data.bytes
    try:
        return bytes(memoryview(data))
    except TypeError:
        raise TypeError("%r does not provide a buffer interface." % (data,)) from None


class Frame:
    """What recv(copy=False) returns in pyzmq; here the bytes are already
    copied out of libzgss, so it is a thin holder with Frame's names."""

    def __init__(self, data=b"", more=False):
        self.bytes = bytes(data)
        self.more = more

    @property
    def buffer(self):
        return memoryview(self.bytes)

    def __bytes__(self):
        return self.bytes

    def __len__(self):
        return len(self.bytes)

    def __eq__(self, other):
        return self.bytes == (other.bytes if isinstance(other, Frame) else other)

    def __hash__(self):
        return hash(self.bytes)

    def __repr__(self):
        return "<zgss.Frame(%r)>" % (self.bytes[:32],)


Message = Frame


class MessageTracker:
    """send(track=True)'s tracker. libzgss copies the buffer during the
    call, so the caller may reuse it at once: the tracker is always done."""
    done = True

    def wait(self, timeout=-1):
        return None


class _ReceiveBuffer:
    """Where zgss_recv writes a part: anonymous memory as large as the
    largest part the socket accepts, so a part is never cut short. Pages
    are taken only as a part fills them and given back after a large one."""

    def __init__(self, size):
        self.size = size
        self._map = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE)  # fd -1: anonymous memory, zero-filled
        self._view = ctypes.c_char.from_buffer(self._map)
        self.address = ctypes.addressof(self._view)

    def take(self, length):
        data = ctypes.string_at(self.address, length)
        if length > (1 << 20):
            used = min(-(-length // mmap.PAGESIZE) * mmap.PAGESIZE, self.size)
            self._map.madvise(mmap.MADV_DONTNEED, 0, used)
        return data

    def close(self):
        del self._view
        self._map.close()


def _is_own_attribute(obj, name):
    """Internal state (a leading '_') and what the class defines (methods,
    properties, annotated attributes) are plain attributes."""
    if name.startswith("_"):
        return True
    return any(name in vars(cls) or name in getattr(cls, "__annotations__", {}) for cls in type(obj).__mro__)


class Socket:
    """One libzgss socket with pyzmq's Socket API (blocking calls release
    the GIL; use a socket from one thread at a time, as with libzmq).

    max_message_size (a zgss extra): when given, ZMQ_MAXMSGSIZE is set to
    it, so libzgss refuses a larger part when its header arrives."""

    context: object
    socket_type: int

    def __init__(self, context, socket_type, max_message_size=None):
        self._handle = None
        self._buffer = None
        self._reported_error = ""  # the ZGSS_LAST_ERROR text already attached to an exception
        self._text = ctypes.create_string_buffer(_TEXT_LIMIT)
        handle = lib.zgss_socket(context._handle, socket_type)
        if not handle:
            raise error_for(lib.zgss_errno())
        self._handle = handle
        self.context = context
        self.socket_type = socket_type
        if max_message_size is not None:
            self.setsockopt(MAXMSGSIZE, max_message_size)

    # errors
    def _fail(self, security=False):
        """Raises the pyzmq exception for the call that just failed. With
        `security` (send/recv, whose outcome hangs on peers' handshakes), a
        ZGSS_LAST_ERROR text not yet attached to an earlier exception of
        this socket is attached: never one already reported."""
        errnum = lib.zgss_errno()
        reason = ""
        if security and errnum == _errno.EAGAIN:
            reason = self._new_security_reason()
        raise error_for(errnum, reason)

    def _new_security_reason(self):
        size = ctypes.c_size_t(_TEXT_LIMIT)
        if lib.zgss_getsockopt(self._handle, LAST_ERROR, self._text, ctypes.byref(size)) != 0:
            return ""
        text = self._text.raw[:max(size.value - 1, 0)].decode("utf-8", "replace")
        if text == self._reported_error:
            return ""
        self._reported_error = text
        return text

    # options
    def setsockopt(self, option, value):
        pointer, length = _c_option_value(option, value)
        if lib.zgss_setsockopt(self._handle, option, pointer, length) != 0:
            self._fail()
        if option == MAXMSGSIZE:
            self._drop_buffer()

    set = setsockopt

    def setsockopt_string(self, option, optval, encoding="utf-8"):
        if not isinstance(optval, str):
            raise TypeError("unicode strings only")
        self.setsockopt(option, optval.encode(encoding))

    def getsockopt(self, option):
        """An int for int options; bytes for the others (pyzmq's types:
        LAST_ENDPOINT, ROUTING_ID, GSSAPI_PRINCIPAL, ... and zgss's own text
        options alike); getsockopt_string decodes."""
        kind = _option_type(option) or OptionType.INT
        if kind in _C_INTS:
            raw = _C_INTS[kind](0)
            size = ctypes.c_size_t(ctypes.sizeof(raw))
            if lib.zgss_getsockopt(self._handle, option, ctypes.byref(raw), ctypes.byref(size)) != 0:
                self._fail()
            return raw.value
        size = ctypes.c_size_t(_TEXT_LIMIT)
        if lib.zgss_getsockopt(self._handle, option, self._text, ctypes.byref(size)) != 0:
            self._fail()
        data = self._text.raw[:size.value]
        return data[:-1] if kind is OptionType.STRING and data.endswith(b"\0") else data

    get = getsockopt

    def getsockopt_string(self, option, encoding="utf-8"):
        if _option_type(option) in _C_INTS or _option_type(option) is None:
            raise TypeError("option %i will not return a string to be decoded" % option)
        return self.getsockopt(option).decode(encoding)

    def __setattr__(self, name, value):
        """sock.rcvtimeo = 100 sets that option (a read-only one raises
        AttributeError, one libzgss lacks raises ZMQError EINVAL); any other
        name that is not the class's own raises AttributeError, so a
        misspelt option is never kept as a plain attribute."""
        spec = _ALL_OPTIONS.get(name.upper())
        if spec is None:
            if _is_own_attribute(self, name):
                object.__setattr__(self, name, value)
                return
            raise AttributeError("Socket has no such option: %s" % name.upper())
        if not spec.writable:
            raise AttributeError("%s is a read-only option" % name.upper())
        if isinstance(value, str) and spec.number in (SUBSCRIBE, UNSUBSCRIBE):
            value = value.encode("utf-8")  # pyzmq encodes topics, nothing else
        self.setsockopt(spec.number, value)

    def __getattr__(self, name):
        """sock.rcvtimeo reads that option (only called for names the
        object does not have itself)."""
        spec = None if name.startswith("_") else _ALL_OPTIONS.get(name.upper())
        if spec is None:
            raise AttributeError("Socket has no such option: %s" % name.upper())
        if not spec.readable:
            raise AttributeError("%s attribute is write-only" % name)
        return self.getsockopt(spec.number)

    @property
    def last_error(self):
        """ZGSS_LAST_ERROR as text (a zgss extra): the socket's most recent
        handshake or protocol failure, "" if none."""
        return self.getsockopt(LAST_ERROR).decode("utf-8", "replace")

    def subscribe(self, topic):
        self.setsockopt(SUBSCRIBE, topic.encode("utf-8") if isinstance(topic, str) else topic)

    def unsubscribe(self, topic):
        self.setsockopt(UNSUBSCRIBE, topic.encode("utf-8") if isinstance(topic, str) else topic)

    # endpoints
    def bind(self, addr):
        if lib.zgss_bind(self._handle, addr.encode("utf-8")) != 0:
            self._fail()

    def connect(self, addr):
        if lib.zgss_connect(self._handle, addr.encode("utf-8")) != 0:
            self._fail()

    def unbind(self, addr):
        """Closes a bound endpoint (as given, or as ZMQ_LAST_ENDPOINT spells
        it) and the connections accepted on it; ENOENT if not bound."""
        if lib.zgss_unbind(self._handle, addr.encode("utf-8")) != 0:
            self._fail()

    def disconnect(self, addr):
        """Drops a connect() endpoint and stops reconnecting to it."""
        if lib.zgss_disconnect(self._handle, addr.encode("utf-8")) != 0:
            self._fail()

    # monitoring (pyzmq's API over zgss_socket_monitor)
    def monitor(self, addr, events=EVENT_ALL):
        """Publishes this socket's events on a PAIR bound to inproc `addr`
        (None stops). After a failed-handshake event, `last_error` holds
        the reason."""
        endpoint = None if addr is None else addr.encode("utf-8")
        if lib.zgss_socket_monitor(self._handle, endpoint, events) != 0:
            self._fail()

    def get_monitor_socket(self, events=None, addr=None):
        """A PAIR already connected to this socket's monitor (made once)."""
        current = getattr(self, "_monitor_socket", None)
        if current is not None and not current.closed:
            return current
        if addr is None:
            addr = "inproc://monitor.s-%d" % self.getsockopt(FD)
        self.monitor(addr, EVENT_ALL if events is None else events)
        self._monitor_socket = self.context.socket(PAIR)
        self._monitor_socket.connect(addr)
        return self._monitor_socket

    def disable_monitor(self):
        """Stops the monitor and closes the socket get_monitor_socket made."""
        self._monitor_socket = None
        self.monitor(None, 0)

    def bind_to_random_port(self, addr, min_port=49152, max_port=65536, max_tries=100):
        """Binds addr:PORT and returns PORT: any free port when the range is
        the default (as pyzmq, port "*"), else up to max_tries random ports
        in [min_port, max_port)."""
        if min_port == 49152 and max_port == 65536:
            self.bind("%s:*" % addr)
            return int(self.getsockopt(LAST_ENDPOINT).decode().rsplit(":", 1)[-1])
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self.bind("%s:%s" % (addr, port))
            except ZMQError as exc:
                if exc.errno not in (_errno.EADDRINUSE, _errno.EACCES):
                    raise
                continue
            return port
        raise ZMQBindError("Could not bind socket to random port.")

    # messages
    def send(self, data, flags=0, copy=True, track=False, routing_id=None, group=None):
        """Queues one part. libzgss copies it before the call returns, so
        copy changes nothing; track=True with copy=False returns a tracker
        that is already done (pyzmq's None otherwise)."""
        if routing_id is not None or group is not None:
            raise ZMQError(_errno.ENOTSUP)  # SERVER/RADIO sockets: not in libzgss
        data = _payload(data)
        if lib.zgss_send(self._handle, data or None, len(data), flags) < 0:
            self._fail(security=True)
        return MessageTracker() if track and not copy else None

    def recv(self, flags=0, copy=True, track=False):
        """One part: bytes, or a Frame when copy=False."""
        buffer = self._buffer or self._make_buffer()
        size = lib.zgss_recv(self._handle, buffer.address, buffer.size, flags)
        if size < 0:
            self._fail(security=True)
        if size > buffer.size:  # cannot happen while the buffer follows ZMQ_MAXMSGSIZE
            raise ZMQError(_errno.EMSGSIZE)
        data = buffer.take(size)
        if copy:
            return data
        return Frame(data, more=bool(self.getsockopt(RCVMORE)))

    def _make_buffer(self):
        limit = self.getsockopt(MAXMSGSIZE)
        size = _LIBRARY_PART_LIMIT if limit < 0 else min(max(limit, 1), _INT_MAX)
        self._buffer = _ReceiveBuffer(size)
        return self._buffer

    def _drop_buffer(self):
        if self._buffer is not None:
            self._buffer.close()
            self._buffer = None

    def send_multipart(self, msg_parts, flags=0, copy=True, track=False, **kwargs):
        parts = [_payload(part) for part in msg_parts]  # every part checked before the first leaves
        for index, part in enumerate(parts):
            self.send(part, flags | (SNDMORE if index + 1 < len(parts) else 0))
        return MessageTracker() if track and not copy else None

    def recv_multipart(self, flags=0, copy=True, track=False):
        parts = [self.recv(flags, copy=copy)]
        while self.getsockopt(RCVMORE):
            parts.append(self.recv(flags, copy=copy))
        return parts

    def send_string(self, u, flags=0, copy=True, encoding="utf-8", **kwargs):
        if not isinstance(u, str):
            raise TypeError("str objects only")
        return self.send(u.encode(encoding), flags=flags, copy=copy, **kwargs)

    def recv_string(self, flags=0, encoding="utf-8"):
        return self.recv(flags).decode(encoding)

    send_unicode, recv_unicode = send_string, recv_string

    def send_json(self, obj, flags=0, **kwargs):
        send_kwargs = {k: kwargs.pop(k) for k in ("copy", "track", "routing_id", "group") if k in kwargs}
        return self.send(json.dumps(obj, **kwargs).encode("utf-8"), flags, **send_kwargs)

    def recv_json(self, flags=0, **kwargs):
        return json.loads(self.recv(flags), **kwargs)

    def send_pyobj(self, obj, flags=0, protocol=pickle.DEFAULT_PROTOCOL, **kwargs):
        return self.send(pickle.dumps(obj, protocol), flags, **kwargs)

    def recv_pyobj(self, flags=0):
        return pickle.loads(self.recv(flags))

    def send_serialized(self, msg, serialize, flags=0, copy=True, **kwargs):
        return self.send_multipart(serialize(msg), flags=flags, copy=copy, **kwargs)

    def recv_serialized(self, deserialize, flags=0, copy=True):
        return deserialize(self.recv_multipart(flags, copy=copy))

    # polling
    def _events_read(self):
        """Called after ZMQ_EVENTS was read for this socket other than by
        getsockopt (zgss_poll reads it): zgss.asyncio's sockets hand the
        news to their waiters, since the read re-armed the edge-triggered
        ZMQ_FD they wait on."""

    def poll(self, timeout=None, flags=POLLIN):
        """Waits up to timeout ms (None: no limit) for flags (POLLIN,
        POLLOUT or both); returns the ready ones, 0 on timeout (pyzmq's
        Socket.poll, through zgss_poll)."""
        if self._handle is None:
            raise ZMQError(_errno.ENOTSUP)  # as pyzmq on a closed socket
        from .poll import Poller
        poller = Poller()
        poller.register(self, flags)
        return dict(poller.poll(timeout)).get(self, 0)

    # life
    def close(self, linger=None):
        if self._handle is None:
            return
        if linger is not None:
            self.setsockopt(LINGER, linger)
        handle, self._handle = self._handle, None
        lib.zgss_close(handle)
        self._drop_buffer()

    @property
    def closed(self):
        return self._handle is None

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            lib.zgss_close(self._handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<zgss.Socket(type %s) at %#x%s>" % (self.socket_type, id(self), " closed" if self.closed else "")

