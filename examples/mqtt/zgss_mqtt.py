# SPDX-License-Identifier: MIT
"""MQTT 5 with "GSSAPI-KERBEROS" enhanced authentication, over libzgss.

Python 3 standard library only: libzgss (the C ABI of include/zgss.h) is
loaded with ctypes; MQTT 5 packets are encoded here (no stock Python or C
MQTT client on Debian 12 can do a multi-step AUTH exchange).

    from zgss_mqtt import MQTTClient
    c = MQTTClient("127.0.0.1", 1883, service="mqtt@broker.example.com")
    c.connect()                    # CONNECT/AUTH.../CONNACK, raises on refusal
    c.subscribe("sensors/#")
    c.publish("sensors/t1", b"21.5")
    topic, payload = c.receive()

libzgss is found through $ZGSS_LIB, else pkg-config's libdir for zgss, else
the loader's search path (libzgss.so.0).
"""

import ctypes
import os
import socket
import struct
import subprocess

AUTH_METHOD = "GSSAPI-KERBEROS"

# zgss.h constants
ZGSS_SASL_PRINCIPAL = 1
ZGSS_SASL_SERVICE = 3
ZGSS_SASL_CLIENT_KEYTAB = 4
ZGSS_SASL_CCACHE = 5
ZGSS_SASL_AUTHZID = 6
ZGSS_SASL_MUTUAL = 20
ZGSS_SASL_LAYERS = 21
ZGSS_MQTT_SEND_AUTH = 1
ZGSS_MQTT_REFUSE = 3

CONNECT, CONNACK, PUBLISH, PUBACK = 1, 2, 3, 4
SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = 8, 9, 12, 13, 14, 15


def _find_library():
    path = os.environ.get("ZGSS_LIB")
    if path:
        return path
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "zgss"], capture_output=True,
                                text=True, check=True).stdout.strip()
        candidate = os.path.join(libdir, "libzgss.so.0")
        if os.path.exists(candidate):
            return candidate
    except (OSError, subprocess.CalledProcessError):
        pass
    return "libzgss.so.0"


_lib = None


def lib():
    """The loaded libzgss with argument types declared."""
    global _lib
    if _lib is not None:
        return _lib
    z = ctypes.CDLL(_find_library())
    P, S, I = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
    OUT = ctypes.POINTER(ctypes.c_void_p)
    OUTLEN = ctypes.POINTER(ctypes.c_size_t)
    sigs = {
        "zgss_sasl_config_new": (P, []),
        "zgss_sasl_config_destroy": (None, [P]),
        "zgss_sasl_config_set_string": (I, [P, I, ctypes.c_char_p]),
        "zgss_sasl_config_set_int": (I, [P, I, I]),
        "zgss_sasl_config_last_error": (ctypes.c_char_p, [P]),
        "zgss_sasl_client_new": (P, [P]),
        "zgss_sasl_destroy": (None, [P]),
        "zgss_sasl_client_start": (I, [P, OUT, OUTLEN]),
        "zgss_sasl_last_error": (ctypes.c_char_p, [P]),
        "zgss_sasl_peer_principal": (ctypes.c_char_p, [P]),
        "zgss_sasl_status": (I, [P]),
        "zgss_mqtt_client_auth": (I, [P, I, ctypes.c_char_p, ctypes.c_char_p, S, OUT, OUTLEN, ctypes.POINTER(I)]),
        "zgss_mqtt_client_connack": (I, [P, I, ctypes.c_char_p]),
        "zgss_version": (ctypes.c_char_p, []),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(z, name)
        fn.restype = res
        fn.argtypes = args
    _lib = z
    return z


class ZGSSError(Exception):
    pass


class GSSAPIKerberos:
    """The client side of the GSSAPI-KERBEROS exchange (one zgss_sasl_t)."""

    def __init__(self, service, principal=None, client_keytab=None, ccache=None, mutual=True, authzid=None):
        z = lib()
        self._z = z
        self._cfg = z.zgss_sasl_config_new()
        settings = [(ZGSS_SASL_SERVICE, service), (ZGSS_SASL_PRINCIPAL, principal),
                    (ZGSS_SASL_CLIENT_KEYTAB, client_keytab), (ZGSS_SASL_CCACHE, ccache),
                    (ZGSS_SASL_AUTHZID, authzid)]
        for option, value in settings:
            if value is not None and z.zgss_sasl_config_set_string(self._cfg, option, value.encode()) != 0:
                raise ZGSSError(z.zgss_sasl_config_last_error(self._cfg).decode())
        z.zgss_sasl_config_set_int(self._cfg, ZGSS_SASL_MUTUAL, 1 if mutual else 0)
        z.zgss_sasl_config_set_int(self._cfg, ZGSS_SASL_LAYERS, 1)  # MQTT traffic: layer none
        self._s = z.zgss_sasl_client_new(self._cfg)
        if not self._s:
            raise ZGSSError(z.zgss_sasl_config_last_error(self._cfg).decode())

    def close(self):
        if self._s:
            self._z.zgss_sasl_destroy(self._s)
            self._s = None
        if self._cfg:
            self._z.zgss_sasl_config_destroy(self._cfg)
            self._cfg = None

    def __del__(self):
        self.close()

    @property
    def last_error(self):
        return self._z.zgss_sasl_last_error(self._s).decode()

    @property
    def server_principal(self):
        p = self._z.zgss_sasl_peer_principal(self._s)
        return p.decode() if p else None

    def initial_data(self):
        """Authentication-Data for CONNECT (the AP-REQ)."""
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        if self._z.zgss_sasl_client_start(self._s, ctypes.byref(out), ctypes.byref(n)) != 0:
            raise ZGSSError(self.last_error)
        return ctypes.string_at(out, n.value)

    def answer_auth(self, reason_code, method, data):
        """The data of the AUTH to send in reply to the broker's AUTH."""
        out, n, reason = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_int()
        action = self._z.zgss_mqtt_client_auth(self._s, reason_code, method.encode() if method else None,
                                               data, len(data or b""), ctypes.byref(out), ctypes.byref(n),
                                               ctypes.byref(reason))
        if action != ZGSS_MQTT_SEND_AUTH:
            raise ZGSSError("%s (reason 0x%02x)" % (self.last_error, reason.value))
        return ctypes.string_at(out, n.value) if n.value else b""

    def judge_connack(self, reason_code, method):
        rc = self._z.zgss_mqtt_client_connack(self._s, reason_code, method.encode() if method else None)
        if rc != 0:
            raise ZGSSError(self.last_error)


# ---- MQTT 5 packets ---------------------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_string(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">H", len(b)) + b


def packet(kind, flags, body):
    return bytes([kind << 4 | flags]) + varint(len(body)) + body


def auth_properties(method, data):
    props = b""
    if method is not None:
        props += b"\x15" + mqtt_string(method)
    if data is not None:
        props += b"\x16" + mqtt_string(data)
    return varint(len(props)) + props


def connect_packet(client_id, method=AUTH_METHOD, data=None, keepalive=60, username=None, password=None,
                   version=5):
    """CONNECT; version 4 (MQTT 3.1.1) has no properties, so no method."""
    flags = 0x02  # clean start
    flags |= 0x80 if username is not None else 0
    flags |= 0x40 if password is not None else 0
    body = mqtt_string("MQTT") + bytes([version, flags]) + struct.pack(">H", keepalive)
    if version == 5:
        body += auth_properties(method, data)
    body += mqtt_string(client_id)
    if username is not None:
        body += mqtt_string(username)
    if password is not None:
        body += mqtt_string(password)
    return packet(CONNECT, 0, body)


def auth_packet(reason, method=AUTH_METHOD, data=b""):
    return packet(AUTH, 0, bytes([reason]) + auth_properties(method, data))


_PROPS = {  # id -> type: b byte, h u16, i u32, v varint, s string, d binary, p string pair
    0x01: "b", 0x02: "i", 0x03: "s", 0x08: "s", 0x09: "d", 0x0B: "v", 0x11: "i", 0x12: "s",
    0x13: "h", 0x15: "s", 0x16: "d", 0x17: "b", 0x18: "i", 0x19: "b", 0x1A: "s", 0x1C: "s",
    0x1F: "s", 0x21: "h", 0x22: "h", 0x23: "h", 0x24: "b", 0x25: "b", 0x26: "p", 0x27: "i",
    0x28: "b", 0x29: "b", 0x2A: "b",
}


def read_varint(buf, i):
    n, shift = 0, 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def parse_properties(buf, i):
    """Returns (dict id -> value, next index)."""
    length, i = read_varint(buf, i)
    end = i + length
    props = {}
    while i < end:
        pid = buf[i]
        i += 1
        kind = _PROPS.get(pid)
        if kind == "b":
            value, i = buf[i], i + 1
        elif kind == "h":
            value, i = struct.unpack_from(">H", buf, i)[0], i + 2
        elif kind == "i":
            value, i = struct.unpack_from(">I", buf, i)[0], i + 4
        elif kind == "v":
            value, i = read_varint(buf, i)
        elif kind in ("s", "d"):
            n = struct.unpack_from(">H", buf, i)[0]
            value = bytes(buf[i + 2:i + 2 + n])
            if kind == "s":
                value = value.decode()
            i += 2 + n
        elif kind == "p":
            n = struct.unpack_from(">H", buf, i)[0]
            k = bytes(buf[i + 2:i + 2 + n]).decode()
            i += 2 + n
            n = struct.unpack_from(">H", buf, i)[0]
            v = bytes(buf[i + 2:i + 2 + n]).decode()
            i += 2 + n
            value = (k, v)
        else:
            raise ValueError("unknown MQTT property 0x%02x" % pid)
        props[pid] = value
    return props, end


class Packet:
    def __init__(self, kind, flags, body):
        self.kind, self.flags, self.body = kind, flags, body
        self.reason = None
        self.properties = {}
        if kind in (CONNACK,) and len(body) >= 2:
            self.reason = body[1]
            if len(body) > 2:
                self.properties, _ = parse_properties(body, 2)
        elif kind in (AUTH, DISCONNECT):
            self.reason = body[0] if body else 0
            if len(body) > 1:
                self.properties, _ = parse_properties(body, 1)

    @property
    def auth_method(self):
        return self.properties.get(0x15)

    @property
    def auth_data(self):
        return self.properties.get(0x16)

    def __repr__(self):
        return "<MQTT packet %d reason %s props %s>" % (self.kind, self.reason, sorted(self.properties))


class ConnectionClosed(Exception):
    pass


class ReauthenticationRefused(ZGSSError):
    """The broker refused a re-authentication. `packet` is its answer:
    DISCONNECT (MQTT 5), CONNACK (mosquitto before 2.0.13 sends a second
    CONNACK), or None when it only closed the connection."""

    def __init__(self, packet):
        self.packet = packet
        what = "connection closed" if packet is None else "%s 0x%02x" % (
            {CONNACK: "CONNACK", DISCONNECT: "DISCONNECT", AUTH: "AUTH"}.get(packet.kind, "packet"), packet.reason or 0)
        super().__init__("broker refused the re-authentication: %s" % what)


class MQTTConnection:
    """A TCP connection speaking MQTT 5 packets."""

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self._buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def _need(self, n):
        while len(self._buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed("broker closed the connection")
            self._buf += chunk

    def read_packet(self):
        self._need(2)
        i, length, shift = 1, 0, 0
        while True:
            self._need(i + 1)
            b = self._buf[i]
            i += 1
            length |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        self._need(i + length)
        first = self._buf[0]
        body = self._buf[i:i + length]
        self._buf = self._buf[i + length:]
        return Packet(first >> 4, first & 0x0F, body)


class MQTTClient(MQTTConnection):
    """A minimal MQTT 5 client authenticating with GSSAPI-KERBEROS."""

    def __init__(self, host, port, service, client_id="", timeout=10.0, **gss):
        super().__init__(host, port, timeout)
        self.client_id = client_id
        self.service = service
        self._gss_options = gss
        self.gss = GSSAPIKerberos(service, **gss)
        self.auth_packets = 0
        self._next_id = 1
        self._publishes = []  # PUBLISH packets read while waiting for others

    def connect(self):
        """Runs CONNECT / AUTH ... / CONNACK. Returns the CONNACK packet;
        raises ZGSSError when the broker refuses or fails to authenticate."""
        self.send(connect_packet(self.client_id, AUTH_METHOD, self.gss.initial_data()))
        while True:
            p = self.read_packet()
            if p.kind == AUTH:
                self.auth_packets += 1
                data = self.gss.answer_auth(p.reason, p.auth_method, p.auth_data)
                self.send(auth_packet(0x18, AUTH_METHOD, data))
            elif p.kind == CONNACK:
                self.gss.judge_connack(p.reason, p.auth_method)
                return p
            elif p.kind == DISCONNECT:
                raise ZGSSError("broker disconnected with reason 0x%02x" % p.reason)
            else:
                raise ZGSSError("unexpected packet %d during authentication" % p.kind)

    def reauthenticate(self, **gss):
        """MQTT 5 re-authentication on the open connection: AUTH 0x19 with a
        new AP-REQ, the AUTH 0x18 steps, then the broker's AUTH 0x00.
        `gss` names the principal as for the constructor (default: the one
        of connect()). Returns the AUTH 0x00 packet; raises
        ReauthenticationRefused when the broker refuses or closes."""
        fresh = GSSAPIKerberos(self.service, **(gss or self._gss_options))
        try:
            self.send(auth_packet(0x19, AUTH_METHOD, fresh.initial_data()))
            while True:
                try:
                    p = self._read_until(lambda p: p.kind in (AUTH, CONNACK, DISCONNECT))
                except ConnectionClosed:
                    raise ReauthenticationRefused(None)
                if p.kind == AUTH and p.reason == 0x18:
                    self.send(auth_packet(0x18, AUTH_METHOD, fresh.answer_auth(p.reason, p.auth_method, p.auth_data)))
                elif p.kind == AUTH and p.reason == 0x00:
                    fresh.judge_connack(0x00, p.auth_method)
                    self.gss.close()
                    self.gss, fresh = fresh, None
                    return p
                else:
                    raise ReauthenticationRefused(p)
        finally:
            if fresh is not None:
                fresh.close()

    def _read_until(self, wanted):
        """The next packet for which wanted(p) holds; PUBLISHes met on the
        way are kept for receive()."""
        while True:
            p = self.read_packet()
            if wanted(p):
                return p
            if p.kind == PUBLISH:
                self._publishes.append(p)

    def _packet_id(self):
        pid = self._next_id
        self._next_id = pid % 65535 + 1
        return pid

    def subscribe(self, topic, qos=0):
        """Returns the SUBACK reason code (0x00..0x02 granted, 0x87 not authorized)."""
        pid = self._packet_id()
        self.send(packet(SUBSCRIBE, 0x02, struct.pack(">H", pid) + b"\x00" + mqtt_string(topic) + bytes([qos])))
        p = self._read_until(lambda p: p.kind == SUBACK and struct.unpack_from(">H", p.body, 0)[0] == pid)
        _, i = parse_properties(p.body, 2)
        return p.body[i]

    def publish(self, topic, payload, qos=0):
        """QoS 0 returns None; QoS 1 returns the PUBACK reason code."""
        body = mqtt_string(topic)
        pid = None
        if qos:
            pid = self._packet_id()
            body += struct.pack(">H", pid)
        body += b"\x00" + payload
        self.send(packet(PUBLISH, qos << 1, body))
        if not qos:
            return None
        p = self._read_until(lambda p: p.kind == PUBACK and struct.unpack_from(">H", p.body, 0)[0] == pid)
        return p.body[2] if len(p.body) > 2 else 0

    def receive(self, timeout=None):
        """The next PUBLISH: (topic, payload); None when `timeout` seconds
        pass without one. QoS 1 messages are acknowledged."""
        if self._publishes:
            p = self._publishes.pop(0)
        else:
            old = self.sock.gettimeout()
            if timeout is not None:
                self.sock.settimeout(timeout)
            try:
                p = self._read_until(lambda p: p.kind == PUBLISH)
            except socket.timeout:
                return None
            finally:
                self.sock.settimeout(old)
        n = struct.unpack_from(">H", p.body, 0)[0]
        topic = p.body[2:2 + n].decode()
        i = 2 + n
        if (p.flags >> 1) & 3:
            self.send(packet(PUBACK, 0, p.body[i:i + 2]))
            i += 2
        _, i = parse_properties(p.body, i)
        return topic, p.body[i:]

    def disconnect(self):
        try:
            self.send(packet(DISCONNECT, 0, b"\x00\x00"))
        finally:
            self.close()
            self.gss.close()
