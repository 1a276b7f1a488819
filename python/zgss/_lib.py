# SPDX-License-Identifier: MIT
"""Loads libzgss.so and declares the socket API's C signatures."""
import ctypes
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_CANDIDATES = (
    os.environ.get("ZGSS_LIB", ""),
    os.path.join(_HERE, "..", "..", ".dist", "lib", "libzgss.so"),
    "libzgss.so.0",
)


def _load():
    errors = []
    for path in _CANDIDATES:
        if not path:
            continue
        try:
            return ctypes.CDLL(path, use_errno=False)
        except OSError as exc:
            errors.append("%s: %s" % (path, exc))
    raise OSError("cannot load libzgss (set ZGSS_LIB): " + "; ".join(errors))


lib = _load()
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
_sig("zgss_send", _i, _p, _p, _s, _i)
_sig("zgss_recv", _i, _p, _p, _s, _i)
_sig("zgss_errno", _i)
_sig("zgss_strerror", ctypes.c_char_p, _i)
_sig("zgss_version", ctypes.c_char_p)
