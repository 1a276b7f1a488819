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
from .constants import BYTES_OPTIONS, INT64_OPTIONS, INT_OPTIONS, LAST_ERROR, LINGER, RCVMORE, SNDMORE


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


class Context:
    """zgss_ctx_new / zgss_ctx_term. term() blocks until every socket is
    closed (sockets made here are closed by term() if still open)."""

    def __init__(self):
        self._handle = lib.zgss_ctx_new()
        if not self._handle:
            _raise()
        self._sockets = []

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

    # options
    def setsockopt(self, option, value):
        if isinstance(value, int):
            raw = ctypes.c_int64(value) if option in INT64_OPTIONS else ctypes.c_int(value)
            rc = lib.zgss_setsockopt(self._handle, option, ctypes.byref(raw), ctypes.sizeof(raw))
        else:
            if isinstance(value, str):
                value = value.encode()
            rc = lib.zgss_setsockopt(self._handle, option, value or None, len(value))
        if rc != 0:
            _raise(self)

    def getsockopt(self, option):
        if option in INT_OPTIONS or option in INT64_OPTIONS:
            raw = ctypes.c_int64(0) if option in INT64_OPTIONS else ctypes.c_int(0)
            size = ctypes.c_size_t(ctypes.sizeof(raw))
            if lib.zgss_getsockopt(self._handle, option, ctypes.byref(raw), ctypes.byref(size)) != 0:
                _raise(self)
            return raw.value
        if option in BYTES_OPTIONS:
            buf = ctypes.create_string_buffer(256)
            size = ctypes.c_size_t(256)
            if lib.zgss_getsockopt(self._handle, option, buf, ctypes.byref(size)) != 0:
                _raise(self)
            return buf.raw[:size.value]
        return self._get_string(option)

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
        return self.getsockopt(32)

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
