# SPDX-License-Identifier: MIT
"""zmq.h / zgss.h constants (same values as zmq.h)."""
import enum as _enum
from typing import NamedTuple as _NamedTuple

PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB = range(11)
DONTWAIT, SNDMORE = 1, 2
POLLIN, POLLOUT, POLLERR, POLLPRI = 1, 2, 4, 8


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
globals().update((name, option.number) for name, option in SOCKET_OPTIONS.items())
# number -> name (the first listed: ROUTING_ID, not IDENTITY, names 5)
OPTION_NAMES = {option.number: name for name, option in reversed(SOCKET_OPTIONS.items())}

GSSAPI_NT_HOSTBASED, GSSAPI_NT_USER_NAME, GSSAPI_NT_KRB5_PRINCIPAL = 0, 1, 2

HAUSNUMERO = 156384712
EFSM = HAUSNUMERO + 51
ETERM = HAUSNUMERO + 53
