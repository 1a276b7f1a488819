# SPDX-License-Identifier: MIT
"""Request-reply, Kerberos-encrypted: a pyzmq program whose only change is
its import (`import zgss as zmq`; with `import zmq` it runs on pyzmq).

    reqrep.py server N          binds a random port, prints "PORT p",
                                answers N requests (GSSAPI server)
    reqrep.py client PORT N     sends N requests to zmq@localhost
Kerberos comes from the environment (KRB5_KTNAME for the server,
KRB5_CLIENT_KTNAME or a ticket cache for the client)."""
import sys

import zgss as zmq

TIMEOUT_MS = 20000


def server(count):
    ctx = zmq.Context.instance()
    rep = ctx.socket(zmq.REP)
    rep.gssapi_server = True
    rep.rcvtimeo = TIMEOUT_MS
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    print("PORT %d" % port, flush=True)
    for _ in range(count):
        request = rep.recv_json()
        rep.send_string("%s, %s" % (request["greeting"], request["name"].upper()))
    print("served %d, mechanism %d" % (count, rep.mechanism), flush=True)
    rep.close()
    ctx.term()


def client(port, count):
    ctx = zmq.Context.instance()
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL, b"zmq@localhost")
    req.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    req.setsockopt(zmq.LINGER, 0)
    req.connect("tcp://127.0.0.1:%d" % port)
    for number in range(count):
        req.send_json({"greeting": "hello", "name": "request %d" % number})
        try:
            print(req.recv_string(), flush=True)
        except zmq.Again:
            sys.exit("no reply within %d ms" % TIMEOUT_MS)
    print("mechanism %d" % req.getsockopt(zmq.MECHANISM), flush=True)
    ctx.destroy()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(int(sys.argv[2]), int(sys.argv[3]))
