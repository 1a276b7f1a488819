// SPDX-License-Identifier: MIT
// zmq_poll when nothing is ready: timeout 0 returns at once, a small
// timeout returns 0 after (at least) that long, an empty item list only
// sleeps; and the argument errors: nitems < 0, items NULL, a pointer that
// is not a socket. Prints return values and errno names, never times
// (only whether the wait lasted at least the timeout).
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *errno_name(int e)
{
    switch (e) {
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case ENOTSOCK: return "ENOTSOCK";
    case ETERM: return "ETERM";
    case EINTR: return "EINTR";
    default: return "other";
    }
}

/* zmq_poll's result, revents and whether it took at least `least` ms. */
static void timed(const char *label, zmq_pollitem_t *items, int n, long timeout, long least)
{
    long long start = now_ms();
    int rc = zmq_poll(items, n, timeout);
    long long took = now_ms() - start;
    printf("%-40s rc %d", label, rc);
    if (rc < 0) printf(" %s", errno_name(zmq_errno()));
    for (int i = 0; i < n && items; i++) printf(", revents[%d] %d", i, items[i].revents);
    if (least >= 0) printf(", waited >= %ld ms: %s", least, took >= least ? "yes" : "no");
    if (took > 10000) printf(", took more than 10 s");
    printf("\n");
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(pull && sub && push);
    CHECK(zmq_bind(pull, "tcp://127.0.0.1:*") == 0);
    CHECK(zmq_bind(push, "tcp://127.0.0.1:*") == 0);

    zmq_pollitem_t items[] = {
        { pull, 0, ZMQ_POLLIN, 7 },
        { sub, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 7 },
        { push, 0, ZMQ_POLLOUT, 7 },
    };
    timed("three idle sockets, timeout 0", items, 3, 0, -1);
    timed("three idle sockets, timeout 30 ms", items, 3, 30, 25);
    timed("one idle socket, timeout 100 ms", items, 1, 100, 95);
    timed("no items, timeout 0", NULL, 0, 0, -1);
    timed("no items, timeout 30 ms", NULL, 0, 30, 25);
    timed("nitems -1", items, -1, 0, -1);
    timed("items NULL, nitems 1", NULL, 1, 0, -1);

    /* Readable memory that is not a socket: libzmq checks its tag, zgss its
     * handle table; both refuse it. */
    unsigned char garbage[256];
    memset(garbage, 0x5a, sizeof garbage);
    zmq_pollitem_t bad[] = { { pull, 0, ZMQ_POLLIN, 0 }, { garbage, 0, ZMQ_POLLIN, 0 } };
    timed("a garbage socket pointer", bad, 2, 0, -1);
    timed("a garbage socket pointer, timeout 50", bad, 2, 50, -1);
    void *ctx_as_socket = ctx;
    zmq_pollitem_t context_item = { ctx_as_socket, 0, ZMQ_POLLIN, 0 };
    timed("a context as the socket", &context_item, 1, 0, -1);

    int zero = 0;
    zmq_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(pull);
    zmq_close(sub);
    zmq_close(push);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}
