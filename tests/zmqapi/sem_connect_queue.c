// SPDX-License-Identifier: MIT
// What happens to messages sent before the peer exists, as in libzmq 4.3.4.
// (1) A PUSH connect()s to a port where nothing listens yet and sends 50
// messages (queued for that endpoint); a PULL then binds there and gets
// all 50, in order. (2) The Guide's taskvent the wrong way round: a PUSH
// binds and sends 100 tasks before any worker has connected; the sends
// block until a worker (another thread, another context) connects, then
// all 100 reach it, and close + zmq_ctx_term return. Prints what arrived.
#include <zmq.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

// A loopback port nothing listens on now (the kernel's pick, released).
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t size = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0
        || getsockname(fd, (struct sockaddr *)&address, &size) != 0) return -1;
    close(fd);
    return ntohs(address.sin_port);
}

struct worker {
    char endpoint[64];
    int received;
    int in_order;
    int failed;
};

// Connects a PULL after 200 ms and counts until 1 s of silence.
static void *late_worker(void *raw)
{
    struct worker *w = raw;
    usleep(200 * 1000);
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    int timeout = 1000, linger = 0;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(pull, w->endpoint) != 0) w->failed = 1;
    char buffer[16];
    w->in_order = 1;
    int n;
    while ((n = zmq_recv(pull, buffer, sizeof buffer - 1, 0)) >= 0) {
        buffer[n] = 0;
        char expected[32];
        snprintf(expected, sizeof expected, "task %d", w->received);
        if (strcmp(buffer, expected) != 0) w->in_order = 0;
        w->received++;
    }
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return NULL;
}

int main(void)
{
    // (1) connect first, the binder appears later.
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    int port = free_port();
    CHECK(port > 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(push);
    CHECK(zmq_connect(push, endpoint) == 0);
    int queued = 0;
    for (int i = 0; i < 50; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "queued %d", i);
        if (zmq_send(push, text, (size_t)n, ZMQ_DONTWAIT) == n) queued++;
    }
    printf("connect-first PUSH: %d of 50 sends queued before anyone listened\n", queued);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(pull);
    int timeout = 10000;
    CHECK(zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_bind(pull, endpoint) == 0);
    int in_order = 1;
    for (int i = 0; i < queued; i++) {
        char buffer[32], expected[32];
        int n = zmq_recv(pull, buffer, sizeof buffer - 1, 0);
        CHECK(n >= 0);
        buffer[n] = 0;
        snprintf(expected, sizeof expected, "queued %d", i);
        if (strcmp(buffer, expected) != 0) in_order = 0;
    }
    printf("PULL bound later: received %d, %s\n", queued, in_order ? "in order" : "OUT OF ORDER");
    CHECK(zmq_close(push) == 0);
    CHECK(zmq_close(pull) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);

    // (2) a binding ventilator that sends before its worker connects.
    ctx = zmq_ctx_new();
    void *vent = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(vent);
    CHECK(zmq_bind(vent, "tcp://127.0.0.1:*") == 0);
    struct worker worker = { .received = 0 };
    size_t size = sizeof worker.endpoint;
    CHECK(zmq_getsockopt(vent, ZMQ_LAST_ENDPOINT, worker.endpoint, &size) == 0);
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, late_worker, &worker) == 0);
    int sent = 0;
    for (int i = 0; i < 100; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "task %d", i);
        if (zmq_send(vent, text, (size_t)n, 0) == n) sent++;
    }
    printf("binding ventilator: %d of 100 blocking sends returned\n", sent);
    CHECK(zmq_close(vent) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("ventilator: close and zmq_ctx_term returned\n");
    pthread_join(thread, NULL);
    CHECK(!worker.failed);
    printf("late worker: received %d, %s\n", worker.received, worker.in_order ? "in order" : "OUT OF ORDER");
    printf("done\n");
    return 0;
}
