// SPDX-License-Identifier: MIT
/* C-ABI test of zgss_poll, ZMQ_FD and ZMQ_EVENTS beyond what a libzmq
 * program can compare (tests/zmqapi/poll_*.c do that): bad arguments
 * (items NULL, nitems < 0, socket pointers that are no socket at all:
 * small integers, all ones, freed memory, a closed socket, a context) fail
 * with libzmq's errno and never crash or read memory (run it under
 * valgrind: tools/test.sh's c-abi stage does); ZMQ_FD's edge-triggered
 * contract (readable when new, reset by ZMQ_EVENTS, readable again only
 * on a change, not reset by a getsockopt that fails for a NULL buffer);
 * a waiting zgss_poll woken by zgss_ctx_term (ETERM) and by a signal
 * (EINTR); a finite wait that does not spin; and (at compile time)
 * zgss_pollitem_t laid out exactly as zmq.h's zmq_pollitem_t.
 *   poll_abi_test
 * Prints "c-abi-poll: N passed, M failed". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* Stock libzmq's header first (zgss.h defines its shared constants only
 * where zmq.h has not), for the layout check below. */
#include <zmq.h>
#include <zgss.h>

#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;

/* A program built with zgss_zmq.h uses zgss_pollitem_t where it wrote
 * zmq_pollitem_t: the layouts must be libzmq 4.3.4's. */
_Static_assert(sizeof(zgss_pollitem_t) == sizeof(zmq_pollitem_t), "zgss_pollitem_t size");
_Static_assert(_Alignof(zgss_pollitem_t) == _Alignof(zmq_pollitem_t), "zgss_pollitem_t alignment");
_Static_assert(offsetof(zgss_pollitem_t, socket) == offsetof(zmq_pollitem_t, socket), "socket offset");
_Static_assert(offsetof(zgss_pollitem_t, fd) == offsetof(zmq_pollitem_t, fd), "fd offset");
_Static_assert(offsetof(zgss_pollitem_t, events) == offsetof(zmq_pollitem_t, events), "events offset");
_Static_assert(offsetof(zgss_pollitem_t, revents) == offsetof(zmq_pollitem_t, revents), "revents offset");
_Static_assert(sizeof(zgss_fd_t) == sizeof(zmq_fd_t), "zgss_fd_t");

#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (cond) {                                              \
            passed++;                                            \
        } else {                                                 \
            failed++;                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fprintf(stderr, "\n");                               \
        }                                                        \
    } while (0)

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void *make(void *ctx, int type) {
    void *socket = zgss_socket(ctx, type);
    int zero = 0;
    if (socket) zgss_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero);
    return socket;
}

/* Whether fd is readable right now. */
static int readable(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int events_of(void *socket) {
    int events = -1;
    size_t len = sizeof events;
    return zgss_getsockopt(socket, ZMQ_EVENTS, &events, &len) == 0 ? events : -1;
}

static int poll_refuses(void *socket, int want_errno) {
    zgss_pollitem_t items[2] = {{NULL, -1, ZMQ_POLLIN, 0}, {socket, 0, ZMQ_POLLIN, 0}};
    errno = 0;
    return zgss_poll(items, 2, 0) == -1 && zgss_errno() == want_errno;
}

static void arguments(void) {
    CHECK(zgss_poll(NULL, 0, 0) == 0, "NULL, 0 items, timeout 0");
    CHECK(zgss_poll(NULL, 0, 20) == 0, "NULL, 0 items, timeout 20");
    errno = 0;
    CHECK(zgss_poll(NULL, 1, 0) == -1 && zgss_errno() == EFAULT, "NULL items: errno %d", zgss_errno());
    errno = 0;
    CHECK(zgss_poll(NULL, 1, -1) == -1 && zgss_errno() == EFAULT, "NULL items, no timeout: errno %d", zgss_errno());
    zgss_pollitem_t item = {NULL, -1, ZMQ_POLLIN, 0};
    errno = 0;
    CHECK(zgss_poll(&item, -1, 0) == -1 && zgss_errno() == EINVAL, "nitems -1: errno %d", zgss_errno());
    CHECK(zgss_poll(&item, 1, 0) == 0 && item.revents == 0, "fd -1 is ignored");

    /* Pointers that are no socket: none of them is dereferenced. */
    void *foreign[] = {(void *)1, (void *)(uintptr_t)0xdeadbeef, (void *)(uintptr_t)UINTPTR_MAX,
                       (void *)(uintptr_t)0x5A47300000000001ull};
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
        CHECK(poll_refuses(foreign[i], ENOTSOCK), "foreign pointer %zu: errno %d", i, zgss_errno());
    unsigned char *heap = malloc(64);
    memset(heap, 0x5a, 64);
    CHECK(poll_refuses(heap, ENOTSOCK), "heap garbage: errno %d", zgss_errno());
    uintptr_t stale = (uintptr_t)heap;
    free(heap);
    CHECK(poll_refuses((void *)stale, ENOTSOCK), "freed memory: errno %d", zgss_errno());

    void *ctx = zgss_ctx_new();
    CHECK(poll_refuses(ctx, ENOTSOCK), "a context as the socket: errno %d", zgss_errno());
    void *socket = make(ctx, ZMQ_PULL);
    CHECK(socket != NULL, "socket");
    zgss_pollitem_t live = {socket, 0, ZMQ_POLLIN, 0};
    CHECK(zgss_poll(&live, 1, 0) == 0, "a live idle socket");
    zgss_close(socket);
    CHECK(poll_refuses(socket, ENOTSOCK), "a closed socket: errno %d", zgss_errno());
    size_t len = sizeof(int);
    int fd;
    CHECK(zgss_getsockopt(socket, ZMQ_FD, &fd, &len) == -1 && zgss_errno() == ENOTSOCK, "ZMQ_FD, closed");
    CHECK(zgss_ctx_term(ctx) == 0, "term");
}

/* Receives one single-byte message the way an event loop does: wait on
 * ZMQ_FD only while ZMQ_EVENTS shows nothing. Returns the byte, or -1. */
static int receive_one(void *socket, int fd, char *buffer) {
    long long until = now_ms() + 10000;
    while (now_ms() < until) {
        int events = events_of(socket);
        if (events < 0) return -1;
        if (events & ZMQ_POLLIN) return zgss_recv(socket, buffer, 4, ZMQ_DONTWAIT) == 1 ? buffer[0] : -1;
        struct pollfd wait = {fd, POLLIN, 0};
        poll(&wait, 1, 1000);
    }
    return -1;
}

/* ZMQ_FD: readable when new, reset by ZMQ_EVENTS, readable again when a
 * message arrives, and (edge-triggered) not again for the message still
 * queued once ZMQ_EVENTS has been read. */
static void edge_triggered(void) {
    void *ctx = zgss_ctx_new();
    void *pull = make(ctx, ZMQ_PULL);
    void *push = make(ctx, ZMQ_PUSH);
    char endpoint[256];
    size_t len = sizeof endpoint;
    CHECK(zgss_bind(pull, "tcp://127.0.0.1:*") == 0 && zgss_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0,
          "bind");
    CHECK(zgss_connect(push, endpoint) == 0, "connect");
    int fd = -1;
    len = sizeof fd;
    CHECK(zgss_getsockopt(pull, ZMQ_FD, &fd, &len) == 0 && fd >= 0 && len == sizeof fd, "ZMQ_FD");
    CHECK(readable(fd), "a new ZMQ_FD is readable");
    /* A getsockopt that fails for a NULL buffer must not consume the edge. */
    len = sizeof(int);
    CHECK(zgss_getsockopt(pull, ZMQ_EVENTS, NULL, &len) == -1 && zgss_errno() == EFAULT, "ZMQ_EVENTS into NULL");
    CHECK(zgss_getsockopt(pull, ZMQ_EVENTS, &len, NULL) == -1 && zgss_errno() == EFAULT, "ZMQ_EVENTS, NULL length");
    CHECK(readable(fd), "still readable after the failed reads");
    CHECK(events_of(pull) == 0, "ZMQ_EVENTS of an idle PULL");
    CHECK(!readable(fd), "ZMQ_EVENTS resets ZMQ_FD");
    CHECK(zgss_send(push, "a", 1, 0) == 1 && zgss_send(push, "b", 1, 0) == 1, "send two");
    struct pollfd wait = {fd, POLLIN, 0};
    CHECK(poll(&wait, 1, 10000) == 1, "ZMQ_FD becomes readable when messages arrive");
    char buffer[4];
    CHECK(receive_one(pull, fd, buffer) == 'a' && receive_one(pull, fd, buffer) == 'b', "received a, b");
    CHECK(zgss_send(push, "c", 1, 0) == 1 && zgss_send(push, "d", 1, 0) == 1, "send two more");
    CHECK(receive_one(pull, fd, buffer) == 'c', "received c");
    /* Wait until d is queued too, then read ZMQ_EVENTS: the fd is reset
     * although d is still waiting. */
    long long until = now_ms() + 10000;
    while (!(events_of(pull) & ZMQ_POLLIN) && now_ms() < until) pause_ms(5);
    pause_ms(50);
    CHECK(events_of(pull) == ZMQ_POLLIN, "d is queued");
    CHECK(!readable(fd), "edge-triggered: not readable for a message already reported");
    zgss_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    CHECK(zgss_poll(&item, 1, 0) == 1 && item.revents == ZMQ_POLLIN, "zgss_poll still finds d");
    CHECK(zgss_recv(pull, buffer, sizeof buffer, ZMQ_DONTWAIT) == 1 && buffer[0] == 'd', "received d");
    int again = -1;
    len = sizeof again;
    CHECK(zgss_getsockopt(pull, ZMQ_FD, &again, &len) == 0 && again == fd, "ZMQ_FD is stable");
    zgss_close(pull);
    zgss_close(push);
    CHECK(zgss_ctx_term(ctx) == 0, "term");
}

/* A finite wait sleeps: 300 ms of zgss_poll on idle sockets costs almost
 * no CPU time, and a spurious signal (a message that SUB filters out)
 * does not end the wait early. */
static void no_spin(void) {
    void *ctx = zgss_ctx_new();
    void *pub = make(ctx, ZMQ_PUB);
    void *sub = make(ctx, ZMQ_SUB);
    char endpoint[256];
    size_t len = sizeof endpoint;
    CHECK(zgss_bind(pub, "tcp://127.0.0.1:*") == 0 && zgss_getsockopt(pub, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0,
          "bind");
    CHECK(zgss_setsockopt(sub, ZMQ_SUBSCRIBE, "wanted", 6) == 0 && zgss_connect(sub, endpoint) == 0, "sub");
    /* Until the subscription is in place, probe with wanted messages. */
    zgss_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    int got = 0;
    for (int i = 0; i < 400 && !got; i++) {
        zgss_send(pub, "wanted", 6, 0);
        got = zgss_poll(&item, 1, 25) == 1;
    }
    CHECK(got, "subscription works");
    char buffer[16];
    while (zgss_recv(sub, buffer, sizeof buffer, ZMQ_DONTWAIT) >= 0) {}
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    long long start = now_ms();
    for (int i = 0; i < 20; i++) zgss_send(pub, "unwanted", 8, 0);
    int rc = zgss_poll(&item, 1, 300);
    long long took = now_ms() - start;
    getrusage(RUSAGE_SELF, &after);
    long cpu_ms = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1000 +
                  (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1000 +
                  (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000 +
                  (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1000;
    CHECK(rc == 0 && item.revents == 0, "filtered messages are no event: rc %d", rc);
    CHECK(took >= 290, "waited the whole timeout despite the wake-ups: %lld ms", took);
    /* Generous: valgrind makes every wake-up cost; spinning for 300 ms
     * would cost about 300. */
    CHECK(cpu_ms < 150, "no busy waiting: %ld ms of CPU in a 300 ms wait", cpu_ms);
    zgss_close(pub);
    zgss_close(sub);
    CHECK(zgss_ctx_term(ctx) == 0, "term");
}

struct waiter {
    void *socket;
    int rc, error;
    volatile int started;
};

static void *wait_forever(void *arg) {
    struct waiter *w = arg;
    zgss_pollitem_t item = {w->socket, 0, ZMQ_POLLIN, 0};
    w->started = 1;
    w->rc = zgss_poll(&item, 1, -1);
    w->error = zgss_errno();
    return NULL;
}

static void *terminate(void *ctx) {
    zgss_ctx_term(ctx);
    return NULL;
}

/* zgss_ctx_term wakes a zgss_poll that waits without limit: ETERM. */
static void terminated(void) {
    void *ctx = zgss_ctx_new();
    struct waiter w = {make(ctx, ZMQ_PULL), 0, 0, 0};
    pthread_t poller, terminator;
    pthread_create(&poller, NULL, wait_forever, &w);
    while (!w.started) pause_ms(1);
    pause_ms(100);
    pthread_create(&terminator, NULL, terminate, ctx);
    pthread_join(poller, NULL);
    CHECK(w.rc == -1 && w.error == ETERM, "zgss_poll during zgss_ctx_term: rc %d errno %d", w.rc, w.error);
    int fd;
    size_t len = sizeof fd;
    CHECK(zgss_getsockopt(w.socket, ZMQ_FD, &fd, &len) == -1 && zgss_errno() == ETERM, "ZMQ_FD after term");
    len = sizeof fd;
    CHECK(zgss_getsockopt(w.socket, ZMQ_EVENTS, &fd, &len) == -1 && zgss_errno() == ETERM, "ZMQ_EVENTS after term");
    zgss_close(w.socket);
    pthread_join(terminator, NULL);
}

static void on_signal(int signal) { (void)signal; }

/* A signal interrupts the wait: -1/EINTR, as zmq_poll. */
static void interrupted(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal; /* no SA_RESTART */
    sigaction(SIGUSR1, &action, NULL);
    void *ctx = zgss_ctx_new();
    struct waiter w = {make(ctx, ZMQ_PULL), 0, 0, 0};
    pthread_t poller;
    pthread_create(&poller, NULL, wait_forever, &w);
    while (!w.started) pause_ms(1);
    pause_ms(100);
    pthread_kill(poller, SIGUSR1);
    pthread_join(poller, NULL);
    CHECK(w.rc == -1 && w.error == EINTR, "zgss_poll interrupted: rc %d errno %d", w.rc, w.error);
    zgss_close(w.socket);
    CHECK(zgss_ctx_term(ctx) == 0, "term");
}

int main(void) {
    arguments();
    edge_triggered();
    no_spin();
    terminated();
    interrupted();
    printf("c-abi-poll: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
