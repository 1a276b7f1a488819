# SPDX-License-Identifier: MIT
"""Publish-subscribe with a Poller, Kerberos-encrypted: a pyzmq program
whose only change is its import (`import zgss as zmq`).

    pubsub.py pub               binds a PUB and a PULL (GSSAPI servers),
                                prints "PORT p" for each, publishes "weather"
                                and "news" updates every 20 ms until a
                                subscriber says "done" on the PULL
    pubsub.py sub PUB PULL N    one SUB per topic, waits on both with a
                                Poller until each has N updates, then sends
                                "done" through a PUSH to port PULL
Kerberos comes from the environment, as for reqrep.py."""
import sys
import time

import zgss as zmq

TICK_MS = 20
DEADLINE_S = 30


def publisher():
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    control = ctx.socket(zmq.PULL)
    for sock in (pub, control):
        sock.gssapi_server = True
        print("PORT %d" % sock.bind_to_random_port("tcp://127.0.0.1"), flush=True)
    poller = zmq.Poller()
    poller.register(control, zmq.POLLIN)
    number = 0
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        # The poll's timeout is the publishing tick.
        ready = dict(poller.poll(TICK_MS))
        if control in ready and control.recv() == b"done":
            break
        pub.send_multipart([b"weather", b"%d degrees" % (number % 30)])
        pub.send_multipart([b"news", b"item %d" % number])
        number += 1
    else:
        sys.exit("no subscriber finished within %d s" % DEADLINE_S)
    print("published, mechanism %d" % pub.mechanism, flush=True)
    ctx.destroy(linger=0)


def subscriber(pub_port, control_port, count):
    ctx = zmq.Context()
    topics = {}
    poller = zmq.Poller()
    for topic in (b"weather", b"news"):
        sub = ctx.socket(zmq.SUB)
        sub.gssapi_service_principal = b"zmq@localhost"
        sub.subscribe(topic)
        sub.connect("tcp://127.0.0.1:%d" % pub_port)
        poller.register(sub, zmq.POLLIN)
        topics[sub] = topic
    received = {topic: 0 for topic in topics.values()}
    deadline = time.monotonic() + DEADLINE_S
    while min(received.values()) < count:
        if time.monotonic() > deadline:
            sys.exit("only %r within %d s" % (received, DEADLINE_S))
        for sock, events in poller.poll(1000):
            topic, body = sock.recv_multipart()
            assert topic == topics[sock] and events == zmq.POLLIN, (topic, events)
            received[topic] += 1
    done = ctx.socket(zmq.PUSH)
    done.gssapi_service_principal = b"zmq@localhost"
    done.connect("tcp://127.0.0.1:%d" % control_port)
    done.send(b"done")
    mechanisms = {sock.mechanism for sock in topics}
    print("%d updates of each topic, mechanism %s" % (count, " ".join(map(str, sorted(mechanisms)))), flush=True)
    done.close(linger=5000)
    ctx.destroy(linger=0)


if __name__ == "__main__":
    if sys.argv[1] == "pub":
        publisher()
    else:
        subscriber(*[int(a) for a in sys.argv[2:5]])
