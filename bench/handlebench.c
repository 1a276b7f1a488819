// SPDX-License-Identifier: MIT
/* handlebench: what a call costs the C ABI's handle check, in ns per call.
 * No network and no realm needed.
 *   cc -O2 bench/handlebench.c $(pkg-config --cflags --libs zgss) -lpthread -o handlebench
 *   ./handlebench [MILLIONS]        (default 5 million calls per cell)
 * Cells (each prints "cell=... ns_per_call=..."):
 *   mech_status      zgss_mech_status on a live mechanism: the lookup and
 *                    almost nothing else (the pinned path of zgss_send/recv)
 *   mech_is_server   zgss_mech_is_server: the lookup that retains the
 *                    object, as most calls do
 *   bad_handle       zgss_mech_status on a destroyed mechanism (refused)
 *   recv_dontwait    zgss_recv(ZMQ_DONTWAIT) on an empty PULL socket: the
 *                    per-message path of zgss_recv up to the empty queue
 *   send_dontwait    zgss_send(ZMQ_DONTWAIT) on a PUSH with no peer
 *   getsockopt       zgss_getsockopt(ZMQ_RCVMORE), read once per message part
 *   two_threads      two threads, each calling zgss_mech_status on its own
 *                    mechanism (ns per call per thread)
 *   shared_handle    two threads calling zgss_mech_status on one mechanism */
#define _GNU_SOURCE
#include <zgss.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long calls = 5000000;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static zgss_mech_t *server_mech(zgss_config_t **config)
{
    int one = 1;
    *config = zgss_config_new();
    zgss_config_set(*config, ZMQ_GSSAPI_SERVER, &one, sizeof one);
    zgss_mech_t *mech = zgss_mech_new(*config, ZMQ_REP, NULL, 0);
    if (!mech) {
        fprintf(stderr, "handlebench: zgss_mech_new: %s\n", zgss_config_last_error(*config));
        exit(1);
    }
    return mech;
}

static void *status_loop(void *mech)
{
    volatile int sink = 0;
    for (long i = 0; i < calls; i++) sink += zgss_mech_status(mech);
    (void)sink;
    return NULL;
}

static void *is_server_loop(void *mech)
{
    volatile int sink = 0;
    for (long i = 0; i < calls; i++) sink += zgss_mech_is_server(mech);
    (void)sink;
    return NULL;
}

static void report(const char *cell, double seconds, long n)
{
    printf("cell=%s ns_per_call=%.1f\n", cell, seconds * 1e9 / (double)n);
}

int main(int argc, char **argv)
{
    if (argc > 1) calls = (long)(atof(argv[1]) * 1e6);
    zgss_config_t *c1, *c2;
    zgss_mech_t *m1 = server_mech(&c1), *m2 = server_mech(&c2);

    double t = now();
    status_loop(m1);
    report("mech_status", now() - t, calls);
    t = now();
    is_server_loop(m1);
    report("mech_is_server", now() - t, calls);

    zgss_config_t *c3;
    zgss_mech_t *gone = server_mech(&c3);
    zgss_mech_destroy(gone);
    t = now();
    status_loop(gone);
    report("bad_handle", now() - t, calls);

    void *ctx = zgss_ctx_new();
    void *pull = zgss_socket(ctx, ZMQ_PULL);
    void *push = zgss_socket(ctx, ZMQ_PUSH);
    char buf[64] = {0};
    t = now();
    for (long i = 0; i < calls; i++) zgss_recv(pull, buf, sizeof buf, ZMQ_DONTWAIT);
    report("recv_dontwait", now() - t, calls);
    t = now();
    for (long i = 0; i < calls; i++) zgss_send(push, buf, sizeof buf, ZMQ_DONTWAIT);
    report("send_dontwait", now() - t, calls);
    int more;
    size_t more_len = sizeof more;
    t = now();
    for (long i = 0; i < calls; i++) zgss_getsockopt(pull, ZMQ_RCVMORE, &more, &more_len);
    report("getsockopt", now() - t, calls);
    int zero = 0;
    zgss_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero);
    zgss_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    zgss_close(pull);
    zgss_close(push);
    zgss_ctx_term(ctx);

    pthread_t a, b;
    t = now();
    pthread_create(&a, NULL, status_loop, m1);
    pthread_create(&b, NULL, status_loop, m2);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    report("two_threads", now() - t, calls);

    t = now();
    pthread_create(&a, NULL, status_loop, m1);
    pthread_create(&b, NULL, status_loop, m1);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    report("shared_handle", now() - t, calls);

    zgss_mech_destroy(m1);
    zgss_mech_destroy(m2);
    zgss_config_destroy(c1);
    zgss_config_destroy(c2);
    zgss_config_destroy(c3);
    return 0;
}
