# SPDX-License-Identifier: MIT
"""C cells: the same unmodified libzmq-style program (c/reqrep.c) built
against stock libzmq and against zgss (-include zgss_zmq.h), run in every
client/server pairing, encrypted and plaintext."""
import atexit
import os
import shutil
import subprocess
import tempfile

from sides import check

HERE = os.path.dirname(os.path.abspath(__file__))
DIST = os.path.abspath(os.path.join(HERE, "..", "..", ".dist"))
_built = {}


def binaries():
    if _built:
        return _built
    out = tempfile.mkdtemp(prefix="zgss-c-")
    atexit.register(shutil.rmtree, out, True)
    source = os.path.join(HERE, "c", "reqrep.c")
    flags = ["-std=c99", "-Wall", "-Werror", "-O1"]
    subprocess.run(["cc"] + flags + [source, "-o", os.path.join(out, "reqrep-libzmq"), "-lzmq"], check=True)
    # Flags from pkg-config, as a user would build it.
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(DIST, "lib", "pkgconfig"))
    zgss_flags = subprocess.run(["pkg-config", "--cflags", "--libs", "zgss"], env=env, capture_output=True,
                                text=True, check=True).stdout.split()
    subprocess.run(["cc"] + flags + ["-include", "zgss_zmq.h", source, "-o", os.path.join(out, "reqrep-zgss")]
                   + zgss_flags + ["-Wl,-rpath," + os.path.join(DIST, "lib")], check=True)
    # The header pair must also compile as C++ (extern "C", no C-only syntax).
    subprocess.run(["c++", "-x", "c++", "-Wall", "-Werror", "-fsyntax-only", "-I", os.path.join(DIST, "include"),
                    "-include", "zgss_zmq.h", source], check=True)
    symbols = subprocess.run(["nm", "-D", "--undefined-only", os.path.join(out, "reqrep-zgss")],
                             capture_output=True, text=True, check=True).stdout
    check(" zmq_" not in symbols, "the zgss build still references libzmq symbols")
    _built.update(libzmq=os.path.join(out, "reqrep-libzmq"), zgss=os.path.join(out, "reqrep-zgss"))
    return _built


def pairing(server, client, mode):
    def run(sides):
        programs = binaries()
        srv = subprocess.Popen([programs[server], "server", mode], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            endpoint = srv.stdout.readline().strip()
            check(endpoint.startswith("tcp://"), "server printed %r" % endpoint)
            cli = subprocess.run([programs[client], "client", mode, endpoint], capture_output=True,
                                 text=True, timeout=30)
            check(cli.returncode == 0, "client failed: %s" % cli.stderr.strip())
            srv.wait(timeout=15)
            check(srv.returncode == 0, "server failed: %s" % srv.stderr.read().strip())
        finally:
            if srv.poll() is None:
                srv.kill()
                srv.wait()
    return run


def trace_to_stderr(sides):
    programs = binaries()
    srv = subprocess.Popen([programs["libzmq"], "server", "encrypted"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        endpoint = srv.stdout.readline().strip()
        env = dict(os.environ, ZGSS_TRACE="1")
        cli = subprocess.run([programs["zgss"], "client", "encrypted", endpoint], capture_output=True,
                             text=True, timeout=30, env=env)
        check(cli.returncode == 0, "client failed: %s" % cli.stderr.strip()[-300:])
        for needle in ("sent greeting (GSSAPI)", "send INITIATE", "recv INITIATE", "ready (GSSAPI, encrypted"):
            check(needle in cli.stderr, "ZGSS_TRACE=1 output lacks %r" % needle)
        quiet = subprocess.Popen([programs["libzmq"], "server", "encrypted"], stdout=subprocess.PIPE, text=True)
        endpoint = quiet.stdout.readline().strip()
        plain = subprocess.run([programs["zgss"], "client", "encrypted", endpoint], capture_output=True,
                               text=True, timeout=30)
        quiet.wait(timeout=15)
        check("zgss:" not in plain.stderr, "tracing without ZGSS_TRACE")
    finally:
        for proc in (srv,):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


CELLS = [("c: ZGSS_TRACE=1 traces the handshake to stderr (and only then)", trace_to_stderr)] + [
    ("c: %s reqrep server(%s) <- client(%s)" % (mode, server, client), pairing(server, client, mode))
    for mode in ("encrypted", "plaintext")
    for server, client in (("libzmq", "zgss"), ("zgss", "libzmq"), ("zgss", "zgss"))
]
