# SPDX-License-Identifier: MIT
"""zmq.h / zgss.h constants (same values as zmq.h)."""
import enum as _enum
import errno as _errno
from typing import NamedTuple as _NamedTuple

PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB = range(11)
DONTWAIT, SNDMORE = 1, 2
POLLIN, POLLOUT, POLLERR, POLLPRI = 1, 2, 4, 8
NOBLOCK = DONTWAIT  # pyzmq's older name


class OptionType(_enum.Enum):
    """How an option's value crosses the C ABI."""
    INT = "int"        # C int
    INT64 = "int64"    # int64_t
    BYTES = "bytes"    # binary, read back as bytes
    STRING = "string"  # UTF-8 text, read back as str


class OptionSpec(_NamedTuple):
    """One row of SOCKET_OPTIONS. SUBSCRIBE is write-only, RCVMORE read-only."""
    number: int
    type: OptionType
    readable: bool = True
    writable: bool = True


_INT, _INT64, _BYTES, _STRING = OptionType.INT, OptionType.INT64, OptionType.BYTES, OptionType.STRING

# Every socket option the binding knows: its name (pyzmq's, upper case),
# number (zmq.h / zgss.h) and value type. The module's constants
# (GSSAPI_SERVER = 62, ...), Socket's attributes (sock.gssapi_server) and
# setsockopt's type checks are all made from this one table.
SOCKET_OPTIONS = {
    "ROUTING_ID": OptionSpec(5, _BYTES),
    "IDENTITY": OptionSpec(5, _BYTES),  # pyzmq's older name for ROUTING_ID
    "SUBSCRIBE": OptionSpec(6, _BYTES, readable=False),
    "UNSUBSCRIBE": OptionSpec(7, _BYTES, readable=False),
    "RCVMORE": OptionSpec(13, _INT, writable=False),
    "FD": OptionSpec(14, _INT, writable=False),  # for event loops: see zgss.h "Polling"
    "EVENTS": OptionSpec(15, _INT, writable=False),  # POLLIN | POLLOUT
    "TYPE": OptionSpec(16, _INT, writable=False),
    "LINGER": OptionSpec(17, _INT),
    "RECONNECT_IVL": OptionSpec(18, _INT),
    "MAXMSGSIZE": OptionSpec(22, _INT64),
    "SNDHWM": OptionSpec(23, _INT),
    "RCVHWM": OptionSpec(24, _INT),
    "RCVTIMEO": OptionSpec(27, _INT),
    "SNDTIMEO": OptionSpec(28, _INT),
    "LAST_ENDPOINT": OptionSpec(32, _STRING, writable=False),
    "XPUB_VERBOSE": OptionSpec(40, _INT, readable=False),  # XPUB only
    "BACKLOG": OptionSpec(19, _INT),
    "IPV6": OptionSpec(42, _INT),
    "MECHANISM": OptionSpec(43, _INT, writable=False),
    "GSSAPI_SERVER": OptionSpec(62, _INT),
    "GSSAPI_PRINCIPAL": OptionSpec(63, _STRING),
    "GSSAPI_SERVICE_PRINCIPAL": OptionSpec(64, _STRING),
    "GSSAPI_PLAINTEXT": OptionSpec(65, _INT),
    "HANDSHAKE_IVL": OptionSpec(66, _INT),
    "XPUB_NODROP": OptionSpec(69, _INT, readable=False),
    "XPUB_WELCOME_MSG": OptionSpec(72, _BYTES, readable=False),
    "HEARTBEAT_IVL": OptionSpec(75, _INT),
    "HEARTBEAT_TTL": OptionSpec(76, _INT),
    "HEARTBEAT_TIMEOUT": OptionSpec(77, _INT),
    "XPUB_VERBOSER": OptionSpec(78, _INT, readable=False),
    "GSSAPI_PRINCIPAL_NAMETYPE": OptionSpec(90, _INT),
    "GSSAPI_SERVICE_PRINCIPAL_NAMETYPE": OptionSpec(91, _INT),
    # zgss's own (zgss.h, 1000 and up)
    "KEYTAB": OptionSpec(1000, _STRING),
    "CLIENT_KEYTAB": OptionSpec(1001, _STRING),
    "CCACHE": OptionSpec(1002, _STRING),
    "ALLOW_PRINCIPAL": OptionSpec(1003, _STRING),
    "LAST_ERROR": OptionSpec(1004, _STRING, writable=False),
    "PEER_PRINCIPAL": OptionSpec(1005, _STRING, writable=False),
    "HANDSHAKE_MAXMSGSIZE": OptionSpec(1007, _INT64),
}
# Options pyzmq names that libzgss does not implement (numbers from zmq.h,
# types as pyzmq has them). They are constants and socket attributes like
# the rest, so `sock.tcp_keepalive = 1` reaches libzgss, which refuses it
# (ZMQError EINVAL) rather than the name being unknown or silently kept.
UNSUPPORTED_OPTIONS = {
    "HWM": OptionSpec(1, _INT), "AFFINITY": OptionSpec(4, _INT64), "RATE": OptionSpec(8, _INT),
    "RECOVERY_IVL": OptionSpec(9, _INT), "SNDBUF": OptionSpec(11, _INT), "RCVBUF": OptionSpec(12, _INT),
    "BACKLOG": OptionSpec(19, _INT),
    "RECONNECT_IVL_MAX": OptionSpec(21, _INT), "MULTICAST_HOPS": OptionSpec(25, _INT),
    "ROUTER_MANDATORY": OptionSpec(33, _INT), "TCP_KEEPALIVE": OptionSpec(34, _INT),
    "TCP_KEEPALIVE_CNT": OptionSpec(35, _INT), "TCP_KEEPALIVE_IDLE": OptionSpec(36, _INT),
    "TCP_KEEPALIVE_INTVL": OptionSpec(37, _INT), "IMMEDIATE": OptionSpec(39, _INT),
    "XPUB_VERBOSE": OptionSpec(40, _INT), "ROUTER_RAW": OptionSpec(41, _INT),
    "PLAIN_SERVER": OptionSpec(44, _INT), "PLAIN_USERNAME": OptionSpec(45, _BYTES),
    "PLAIN_PASSWORD": OptionSpec(46, _BYTES), "CURVE_SERVER": OptionSpec(47, _INT),
    "CURVE_PUBLICKEY": OptionSpec(48, _BYTES), "CURVE_SECRETKEY": OptionSpec(49, _BYTES),
    "CURVE_SERVERKEY": OptionSpec(50, _BYTES), "PROBE_ROUTER": OptionSpec(51, _INT),
    "REQ_CORRELATE": OptionSpec(52, _INT), "REQ_RELAXED": OptionSpec(53, _INT),
    "CONFLATE": OptionSpec(54, _INT), "ZAP_DOMAIN": OptionSpec(55, _BYTES),
    "ROUTER_HANDOVER": OptionSpec(56, _INT), "TOS": OptionSpec(57, _INT),
    "CONNECT_ROUTING_ID": OptionSpec(61, _BYTES), "SOCKS_PROXY": OptionSpec(68, _BYTES),
    "XPUB_NODROP": OptionSpec(69, _INT), "BLOCKY": OptionSpec(70, _INT), "XPUB_MANUAL": OptionSpec(71, _INT),
    "XPUB_WELCOME_MSG": OptionSpec(72, _BYTES), "STREAM_NOTIFY": OptionSpec(73, _INT),
    "INVERT_MATCHING": OptionSpec(74, _INT), "XPUB_VERBOSER": OptionSpec(78, _INT),
    "CONNECT_TIMEOUT": OptionSpec(79, _INT), "TCP_MAXRT": OptionSpec(80, _INT),
    "THREAD_SAFE": OptionSpec(81, _INT), "MULTICAST_MAXTPDU": OptionSpec(84, _INT),
    "VMCI_BUFFER_SIZE": OptionSpec(85, _INT64), "VMCI_BUFFER_MIN_SIZE": OptionSpec(86, _INT64),
    "VMCI_BUFFER_MAX_SIZE": OptionSpec(87, _INT64), "VMCI_CONNECT_TIMEOUT": OptionSpec(88, _INT),
    "USE_FD": OptionSpec(89, _INT), "BINDTODEVICE": OptionSpec(92, _BYTES),
    "TCP_ACCEPT_FILTER": OptionSpec(38, _BYTES), "IPC_FILTER_PID": OptionSpec(58, _INT),
    "IPC_FILTER_UID": OptionSpec(59, _INT), "IPC_FILTER_GID": OptionSpec(60, _INT),
    "IPV4ONLY": OptionSpec(31, _INT), "ZAP_ENFORCE_DOMAIN": OptionSpec(93, _INT),
    "LOOPBACK_FASTPATH": OptionSpec(94, _INT), "METADATA": OptionSpec(95, _BYTES),
    "MULTICAST_LOOP": OptionSpec(96, _INT), "ROUTER_NOTIFY": OptionSpec(97, _INT),
    "XPUB_MANUAL_LAST_VALUE": OptionSpec(98, _INT), "SOCKS_USERNAME": OptionSpec(99, _BYTES),
    "SOCKS_PASSWORD": OptionSpec(100, _BYTES), "IN_BATCH_SIZE": OptionSpec(101, _INT),
    "OUT_BATCH_SIZE": OptionSpec(102, _INT), "WSS_KEY_PEM": OptionSpec(103, _BYTES),
    "WSS_CERT_PEM": OptionSpec(104, _BYTES), "WSS_TRUST_PEM": OptionSpec(105, _BYTES),
    "WSS_HOSTNAME": OptionSpec(106, _BYTES), "WSS_TRUST_SYSTEM": OptionSpec(107, _INT),
    "ONLY_FIRST_SUBSCRIBE": OptionSpec(108, _INT), "RECONNECT_STOP": OptionSpec(109, _INT),
    "HELLO_MSG": OptionSpec(110, _BYTES), "DISCONNECT_MSG": OptionSpec(111, _BYTES),
    "PRIORITY": OptionSpec(112, _INT),
}
globals().update((name, option.number) for name, option in SOCKET_OPTIONS.items())
globals().update((name, option.number) for name, option in UNSUPPORTED_OPTIONS.items())
# number -> name (the first listed: ROUTING_ID, not IDENTITY, names 5)
OPTION_NAMES = {option.number: name for name, option in reversed(SOCKET_OPTIONS.items())}

GSSAPI_NT_HOSTBASED, GSSAPI_NT_USER_NAME, GSSAPI_NT_KRB5_PRINCIPAL = 0, 1, 2

HAUSNUMERO = 156384712
EFSM = HAUSNUMERO + 51
ETERM = HAUSNUMERO + 53

# The rest of pyzmq's constants (zmq.h names without ZMQ_), so that code
# written for pyzmq finds every name it uses; errno values are the
# platform's where it has one, as pyzmq's are. Socket types past PUSH,
# Poller flags and monitor events are names only until libzgss has them.
_PYZMQ_CONSTANTS = dict(
    CHANNEL=20, CLIENT=13, CONNECT_RID=61, COPY_THRESHOLD=65536, CURVE=2, DELAY_ATTACH_ON_CONNECT=39, DGRAM=18,
    DISH=15, DRAFT_API=0, EADDRINUSE=98, EADDRNOTAVAIL=99, EAFNOSUPPORT=97, EAGAIN=11, ECONNABORTED=103,
    ECONNREFUSED=111, ECONNRESET=104, EFAULT=14, EHOSTUNREACH=113, EINPROGRESS=115, EINVAL=22, EMSGSIZE=90,
    EMTHREAD=156384766, ENETDOWN=100, ENETRESET=102, ENETUNREACH=101, ENOBUFS=105, ENOCOMPATPROTO=156384764,
    ENOTCONN=107, ENOTSOCK=88, ENOTSUP=95, EPROTONOSUPPORT=93, ETIMEDOUT=110, EVENT_ACCEPTED=32,
    EVENT_ACCEPT_FAILED=64, EVENT_ALL=65535, EVENT_ALL_V1=65535, EVENT_ALL_V2=131071, EVENT_BIND_FAILED=16,
    EVENT_CLOSED=128, EVENT_CLOSE_FAILED=256, EVENT_CONNECTED=1, EVENT_CONNECT_DELAYED=2,
    EVENT_CONNECT_RETRIED=4, EVENT_DISCONNECTED=512, EVENT_HANDSHAKE_FAILED_AUTH=16384,
    EVENT_HANDSHAKE_FAILED_NO_DETAIL=2048, EVENT_HANDSHAKE_FAILED_PROTOCOL=8192,
    EVENT_HANDSHAKE_SUCCEEDED=4096, EVENT_LISTENING=8, EVENT_MONITOR_STOPPED=1024, EVENT_PIPES_STATS=65536,
    FAIL_UNROUTABLE=33, FORWARDER=2, GATHER=16, GSSAPI=3, IO_THREADS=1, IPC_PATH_MAX_LEN=107, MAX_MSGSZ=5,
    MAX_SOCKETS=2, MORE=1, MSG_T_SIZE=6, NOBLOCK=1, NULL=0, PEER=19, PLAIN=1, POLLERR=4, POLLIN=1, POLLOUT=2,
    POLLPRI=8, PROTOCOL_ERROR_WS_UNSPECIFIED=805306368, PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID=536870914,
    PROTOCOL_ERROR_ZAP_BAD_VERSION=536870915, PROTOCOL_ERROR_ZAP_INVALID_METADATA=536870917,
    PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE=536870916, PROTOCOL_ERROR_ZAP_MALFORMED_REPLY=536870913,
    PROTOCOL_ERROR_ZAP_UNSPECIFIED=536870912, PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC=285212673,
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA=268435480, PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE=268435458,
    PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE=268435459, PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR=268435477,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO=268435475,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE=268435476,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE=268435474,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY=268435478,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED=268435473,
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME=268435479, PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH=285212674,
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND=268435457, PROTOCOL_ERROR_ZMTP_UNSPECIFIED=268435456, QUEUE=3,
    RADIO=14, ROUTER_BEHAVIOR=33, SCATTER=17, SERVER=12, SHARED=3, SOCKET_LIMIT=3, SRCFD=2, STREAM=11,
    STREAMER=1, THREAD_AFFINITY_CPU_ADD=7, THREAD_AFFINITY_CPU_REMOVE=8, THREAD_NAME_PREFIX=9,
    THREAD_PRIORITY=3, THREAD_SCHED_POLICY=4, XPUB=9, XREP=6, XREQ=5, XSUB=10,
)

globals().update((name, getattr(_errno, name, value)) for name, value in _PYZMQ_CONSTANTS.items())
