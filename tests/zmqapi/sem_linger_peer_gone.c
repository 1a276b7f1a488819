// SPDX-License-Identifier: MIT
// A binding PUSH whose only peer leaves with messages still queued for it
// (the peer never read: its queues, the TCP buffers and the PUSH's queue
// are full). With nobody left to send to and the listener closed by
// zmq_close, libzmq 4.3.4 drops what is queued, so close + zmq_ctx_term
// return even with the default ZMQ_LINGER (-1). Prints what it saw.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    void *ctx = zmq_ctx_new();
    void *peer_ctx = zmq_ctx_new();
    CHECK(ctx && peer_ctx);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(push);
    CHECK(zmq_bind(push, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(push, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    void *pull = zmq_socket(peer_ctx, ZMQ_PULL);
    CHECK(pull);
    int linger = 0;
    CHECK(zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_connect(pull, endpoint) == 0);

    // Block until the PULL is there, then fill everything with 64 KiB
    // messages it never reads (until three tries 20 ms apart are refused).
    static char message[65536];
    CHECK(zmq_send(push, message, sizeof message, 0) == (int)sizeof message);
    int refused = 0;
    for (int i = 0; i < 20000 && refused < 3; i++) {
        if (zmq_send(push, message, sizeof message, ZMQ_DONTWAIT) < 0) {
            CHECK(zmq_errno() == EAGAIN);
            refused++;
            usleep(20 * 1000);
        } else {
            refused = 0;
        }
    }
    printf("PUSH: full, sends refused with EAGAIN\n");
    CHECK(zmq_close(pull) == 0);
    CHECK(zmq_ctx_term(peer_ctx) == 0);
    printf("the only peer left without reading\n");
    usleep(300 * 1000);
    int value = 0;
    size = sizeof value;
    CHECK(zmq_getsockopt(push, ZMQ_LINGER, &value, &size) == 0);
    CHECK(zmq_close(push) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("linger %d: close and zmq_ctx_term returned\n", value);
    return 0;
}
