// SPDX-License-Identifier: MIT
// XPUB subscription messages as the application sees them, for the
// default, ZMQ_XPUB_VERBOSE and ZMQ_XPUB_VERBOSER: two SUBs subscribe to
// and cancel the same topic (one subscribes twice); marker topics make
// each step's end visible, so the output holds exactly what the XPUB
// passed on. A SUB that closes cancels its topics. XPUB options on a SUB
// and reading them back fail with EINVAL.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

/* Receives from the XPUB until the message equal to `until` (a subscription
 * message), printing each one. */
static int drain_until(void *xpub, const char *until, size_t until_size)
{
    for (;;) {
        char buffer[64];
        int n = zmq_recv(xpub, buffer, sizeof buffer, 0);
        if (n < 0) {
            fprintf(stderr, "recv: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
        printf("  %s%.*s\n", n > 0 && buffer[0] == 1 ? "+" : n > 0 && buffer[0] == 0 ? "-" : "?",
               n > 1 ? n - 1 : 0, buffer + 1);
        if ((size_t)n == until_size && memcmp(buffer, until, until_size) == 0) return 0;
    }
}

static int run(void *ctx, const char *name, int option)
{
    printf("%s:\n", name);
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CHECK(xpub);
    int one = 1, timeout = 20000, zero = 0;
    if (option) CHECK(zmq_setsockopt(xpub, option, &one, sizeof one) == 0);
    CHECK(zmq_setsockopt(xpub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(xpub, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK(zmq_bind(xpub, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(xpub, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    void *sub1 = zmq_socket(ctx, ZMQ_SUB);
    void *sub2 = zmq_socket(ctx, ZMQ_SUB);
    CHECK(sub1 && sub2);
    CHECK(zmq_setsockopt(sub1, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK(zmq_setsockopt(sub2, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK(zmq_connect(sub1, endpoint) == 0);
    CHECK(zmq_connect(sub2, endpoint) == 0);

    // Both SUBs connected before the counting starts (a subscription made
    // earlier is sent once the connection is up).
    printf(" sub1 s1, sub2 s2\n");
    CHECK(zmq_setsockopt(sub1, ZMQ_SUBSCRIBE, "s1", 2) == 0);
    CHECK(drain_until(xpub, "\1s1", 3) == 0);
    CHECK(zmq_setsockopt(sub2, ZMQ_SUBSCRIBE, "s2", 2) == 0);
    CHECK(drain_until(xpub, "\1s2", 3) == 0);
    printf(" sub1 news\n");
    CHECK(zmq_setsockopt(sub1, ZMQ_SUBSCRIBE, "news", 4) == 0);
    CHECK(drain_until(xpub, "\1news", 5) == 0);
    printf(" sub2 news twice, then m1\n");
    CHECK(zmq_setsockopt(sub2, ZMQ_SUBSCRIBE, "news", 4) == 0);
    CHECK(zmq_setsockopt(sub2, ZMQ_SUBSCRIBE, "news", 4) == 0);
    CHECK(zmq_setsockopt(sub2, ZMQ_SUBSCRIBE, "m1", 2) == 0);
    CHECK(drain_until(xpub, "\1m1", 3) == 0);
    printf(" sub1 cancels news, then m2\n");
    CHECK(zmq_setsockopt(sub1, ZMQ_UNSUBSCRIBE, "news", 4) == 0);
    CHECK(zmq_setsockopt(sub1, ZMQ_SUBSCRIBE, "m2", 2) == 0);
    CHECK(drain_until(xpub, "\1m2", 3) == 0);
    printf(" sub2 cancels news once, then m3\n");
    CHECK(zmq_setsockopt(sub2, ZMQ_UNSUBSCRIBE, "news", 4) == 0);
    CHECK(zmq_setsockopt(sub2, ZMQ_SUBSCRIBE, "m3", 2) == 0);
    CHECK(drain_until(xpub, "\1m3", 3) == 0);
    printf(" sub2 cancels news again, then m4\n");
    CHECK(zmq_setsockopt(sub2, ZMQ_UNSUBSCRIBE, "news", 4) == 0);
    CHECK(zmq_setsockopt(sub2, ZMQ_SUBSCRIBE, "m4", 2) == 0);
    CHECK(drain_until(xpub, "\1m4", 3) == 0);
    printf(" sub1 closes\n");
    CHECK(zmq_close(sub1) == 0);
    CHECK(drain_until(xpub, "\0s1", 3) == 0);

    CHECK(zmq_close(sub2) == 0);
    CHECK(zmq_close(xpub) == 0);
    return 0;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    if (run(ctx, "default", 0)) return 1;
    if (run(ctx, "ZMQ_XPUB_VERBOSE", ZMQ_XPUB_VERBOSE)) return 1;
    if (run(ctx, "ZMQ_XPUB_VERBOSER", ZMQ_XPUB_VERBOSER)) return 1;

    void *sub = zmq_socket(ctx, ZMQ_SUB);
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CHECK(sub && xpub);
    int one = 1, minus = -1;
    printf("XPUB_VERBOSE on a SUB: %s\n",
           zmq_setsockopt(sub, ZMQ_XPUB_VERBOSE, &one, sizeof one) == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");
    printf("XPUB_VERBOSE -1: %s\n",
           zmq_setsockopt(xpub, ZMQ_XPUB_VERBOSE, &minus, sizeof minus) == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");
    printf("XPUB_VERBOSE short: %s\n",
           zmq_setsockopt(xpub, ZMQ_XPUB_VERBOSE, &one, 2) == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");
    int value = 0;
    size_t size = sizeof value;
    printf("read XPUB_VERBOSE: %s\n",
           zmq_getsockopt(xpub, ZMQ_XPUB_VERBOSE, &value, &size) == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");
    printf("XPUB_NODROP 1: %d\n", zmq_setsockopt(xpub, ZMQ_XPUB_NODROP, &one, sizeof one));
    printf("SUBSCRIBE on an XSUB: ");
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    CHECK(xsub);
    printf("%s\n", zmq_setsockopt(xsub, ZMQ_SUBSCRIBE, "a", 1) == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");
    CHECK(zmq_close(xsub) == 0);
    CHECK(zmq_close(sub) == 0);
    CHECK(zmq_close(xpub) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}
