# SPDX-License-Identifier: MIT
"""What a zgss server reports when a zgss client gives up on its own
Kerberos failure (here: no credentials at all) and hangs up without
INITIATE. The server must say what it saw, not guess at another security
mechanism or a refusal of its own. (A stock libzmq client in that spot
stays silent until the handshake timeout, whose text says so.)"""
import time

import zgss

WRONG_GUESSES = ("another security mechanism", "refused our credentials")


def zgss_server(ctx):
    sock = ctx.socket(zgss.PULL)
    sock.setsockopt(zgss.LINGER, 0)
    sock.setsockopt(zgss.GSSAPI_SERVER, 1)
    sock.bind("tcp://127.0.0.1:*")
    return sock, sock.getsockopt_string(zgss.LAST_ENDPOINT)


def reported(sock, needle, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = sock.last_error
        if needle in text:
            return text
        time.sleep(0.05)
    raise AssertionError("ZGSS_LAST_ERROR %r does not mention %r after %.0f s" % (sock.last_error, needle, timeout))


def check_explained(text):
    assert "after the greeting without sending INITIATE" in text, text
    for guess in WRONG_GUESSES:
        assert guess not in text, text


def test_client_without_credentials(ctx):
    server, endpoint = zgss_server(ctx)
    client = ctx.socket(zgss.PUSH)
    client.setsockopt(zgss.LINGER, 0)
    client.setsockopt(zgss.GSSAPI_SERVICE_PRINCIPAL, b"zmq@localhost")
    client.setsockopt(zgss.CLIENT_KEYTAB, b"/nonexistent/zgss.keytab")
    client.setsockopt(zgss.CCACHE, b"MEMORY:zgss-no-credentials")
    client.connect(endpoint)
    assert "credentials" in reported(client, "credentials")
    check_explained(reported(server, "closed"))
