// SPDX-License-Identifier: MIT
// Sending with no peer, as libzmq 4.3.4 does it. A PUSH, DEALER, REQ or
// PAIR socket that only binds (or has no endpoint at all) has nowhere to
// put a message: zmq_send blocks, so ZMQ_DONTWAIT gives EAGAIN at once and
// ZMQ_SNDTIMEO gives EAGAIN after the timeout. A socket that connect()ed
// has a queue for that endpoint from the start, even while nothing listens
// there: it takes ZMQ_SNDHWM messages (per connect()ed endpoint), then
// EAGAIN; a REQ takes its one request, then EFSM. Prints what it saw.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static const char *error_name(int code)
{
    switch (code) {
    case EAGAIN: return "EAGAIN";
    case EFSM: return "EFSM";
    case ETERM: return "ETERM";
    default: return "other";
    }
}

// Sends one-byte messages with ZMQ_DONTWAIT until one fails (at most
// `limit`); prints how many went and why the next did not.
static void fill(void *socket, const char *label, int limit)
{
    int sent = 0;
    while (sent < limit && zmq_send(socket, "m", 1, ZMQ_DONTWAIT) == 1) sent++;
    printf("  %s: %d sent, then %s\n", label, sent, sent == limit ? "stopped" : error_name(zmq_errno()));
}

static void *fresh(void *ctx, int type)
{
    void *socket = zmq_socket(ctx, type);
    int linger = 0;
    if (socket) zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    return socket;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    const int types[] = { ZMQ_PUSH, ZMQ_DEALER, ZMQ_REQ, ZMQ_PAIR };
    const char *names[] = { "PUSH", "DEALER", "REQ", "PAIR" };
    for (int i = 0; i < 4; i++) {
        printf("%s\n", names[i]);
        void *socket = fresh(ctx, types[i]);
        CHECK(socket);
        fill(socket, "no endpoint, DONTWAIT", 5000);
        CHECK(zmq_bind(socket, "tcp://127.0.0.1:*") == 0);
        fill(socket, "bound, no peer, DONTWAIT", 5000);
        int timeout = 100;
        CHECK(zmq_setsockopt(socket, ZMQ_SNDTIMEO, &timeout, sizeof timeout) == 0);
        int rc = zmq_send(socket, "m", 1, 0);
        printf("  bound, no peer, SNDTIMEO 100: %d %s\n", rc, rc < 0 ? error_name(zmq_errno()) : "sent");
        CHECK(zmq_close(socket) == 0);

        // Port 1 on loopback: nothing listens there, connects keep failing.
        socket = fresh(ctx, types[i]);
        CHECK(socket);
        CHECK(zmq_connect(socket, "tcp://127.0.0.1:1") == 0);
        fill(socket, "connected to nobody, DONTWAIT", 5000);
        CHECK(zmq_setsockopt(socket, ZMQ_SNDTIMEO, &timeout, sizeof timeout) == 0);
        rc = zmq_send(socket, "m", 1, 0);
        printf("  connected to nobody, full, SNDTIMEO 100: %d %s\n", rc, rc < 0 ? error_name(zmq_errno()) : "sent");
        CHECK(zmq_close(socket) == 0);

        socket = fresh(ctx, types[i]);
        CHECK(socket);
        int hwm = 10;
        CHECK(zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof hwm) == 0);
        CHECK(zmq_connect(socket, "tcp://127.0.0.1:1") == 0);
        CHECK(zmq_connect(socket, "tcp://127.0.0.1:2") == 0);
        fill(socket, "SNDHWM 10, connected to two nobodies, DONTWAIT", 5000);
        CHECK(zmq_close(socket) == 0);
    }
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}
