// SPDX-License-Identifier: MIT
// The Guide's msgqueue pattern with our own code: REQ clients -> ROUTER
// [zmq_proxy in a thread] DEALER -> REP workers, every request answered
// through the proxy (envelopes kept both ways), then zmq_ctx_term ends the
// proxy with ETERM. The worker is bound to nothing until after the first
// request is sent, so the proxy must hold it until the DEALER has a peer.
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

struct proxy_args { void *frontend, *backend; int rc, err; };

static void *proxy_thread(void *arg)
{
    struct proxy_args *args = arg;
    args->rc = zmq_proxy(args->frontend, args->backend, NULL);
    args->err = zmq_errno();
    zmq_close(args->frontend);
    zmq_close(args->backend);
    return NULL;
}

static void *worker_thread(void *socket)
{
    char buffer[64];
    for (;;) {
        int n = zmq_recv(socket, buffer, sizeof buffer - 8, 0);
        if (n < 0) break;
        memcpy(buffer + n, " done", 5);
        if (zmq_send(socket, buffer, (size_t)n + 5, 0) < 0) break;
    }
    zmq_close(socket);
    return NULL;
}

static void set_int(void *socket, int option, int value)
{
    zmq_setsockopt(socket, option, &value, sizeof value);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CHECK(router && dealer);
    set_int(router, ZMQ_LINGER, 0);
    set_int(dealer, ZMQ_LINGER, 0);
    char front[256], back[256];
    size_t size = sizeof front;
    CHECK(zmq_bind(router, "tcp://127.0.0.1:*") == 0);
    CHECK(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, front, &size) == 0);
    size = sizeof back;
    CHECK(zmq_bind(dealer, "tcp://127.0.0.1:*") == 0);
    CHECK(zmq_getsockopt(dealer, ZMQ_LAST_ENDPOINT, back, &size) == 0);
    struct proxy_args args = { router, dealer, -2, 0 };
    pthread_t proxy;
    CHECK(pthread_create(&proxy, NULL, proxy_thread, &args) == 0);

    void *clients[2];
    for (int i = 0; i < 2; i++) {
        clients[i] = zmq_socket(ctx, ZMQ_REQ);
        CHECK(clients[i]);
        set_int(clients[i], ZMQ_LINGER, 0);
        set_int(clients[i], ZMQ_RCVTIMEO, 20000);
        CHECK(zmq_connect(clients[i], front) == 0);
    }
    CHECK(zmq_send(clients[0], "first", 5, 0) == 5);
    struct timespec pause = { 0, 200 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    void *worker = zmq_socket(ctx, ZMQ_REP);
    CHECK(worker);
    set_int(worker, ZMQ_LINGER, 0);
    CHECK(zmq_connect(worker, back) == 0);
    pthread_t work;
    CHECK(pthread_create(&work, NULL, worker_thread, worker) == 0);

    char buffer[64];
    int n = zmq_recv(clients[0], buffer, sizeof buffer, 0);
    CHECK(n >= 0);
    printf("client 0: \"%.*s\"\n", n, buffer);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 2; i++) {
            char request[32];
            int length = snprintf(request, sizeof request, "request %d.%d", i, round);
            CHECK(zmq_send(clients[i], request, (size_t)length, 0) == length);
        }
        for (int i = 0; i < 2; i++) {
            n = zmq_recv(clients[i], buffer, sizeof buffer, 0);
            CHECK(n >= 0);
            printf("client %d: \"%.*s\"\n", i, n, buffer);
        }
    }
    for (int i = 0; i < 2; i++) CHECK(zmq_close(clients[i]) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    CHECK(pthread_join(proxy, NULL) == 0);
    CHECK(pthread_join(work, NULL) == 0);
    printf("proxy returned %d, %s\n", args.rc, args.err == ETERM ? "ETERM" : "other");
    return 0;
}
