# SPDX-License-Identifier: MIT
"""zgss.Context: pyzmq's Context API over zgss_ctx_new / zgss_ctx_term."""
import errno
import os
import threading
import weakref

from ._lib import lib
from .error import ZMQError, error_for
from .socket import Socket, _is_own_attribute


class Context:
    """A libzgss context. term() closes the sockets made here that are
    still open, then waits for their linger (pyzmq's term waits for the
    application to close them; zgss does it so term never hangs on a
    forgotten socket). destroy(linger) sets linger on them first.
    io_threads is accepted for pyzmq's sake: libzgss sizes its I/O threads
    itself (one per CPU, at least two, shared by the context's sockets)."""

    _socket_class = Socket
    _instance = None
    _instance_pid = None
    _instance_lock = threading.Lock()

    def __init__(self, io_threads=1, **kwargs):
        self._handle = None
        self._terminating = False  # term() began: its sockets' closing is ETERM to a poll waiting on them
        self._term_pipe = None  # (read fd, write fd) once a Poller asked: term() makes it readable
        self._sockets = weakref.WeakSet()
        handle = lib.zgss_ctx_new()
        if not handle:
            raise error_for(lib.zgss_errno())
        self._handle = handle

    @classmethod
    def instance(cls, io_threads=1):
        """One shared context per process (a new one after fork or after
        the shared one was terminated), as pyzmq's."""
        with cls._instance_lock:
            if cls._instance is None or cls._instance.closed or cls._instance_pid != os.getpid():
                cls._instance = cls(io_threads)
                cls._instance_pid = os.getpid()
            return cls._instance

    def __setattr__(self, name, value):
        if _is_own_attribute(self, name):
            object.__setattr__(self, name, value)
            return
        # pyzmq keeps socket-option defaults here; zgss has none, so the
        # name is refused rather than stored where no socket reads it.
        raise AttributeError("Context has no such option: %s (zgss contexts keep no socket option "
                             "defaults; set it on each socket)" % name.upper())

    def socket(self, socket_type, socket_class=None, **kwargs):
        if self.closed:
            raise ZMQError(errno.ENOTSUP)  # as pyzmq
        sock = (socket_class or self._socket_class)(self, socket_type, **kwargs)
        self._sockets.add(sock)
        return sock

    def term(self):
        if self._handle is None:
            return
        self._terminating = True
        if self._term_pipe is not None:
            os.write(self._term_pipe[1], b"x")  # wakes a Poller waiting in another thread
        for sock in list(self._sockets):
            sock.close()
        handle, self._handle = self._handle, None
        if lib.zgss_ctx_term(handle) != 0:
            raise error_for(lib.zgss_errno())

    def term_fd(self):
        """A descriptor that becomes readable when term() begins, for
        Poller: term() closes the sockets, and a zgss_poll waiting on a
        socket in another thread is not woken by its closing, so Poller
        waits on this too and raises ContextTerminated, as pyzmq's does."""
        if self._term_pipe is None:
            self._term_pipe = os.pipe()
            if self._terminating:
                os.write(self._term_pipe[1], b"x")
        return self._term_pipe[0]

    def __del__(self):
        pipe = getattr(self, "_term_pipe", None)
        if pipe is not None:
            for fd in pipe:
                os.close(fd)

    def destroy(self, linger=None):
        for sock in list(self._sockets):
            if not sock.closed:
                sock.close(linger=linger)
        self.term()

    @property
    def closed(self):
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.term()

    def __repr__(self):
        return "<zgss.Context(%d sockets) at %#x%s>" % (len(self._sockets), id(self),
                                                       " closed" if self.closed else "")
