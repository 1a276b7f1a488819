// SPDX-License-Identifier: MIT
// A wuproxy-shaped forwarder of our own: PUB -> XSUB [zmq_proxy_steerable
// in a thread] XPUB -> SUB, with a capture socket (PUSH -> PULL) and a
// PAIR control socket. The SUB's subscription travels up through the
// proxy, filtered data comes down; PAUSE holds messages back until RESUME
// (STATISTICS serves as the point where PAUSE is known to be in effect);
// the statistics count the subscription traffic exactly; TERMINATE makes
// the proxy return 0; the capture saw the subscription and the commands.
// A second proxy, with no control socket, ends with ETERM when the
// context is terminated.
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

struct proxy_args { void *frontend, *backend, *capture, *control; int rc, err; };

static void *proxy_thread(void *arg)
{
    struct proxy_args *args = arg;
    args->rc = zmq_proxy_steerable(args->frontend, args->backend, args->capture, args->control);
    args->err = args->rc == 0 ? 0 : zmq_errno();
    return NULL;
}

static void *term_thread(void *ctx)
{
    zmq_ctx_term(ctx);
    return NULL;
}

static int bind_any(void *socket, char *endpoint, size_t size)
{
    if (zmq_bind(socket, "tcp://127.0.0.1:*") != 0) return -1;
    return zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &size);
}

static void set_int(void *socket, int option, int value)
{
    zmq_setsockopt(socket, option, &value, sizeof value);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    void *capture = zmq_socket(ctx, ZMQ_PUSH);
    void *captured = zmq_socket(ctx, ZMQ_PULL);
    void *control = zmq_socket(ctx, ZMQ_PAIR);
    void *steer = zmq_socket(ctx, ZMQ_PAIR);
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    CHECK(xsub && xpub && capture && captured && control && steer && pub && sub);
    void *all[] = { xsub, xpub, capture, captured, control, steer, pub, sub };
    for (int i = 0; i < 8; i++) set_int(all[i], ZMQ_LINGER, 0);
    set_int(sub, ZMQ_RCVTIMEO, 20000);
    set_int(captured, ZMQ_RCVTIMEO, 20000);
    set_int(steer, ZMQ_RCVTIMEO, 20000);

    char xsub_at[256], xpub_at[256], capture_at[256], control_at[256];
    CHECK(bind_any(xsub, xsub_at, sizeof xsub_at) == 0);
    CHECK(bind_any(xpub, xpub_at, sizeof xpub_at) == 0);
    CHECK(bind_any(captured, capture_at, sizeof capture_at) == 0);
    CHECK(bind_any(control, control_at, sizeof control_at) == 0);
    CHECK(zmq_connect(capture, capture_at) == 0);
    CHECK(zmq_connect(steer, control_at) == 0);
    CHECK(zmq_connect(pub, xsub_at) == 0);
    CHECK(zmq_connect(sub, xpub_at) == 0);

    struct proxy_args args = { xsub, xpub, capture, control, -2, 0 };
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, proxy_thread, &args) == 0);

    // The subscription reaches the PUB through the proxy at some point:
    // publish until the first matching message arrives.
    CHECK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "A", 1) == 0);
    char buffer[64];
    int n;
    for (;;) {
        CHECK(zmq_send(pub, "B skipped", 9, 0) == 9);
        CHECK(zmq_send(pub, "A first", 7, 0) == 7);
        n = zmq_recv(sub, buffer, sizeof buffer, ZMQ_DONTWAIT);
        if (n >= 0) break;
        CHECK(zmq_errno() == EAGAIN);
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    printf("SUB got \"%.*s\"\n", n, buffer);
    // Drain the copies of "A first" sent while waiting, up to a marker.
    CHECK(zmq_send(pub, "A marker", 8, 0) == 8);
    do {
        n = zmq_recv(sub, buffer, sizeof buffer, 0);
        CHECK(n >= 0);
    } while (n != 8 || memcmp(buffer, "A marker", 8) != 0);
    printf("SUB got \"A marker\"\n");

    // PAUSE, then STATISTICS: once its answer is here, PAUSE is in effect.
    CHECK(zmq_send(steer, "PAUSE", 5, 0) == 5);
    CHECK(zmq_send(steer, "STATISTICS", 10, 0) == 10);
    uint64_t stats[8];
    for (int i = 0; i < 8; i++) {
        n = zmq_recv(steer, &stats[i], sizeof stats[i], 0);
        CHECK(n == 8);
        int more = 0;
        size_t more_size = sizeof more;
        CHECK(zmq_getsockopt(steer, ZMQ_RCVMORE, &more, &more_size) == 0);
        CHECK(more == (i < 7));
    }
    // Frontend = XSUB, backend = XPUB: the backend took in one message,
    // the subscription "\x01A" (2 bytes), which left by the frontend.
    printf("statistics: backend in %llu msgs %llu bytes, frontend out %llu msgs %llu bytes\n",
           (unsigned long long)stats[4], (unsigned long long)stats[5],
           (unsigned long long)stats[2], (unsigned long long)stats[3]);
    printf("statistics: frontend in == backend out: %s\n",
           stats[0] == stats[6] && stats[1] == stats[7] && stats[0] > 0 ? "yes" : "no");

    CHECK(zmq_send(pub, "A while paused", 14, 0) == 14);
    struct timespec wait = { 0, 300 * 1000 * 1000 };
    nanosleep(&wait, NULL);
    n = zmq_recv(sub, buffer, sizeof buffer, ZMQ_DONTWAIT);
    printf("while paused: %s\n", n < 0 && zmq_errno() == EAGAIN ? "nothing" : "a message");
    CHECK(zmq_send(steer, "RESUME", 6, 0) == 6);
    n = zmq_recv(sub, buffer, sizeof buffer, 0);
    CHECK(n >= 0);
    printf("after RESUME: \"%.*s\"\n", n, buffer);

    CHECK(zmq_send(steer, "TERMINATE", 9, 0) == 9);
    CHECK(pthread_join(thread, NULL) == 0);
    printf("proxy returned %d\n", args.rc);

    // The capture: the subscription and every command, in order, among
    // the data copies.
    const char *expected[] = { "\1A", "PAUSE", "STATISTICS", "RESUME", "TERMINATE" };
    size_t next = 0;
    while (next < 5) {
        n = zmq_recv(captured, buffer, sizeof buffer, 0);
        CHECK(n >= 0);
        if ((size_t)n == strlen(expected[next]) && memcmp(buffer, expected[next], (size_t)n) == 0) next++;
    }
    printf("capture saw the subscription and the four commands in order\n");

    // A proxy without control: context termination ends it with ETERM.
    struct proxy_args second = { xsub, xpub, NULL, NULL, -2, 0 };
    CHECK(pthread_create(&thread, NULL, proxy_thread, &second) == 0);
    for (int i = 0; i < 8; i++) if (all[i] != xsub && all[i] != xpub) CHECK(zmq_close(all[i]) == 0);
    // zmq_ctx_term blocks until the proxy thread closes its sockets.
    pthread_t terminator;
    CHECK(pthread_create(&terminator, NULL, term_thread, ctx) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    printf("proxy without control returned %d, %s\n", second.rc, second.err == ETERM ? "ETERM" : "other");
    CHECK(zmq_close(xsub) == 0);
    CHECK(zmq_close(xpub) == 0);
    CHECK(pthread_join(terminator, NULL) == 0);
    printf("done\n");
    return 0;
}
