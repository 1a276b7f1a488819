# SPDX-License-Identifier: MIT
"""zgss: Kerberos-secured ZeroMQ with pyzmq's API, over libzgss (ctypes).

A pyzmq program switches by its import:

    import zgss as zmq
    ctx = zmq.Context.instance()
    req = ctx.socket(zmq.REQ)
    req.gssapi_service_principal = b"zmq@localhost"
    req.connect("tcp://localhost:5555")
    req.send_string("hello")
    print(req.recv_string())

Errors are pyzmq's classes and errno values (ZMQError, Again, ...); the
socket's security reason (ZGSS_LAST_ERROR) rides on the exception of the
send/recv it belongs to as `last_error`. Like libzmq sockets, a Socket must
be used by one thread at a time; blocking calls release the GIL.
"""
from ._lib import lib
from . import constants
from .constants import *  # noqa: F401,F403
from .constants import SOCKET_OPTIONS, UNSUPPORTED_OPTIONS, OptionSpec, OptionType  # noqa: F401
from .context import Context
from .error import Again, ContextTerminated, NotDone, ZGSSError, ZMQBaseError, ZMQBindError, ZMQError, strerror
from .poll import Poller, select
from .socket import Frame, Message, MessageTracker, Socket

__version__ = "0.1.0"


def version():
    """libzgss's version string."""
    return lib.zgss_version().decode()


def zmq_version():
    """The libzmq version whose wire protocol and API zgss follows."""
    return "4.3.4"


def zmq_version_info():
    return (4, 3, 4)


def pyzmq_version():
    return __version__


__all__ = ["Context", "Socket", "Poller", "select", "Frame", "Message", "MessageTracker", "ZMQBaseError", "ZMQError", "Again",
           "ContextTerminated", "NotDone", "ZMQBindError", "ZGSSError", "strerror", "version", "zmq_version",
           "zmq_version_info", "pyzmq_version", "constants"]
__all__ += [name for name in dir(constants) if name.isupper()]
