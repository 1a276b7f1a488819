# SPDX-License-Identifier: MIT
"""ctypes binding of zgss's sans-I/O mechanism API (include/zgss.h), and a
minimal ZMTP 3.1 peer built on it: greeting, framing and the GSSAPI
handshake over a plain TCP socket. It shows how any ZMTP implementation
hosts zgss's mechanism, and lets tests talk to stock libzmq on the wire.

Only the standard library; load libzgss from ZGSS_LIB or .dist/lib.
"""
import ctypes
import os
import socket
import struct

ZMQ_GSSAPI_SERVER = 62
ZMQ_GSSAPI_PRINCIPAL = 63
ZMQ_GSSAPI_SERVICE_PRINCIPAL = 64
ZMQ_GSSAPI_PLAINTEXT = 65
ZMQ_GSSAPI_PRINCIPAL_NAMETYPE = 90
ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE = 91
ZGSS_KEYTAB = 1000
ZGSS_CLIENT_KEYTAB = 1001
ZGSS_CCACHE = 1002
ZGSS_ALLOW_PRINCIPAL = 1003

STATUS_READY = 2
STATUS_FAILED = 3
MSG_MORE = 0x01
MSG_COMMAND = 0x02

SOCKET_TYPES = {"PAIR": 0, "PUB": 1, "SUB": 2, "REQ": 3, "REP": 4, "DEALER": 5,
                "ROUTER": 6, "PULL": 7, "PUSH": 8}


def _default_lib():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("ZGSS_LIB") or os.path.join(here, "..", "..", ".dist", "lib", "libzgss.so")


_lib = ctypes.CDLL(_default_lib())
_u8pp = ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8))
_sig = {
    "zgss_config_new": (ctypes.c_void_p, []),
    "zgss_config_destroy": (None, [ctypes.c_void_p]),
    "zgss_config_set": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]),
    "zgss_config_last_error": (ctypes.c_char_p, [ctypes.c_void_p]),
    "zgss_mech_new": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]),
    "zgss_mech_destroy": (None, [ctypes.c_void_p]),
    "zgss_mech_next_command": (ctypes.c_int, [ctypes.c_void_p, _u8pp, ctypes.POINTER(ctypes.c_size_t)]),
    "zgss_mech_process_command": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "zgss_mech_encode": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                        _u8pp, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_int)]),
    "zgss_mech_decode": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                        _u8pp, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_int)]),
    "zgss_mech_status": (ctypes.c_int, [ctypes.c_void_p]),
    "zgss_mech_peer_closed": (ctypes.c_int, [ctypes.c_void_p]),
    "zgss_mech_error_command": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, _u8pp,
                                               ctypes.POINTER(ctypes.c_size_t)]),
    "zgss_mech_peer_principal": (ctypes.c_char_p, [ctypes.c_void_p]),
    "zgss_mech_last_error": (ctypes.c_char_p, [ctypes.c_void_p]),
}
for _name, (_res, _args) in _sig.items():
    _fn = getattr(_lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args


class ZGSSError(Exception):
    """A mechanism failure: `code` is the negative ZGSS_E_* value."""

    def __init__(self, code, message):
        super().__init__(f"{message} (zgss code {code})")
        self.code = code
        self.reason = message


class Mechanism:
    """One connection's mechanism, configured with zmq option numbers."""

    def __init__(self, socket_type, options, routing_id=b""):
        self._config = _lib.zgss_config_new()
        for option, value in options.items():
            if isinstance(value, int):
                raw = ctypes.c_int(value)
                rc = _lib.zgss_config_set(self._config, option, ctypes.byref(raw), ctypes.sizeof(raw))
            else:
                data = value.encode() if isinstance(value, str) else value
                rc = _lib.zgss_config_set(self._config, option, data, len(data))
            if rc != 0:
                raise ZGSSError(rc, _lib.zgss_config_last_error(self._config).decode())
        self._mech = _lib.zgss_mech_new(self._config, SOCKET_TYPES[socket_type], routing_id, len(routing_id))
        if not self._mech:
            raise ZGSSError(-1, _lib.zgss_config_last_error(self._config).decode())

    def close(self):
        if self._mech:
            _lib.zgss_mech_destroy(self._mech)
            self._mech = None
        if self._config:
            _lib.zgss_config_destroy(self._config)
            self._config = None

    def _check(self, rc):
        if rc < 0:
            raise ZGSSError(rc, _lib.zgss_mech_last_error(self._mech).decode())
        return rc

    def next_command(self):
        body = ctypes.POINTER(ctypes.c_uint8)()
        length = ctypes.c_size_t()
        if self._check(_lib.zgss_mech_next_command(self._mech, ctypes.byref(body), ctypes.byref(length))) == 0:
            return None
        return ctypes.string_at(body, length.value) if length.value else b""

    def process_command(self, body):
        self._check(_lib.zgss_mech_process_command(self._mech, body, len(body)))

    def _transform(self, fn, data, flags):
        out = ctypes.POINTER(ctypes.c_uint8)()
        length = ctypes.c_size_t()
        out_flags = ctypes.c_int()
        self._check(fn(self._mech, data, len(data), flags, ctypes.byref(out), ctypes.byref(length),
                       ctypes.byref(out_flags)))
        return (ctypes.string_at(out, length.value) if length.value else b""), out_flags.value

    def encode(self, data, flags=0):
        return self._transform(_lib.zgss_mech_encode, data, flags)

    def decode(self, data, flags=0):
        return self._transform(_lib.zgss_mech_decode, data, flags)

    def error_command(self, reason=None):
        """After this side refused the handshake: the ERROR command body to
        send before closing ("400" after a refusal, or `reason`), else None."""
        body = ctypes.POINTER(ctypes.c_uint8)()
        length = ctypes.c_size_t()
        raw = reason.encode() if isinstance(reason, str) else reason
        if self._check(_lib.zgss_mech_error_command(self._mech, raw, ctypes.byref(body), ctypes.byref(length))) == 0:
            return None
        return ctypes.string_at(body, length.value)

    def peer_closed(self):
        """Reports EOF to the mechanism; returns its code (0 after READY)."""
        return _lib.zgss_mech_peer_closed(self._mech)

    @property
    def status(self):
        return _lib.zgss_mech_status(self._mech)

    @property
    def peer_principal(self):
        value = _lib.zgss_mech_peer_principal(self._mech)
        return value.decode() if value else None

    @property
    def last_error(self):
        return _lib.zgss_mech_last_error(self._mech).decode()


class Peer:
    """A ZMTP 3.1 connection secured by a zgss Mechanism (one socket, one
    peer, blocking)."""

    def __init__(self, sock, mechanism):
        self.sock = sock
        self.mech = mechanism
        self.buffer = b""

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                if self.mech.peer_closed() < 0:
                    raise ZGSSError(-3, self.mech.last_error)
                raise ConnectionError("peer closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send_frame(self, body, more=False, command=False):
        flags = (0x01 if more else 0) | (0x04 if command else 0)
        if len(body) <= 255:
            header = bytes([flags, len(body)])
        else:
            header = bytes([flags | 0x02]) + struct.pack(">Q", len(body))
        self.sock.sendall(header + body)

    def _read_frame(self):
        flags = self._read(1)[0]
        size = struct.unpack(">Q", self._read(8))[0] if flags & 0x02 else self._read(1)[0]
        return flags, self._read(size)

    def handshake(self):
        greeting = b"\xff" + b"\x00" * 7 + b"\x01\x7f" + b"\x03\x01" + b"GSSAPI".ljust(20, b"\x00") + b"\x00" * 32
        self.sock.sendall(greeting)
        peer = self._read(64)
        if peer[0] != 0xFF or peer[9] & 1 != 1 or peer[10] < 3:
            raise ConnectionError("peer is not speaking ZMTP 3")
        if peer[12:32].rstrip(b"\x00") != b"GSSAPI":
            raise ConnectionError(f"peer mechanism is {peer[12:32].rstrip(bytes(1))!r}, not GSSAPI")
        while self.mech.status != STATUS_READY:
            command = self.mech.next_command()
            if command is not None:
                self._send_frame(command, command=True)
                continue
            flags, body = self._read_frame()
            if not flags & 0x04:
                raise ConnectionError("peer sent a message frame during the handshake")
            try:
                self.mech.process_command(body)
            except ZGSSError:
                # A refused peer is told so (ERROR "400"): it stops instead
                # of reconnecting at once.
                refusal = self.mech.error_command()
                if refusal is not None:
                    self._send_frame(refusal, command=True)
                raise

    def send(self, parts):
        for index, part in enumerate(parts):
            more = index < len(parts) - 1
            wire, wire_flags = self.mech.encode(part, MSG_MORE if more else 0)
            self._send_frame(wire, more=bool(wire_flags & MSG_MORE), command=bool(wire_flags & MSG_COMMAND))

    def recv(self):
        parts = []
        while True:
            flags, body = self._read_frame()
            data, inner = self.mech.decode(body, (MSG_MORE if flags & 0x01 else 0) | (MSG_COMMAND if flags & 0x04 else 0))
            if inner & MSG_COMMAND:
                continue  # PING/PONG and other commands: not messages
            parts.append(data)
            if not inner & MSG_MORE:
                return parts
