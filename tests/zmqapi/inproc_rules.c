// SPDX-License-Identifier: MIT
// inproc:// rules as libzmq 4.3.4 has them: connect before bind works (the
// messages sent meanwhile arrive once the name is bound), a second bind of
// a name in the same context fails with EADDRINUSE (and works again once
// the first socket is closed), names are per context, ZMQ_LAST_ENDPOINT,
// "inproc://" alone is EINVAL, transports the library does not carry fail
// with EPROTONOSUPPORT at bind and connect; the high-water mark stops a
// sender (EAGAIN with ZMQ_DONTWAIT) and nothing sent before is lost;
// zmq_poll and ZMQ_EVENTS see an inproc peer's message.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *errno_name(int code)
{
    switch (code) {
    case EADDRINUSE: return "EADDRINUSE";
    case EINVAL: return "EINVAL";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EAGAIN: return "EAGAIN";
    default: return "other";
    }
}

static void *make(void *ctx, int type)
{
    void *socket = zmq_socket(ctx, type);
    CHECK(socket);
    int linger = 0, timeout = 10000;
    CHECK(zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    return socket;
}

static void expect(void *socket, const char *text)
{
    char buffer[64];
    int size = zmq_recv(socket, buffer, sizeof buffer, 0);
    CHECK(size == (int)strlen(text) && memcmp(buffer, text, size) == 0);
}

static void show(const char *what, int rc)
{
    printf("%s: %d %s\n", what, rc, rc == 0 ? "-" : errno_name(zmq_errno()));
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);

    // Connect before bind.
    void *push = make(ctx, ZMQ_PUSH);
    show("connect inproc://early before any bind", zmq_connect(push, "inproc://early"));
    char endpoint[64];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(push, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    printf("connecting side ZMQ_LAST_ENDPOINT: %s\n", endpoint);
    CHECK(zmq_send(push, "first", 5, 0) == 5);
    CHECK(zmq_send(push, "second", 6, 0) == 6);
    void *pull = make(ctx, ZMQ_PULL);
    show("bind inproc://early", zmq_bind(pull, "inproc://early"));
    expect(pull, "first");
    expect(pull, "second");
    printf("messages sent before the bind arrived in order\n");

    // A second bind of the same name.
    void *other = make(ctx, ZMQ_PULL);
    show("second bind of inproc://early", zmq_bind(other, "inproc://early"));
    show("bind inproc://another on the same socket", zmq_bind(other, "inproc://another"));
    CHECK(zmq_close(pull) == 0);
    // libzmq frees the name once its reaper has finished the closed socket:
    // retry for a while.
    int rebound = -1;
    for (int i = 0; i < 1000 && rebound != 0; i++) {
        rebound = zmq_bind(other, "inproc://early");
        if (rebound != 0) {
            CHECK(zmq_errno() == EADDRINUSE);
            zmq_poll(NULL, 0, 10);
        }
    }
    show("bind inproc://early after the first binder closed", rebound);
    CHECK(zmq_close(other) == 0);

    // Names belong to one context.
    void *ctx2 = zmq_ctx_new();
    CHECK(ctx2);
    void *elsewhere = make(ctx2, ZMQ_PULL);
    show("bind inproc://another in a second context", zmq_bind(elsewhere, "inproc://another"));
    CHECK(zmq_close(elsewhere) == 0);
    CHECK(zmq_ctx_term(ctx2) == 0);

    // Endpoint errors.
    void *probe = make(ctx, ZMQ_PAIR);
    const char *bad[] = { "inproc://", "vmci://1:5555", "nosuch://x", "inproc" };
    for (int i = 0; i < 4; i++) {
        char label[96];
        snprintf(label, sizeof label, "bind %s", bad[i]);
        show(label, zmq_bind(probe, bad[i]));
        snprintf(label, sizeof label, "connect %s", bad[i]);
        show(label, zmq_connect(probe, bad[i]));
    }
    CHECK(zmq_close(probe) == 0);

    // High-water mark: a PULL that does not read stops the PUSH.
    void *sender = make(ctx, ZMQ_PUSH), *receiver = make(ctx, ZMQ_PULL);
    int hwm = 10;
    CHECK(zmq_setsockopt(sender, ZMQ_SNDHWM, &hwm, sizeof hwm) == 0);
    CHECK(zmq_setsockopt(receiver, ZMQ_RCVHWM, &hwm, sizeof hwm) == 0);
    CHECK(zmq_bind(receiver, "inproc://hwm") == 0);
    CHECK(zmq_connect(sender, "inproc://hwm") == 0);
    static char payload[1000];
    int sent = 0;
    while (sent < 1000000) {
        memcpy(payload, &sent, sizeof sent);
        if (zmq_send(sender, payload, sizeof payload, ZMQ_DONTWAIT) < 0) break;
        sent++;
    }
    printf("sending without reading stopped with: %s\n", errno_name(zmq_errno()));
    int received = 0, in_order = 1;
    for (; received < sent; received++) {
        int n;
        CHECK(zmq_recv(receiver, payload, sizeof payload, 0) == (int)sizeof payload);
        memcpy(&n, payload, sizeof n);
        if (n != received) in_order = 0;
    }
    printf("every message sent before that arrived, in order: %s\n", in_order ? "yes" : "no");

    // zmq_poll and ZMQ_EVENTS on an inproc socket.
    zmq_pollitem_t item = { receiver, 0, ZMQ_POLLIN, 0 };
    printf("poll with nothing queued: %d\n", zmq_poll(&item, 1, 0));
    CHECK(zmq_send(sender, "wake", 4, 0) == 4);
    int ready = zmq_poll(&item, 1, 10000);
    printf("poll after a send: %d (POLLIN: %d)\n", ready, (item.revents & ZMQ_POLLIN) != 0);
    int events = 0;
    size = sizeof events;
    CHECK(zmq_getsockopt(receiver, ZMQ_EVENTS, &events, &size) == 0);
    printf("ZMQ_EVENTS has POLLIN: %d\n", (events & ZMQ_POLLIN) != 0);
    expect(receiver, "wake");

    CHECK(zmq_close(sender) == 0);
    CHECK(zmq_close(receiver) == 0);
    CHECK(zmq_close(push) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}
