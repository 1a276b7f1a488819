# SPDX-License-Identifier: MIT
"""Loads libzgss and declares the socket API's C signatures.

Where the library comes from, first found wins:
  1. ZGSS_LIB in the environment (a path): when set, only that one, so a
     wrong path fails here instead of some other libzgss being used;
  2. the path recorded when the package was built with ZGSS_LIB set
     (zgss/_libpath.py, written by setup.py);
  3. in a source checkout, .dist/lib/libzgss.so (tools/build-lib.sh);
  4. libzgss.so.0 through the normal loader path (ld.so.cache,
     LD_LIBRARY_PATH), then whatever ctypes.util.find_library("zgss") names.
"""
import ctypes
import ctypes.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _recorded_path():
    try:
        from ._libpath import RECORDED
    except ImportError:
        return ""
    return RECORDED


def _checkout_path():
    root = os.path.dirname(os.path.dirname(_HERE))
    if not os.path.exists(os.path.join(root, "include", "zgss.h")):
        return ""  # an installed package: no checkout around it
    return os.path.join(root, ".dist", "lib", "libzgss.so")


def candidates():
    if os.environ.get("ZGSS_LIB"):
        return [os.environ["ZGSS_LIB"]]
    return [path for path in (_recorded_path(), _checkout_path(),
                              "libzgss.so.0", ctypes.util.find_library("zgss") or "") if path]


def _load():
    errors = []
    for path in candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: no such file" % path)
            continue
        try:
            return ctypes.CDLL(path, use_errno=False), path
        except OSError as exc:
            errors.append("%s: %s" % (path, exc))
    raise ImportError("zgss cannot load libzgss (build it with tools/build-lib.sh, install it on the "
                      "loader path, or set ZGSS_LIB to its path): " + "; ".join(errors))


lib, path = _load()
_p, _i, _s = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t


def _sig(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


_sig("zgss_ctx_new", _p)
_sig("zgss_ctx_term", _i, _p)
_sig("zgss_socket", _p, _p, _i)
_sig("zgss_close", _i, _p)
_sig("zgss_setsockopt", _i, _p, _i, _p, _s)
_sig("zgss_getsockopt", _i, _p, _i, _p, ctypes.POINTER(_s))
_sig("zgss_bind", _i, _p, ctypes.c_char_p)
_sig("zgss_connect", _i, _p, ctypes.c_char_p)
_sig("zgss_unbind", _i, _p, ctypes.c_char_p)
_sig("zgss_disconnect", _i, _p, ctypes.c_char_p)
_sig("zgss_socket_monitor", _i, _p, ctypes.c_char_p, _i)
_sig("zgss_send", _i, _p, _p, _s, _i)
_sig("zgss_recv", _i, _p, _p, _s, _i)
_sig("zgss_errno", _i)
_sig("zgss_strerror", ctypes.c_char_p, _i)
_sig("zgss_version", ctypes.c_char_p)


class PollItem(ctypes.Structure):
    """zgss_pollitem_t (zgss.h), laid out as libzmq's zmq_pollitem_t."""
    _fields_ = [("socket", _p), ("fd", _i), ("events", ctypes.c_short), ("revents", ctypes.c_short)]


_sig("zgss_poll", _i, ctypes.POINTER(PollItem), _i, ctypes.c_long)
