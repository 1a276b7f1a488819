// SPDX-License-Identifier: MIT
/* C-ABI test of handle checking, for every kind of handle (config,
 * mechanism, SASL config, SASL session, context, socket): a destroyed
 * handle, a double destroy, foreign values (small integers, 0xdeadbeef, a
 * stack buffer, a heap buffer laid out like an old-style handle header,
 * all ones), a handle of another kind and a live handle with altered bits
 * are all refused with the documented code, never a crash; a stale handle
 * never reaches the object that reuses its slot; and handles destroyed on
 * one thread while other threads call into them. Run it under valgrind
 * (tools/test.sh's c-handles stage does) so that any read of freed memory
 * fails the run.
 *   handles_test [ROUNDS [values|foreign|destroyed|threads]]
 * ROUNDS: rounds of each threaded test (default 200); the last argument
 * runs one group alone. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <zgss.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

enum kind { CONFIG, MECH, SASL_CONFIG, SASL, CONTEXT, SOCKET, KINDS };
static const char *kind_names[KINDS] = {"config", "mechanism", "SASL config", "SASL session", "context", "socket"};

/* Calls every function of `kind` with `handle`, none of which may act on
 * it, and checks each refuses it with the documented result. Returns the
 * number of calls that did not. */
static int refusals_missing(enum kind kind, void *handle) {
    int bad = 0;
    const uint8_t *out = NULL;
    size_t len = 0;
    int one = 1;
    char buf[64];
    switch (kind) {
    case CONFIG:
        bad += zgss_config_set(handle, ZMQ_GSSAPI_SERVER, &one, sizeof one) != ZGSS_E_INVAL;
        len = sizeof buf;
        bad += zgss_config_get(handle, ZMQ_GSSAPI_PRINCIPAL, buf, &len) != ZGSS_E_INVAL;
        bad += strcmp(zgss_config_last_error(handle), "") != 0;
        bad += zgss_mech_new(handle, ZMQ_REP, NULL, 0) != NULL;
        zgss_config_destroy(handle);
        break;
    case MECH:
        bad += zgss_mech_status(handle) != ZGSS_STATUS_FAILED;
        bad += zgss_mech_next_command(handle, &out, &len) != ZGSS_E_INVAL;
        bad += zgss_mech_process_command(handle, (const uint8_t *)"", 0) != ZGSS_E_INVAL;
        bad += zgss_mech_is_server(handle) != ZGSS_E_INVAL;
        bad += zgss_mech_peer_principal(handle) != NULL;
        bad += strcmp(zgss_mech_last_error(handle), "") != 0;
        bad += zgss_mech_peer_closed(handle) != ZGSS_E_INVAL;
        bad += zgss_mech_authorize(handle, 1, NULL) != ZGSS_E_INVAL;
        zgss_mech_destroy(handle);
        break;
    case SASL_CONFIG:
        bad += zgss_sasl_config_set_int(handle, ZGSS_SASL_MUTUAL, 1) != ZGSS_E_INVAL;
        bad += zgss_sasl_config_set_string(handle, ZGSS_SASL_SERVICE, "mqtt@localhost") != ZGSS_E_INVAL;
        bad += strcmp(zgss_sasl_config_last_error(handle), "") != 0;
        bad += zgss_sasl_client_new(handle) != NULL;
        bad += zgss_sasl_server_new(handle) != NULL;
        zgss_sasl_config_destroy(handle);
        break;
    case SASL:
        bad += zgss_sasl_status(handle) != ZGSS_SASL_STATUS_FAILED;
        bad += zgss_sasl_is_server(handle) != ZGSS_E_INVAL;
        bad += zgss_sasl_client_start(handle, &out, &len) != ZGSS_E_INVAL;
        bad += zgss_sasl_step(handle, NULL, 0, &out, &len) != ZGSS_E_INVAL;
        bad += zgss_sasl_wrap(handle, (const uint8_t *)"x", 1, &out, &len) != ZGSS_E_INVAL;
        bad += zgss_sasl_peer_principal(handle) != NULL;
        bad += strcmp(zgss_sasl_last_error(handle), "") != 0;
        zgss_sasl_destroy(handle);
        break;
    case CONTEXT:
        errno = 0;
        bad += zgss_socket(handle, ZMQ_PAIR) != NULL || zgss_errno() != EFAULT;
        bad += zgss_ctx_term(handle) != -1 || zgss_errno() != EFAULT;
        break;
    case SOCKET:
        bad += zgss_send(handle, "x", 1, ZMQ_DONTWAIT) != -1 || zgss_errno() != ENOTSOCK;
        bad += zgss_recv(handle, buf, sizeof buf, ZMQ_DONTWAIT) != -1 || zgss_errno() != ENOTSOCK;
        bad += zgss_setsockopt(handle, ZMQ_LINGER, &one, sizeof one) != -1 || zgss_errno() != ENOTSOCK;
        len = sizeof one;
        bad += zgss_getsockopt(handle, ZMQ_LINGER, &one, &len) != -1 || zgss_errno() != ENOTSOCK;
        bad += zgss_bind(handle, "tcp://127.0.0.1:*") != -1 || zgss_errno() != ENOTSOCK;
        bad += zgss_connect(handle, "tcp://127.0.0.1:9") != -1 || zgss_errno() != ENOTSOCK;
        {
            /* A NULL socket is no error for zgss_poll: the item is a raw fd. */
            zgss_pollitem_t item = {handle, -1, ZMQ_POLLIN, 0};
            if (handle) bad += zgss_poll(&item, 1, 0) != -1 || zgss_errno() != ENOTSOCK;
            len = sizeof one;
            bad += zgss_getsockopt(handle, ZMQ_FD, &one, &len) != -1 || zgss_errno() != ENOTSOCK;
        }
        bad += zgss_close(handle) != -1 || zgss_errno() != ENOTSOCK;
        break;
    default:
        break;
    }
    return bad;
}

/* One live handle of each kind. */
struct handles {
    void *h[KINDS];
};

static struct handles make_all(void) {
    struct handles all;
    int one = 1;
    all.h[CONFIG] = zgss_config_new();
    zgss_config_set(all.h[CONFIG], ZMQ_GSSAPI_SERVER, &one, sizeof one);
    all.h[MECH] = zgss_mech_new(all.h[CONFIG], ZMQ_REP, NULL, 0);
    all.h[SASL_CONFIG] = zgss_sasl_config_new();
    zgss_sasl_config_set_string(all.h[SASL_CONFIG], ZGSS_SASL_SERVICE, "mqtt@localhost");
    all.h[SASL] = zgss_sasl_client_new(all.h[SASL_CONFIG]);
    all.h[CONTEXT] = zgss_ctx_new();
    all.h[SOCKET] = zgss_socket(all.h[CONTEXT], ZMQ_PULL);
    return all;
}

static void destroy_all(struct handles *all) {
    int zero = 0;
    zgss_setsockopt(all->h[SOCKET], ZMQ_LINGER, &zero, sizeof zero);
    CHECK(zgss_close(all->h[SOCKET]) == 0, "close");
    CHECK(zgss_ctx_term(all->h[CONTEXT]) == 0, "ctx_term");
    zgss_sasl_destroy(all->h[SASL]);
    zgss_sasl_config_destroy(all->h[SASL_CONFIG]);
    zgss_mech_destroy(all->h[MECH]);
    zgss_config_destroy(all->h[CONFIG]);
}

/* Every live handle still works (after the probes that must not touch it). */
static void check_alive(struct handles *all, const char *when) {
    int value = -1;
    size_t len = sizeof value;
    CHECK(zgss_config_get(all->h[CONFIG], ZMQ_GSSAPI_SERVER, &value, &len) == 0 && value == 1,
          "config alive %s", when);
    CHECK(zgss_mech_is_server(all->h[MECH]) == 1, "mechanism alive %s", when);
    CHECK(zgss_sasl_config_set_int(all->h[SASL_CONFIG], ZGSS_SASL_MUTUAL, 1) == 0, "SASL config alive %s", when);
    CHECK(zgss_sasl_is_server(all->h[SASL]) == 0, "SASL session alive %s", when);
    len = sizeof value;
    CHECK(zgss_getsockopt(all->h[SOCKET], ZMQ_TYPE, &value, &len) == 0 && value == ZMQ_PULL,
          "socket alive %s", when);
}

static void test_handle_values(void) {
    struct handles all = make_all();
    for (int k = 0; k < KINDS; k++) {
        CHECK(all.h[k] != NULL, "%s created", kind_names[k]);
        /* Never NULL, never a small integer (a C caller's 0/1/-1 or an
         * uninitialised int cannot name a handle). */
        CHECK((uintptr_t)all.h[k] > 0xffffffffu, "%s handle %p looks like a small integer", kind_names[k], all.h[k]);
    }
    destroy_all(&all);
}

static void test_foreign_values(void) {
    struct handles all = make_all();
    char stack_buffer[64];
    memset(stack_buffer, 0x5a, sizeof stack_buffer);
    /* The layout of a handle before the table (magic, object pointer):
     * a forged header with a valid magic and a bogus object. */
    uint64_t *forged = malloc(2 * sizeof(uint64_t));
    static const uint64_t old_magics[KINDS] = {
        0x7a67737363666731ull, 0x7a6773736d656331ull, 0x7a67737373636631ull,
        0x7a67737373617331ull, 0x7a67737363747831ull, 0x7a677373736f6b31ull,
    };
    void *values[] = {(void *)1, (void *)2, (void *)(uintptr_t)0xdeadbeef, (void *)(intptr_t)-1,
                      (void *)(uintptr_t)0x5a47000000000000ull, stack_buffer, forged};
    const char *names[] = {"(void*)1", "(void*)2", "0xdeadbeef", "all ones", "tag alone", "stack buffer",
                           "forged old header"};
    for (int k = 0; k < KINDS; k++) {
        forged[0] = old_magics[k];
        forged[1] = 0x10;
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
            CHECK(refusals_missing((enum kind)k, values[v]) == 0, "%s: %s refused", kind_names[k], names[v]);
        CHECK(refusals_missing((enum kind)k, NULL) == 0, "%s: NULL refused", kind_names[k]);
        /* Every other kind's live handle, and this kind's with altered bits. */
        for (int other = 0; other < KINDS; other++)
            if (other != k)
                CHECK(refusals_missing((enum kind)k, all.h[other]) == 0, "%s handle refused as a %s",
                      kind_names[other], kind_names[k]);
        uintptr_t bits = (uintptr_t)all.h[k];
        CHECK(refusals_missing((enum kind)k, (void *)(bits + 1)) == 0, "%s: next index refused", kind_names[k]);
        CHECK(refusals_missing((enum kind)k, (void *)(bits ^ ((uintptr_t)1 << 22))) == 0,
              "%s: other generation refused", kind_names[k]);
        CHECK(refusals_missing((enum kind)k, (void *)(bits | (uintptr_t)0x3fffff)) == 0,
              "%s: unissued index refused", kind_names[k]);
    }
    check_alive(&all, "after the foreign probes");
    free(forged);
    destroy_all(&all);
}

static void test_destroyed_handles(void) {
    struct handles all = make_all();
    void *gone[KINDS];
    memcpy(gone, all.h, sizeof gone);
    destroy_all(&all);
    for (int k = 0; k < KINDS; k++) {
        /* refusals_missing ends with the kind's destroy/close/term: each
         * probe is also a double destroy. */
        CHECK(refusals_missing((enum kind)k, gone[k]) == 0, "destroyed %s refused", kind_names[k]);
        CHECK(refusals_missing((enum kind)k, gone[k]) == 0, "destroyed %s refused again", kind_names[k]);
    }
    /* New handles most likely reuse the slots: the old ones still name
     * nothing, and calls through them do not reach the new objects. */
    struct handles fresh = make_all();
    for (int k = 0; k < KINDS; k++) {
        CHECK(fresh.h[k] != gone[k], "%s: a new handle differs from the destroyed one", kind_names[k]);
        CHECK(refusals_missing((enum kind)k, gone[k]) == 0, "stale %s refused beside a new one", kind_names[k]);
    }
    check_alive(&fresh, "after calls through stale handles");
    destroy_all(&fresh);
}

/* ---- destroy while another thread calls ----------------------------- */

/* One thread calls into a handle (as its owner would) while two others
 * destroy it at the same moment. The caller's results must be live
 * answers until the first refusal and refusals from then on. */
struct hammer {
    enum kind kind;
    void *handle;
    atomic_int stop;
    atomic_long calls;
    atomic_long refused;
    int wrong;
};

/* One round of calls; returns 1 when they were refused. Calls after a
 * refusal inside the round must be refused too. */
static int hammer_once(struct hammer *h) {
    const uint8_t *out;
    size_t len;
    char buf[64];
    int value = -1, rc, e;
    switch (h->kind) {
    case MECH: {
        int server = zgss_mech_is_server(h->handle);
        int status = zgss_mech_status(h->handle);
        rc = zgss_mech_encode(h->handle, (const uint8_t *)"x", 1, 0, &out, &len, &value);
        const char *error = zgss_mech_last_error(h->handle);
        if (server == ZGSS_E_INVAL) {
            h->wrong += status != ZGSS_STATUS_FAILED || rc != ZGSS_E_INVAL || strcmp(error, "") != 0;
            return 1;
        }
        h->wrong += server != 1 || status < 0 || rc >= 0 || error == NULL;
        return 0;
    }
    case CONFIG: {
        len = sizeof value;
        rc = zgss_config_get(h->handle, ZMQ_GSSAPI_SERVER, &value, &len);
        const char *error = zgss_config_last_error(h->handle);
        if (rc == ZGSS_E_INVAL) {
            h->wrong += strcmp(error, "") != 0;
            return 1;
        }
        h->wrong += rc != 0 || value != 1 || error == NULL;
        return 0;
    }
    case SASL: {
        int server = zgss_sasl_is_server(h->handle);
        rc = zgss_sasl_wrap(h->handle, (const uint8_t *)"x", 1, &out, &len);
        const char *error = zgss_sasl_last_error(h->handle);
        if (server == ZGSS_E_INVAL) {
            h->wrong += rc != ZGSS_E_INVAL || strcmp(error, "") != 0;
            return 1;
        }
        h->wrong += server != 0 || (rc != ZGSS_E_STATE && rc != ZGSS_E_INVAL) || error == NULL;
        return 0;
    }
    case SOCKET: {
        rc = zgss_recv(h->handle, buf, sizeof buf, ZMQ_DONTWAIT);
        e = zgss_errno();
        if (rc == -1 && e == ENOTSOCK) {
            len = sizeof value;
            h->wrong += zgss_getsockopt(h->handle, ZMQ_TYPE, &value, &len) != -1 || zgss_errno() != ENOTSOCK;
            h->wrong += zgss_send(h->handle, "x", 1, ZMQ_DONTWAIT) != -1 || zgss_errno() != ENOTSOCK;
            return 1;
        }
        h->wrong += rc != -1 || e != EAGAIN;
        len = sizeof value;
        rc = zgss_getsockopt(h->handle, ZMQ_TYPE, &value, &len);
        h->wrong += rc == 0 ? value != ZMQ_PULL : zgss_errno() != ENOTSOCK;
        return 0;
    }
    default:
        return 0;
    }
}

static void *hammer_thread(void *arg) {
    struct hammer *h = arg;
    while (!h->stop) {
        int refused = hammer_once(h);
        /* Once refused, always refused. */
        h->wrong += h->refused > 0 && !refused;
        h->refused += refused;
        h->calls++;
    }
    return NULL;
}

struct destroyer {
    enum kind kind;
    void *handle;
    atomic_int *go;
    int closed;
};

static void destroy_one(struct destroyer *d) {
    switch (d->kind) {
    case MECH: zgss_mech_destroy(d->handle); break;
    case CONFIG: zgss_config_destroy(d->handle); break;
    case SASL: zgss_sasl_destroy(d->handle); break;
    case SOCKET: d->closed = zgss_close(d->handle) == 0; break;
    default: break;
    }
}

static void *destroyer_thread(void *arg) {
    struct destroyer *d = arg;
    while (!*d->go) {
    }
    destroy_one(d);
    return NULL;
}

static void pause_us(long us) {
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

/* Polls until *counter reaches at_least, for at most 20 s (generous on a
 * loaded 2-core machine). Returns whether it got there. */
static int wait_for_count(atomic_long *counter, long at_least) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (*counter < at_least) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 20) return 0;
        pause_us(100);
    }
    return 1;
}

static void destroy_under_load(enum kind kind, int rounds) {
    long calls = 0;
    int wrong = 0, unrefused = 0, winners = 0, idle = 0;
    for (int round = 0; round < rounds; round++) {
        struct handles all = make_all();
        struct hammer hammer;
        memset(&hammer, 0, sizeof hammer);
        atomic_init(&hammer.stop, 0);
        atomic_init(&hammer.calls, 0);
        atomic_init(&hammer.refused, 0);
        hammer.kind = kind;
        hammer.handle = all.h[kind];
        atomic_int go = 0;
        struct destroyer first = {kind, all.h[kind], &go, 0}, second = first;
        pthread_t caller, other;
        pthread_create(&caller, NULL, hammer_thread, &hammer);
        pthread_create(&other, NULL, destroyer_thread, &second);
        /* Destroy while the caller is calling: after it has made 1 to 7
         * calls (varied by round, so the destroy lands at different
         * places in its calls). */
        idle += !wait_for_count(&hammer.calls, 1 + round % 7);
        go = 1;
        destroy_one(&first);
        pthread_join(other, NULL);
        if (kind == SOCKET) winners += first.closed + second.closed == 1;
        /* The caller must now see the refusal, and only that. */
        unrefused += !wait_for_count(&hammer.refused, 3);
        hammer.stop = 1;
        pthread_join(caller, NULL);
        calls += hammer.calls;
        wrong += hammer.wrong;
        /* A live one again, for destroy_all. */
        switch (kind) {
        case MECH: all.h[MECH] = zgss_mech_new(all.h[CONFIG], ZMQ_REP, NULL, 0); break;
        case CONFIG: {
            int one = 1;
            all.h[CONFIG] = zgss_config_new();
            zgss_config_set(all.h[CONFIG], ZMQ_GSSAPI_SERVER, &one, sizeof one);
            break;
        }
        case SASL: all.h[SASL] = zgss_sasl_client_new(all.h[SASL_CONFIG]); break;
        case SOCKET: all.h[SOCKET] = zgss_socket(all.h[CONTEXT], ZMQ_PULL); break;
        default: break;
        }
        destroy_all(&all);
    }
    CHECK(wrong == 0, "%s destroyed under load: %d results neither a live answer nor a refusal",
          kind_names[kind], wrong);
    CHECK(idle == 0, "%s destroyed under load: %d rounds where the caller made no calls within 20 s",
          kind_names[kind], idle);
    CHECK(unrefused == 0, "%s destroyed under load: %d rounds where the caller saw no refusal within 20 s",
          kind_names[kind], unrefused);
    CHECK(calls > rounds, "%s destroyed under load: only %ld calls", kind_names[kind], calls);
    if (kind == SOCKET)
        CHECK(winners == rounds, "two racing zgss_close: exactly one succeeds (%d of %d rounds)", winners, rounds);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    const char *only = argc > 2 ? argv[2] : "";
    if (!*only || !strcmp(only, "values")) test_handle_values();
    if (!*only || !strcmp(only, "foreign")) test_foreign_values();
    if (!*only || !strcmp(only, "destroyed")) test_destroyed_handles();
    if (!*only || !strcmp(only, "threads")) {
        destroy_under_load(MECH, rounds);
        destroy_under_load(CONFIG, rounds);
        destroy_under_load(SASL, rounds);
        destroy_under_load(SOCKET, rounds / 4 + 1);
    }
    printf("handles: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
