# SPDX-License-Identifier: MIT
"""pyzmq's exception classes, with its errno values and messages, plus
the socket's security reason (ZGSS_LAST_ERROR) when it belongs to the call."""
import errno as _errno

from ._lib import lib
from .constants import ETERM


class ZMQBaseError(Exception):
    """Base of every zgss exception (pyzmq's zmq.ZMQBaseError)."""


class ZMQError(ZMQBaseError):
    """A failed call: errno (pyzmq's numbers: zgss.EAGAIN, zgss.EFSM, ...),
    strerror (zmq_strerror's text), and last_error: the security failure
    (ZGSS_LAST_ERROR) that arrived during this call or since the previous
    report on the socket, else "". str() is the strerror text, as pyzmq's,
    followed by the security reason when there is one."""

    errno = None
    strerror = ""

    def __init__(self, errno=None, msg=None, last_error=""):
        if errno is None:
            errno = lib.zgss_errno()
        self.errno = errno
        self.strerror = msg if msg is not None else strerror(errno)
        self.last_error = last_error
        super().__init__(self.strerror)

    def __str__(self):
        if self.last_error:
            return "%s (%s)" % (self.strerror, self.last_error)
        return self.strerror

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, str(self))


class Again(ZMQError):
    """EAGAIN: nothing to receive, or no room to send, within the timeout."""


class ContextTerminated(ZMQError):
    """ETERM: the socket's context was terminated."""


class NotDone(ZMQBaseError):
    """A MessageTracker's wait() timed out (zgss's trackers are always done)."""


class ZMQBindError(ZMQBaseError):
    """bind_to_random_port found no free port in its range."""


# The name this binding used before it followed pyzmq.
ZGSSError = ZMQError

_BY_ERRNO = {_errno.EAGAIN: Again, ETERM: ContextTerminated}


def strerror(errnum):
    return lib.zgss_strerror(errnum).decode("utf-8", "replace")


def error_for(errnum, last_error=""):
    """The pyzmq exception for errno `errnum`."""
    return _BY_ERRNO.get(errnum, ZMQError)(errnum, last_error=last_error)
