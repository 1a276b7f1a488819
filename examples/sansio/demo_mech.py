# SPDX-License-Identifier: MIT
"""Interop between zgss's mechanism (driven by the tiny ZMTP peer in
zgss_mech.py) and stock libzmq 4.3.4 (pyzmq), over real TCP, in both
directions. Run inside a realm: tools/testrealm.py run -- /usr/bin/python3 ..."""
import socket
import sys
import threading

import zmq

from zgss_mech import Mechanism, Peer, ZMQ_GSSAPI_SERVER, ZMQ_GSSAPI_SERVICE_PRINCIPAL, ZMQ_GSSAPI_PLAINTEXT


def zgss_rep_server_vs_libzmq_req(plaintext):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    result = {}

    def serve():
        conn, _ = listener.accept()
        with conn:
            mech = Mechanism("REP", {ZMQ_GSSAPI_SERVER: 1, ZMQ_GSSAPI_PLAINTEXT: int(plaintext)})
            peer = Peer(conn, mech)
            peer.handshake()
            result["principal"] = mech.peer_principal
            request = peer.recv()
            peer.send(request[:-1] + [b"world"])
            result["request"] = request
            mech.close()

    thread = threading.Thread(target=serve)
    thread.start()
    ctx = zmq.Context()
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.GSSAPI_SERVICE_PRINCIPAL, b"zmq@localhost")
    req.setsockopt(zmq.GSSAPI_PLAINTEXT, int(plaintext))
    req.setsockopt(zmq.RCVTIMEO, 5000)
    req.setsockopt(zmq.LINGER, 0)
    req.connect(f"tcp://127.0.0.1:{port}")
    req.send(b"hello")
    reply = req.recv()
    thread.join(5)
    req.close()
    ctx.term()
    listener.close()
    return result["principal"], result["request"], reply


def zgss_req_client_vs_libzmq_rep(plaintext):
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.setsockopt(zmq.GSSAPI_SERVER, 1)
    rep.setsockopt(zmq.GSSAPI_PLAINTEXT, int(plaintext))
    rep.setsockopt(zmq.RCVTIMEO, 5000)
    rep.setsockopt(zmq.LINGER, 0)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    conn = socket.create_connection(("127.0.0.1", port))
    mech = Mechanism("REQ", {ZMQ_GSSAPI_SERVICE_PRINCIPAL: "zmq@localhost", ZMQ_GSSAPI_PLAINTEXT: int(plaintext)})
    peer = Peer(conn, mech)
    peer.handshake()
    principal = mech.peer_principal
    peer.send([b"", b"hello"])
    request = rep.recv()
    rep.send(b"world")
    reply = peer.recv()
    conn.close()
    mech.close()
    rep.close()
    ctx.term()
    return principal, request, reply


if __name__ == "__main__":
    for plaintext in (False, True):
        mode = "plaintext" if plaintext else "encrypted"
        who, request, reply = zgss_rep_server_vs_libzmq_req(plaintext)
        print(f"[{mode}] zgss server <- libzmq client {who}: request {request}, reply {reply}")
        who, request, reply = zgss_req_client_vs_libzmq_rep(plaintext)
        print(f"[{mode}] zgss client -> libzmq server {who}: request {request}, reply {reply}")
    sys.exit(0)
