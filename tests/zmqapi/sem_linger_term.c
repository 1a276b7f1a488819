// SPDX-License-Identifier: MIT
// ZMQ_LINGER at close + zmq_ctx_term, as in libzmq 4.3.4. A ventilator
// PUSH connect()s to a worker endpoint where nothing listens yet and
// queues 100 tasks, then closes and terminates its context:
//   linger 0:    term returns at once; a worker bound afterwards gets 0;
//   linger 500:  no worker ever appears: term returns (after the linger);
//   linger 5000: a worker binds 100 ms later: it gets all 100, term returns;
//   default (-1): the same with a worker 300 ms later.
// The worker is a PULL in its own context and thread. Prints only counts
// and that term returned (never timings).
#include <zmq.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

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
    int delay_ms;
    int received;
    int failed;
};

// Binds a PULL after `delay_ms` and counts until 1 s of silence.
static void *worker_main(void *raw)
{
    struct worker *w = raw;
    usleep((useconds_t)w->delay_ms * 1000);
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    int timeout = 1000, linger = 0;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(pull, w->endpoint) != 0) w->failed = 1;
    char buffer[16];
    while (zmq_recv(pull, buffer, sizeof buffer, 0) >= 0) w->received++;
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return NULL;
}

// linger -2: leave ZMQ_LINGER at its default. worker_delay -1: no worker;
// -2: a worker bound only after zmq_ctx_term returned.
static int ventilate(int linger, int worker_delay)
{
    struct worker worker = { .delay_ms = worker_delay, .received = 0 };
    int port = free_port();
    CHECK(port > 0);
    snprintf(worker.endpoint, sizeof worker.endpoint, "tcp://127.0.0.1:%d", port);
    void *ctx = zmq_ctx_new();
    void *vent = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(vent);
    if (linger != -2) CHECK(zmq_setsockopt(vent, ZMQ_LINGER, &linger, sizeof linger) == 0);
    int value = 0;
    size_t size = sizeof value;
    CHECK(zmq_getsockopt(vent, ZMQ_LINGER, &value, &size) == 0);
    CHECK(zmq_connect(vent, worker.endpoint) == 0);
    int queued = 0;
    for (int i = 0; i < 100; i++)
        if (zmq_send(vent, "task", 4, ZMQ_DONTWAIT) == 4) queued++;
    pthread_t thread;
    if (worker_delay >= 0) CHECK(pthread_create(&thread, NULL, worker_main, &worker) == 0);
    CHECK(zmq_close(vent) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("linger %d: %d tasks queued, close and zmq_ctx_term returned", value, queued);
    if (worker_delay == -2) {
        worker.delay_ms = 0;
        CHECK(pthread_create(&thread, NULL, worker_main, &worker) == 0);
    }
    if (worker_delay != -1) {
        pthread_join(thread, NULL);
        CHECK(!worker.failed);
        printf(", the worker received %d", worker.received);
    }
    printf("\n");
    return 0;
}

int main(void)
{
    if (ventilate(0, -2)) return 1;
    if (ventilate(500, -1)) return 1;
    if (ventilate(5000, 100)) return 1;
    if (ventilate(-2, 300)) return 1;
    printf("done\n");
    return 0;
}
