// SPDX-License-Identifier: MIT
// An event loop on ZMQ_FD: a PULL socket's descriptor in an edge-triggered
// epoll set, and the drain pattern libzmq's documentation asks for (on
// each wake-up read ZMQ_EVENTS and receive with ZMQ_DONTWAIT while it
// shows ZMQ_POLLIN). A PUSH peer in another thread sends N messages in
// bursts; the loop must get all of them, in order, without busy waiting.
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#define MESSAGES 2000
#define BURST 100

static void *ctx;
static char endpoint[256];

static void *pusher(void *arg)
{
    (void)arg;
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    if (!push || zmq_connect(push, endpoint) != 0) return (void *)1;
    for (int i = 0; i < MESSAGES; i++) {
        char text[32];
        int length = snprintf(text, sizeof text, "message %d", i);
        if (zmq_send(push, text, (size_t)length, 0) != length) return (void *)1;
        if (i % BURST == BURST - 1) {
            struct timespec pause = { 0, 2 * 1000 * 1000 };
            nanosleep(&pause, NULL);
        }
    }
    zmq_close(push); /* ZMQ_LINGER -1: everything is delivered */
    return NULL;
}

static int events_of(void *socket)
{
    int events = 0;
    size_t size = sizeof events;
    return zmq_getsockopt(socket, ZMQ_EVENTS, &events, &size) == 0 ? events : -1;
}

int main(void)
{
    ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(ctx && pull);
    size_t size = sizeof endpoint;
    CHECK(zmq_bind(pull, "tcp://127.0.0.1:*") == 0);
    CHECK(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);

    zmq_fd_t fd;
    size = sizeof fd;
    CHECK(zmq_getsockopt(pull, ZMQ_FD, &fd, &size) == 0);
    printf("ZMQ_FD: size %zu, valid %s\n", size, fd >= 0 ? "yes" : "no");
    zmq_fd_t again = -1;
    size = sizeof again;
    CHECK(zmq_getsockopt(pull, ZMQ_FD, &again, &size) == 0);
    printf("ZMQ_FD twice: the same descriptor %s\n", again == fd ? "yes" : "no");
    long long wide = 0;
    size = sizeof wide;
    int rc = zmq_getsockopt(pull, ZMQ_FD, &wide, &size);
    printf("ZMQ_FD into 8 bytes: rc %d, size %zu\n", rc, size);
    short narrow;
    size = sizeof narrow;
    rc = zmq_getsockopt(pull, ZMQ_FD, &narrow, &size);
    printf("ZMQ_FD into 2 bytes: rc %d, %s\n", rc, rc == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");

    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    struct epoll_event interest = { .events = EPOLLIN | EPOLLET };
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &interest) == 0);

    pthread_t thread;
    pthread_create(&thread, NULL, pusher, NULL);
    int received = 0, in_order = 1, timeouts = 0;
    while (received < MESSAGES) {
        /* Before waiting, and after each wake-up: drain what ZMQ_EVENTS
         * shows (the descriptor only signals changes). */
        for (;;) {
            int events = events_of(pull);
            CHECK(events >= 0);
            if (!(events & ZMQ_POLLIN)) break;
            char text[32], expected[32];
            int length = zmq_recv(pull, text, sizeof text - 1, ZMQ_DONTWAIT);
            CHECK(length >= 0 && length < (int)sizeof text);
            text[length] = 0;
            snprintf(expected, sizeof expected, "message %d", received);
            if (strcmp(text, expected) != 0) in_order = 0;
            received++;
        }
        if (received == MESSAGES) break;
        struct epoll_event ready;
        int n = epoll_wait(ep, &ready, 1, 10000);
        CHECK(n >= 0 || errno == EINTR);
        if (n == 0 && ++timeouts > 2) break;
    }
    void *failed;
    pthread_join(thread, &failed);
    CHECK(failed == NULL);
    printf("received %d of %d messages, in order: %s, epoll timeouts: %d\n", received, MESSAGES,
           in_order ? "yes" : "no", timeouts);
    printf("ZMQ_EVENTS after the drain: %d\n", events_of(pull));
    close(ep);
    int zero = 0;
    zmq_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(pull);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return received == MESSAGES ? 0 : 1;
}
