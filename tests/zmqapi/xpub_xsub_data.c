// SPDX-License-Identifier: MIT
// XSUB -> XPUB, without security and with GSSAPI encryption (the XPUB is
// the GSSAPI server): subscriptions sent as
// "\x01topic" messages (a repeated one passed on once), data messages from
// the XSUB reaching the XPUB's application (single and multipart), the
// XPUB sending the XSUB only what matches its subscriptions, and cancels.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int show(const char *who, void *socket)
{
    char buffer[64];
    int n = zmq_recv(socket, buffer, sizeof buffer, 0);
    if (n < 0) {
        fprintf(stderr, "%s recv: %s\n", who, zmq_strerror(zmq_errno()));
        return 1;
    }
    int more = 0;
    size_t size = sizeof more;
    zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &size);
    if (n > 0 && (buffer[0] == 0 || buffer[0] == 1))
        printf("  %s got %s%.*s%s\n", who, buffer[0] ? "+" : "-", n - 1, buffer + 1, more ? " (more)" : "");
    else
        printf("  %s got \"%.*s\"%s\n", who, n, buffer, more ? " (more)" : "");
    return 0;
}

static int run(void *ctx, int gssapi)
{
    printf("%s:\n", gssapi ? "GSSAPI" : "NULL");
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    CHECK(xpub && xsub);
    int one = 1, zero = 0, timeout = 20000;
    CHECK(zmq_setsockopt(xpub, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK(zmq_setsockopt(xsub, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK(zmq_setsockopt(xpub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(xsub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    if (gssapi) {
        CHECK(zmq_setsockopt(xpub, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0);
        CHECK(zmq_setsockopt(xsub, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost", 13) == 0);
    }
    CHECK(zmq_bind(xpub, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(xpub, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(zmq_connect(xsub, endpoint) == 0);

    // Sent before the connection is up: kept and sent once it is.
    CHECK(zmq_send(xsub, "\1wel", 4, 0) == 4);
    if (show("XPUB", xpub)) return 1;

    CHECK(zmq_send(xsub, "\1top", 4, 0) == 4);
    CHECK(zmq_send(xsub, "\1top", 4, 0) == 4);
    CHECK(zmq_send(xsub, "hello", 5, 0) == 5);
    CHECK(zmq_send(xsub, "part a", 6, ZMQ_SNDMORE) == 6);
    CHECK(zmq_send(xsub, "part b", 6, 0) == 6);
    for (int i = 0; i < 4; i++) if (show("XPUB", xpub)) return 1;

    CHECK(zmq_send(xpub, "other", 5, 0) == 5);
    CHECK(zmq_send(xpub, "top 1", 5, 0) == 5);
    CHECK(zmq_send(xpub, "top 2", 5, ZMQ_SNDMORE) == 5);
    CHECK(zmq_send(xpub, "second", 6, 0) == 6);
    for (int i = 0; i < 3; i++) if (show("XSUB", xsub)) return 1;

    // Two subscribes counted: one cancel leaves the topic, the second
    // removes it and is passed on.
    CHECK(zmq_send(xsub, "\0top", 4, 0) == 4);
    CHECK(zmq_send(xsub, "\1mark", 5, 0) == 5);
    if (show("XPUB", xpub)) return 1;
    CHECK(zmq_send(xsub, "\0top", 4, 0) == 4);
    if (show("XPUB", xpub)) return 1;
    char buffer[8];
    printf("  XPUB then: %s\n", zmq_recv(xpub, buffer, sizeof buffer, ZMQ_DONTWAIT) == -1 && zmq_errno() == EAGAIN ? "EAGAIN" : "a message");

    CHECK(zmq_close(xsub) == 0);
    CHECK(zmq_close(xpub) == 0);
    return 0;
}

int main(void)
{
    if (!getenv("ZGSS_TEST_REALM")) {
        fprintf(stderr, "ZGSS_TEST_REALM is not set: run inside tools/testrealm.py\n");
        return 1;
    }
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    if (run(ctx, 0) || run(ctx, 1)) return 1;
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}
