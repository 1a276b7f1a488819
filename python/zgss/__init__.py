# SPDX-License-Identifier: MIT
"""zgss: Kerberos-secured ZeroMQ sockets over libzgss's C ABI (ctypes).

    import zgss
    with zgss.Context() as ctx, ctx.socket(zgss.REQ) as s:
        s.setsockopt(zgss.GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost")
        s.connect("tcp://localhost:5555")
        s.send(b"hello")
        print(s.recv())

Errors raise ZGSSError (errno, text, and the socket's ZGSS_LAST_ERROR);
EAGAIN raises Again, a subclass. Like libzmq sockets, a Socket must be used
by one thread at a time. Blocking calls release the GIL.
"""
import ctypes
import errno as _errno

from ._lib import lib
from .constants import *  # noqa: F401,F403
from .constants import (LAST_ENDPOINT, LAST_ERROR, LINGER, OPTION_NAMES, RCVMORE, SNDMORE, SOCKET_OPTIONS,
                        SUBSCRIBE, UNSUBSCRIBE, OptionType)

_C_INTS = {OptionType.INT: ctypes.c_int, OptionType.INT64: ctypes.c_int64}


class ZGSSError(OSError):
    """A failed zgss call: errno, its text, and the socket's last security
    failure (ZGSS_LAST_ERROR) when there is one."""

    def __init__(self, errnum, last_error=""):
        text = lib.zgss_strerror(errnum).decode("utf-8", "replace")
        super().__init__(errnum, text)
        self.last_error = last_error

    def __str__(self):
        base = "[errno %d] %s" % (self.errno, self.strerror)
        return base + (" (last error: %s)" % self.last_error if self.last_error else "")


class Again(ZGSSError):
    """EAGAIN: nothing to receive, or no room to send, within the timeout."""


def _raise(socket=None):
    errnum = lib.zgss_errno()
    last = ""
    if socket is not None and socket._handle:
        try:
            last = socket._get_string(LAST_ERROR)
        except ZGSSError:
            last = ""
    if errnum == _errno.EAGAIN:
        raise Again(errnum, last)
    raise ZGSSError(errnum, last)


def version():
    return lib.zgss_version().decode()


def _option_type(option):
    """The value type SOCKET_OPTIONS gives `option`, None for a number it
    does not list (libzgss refuses those with EINVAL)."""
    name = OPTION_NAMES.get(option)
    return SOCKET_OPTIONS[name].type if name is not None else None


def _c_option_value(option, value):
    """(pointer, length) for zgss_setsockopt, or TypeError/OverflowError
    when `value` does not fit the option's type (an int is never sent
    as a string's bytes, nor a str as an int, nor 2**32 as 0)."""
    kind = _option_type(option) or (OptionType.INT if isinstance(value, int) else OptionType.BYTES)
    label = OPTION_NAMES.get(option, "option %r" % (option,))
    if kind in _C_INTS:
        if not isinstance(value, int):
            raise TypeError("%s takes an int, got %s" % (label, type(value).__name__))
        raw = _C_INTS[kind](value)
        if raw.value != value:
            raise OverflowError("%s: %d does not fit in a C %s" % (label, value, kind.value))
        return ctypes.byref(raw), ctypes.sizeof(raw)
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        raise TypeError("%s takes bytes, got %s" % (label, type(value).__name__))
    return value or None, len(value)


def _is_own_attribute(obj, name):
    """Internal state (a leading '_') and what the class defines (methods,
    properties) are plain attributes; every other name is an option."""
    if name.startswith("_"):
        return True
    return any(name in vars(cls) or name in getattr(cls, "__annotations__", {}) for cls in type(obj).__mro__)


class Context:
    """zgss_ctx_new / zgss_ctx_term. term() blocks until every socket is
    closed (sockets made here are closed by term() if still open)."""

    def __init__(self):
        self._handle = lib.zgss_ctx_new()
        if not self._handle:
            _raise()
        self._sockets = []

    def __setattr__(self, name, value):
        if _is_own_attribute(self, name):
            object.__setattr__(self, name, value)
            return
        # pyzmq keeps socket-option defaults here; zgss has none, so the
        # name is refused rather than stored where no socket reads it.
        raise AttributeError("Context has no such option: %s (zgss contexts keep no socket option "
                             "defaults; set it on each socket)" % name.upper())

    def socket(self, socket_type, max_message_size=4 << 20):
        sock = Socket(self, socket_type, max_message_size)
        self._sockets.append(sock)
        return sock

    def term(self):
        if not self._handle:
            return
        for sock in self._sockets:
            sock.close()
        self._sockets = []
        handle, self._handle = self._handle, None
        if lib.zgss_ctx_term(handle) != 0:
            _raise()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.term()


class Socket:
    """One zgss socket. recv() receives into a buffer of max_message_size
    bytes and raises ZGSSError(EMSGSIZE) for a larger part."""

    def __init__(self, context, socket_type, max_message_size=4 << 20):
        self._handle = lib.zgss_socket(context._handle, socket_type)
        if not self._handle:
            _raise()
        self._buffer = ctypes.create_string_buffer(max_message_size)

    # options: setsockopt(GSSAPI_SERVER, 1), or as pyzmq, sock.gssapi_server = 1
    def setsockopt(self, option, value):
        """Sets an option; ints are int or bool, bytes options take bytes
        (or str, sent as UTF-8)."""
        pointer, length = _c_option_value(option, value)
        if lib.zgss_setsockopt(self._handle, option, pointer, length) != 0:
            _raise(self)

    def setsockopt_string(self, option, value, encoding="utf-8"):
        if not isinstance(value, str):
            raise TypeError("setsockopt_string takes str, got %s" % type(value).__name__)
        self.setsockopt(option, value.encode(encoding))

    def getsockopt(self, option):
        kind = _option_type(option) or OptionType.STRING
        if kind in _C_INTS:
            raw = _C_INTS[kind](0)
            size = ctypes.c_size_t(ctypes.sizeof(raw))
            if lib.zgss_getsockopt(self._handle, option, ctypes.byref(raw), ctypes.byref(size)) != 0:
                _raise(self)
            return raw.value
        if kind is OptionType.BYTES:
            buf = ctypes.create_string_buffer(256)
            size = ctypes.c_size_t(256)
            if lib.zgss_getsockopt(self._handle, option, buf, ctypes.byref(size)) != 0:
                _raise(self)
            return buf.raw[:size.value]
        return self._get_string(option)

    def __setattr__(self, name, value):
        """An option name sets that option; any other name that is not the
        class's own fails, so a misspelt option is never silently kept."""
        spec = SOCKET_OPTIONS.get(name.upper())
        if spec is None:
            if _is_own_attribute(self, name):
                object.__setattr__(self, name, value)
                return
            raise AttributeError("Socket has no such option: %s" % name.upper())
        if not spec.writable:
            raise AttributeError("%s is a read-only option" % name.upper())
        if isinstance(value, str):
            if spec.number not in (SUBSCRIBE, UNSUBSCRIBE):  # pyzmq encodes topics, nothing else
                raise TypeError("%s: unicode not allowed, use setsockopt_string" % name.upper())
            value = value.encode("utf-8")
        self.setsockopt(spec.number, value)

    def __getattr__(self, name):
        """Reads an option by name (called only for names not found on the
        object itself)."""
        spec = None if name.startswith("_") else SOCKET_OPTIONS.get(name.upper())
        if spec is None:
            raise AttributeError("Socket has no such option: %s" % name.upper())
        if not spec.readable:
            raise AttributeError("%s attribute is write-only" % name)
        return self.getsockopt(spec.number)

    def _get_string(self, option):
        buf = ctypes.create_string_buffer(8192)
        size = ctypes.c_size_t(8192)
        if lib.zgss_getsockopt(self._handle, option, buf, ctypes.byref(size)) != 0:
            _raise()
        return buf.raw[:max(size.value - 1, 0)].decode("utf-8", "replace")

    @property
    def last_error(self):
        return self._get_string(LAST_ERROR)

    @property
    def last_endpoint(self):
        return self.getsockopt(LAST_ENDPOINT)

    # endpoints
    def bind(self, endpoint):
        if lib.zgss_bind(self._handle, endpoint.encode()) != 0:
            _raise(self)

    def connect(self, endpoint):
        if lib.zgss_connect(self._handle, endpoint.encode()) != 0:
            _raise(self)

    # messages
    def send(self, data, flags=0):
        data = bytes(data)
        if lib.zgss_send(self._handle, data or None, len(data), flags) < 0:
            _raise(self)

    def send_multipart(self, parts, flags=0):
        parts = list(parts)
        for index, part in enumerate(parts):
            more = SNDMORE if index + 1 < len(parts) else 0
            self.send(part, flags | more)

    def recv(self, flags=0):
        size = lib.zgss_recv(self._handle, self._buffer, len(self._buffer), flags)
        if size < 0:
            _raise(self)
        if size > len(self._buffer):
            raise ZGSSError(_errno.EMSGSIZE, "message part of %d bytes was truncated" % size)
        return ctypes.string_at(self._buffer, size)

    def recv_multipart(self, flags=0):
        parts = [self.recv(flags)]
        while self.getsockopt(RCVMORE):
            parts.append(self.recv(flags))
        return parts

    def close(self, linger=None):
        if not self._handle:
            return
        if linger is not None:
            self.setsockopt(LINGER, linger)
        handle, self._handle = self._handle, None
        lib.zgss_close(handle)

    @property
    def closed(self):
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
