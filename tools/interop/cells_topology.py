# SPDX-License-Identifier: MIT
"""Cells with several peers, envelopes, backpressure and heartbeats:
zgss on one side, stock libzmq on the other, encrypted unless noted."""
import socket
import threading
import time

import zmq
import zgss

from sides import check, send_until_received, wait_for


def push_round_robin(sides):
    z, l = sides["zgss"], sides["libzmq"]
    push = z.socket(zmq.PUSH, "server", "encrypted")
    endpoint = z.bind_any(push)
    pulls = [l.socket(zmq.PULL, "client", "encrypted") for _ in range(2)]
    for pull in pulls:
        pull.connect(endpoint)
    # Probes until both PULLs have one: then both pipes are attached, and
    # round robin has two to share the messages between.
    probed = [False, False]

    def probe_arrived():
        for index, pull in enumerate(pulls):
            if l.try_recv(pull) == b"probe":
                probed[index] = True
        return all(probed) or None

    send_until_received(lambda: push.send(b"probe"), probe_arrived, "a probe reached both PULLs")
    for i in range(100):
        push.send(b"%d" % i)
    counts = [0, 0]
    deadline = time.monotonic() + 8
    while sum(counts) < 100 and time.monotonic() < deadline:
        for index, pull in enumerate(pulls):
            got = l.try_recv(pull)
            if got is not None and got != b"probe":
                counts[index] += 1
    check(sum(counts) == 100, "only %d of 100 messages arrived" % sum(counts))
    check(min(counts) >= 40, "round robin is lopsided: %r" % counts)


def pull_fair_queue(sides):
    z, l = sides["zgss"], sides["libzmq"]
    pull = z.socket(zmq.PULL, "server", "encrypted")
    endpoint = z.bind_any(pull)
    pushes = [l.socket(zmq.PUSH, "client", "encrypted") for _ in range(2)]
    for index, push in enumerate(pushes):
        push.connect(endpoint)
    for i in range(100):
        for index, push in enumerate(pushes):
            push.send(b"%d:%d" % (index, i))
    got = [pull.recv() for _ in range(200)]
    for index in range(2):
        mine = [m for m in got if m.startswith(b"%d:" % index)]
        check(mine == [b"%d:%d" % (index, i) for i in range(100)], "sender %d's messages are wrong" % index)


def router_two_dealers(sides):
    z, l = sides["zgss"], sides["libzmq"]
    router = z.socket(zmq.ROUTER, "server", "encrypted")
    endpoint = z.bind_any(router)
    named = l.socket(zmq.DEALER, "client", "encrypted", ROUTING_ID=b"named")
    anonymous = l.socket(zmq.DEALER, "client", "encrypted")
    named.connect(endpoint)
    anonymous.connect(endpoint)
    named.send(b"from named")
    anonymous.send(b"from anonymous")
    seen = {}
    for _ in range(2):
        identity, body = router.recv_multipart()
        seen[body] = identity
    check(seen.get(b"from named") == b"named", "named DEALER's id: %r" % seen.get(b"from named"))
    generated = seen.get(b"from anonymous", b"")
    check(len(generated) == 5 and generated[0] == 0, "generated id %r is not 0x00 + 4 bytes" % generated)
    router.send_multipart([generated, b"to anonymous"])
    router.send_multipart([b"named", b"to named"])
    router.send_multipart([b"nobody", b"dropped silently"])
    check(anonymous.recv() == b"to anonymous", "anonymous DEALER got the wrong reply")
    check(named.recv() == b"to named", "named DEALER got the wrong reply")


def req_to_router(sides):
    z, l = sides["zgss"], sides["libzmq"]
    router = l.socket(zmq.ROUTER, "server", "encrypted")
    endpoint = l.bind_any(router)
    req = z.socket(zmq.REQ, "client", "encrypted", ROUTING_ID=b"req-1")
    req.connect(endpoint)
    req.send(b"question")
    parts = router.recv_multipart()
    check(parts == [b"req-1", b"", b"question"], "ROUTER got %r" % parts)
    router.send_multipart([b"req-1", b"", b"answer"])
    check(req.recv() == b"answer", "REQ got the wrong answer")


def dealer_to_rep(sides):
    z, l = sides["zgss"], sides["libzmq"]
    rep = z.socket(zmq.REP, "server", "encrypted")
    endpoint = z.bind_any(rep)
    dealer = l.socket(zmq.DEALER, "client", "encrypted")
    dealer.connect(endpoint)
    dealer.send_multipart([b"", b"question", b"part 2"])
    check(rep.recv_multipart() == [b"question", b"part 2"], "REP got the wrong request")
    rep.send_multipart([b"answer", b"part 2"])
    check(dealer.recv_multipart() == [b"", b"answer", b"part 2"], "DEALER got the wrong envelope")


def receive_backpressure(sides):
    z, l = sides["zgss"], sides["libzmq"]
    pull = z.socket(zmq.PULL, "server", "encrypted", RCVHWM=10)
    endpoint = z.bind_any(pull)
    push = l.socket(zmq.PUSH, "client", "encrypted")
    push.connect(endpoint)
    for i in range(5000):
        push.send(b"%d" % i)
    for i in range(5000):
        got = pull.recv()
        check(got == b"%d" % i, "message %d lost or reordered (got %r)" % (i, got))


def heartbeats_inside_the_wrap(sides):
    z, l = sides["zgss"], sides["libzmq"]
    router = z.socket(zmq.ROUTER, "server", "encrypted")
    endpoint = z.bind_any(router)
    dealer = l.socket(zmq.DEALER, "client", "encrypted", HEARTBEAT_IVL=100, HEARTBEAT_TIMEOUT=300)
    dealer.connect(endpoint)
    survives_heartbeats(dealer, router)
    check(router.last_error == "", "unexpected ZGSS_LAST_ERROR %r" % router.last_error)


def survives_heartbeats(dealer, router):
    """A message from `dealer` (heartbeats every 100 ms, 300 ms timeout)
    before a dozen heartbeats and one after reach `router` over the same
    connection: every PING got its PONG."""
    dealer.send(b"first")
    first_id, _ = router.recv_multipart()
    # A negative check, not a wait: no drop or reconnect within a dozen
    # PINGs. 1.2 s holds four whole 300 ms timeouts.
    time.sleep(1.2)
    dealer.send(b"second")
    second_id, body = router.recv_multipart()
    check(body == b"second", "wrong message after heartbeats")
    check(first_id == second_id, "the connection did not survive the heartbeats (no PONG?): "
                                 "routing id %r became %r" % (first_id, second_id))


def zgss_pub_sub_unsubscribe(sides):
    z = sides["zgss"]
    pub = z.socket(zmq.PUB, "server", "encrypted")
    endpoint = z.bind_any(pub)
    sub = z.socket(zmq.SUB, "client", "encrypted")
    sub.connect(endpoint)
    sub.setsockopt(zmq.SUBSCRIBE, b"x")
    send_until_received(lambda: pub.send(b"x-sync"), lambda: z.try_recv(sub), "SUBSCRIBE x reached the PUB")
    sub.setsockopt(zmq.UNSUBSCRIBE, b"x")
    sub.setsockopt(zmq.SUBSCRIBE, b"y")
    # The CANCEL went out before the SUBSCRIBE y on the same connection: once
    # a y message arrives, the PUB has dropped x.
    send_until_received(lambda: pub.send(b"y-sync"), lambda: z.try_recv(sub) == b"y-sync" or None,
                        "SUBSCRIBE y reached the PUB")
    pub.send(b"x-after")
    pub.send(b"y-after")
    got = sub.recv()
    while got in (b"x-sync", b"y-sync"):  # sent before the PUB saw the change
        got = sub.recv()
    check(got == b"y-after", "SUB still received the unsubscribed topic (got %r)" % got)


def many_clients_at_once(sides):
    z, l = sides["zgss"], sides["libzmq"]
    router = z.socket(zmq.ROUTER, "server", "encrypted")
    endpoint = z.bind_any(router)
    dealers = []
    for i in range(20):
        dealer = l.socket(zmq.DEALER, "client", "encrypted", ROUTING_ID=b"d%02d" % i)
        dealer.connect(endpoint)
        dealers.append(dealer)
    for i, dealer in enumerate(dealers):
        dealer.send(b"hello from %d" % i)
    seen = set()
    for _ in range(20):
        identity, body = router.recv_multipart()
        check(body == b"hello from %d" % int(identity[1:]), "mixed-up message %r from %r" % (body, identity))
        seen.add(identity)
        router.send_multipart([identity, b"welcome " + identity])
    check(len(seen) == 20, "only %d distinct clients" % len(seen))
    for i, dealer in enumerate(dealers):
        check(dealer.recv() == b"welcome d%02d" % i, "client %d got another's reply" % i)


def zgss_heartbeats_to_libzmq(sides):
    z, l = sides["zgss"], sides["libzmq"]
    router = l.socket(zmq.ROUTER, "server", "encrypted")
    endpoint = l.bind_any(router)
    dealer = z.socket(zmq.DEALER, "client", "encrypted", HEARTBEAT_IVL=100, HEARTBEAT_TIMEOUT=300,
                      HEARTBEAT_TTL=500)
    dealer.connect(endpoint)
    survives_heartbeats(dealer, router)
    check(dealer.last_error == "", "unexpected ZGSS_LAST_ERROR %r" % dealer.last_error)


def heartbeat_detects_a_dead_peer(sides):
    z = sides["zgss"]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    greeting = b"\xff" + bytes(7) + b"\x01\x7f\x03\x01" + b"NULL".ljust(20, b"\0") + bytes(32)
    ready = b"\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER"
    peer = {}

    def serve():
        conn, _ = listener.accept()
        peer["conn"] = conn
        conn.sendall(greeting + bytes([4, len(ready)]) + ready)  # then never a byte more

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    dealer = z.socket(zmq.DEALER, "client", "null", HEARTBEAT_IVL=100, HEARTBEAT_TIMEOUT=200)
    dealer.connect("tcp://127.0.0.1:%d" % listener.getsockname()[1])
    try:
        deadline = time.monotonic() + 5
        while "heartbeat timeout" not in dealer.last_error and time.monotonic() < deadline:
            time.sleep(0.05)
        check("heartbeat timeout" in dealer.last_error, "no heartbeat timeout: %r" % dealer.last_error)
    finally:
        thread.join(2)
        if "conn" in peer:
            peer["conn"].close()
        listener.close()


def parallel_threads(sides):
    z, l = sides["zgss"], sides["libzmq"]
    pairs = []
    for i in range(8):
        rep = (l if i % 2 else z).socket(zmq.REP, "server", "encrypted")
        endpoint = (l if i % 2 else z).bind_any(rep)
        req = (z if i % 2 else l).socket(zmq.REQ, "client", "encrypted")
        req.connect(endpoint)
        pairs.append((req, rep))
    errors = []

    def worker(req, rep, index):
        try:
            for n in range(300):
                body = b"%d/%d" % (index, n)
                req.send(body)
                got = rep.recv()
                if got != body:
                    raise AssertionError("pair %d: %r != %r" % (index, got, body))
                rep.send(got[::-1])
                if req.recv() != body[::-1]:
                    raise AssertionError("pair %d: wrong reply" % index)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(req, rep, i)) for i, (req, rep) in enumerate(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    check(not any(thread.is_alive() for thread in threads), "a worker hung")
    check(not errors, "; ".join(str(e) for e in errors[:3]))


def slow_peer_does_not_block_others(sides):
    z, l = sides["zgss"], sides["libzmq"]
    router = z.socket(zmq.ROUTER, "server", "encrypted")
    endpoint = z.bind_any(router)
    stuck = l.socket(zmq.DEALER, "client", "encrypted", ROUTING_ID=b"stuck", RCVHWM=1)
    lively = l.socket(zmq.DEALER, "client", "encrypted", ROUTING_ID=b"lively")
    for dealer in (stuck, lively):
        dealer.connect(endpoint)
        dealer.send(b"hello")
    for _ in range(2):
        router.recv_multipart()
    big = b"x" * (1 << 20)
    for _ in range(40):  # far more than the kernel buffers and the 4 MiB backlog hold
        router.send_multipart([b"stuck", big])
    started = time.monotonic()
    router.send_multipart([b"lively", b"not blocked"])
    check(lively.recv() == b"not blocked", "the lively peer got the wrong message")
    check(time.monotonic() - started < 5, "the lively peer waited behind the stuck one")
    check(len(stuck.recv()) == 1 << 20, "the stuck peer's messages are still coming")


def libzmq_xsub_data_is_not_a_subscription(sides):
    """A stock XSUB's ordinary message to an encrypted zgss PUB is data,
    which a PUB drops; only a SUB's bare topic counts as a subscription."""
    z, l = sides["zgss"], sides["libzmq"]
    pub = z.socket(zmq.PUB, "server", "encrypted")
    endpoint = z.bind_any(pub)
    xsub = l.socket(zmq.XSUB, "client", "encrypted")
    xsub.connect(endpoint)
    # In this order on one connection: were "hello" read as a topic, it
    # would be in force before "topic" is.
    xsub.send(b"hello")
    xsub.send(b"\x01topic")
    received = []

    def got(wanted):
        pub.send(b"hello there")
        pub.send(wanted)
        message = l.try_recv(xsub)
        while message is not None:
            received.append(message)
            if message == wanted:
                return True
            message = l.try_recv(xsub)
        return False

    check(wait_for(lambda: got(b"topic 1"), timeout=15), "the XSUB's marked subscription never took effect")
    check(wait_for(lambda: got(b"topic 2"), timeout=15), "the second topic message did not arrive")
    hellos = [m for m in received if m.startswith(b"hello")]
    check(not hellos, "the PUB read the XSUB's data message as a subscription: got %r" % hellos[:3])


def ipc_round_trips(server_side, client_side, endpoint_for):
    """Encrypted REQ/REP over ipc://: the GSSAPI server binds, the client
    connects; `endpoint_for(server socket)` binds and returns the endpoint."""
    rep = server_side.socket(zmq.REP, "server", "encrypted")
    endpoint = endpoint_for(rep)
    check(endpoint.startswith("ipc://"), "ZMQ_LAST_ENDPOINT %r is not ipc://" % endpoint)
    req = client_side.socket(zmq.REQ, "client", "encrypted")
    req.connect(endpoint)
    for i in range(20):
        req.send_multipart([b"request %d" % i, b"x" * i])
        check(rep.recv_multipart() == [b"request %d" % i, b"x" * i], "request %d arrived wrong" % i)
        rep.send(b"reply %d" % i)
        check(req.recv() == b"reply %d" % i, "reply %d arrived wrong" % i)
    # The zgss end authenticated its peer through Kerberos over the Unix socket.
    ours = rep if server_side.m is zgss else req
    principal = ours.getsockopt_string(zgss.PEER_PRINCIPAL)
    check("@" in principal, "the zgss end has no Kerberos peer principal: %r" % principal)


def bind_ipc_wildcard(sock):
    sock.bind("ipc://*")
    value = sock.getsockopt(zmq.LAST_ENDPOINT)
    return value.decode() if isinstance(value, bytes) else value


def zgss_server_on_ipc(sides):
    ipc_round_trips(sides["zgss"], sides["libzmq"], bind_ipc_wildcard)


def libzmq_server_on_ipc(sides):
    import tempfile
    import os
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "server.sock")

        def bind_fixed(sock):
            sock.bind("ipc://" + path)
            return "ipc://" + path
        ipc_round_trips(sides["libzmq"], sides["zgss"], bind_fixed)
        sides["libzmq"].close_all()
        sides["zgss"].close_all()


def zgss_client_binds_abstract_ipc(sides):
    import os
    name = "ipc://@zgss-interop-%d" % os.getpid()

    def bind_abstract(sock):
        sock.bind(name)
        return name
    # The zgss side is the GSSAPI client here and binds; libzmq's server connects.
    pull = sides["zgss"].socket(zmq.PULL, "client", "encrypted")
    bind_abstract(pull)
    push = sides["libzmq"].socket(zmq.PUSH, "server", "encrypted")
    push.connect(name)
    for i in range(50):
        push.send(b"%d" % i)
    got = [pull.recv() for _ in range(50)]
    check(got == [b"%d" % i for i in range(50)], "messages over ipc://@name arrived wrong")


def libzmq_sub_and_xsub_to_zgss_xpub(sides):
    """Stock SUB and XSUB peers of an encrypted zgss XPUB: the SUB's bare
    topic (4.3.4's GSSAPI encoder drops the marker) and the XSUB's marked
    subscription both reach the XPUB's application as "\x01topic"; the
    XSUB's data message arrives as data; each gets what it subscribed to."""
    z, l = sides["zgss"], sides["libzmq"]
    xpub = z.socket(zmq.XPUB, "server", "encrypted")
    endpoint = z.bind_any(xpub)
    sub = l.socket(zmq.SUB, "client", "encrypted")
    sub.connect(endpoint)
    sub.setsockopt(zmq.SUBSCRIBE, b"news")
    check(xpub.recv() == b"\x01news", "the SUB's bare topic did not arrive as a subscription")
    xsub = l.socket(zmq.XSUB, "client", "encrypted")
    xsub.connect(endpoint)
    xsub.send(b"\x01sport")
    xsub.send(b"hello from xsub")
    check(xpub.recv() == b"\x01sport", "the XSUB's subscription did not arrive")
    check(xpub.recv() == b"hello from xsub", "the XSUB's data message did not reach the XPUB application")
    xpub.send(b"weather")
    xpub.send(b"news 1")
    xpub.send(b"sport 1")
    check(sub.recv() == b"news 1", "the SUB got the wrong message")
    check(xsub.recv() == b"sport 1", "the XSUB got the wrong message")


def zgss_xsub_and_sub_to_libzmq_xpub(sides):
    """zgss XSUB and SUB peers of an encrypted stock XPUB: the XPUB
    application sees their subscriptions and the XSUB's data, and
    publishes to them by topic."""
    z, l = sides["zgss"], sides["libzmq"]
    xpub = l.socket(zmq.XPUB, "server", "encrypted")
    endpoint = l.bind_any(xpub)
    xsub = z.socket(zmq.XSUB, "client", "encrypted")
    xsub.connect(endpoint)
    # Sent before the connection is up: the topic goes out once it is.
    xsub.send(b"\x01sync")
    check(xpub.recv() == b"\x01sync", "the zgss XSUB's first subscription did not arrive")
    xpub.setsockopt(zmq.XPUB_VERBOSE, 1)
    xsub.send(b"\x01alpha")
    xsub.send(b"\x01alpha")
    xsub.send(b"data from zgss")
    check(xpub.recv() == b"\x01alpha", "the zgss XSUB's subscription did not arrive")
    check(xpub.recv() == b"\x01alpha", "XPUB_VERBOSE: the repeated subscription did not arrive")
    check(xpub.recv() == b"data from zgss", "the zgss XSUB's data did not reach the XPUB application")
    sub = z.socket(zmq.SUB, "client", "encrypted")
    sub.connect(endpoint)
    sub.setsockopt(zmq.SUBSCRIBE, b"beta")
    check(xpub.recv() == b"\x01beta", "the zgss SUB's subscription did not arrive")
    xpub.send(b"gamma")
    xpub.send(b"alpha 1")
    xpub.send(b"beta 1")
    check(xsub.recv() == b"alpha 1", "the zgss XSUB got the wrong message")
    check(sub.recv() == b"beta 1", "the zgss SUB got the wrong message")
    xsub.send(b"\x00alpha")
    xsub.send(b"\x00alpha")
    check(xpub.recv() == b"\x00alpha", "the zgss XSUB's cancel did not arrive")


CELLS = [
    ("topology: a stuck ROUTER peer does not hold up another", slow_peer_does_not_block_others),
    ("topology: 8 threads x 300 encrypted round trips in parallel (zgss REQ or REP vs libzmq)",
     parallel_threads),
    ("topology: zgss heartbeats (wrapped PINGs) keep a libzmq link up", zgss_heartbeats_to_libzmq),
    ("topology: zgss heartbeat timeout drops a silent peer", heartbeat_detects_a_dead_peer),
    ("topology: 20 encrypted libzmq DEALERs handshake at once with a zgss ROUTER", many_clients_at_once),
    ("topology: zgss PUSH round-robins over 2 libzmq PULLs", push_round_robin),
    ("topology: ipc:// zgss GSSAPI REP binds ipc://*, libzmq REQ connects (encrypted)", zgss_server_on_ipc),
    ("topology: ipc:// libzmq GSSAPI REP binds a path, zgss REQ connects (encrypted)", libzmq_server_on_ipc),
    ("topology: ipc:// zgss GSSAPI client PULL binds ipc://@name, libzmq server PUSH connects (encrypted)",
     zgss_client_binds_abstract_ipc),
    ("topology: zgss PULL fair-queues 2 libzmq PUSHes", pull_fair_queue),
    ("topology: zgss ROUTER with a named and an anonymous libzmq DEALER", router_two_dealers),
    ("topology: zgss REQ to a libzmq ROUTER (envelope)", req_to_router),
    ("topology: libzmq DEALER to a zgss REP (envelope)", dealer_to_rep),
    ("topology: RCVHWM 10 backpressure, 5000 messages in order", receive_backpressure),
    ("topology: libzmq heartbeats (PING/PONG inside the wrap)", heartbeats_inside_the_wrap),
    ("topology: zgss SUB unsubscribes from a zgss PUB (encrypted)", zgss_pub_sub_unsubscribe),
    ("topology: a libzmq XSUB's data message is not a subscription at a zgss PUB (encrypted)",
     libzmq_xsub_data_is_not_a_subscription),
    ("topology: libzmq SUB and XSUB to a zgss XPUB (encrypted)", libzmq_sub_and_xsub_to_zgss_xpub),
    ("topology: zgss XSUB and SUB to a libzmq XPUB (encrypted)", zgss_xsub_and_sub_to_libzmq_xpub),
]
