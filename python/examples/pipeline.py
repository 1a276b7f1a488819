# SPDX-License-Identifier: MIT
"""Pipeline (ventilator, workers, sink), Kerberos-encrypted: a pyzmq
program whose only change is its import (`import zgss as zmq`).

    pipeline.py source N        binds, prints "PORT p", pushes N tasks, stays
                                until stdin ends (its port must stay open
                                until the workers have connected)
    pipeline.py worker SRC SINK pulls tasks from port SRC, pushes squares
                                to port SINK until no task comes for 3 s
    pipeline.py sink N          binds, prints "PORT p", adds N results
Binding sides are GSSAPI servers, connecting sides clients of zmq@localhost."""
import sys

import zgss as zmq

TIMEOUT_MS = 20000


def bound(ctx, kind):
    sock = ctx.socket(kind)
    sock.gssapi_server = True
    sock.rcvtimeo = TIMEOUT_MS
    print("PORT %d" % sock.bind_to_random_port("tcp://127.0.0.1"), flush=True)
    return sock


def connected(ctx, kind, port):
    sock = ctx.socket(kind)
    sock.gssapi_service_principal = b"zmq@localhost"
    sock.connect("tcp://127.0.0.1:%d" % port)
    return sock


def source(count):
    ctx = zmq.Context()
    push = bound(ctx, zmq.PUSH)
    for number in range(count):
        push.send_multipart([b"task", str(number).encode()])
    sys.stdin.read()
    push.close()
    ctx.term()


def worker(source_port, sink_port):
    ctx = zmq.Context()
    tasks = connected(ctx, zmq.PULL, source_port)
    results = connected(ctx, zmq.PUSH, sink_port)
    tasks.rcvtimeo = TIMEOUT_MS
    done = 0
    while True:
        try:
            kind, number = tasks.recv_multipart()
        except zmq.Again:
            break
        results.send_pyobj((kind.decode(), int(number) ** 2))
        done += 1
        tasks.rcvtimeo = 3000  # after the first task, a quiet source means the end
    print("worker did %d" % done, flush=True)
    tasks.close(linger=0)
    results.close()
    ctx.term()


def sink(count):
    ctx = zmq.Context()
    pull = bound(ctx, zmq.PULL)
    total = 0
    for _ in range(count):
        kind, square = pull.recv_pyobj()
        assert kind == "task"
        total += square
    print("sum %d, mechanism %d" % (total, pull.mechanism), flush=True)
    ctx.destroy(linger=0)


if __name__ == "__main__":
    role, args = sys.argv[1], [int(a) for a in sys.argv[2:]]
    {"source": source, "worker": worker, "sink": sink}[role](*args)
