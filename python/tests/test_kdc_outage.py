# SPDX-License-Identifier: MIT
"""The KDC is down when zgss clients first need tickets, then comes back:
every error names the KDC, the KDC is not asked on every reconnect, and
the same context logs in once the KDC answers again. A private realm, zgss
clients, a stock libzmq server (which needs no KDC: it only has a keytab)."""
import socket
import subprocess
import threading

from pushpull import deliveries, last_errors, pull_server, push_client

import zgss

KDC_DOWN = "Cannot contact any KDC for realm 'OUTAGE.TEST'"
NAMED_SOCKETS = 4


class SilentKDC:
    """Stands on the stopped KDC's port: accepts each TCP connection and
    closes it at once (libkrb5 then says it cannot contact any KDC), and
    counts them."""

    def __init__(self, port):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        # shutdown wakes the thread blocked in accept().
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(5)


def test_kdc_down_at_first_use_is_named_then_recovered_from(own_realm, zctx):
    realm = own_realm("OUTAGE.TEST")
    server, port = pull_server(zctx)
    realm.stop_kdc()
    kdc = SilentKDC(realm.kdc_port)
    try:
        with zgss.Context() as ctx:
            clients = {
                # KRB5_CLIENT_KTNAME, no principal named
                "env": push_client(ctx, port),
                # ZGSS_CLIENT_KEYTAB, no principal named
                "option": push_client(ctx, port, CLIENT_KEYTAB=realm.keytab_for("bob")),
            }
            # Several sockets with one set of options share one credential.
            for i in range(NAMED_SOCKETS):
                clients["named%d" % i] = push_client(ctx, port, GSSAPI_PRINCIPAL="alice",
                                                     GSSAPI_PRINCIPAL_NAMETYPE=zgss.GSSAPI_NT_USER_NAME,
                                                     CLIENT_KEYTAB=realm.client_keytab)
            seen = set()
            assert not deliveries(clients, server, 6, seen=seen)
            assert seen, "no client reported an error while the KDC was down"
            wrong = sorted(text for text in seen if KDC_DOWN not in text)
            assert not wrong, "errors that do not name the KDC: %r" % wrong
            reported = {name for name, sock in clients.items() if KDC_DOWN in sock.last_error}
            assert reported == set(clients), last_errors(clients)
            # Three configurations, six seconds: a few tries each (about a
            # dozen connections in all), not one per socket and reconnect
            # (over a hundred before the backoff).
            assert kdc.connections <= 24, "the KDC was asked %d times in 6 s" % kdc.connections

            kdc.close()
            realm.start_kdc()
            last = deliveries(clients, server, 20, lambda got: len(got) == len(clients))
            assert set(last) == set(clients), last_errors(clients)
    finally:
        kdc.close()


def test_tickets_a_kinit_left_keep_serving_while_the_kdc_is_down(own_realm, zctx):
    realm = own_realm("OUTAGE.TEST")
    server, port = pull_server(zctx)
    # alice ran kinit and has a ticket for the service in the default cache;
    # her client keytab is in KRB5_CLIENT_KTNAME too.
    for command in (["kinit", "-k", "-t", realm.client_keytab, "alice"], ["kvno", "zmq/localhost"]):
        result = subprocess.run(command, env=realm.child_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True)
        assert result.returncode == 0, result.stdout
    realm.stop_kdc()
    with zgss.Context() as ctx:
        clients = {"alice": push_client(ctx, port)}
        last = deliveries(clients, server, 10, lambda got: "alice" in got)
        assert "alice" in last, last_errors(clients)
