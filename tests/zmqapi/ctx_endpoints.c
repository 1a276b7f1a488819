// SPDX-License-Identifier: MIT
// zmq_unbind / zmq_disconnect: errors (unknown endpoint ENOENT, malformed
// EINVAL, unknown transport EPROTONOSUPPORT), the two accept either kind
// of endpoint, a wildcard bind is
// named by its ZMQ_LAST_ENDPOINT, a disconnected endpoint can be
// connected again. Context options: defaults, values read back, EINVAL cases,
// ZMQ_MAX_SOCKETS, ZMQ_BLOCKY and ZMQ_IPV6 as new sockets' defaults;
// zmq_sleep and the stopwatch.
#include <zmq.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static const char *err_name(int rc)
{
    if (rc == 0) return "0";
    switch (zmq_errno()) {
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EMFILE: return "EMFILE";
    case EFAULT: return "EFAULT";
    case ENOTSOCK: return "ENOTSOCK";
    default: return "other";
    }
}

static int endpoints(void *ctx)
{
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(pull && push);
    int zero = 0, timeout = 20000;
    CHECK(zmq_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK(zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK(zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    printf("unbind unknown: %s\n", err_name(zmq_unbind(pull, "tcp://127.0.0.1:1")));
    printf("disconnect unknown: %s\n", err_name(zmq_disconnect(push, "tcp://127.0.0.1:1")));
    printf("unbind malformed: %s\n", err_name(zmq_unbind(pull, "nonsense")));
    printf("disconnect unknown transport: %s\n", err_name(zmq_disconnect(push, "bogus://x")));

    CHECK(zmq_bind(pull, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(zmq_connect(push, endpoint) == 0);
    char buffer[16];
    CHECK(zmq_send(push, "one", 3, 0) == 3);
    CHECK(zmq_recv(pull, buffer, sizeof buffer, 0) == 3);
    printf("disconnect connected: %s\n", err_name(zmq_disconnect(push, endpoint)));
    printf("disconnect again: %s\n", err_name(zmq_disconnect(push, endpoint)));
    CHECK(zmq_connect(push, endpoint) == 0);
    CHECK(zmq_send(push, "two", 3, 0) == 3);
    int n = zmq_recv(pull, buffer, sizeof buffer, 0);
    printf("after reconnect: \"%.*s\"\n", n > 0 ? n : 0, buffer);
    // Either call removes either kind: zmq_unbind of a connected endpoint.
    printf("unbind of a connected endpoint: %s\n", err_name(zmq_unbind(push, endpoint)));
    printf("unbind bound: %s\n", err_name(zmq_unbind(pull, endpoint)));
    printf("unbind again: %s\n", err_name(zmq_unbind(pull, endpoint)));

    // A wildcard bind is known by what ZMQ_LAST_ENDPOINT says.
    CHECK(zmq_bind(pull, "tcp://*:*") == 0);
    size = sizeof endpoint;
    CHECK(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    printf("unbind wildcard by last endpoint: %s\n", err_name(zmq_unbind(pull, endpoint)));
    CHECK(zmq_close(push) == 0);
    CHECK(zmq_close(pull) == 0);

    return 0;
}

static int context_options(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    const struct { const char *name; int option; } readable[] = {
        { "ZMQ_IO_THREADS", ZMQ_IO_THREADS }, { "ZMQ_MAX_SOCKETS", ZMQ_MAX_SOCKETS },
        { "ZMQ_SOCKET_LIMIT", ZMQ_SOCKET_LIMIT }, { "ZMQ_IPV6", ZMQ_IPV6 }, { "ZMQ_BLOCKY", ZMQ_BLOCKY },
        { "ZMQ_MAX_MSGSZ", ZMQ_MAX_MSGSZ }, { "ZMQ_MSG_T_SIZE", ZMQ_MSG_T_SIZE },
        { "ZMQ_THREAD_SCHED_POLICY", ZMQ_THREAD_SCHED_POLICY },
    };
    for (size_t i = 0; i < sizeof readable / sizeof readable[0]; i++) {
        int value = zmq_ctx_get(ctx, readable[i].option);
        printf("default %s: %s\n", readable[i].name, value == INT_MAX ? "INT_MAX" : value == -1 ? "-1" : "");
        if (value != INT_MAX && value != -1) printf("  = %d\n", value);
    }
    printf("get unknown: %s\n", err_name(zmq_ctx_get(ctx, 999) == -1 ? -1 : 0));
    printf("set unknown: %s\n", err_name(zmq_ctx_set(ctx, 999, 1)));
    printf("set IO_THREADS -1: %s\n", err_name(zmq_ctx_set(ctx, ZMQ_IO_THREADS, -1)));
    printf("set MAX_SOCKETS 0: %s\n", err_name(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 0)));
    printf("set BLOCKY -1: %s\n", err_name(zmq_ctx_set(ctx, ZMQ_BLOCKY, -1)));
    // 3 is ZMQ_THREAD_PRIORITY when set, ZMQ_SOCKET_LIMIT when read.
    printf("set 3 (THREAD_PRIORITY): %s\n", err_name(zmq_ctx_set(ctx, ZMQ_THREAD_PRIORITY, 10)));
    printf("read 3 (SOCKET_LIMIT): %d\n", zmq_ctx_get(ctx, ZMQ_SOCKET_LIMIT));
    printf("remove an affinity never added: %s\n", err_name(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0)));
    printf("add affinity: %s\n", err_name(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 0)));
    printf("then remove it: %s\n", err_name(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0)));
    printf("set on NULL: %s\n", err_name(zmq_ctx_set(NULL, ZMQ_IO_THREADS, 1)));
    CHECK(zmq_ctx_set(ctx, ZMQ_IO_THREADS, 2) == 0);
    CHECK(zmq_ctx_set(ctx, ZMQ_MAX_MSGSZ, 4096) == 0);
    CHECK(zmq_ctx_set(ctx, ZMQ_THREAD_SCHED_POLICY, 0) == 0);
    CHECK(zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, 7) == 0);
    printf("IO_THREADS %d, MAX_MSGSZ %d, THREAD_SCHED_POLICY %d, THREAD_NAME_PREFIX %d\n",
           zmq_ctx_get(ctx, ZMQ_IO_THREADS), zmq_ctx_get(ctx, ZMQ_MAX_MSGSZ),
           zmq_ctx_get(ctx, ZMQ_THREAD_SCHED_POLICY), zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX));

    // New sockets' defaults; at most two sockets.
    CHECK(zmq_ctx_set(ctx, ZMQ_BLOCKY, 0) == 0);
    CHECK(zmq_ctx_set(ctx, ZMQ_IPV6, 1) == 0);
    CHECK(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 2) == 0);
    printf("BLOCKY %d, IPV6 %d, MAX_SOCKETS %d\n", zmq_ctx_get(ctx, ZMQ_BLOCKY), zmq_ctx_get(ctx, ZMQ_IPV6),
           zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    CHECK(push && xsub);
    void *third = zmq_socket(ctx, ZMQ_PULL);
    printf("third socket: %s\n", third ? "made" : err_name(-1));
    int linger = 99, ipv6 = 99;
    size_t size = sizeof linger;
    CHECK(zmq_getsockopt(push, ZMQ_LINGER, &linger, &size) == 0);
    size = sizeof ipv6;
    CHECK(zmq_getsockopt(push, ZMQ_IPV6, &ipv6, &size) == 0);
    printf("new socket: ZMQ_LINGER %d, ZMQ_IPV6 %d\n", linger, ipv6);
    size = sizeof linger;
    CHECK(zmq_getsockopt(xsub, ZMQ_LINGER, &linger, &size) == 0);
    printf("XSUB ZMQ_LINGER %d\n", linger);
    // Not blocky: a message for a peer that never comes does not hold up
    // the termination.
    CHECK(zmq_connect(push, "tcp://127.0.0.1:1") == 0);
    CHECK(zmq_send(push, "lost", 4, ZMQ_DONTWAIT) == 4);
    CHECK(zmq_close(push) == 0);
    CHECK(zmq_close(xsub) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("terminated with a message pending\n");

    void *watch = zmq_stopwatch_start();
    CHECK(watch);
    zmq_sleep(1);
    unsigned long middle = zmq_stopwatch_intermediate(watch);
    unsigned long elapsed = zmq_stopwatch_stop(watch);
    printf("stopwatch after zmq_sleep(1): %s\n",
           middle >= 1000000 && elapsed >= middle && elapsed < 30000000 ? "1 s or more" : "wrong");
    return 0;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    if (endpoints(ctx)) return 1;
    CHECK(zmq_ctx_term(ctx) == 0);
    if (context_options()) return 1;
    printf("done\n");
    return 0;
}
