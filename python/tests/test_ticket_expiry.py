# SPDX-License-Identifier: MIT
"""Tickets that expire under a long-lived zgss context. A private realm
whose tickets live LIFETIME seconds (the client, the service and krbtgt
are all capped: a ticket lives no longer than the smallest cap), zgss
clients, a stock libzmq server. One context holds each client's
credential for its whole life, as an application would for days."""
import os
import subprocess
import time

from pushpull import deliveries, last_errors, pull_server, push_client

import zgss

LIFETIME = 20   # seconds; MIT's KDC honours short -maxlife caps


def test_keytab_clients_log_in_again_after_their_tickets_expire(own_realm, zctx):
    realm = own_realm("SHORT.TEST")
    realm.set_max_life("%d seconds" % LIFETIME, "alice", "bob", "krbtgt/SHORT.TEST", "zmq/localhost")
    server, port = pull_server(zctx)
    with zgss.Context() as ctx:
        clients = {
            # KRB5_CLIENT_KTNAME (the realm's client keytab: alice first)
            "env": push_client(ctx, port),
            # ZGSS_CLIENT_KEYTAB, another principal's keytab
            "option": push_client(ctx, port, CLIENT_KEYTAB=realm.keytab_for("bob")),
        }
        last = deliveries(clients, server, 10, lambda got: len(got) == len(clients))
        assert set(last) == set(clients), last_errors(clients)
        # Every first ticket was got before now, so it ends before this.
        first_tickets_end = time.time() + LIFETIME
        deliveries(clients, server, first_tickets_end + 1 - time.time())

        # The server goes away and comes back: every client has to log in
        # again, after its first tickets ended.
        server.close()
        server, _ = pull_server(zctx, port)
        late = first_tickets_end + 1
        last = deliveries(clients, server, 20, lambda got: all(got.get(n, 0) > late for n in clients))
        stale = [name for name in clients if last.get(name, 0) <= late]
        assert not stale, "no delivery after the first tickets ended from %s; ZGSS_LAST_ERROR: %r" % (
            stale, last_errors(clients))


def kinit(realm, keytab, principal, cache):
    env = realm.child_env()
    env["KRB5CCNAME"] = cache
    result = subprocess.run(["kinit", "-k", "-t", keytab, principal], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout


def test_an_expired_kinit_cache_is_named_and_a_new_kinit_is_picked_up(own_realm, zctx):
    realm = own_realm("SHORT.TEST")
    # carol's key is in a keytab of her own, which zgss is not told about:
    # a user who ran kinit, with no client keytab.
    keytab = realm.add_principal("carol")
    realm.set_max_life("%d seconds" % LIFETIME, "carol", "krbtgt/SHORT.TEST", "zmq/localhost")
    cache = "FILE:" + realm.path("carol.ccache")
    os.environ["KRB5CCNAME"] = cache
    del os.environ["KRB5_CLIENT_KTNAME"]
    tickets_end = time.time() + LIFETIME
    kinit(realm, keytab, "carol", cache)
    server, port = pull_server(zctx)
    with zgss.Context() as ctx:
        clients = {"carol": push_client(ctx, port)}
        assert deliveries(clients, server, 10, lambda got: "carol" in got), last_errors(clients)
        deliveries(clients, server, tickets_end + 1 - time.time())

        server.close()
        server, _ = pull_server(zctx, port)
        seen = set()
        deliveries(clients, server, 10, lambda got: any("Ticket expired" in text for text in seen), seen)
        named = [text for text in seen if "Ticket expired" in text]
        assert named, "no 'Ticket expired' in %r" % sorted(seen)
        text = named[0]
        for needle in ("carol@SHORT.TEST", cache, "kinit", "client keytab"):
            assert needle in text, "%r does not mention %r" % (text, needle)

        # A new kinit: the same context uses the new tickets.
        renewed = time.time()
        kinit(realm, keytab, "carol", cache)
        last = deliveries(clients, server, 15, lambda got: got.get("carol", 0) > renewed)
        assert last.get("carol", 0) > renewed, last_errors(clients)
