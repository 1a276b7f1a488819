// SPDX-License-Identifier: MIT
/* C-ABI test of zgss_msg_*: NULL, garbage, closed and misaligned messages
 * give EFAULT (or the documented value) instead of a crash; a free
 * function runs exactly once however the message was copied, moved, sent
 * or received into; received messages and their properties are released
 * (valgrind --leak-check=full finds no leak). NULL mechanism over TCP
 * loopback: no realm needed. Prints "c-msg: N passed, M failed". */
#include <zgss.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, ...) do { \
    if (cond) { passed++; } else { failed++; \
        fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); fprintf(stderr, "\n"); } } while (0)

#define FAILS_WITH(expr, code) do { errno = 0; int rc_ = (expr); int e_ = errno; \
    CHECK(rc_ == -1 && e_ == (code), "%s gave %d, errno %d (want -1, %d)", #expr, rc_, e_, (code)); } while (0)

static int freed;
static void count_free(void *data, void *hint) {
    (void)hint;
    freed++;
    free(data);
}

static void test_null_messages(void) {
    zgss_msg_t m;
    FAILS_WITH(zgss_msg_init(NULL), EFAULT);
    FAILS_WITH(zgss_msg_init_size(NULL, 10), EFAULT);
    FAILS_WITH(zgss_msg_init_data(NULL, NULL, 0, NULL, NULL), EFAULT);
    FAILS_WITH(zgss_msg_close(NULL), EFAULT);
    CHECK(zgss_msg_init(&m) == 0, "init");
    FAILS_WITH(zgss_msg_move(NULL, &m), EFAULT);
    FAILS_WITH(zgss_msg_move(&m, NULL), EFAULT);
    FAILS_WITH(zgss_msg_copy(NULL, &m), EFAULT);
    FAILS_WITH(zgss_msg_copy(&m, NULL), EFAULT);
    errno = 0;
    CHECK(zgss_msg_data(NULL) == NULL && errno == EFAULT, "data(NULL)");
    errno = 0;
    CHECK(zgss_msg_size(NULL) == 0 && errno == EFAULT, "size(NULL)");
    errno = 0;
    CHECK(zgss_msg_more(NULL) == 0 && errno == EFAULT, "more(NULL) is 0 so loops end");
    FAILS_WITH(zgss_msg_get(NULL, ZMQ_MORE), EFAULT);
    FAILS_WITH(zgss_msg_get(NULL, 999), EINVAL);
    FAILS_WITH(zgss_msg_set(NULL, ZMQ_MORE, 1), EINVAL);
    errno = 0;
    CHECK(zgss_msg_gets(NULL, "Socket-Type") == NULL && errno == EFAULT, "gets(NULL, ...)");
    errno = 0;
    CHECK(zgss_msg_gets(&m, NULL) == NULL && errno == EINVAL, "gets(msg, NULL)");
    CHECK(zgss_msg_close(&m) == 0, "close");
}

static void test_garbage_and_closed(void) {
    /* Bytes that were never a message: all-zero and 0xAB. */
    for (int fill = 0; fill < 2; fill++) {
        zgss_msg_t g;
        memset(&g, fill ? 0xAB : 0, sizeof g);
        FAILS_WITH(zgss_msg_close(&g), EFAULT);
        errno = 0;
        CHECK(zgss_msg_data(&g) == NULL && errno == EFAULT, "data(garbage)");
        CHECK(zgss_msg_size(&g) == 0, "size(garbage)");
        CHECK(zgss_msg_more(&g) == 0, "more(garbage)");
        FAILS_WITH(zgss_msg_get(&g, ZMQ_SHARED), EFAULT);
        CHECK(zgss_msg_gets(&g, "Socket-Type") == NULL && errno == EFAULT, "gets(garbage)");
        zgss_msg_t ok;
        zgss_msg_init(&ok);
        FAILS_WITH(zgss_msg_copy(&ok, &g), EFAULT);
        FAILS_WITH(zgss_msg_copy(&g, &ok), EFAULT);
        FAILS_WITH(zgss_msg_move(&g, &ok), EFAULT);
        CHECK(zgss_msg_close(&ok) == 0, "close the good one");
    }
    /* A closed message: EFAULT for everything but its flags. */
    zgss_msg_t c;
    zgss_msg_init_size(&c, 100);
    CHECK(zgss_msg_close(&c) == 0, "close");
    FAILS_WITH(zgss_msg_close(&c), EFAULT);
    CHECK(zgss_msg_data(&c) == NULL, "data(closed)");
    CHECK(zgss_msg_get(&c, ZMQ_MORE) == 0, "ZMQ_MORE of a closed message");
    /* NULL data with a size: refused, the free function not called. */
    freed = 0;
    zgss_msg_t d;
    FAILS_WITH(zgss_msg_init_data(&d, NULL, 10, count_free, NULL), EFAULT);
    CHECK(freed == 0, "free function not called for a refused init_data");
    CHECK(zgss_msg_init_data(&d, NULL, 0, count_free, NULL) == 0, "NULL data, size 0");
    CHECK(zgss_msg_close(&d) == 0 && freed == 1, "free called once (%d)", freed);
    /* Too large to allocate. */
    FAILS_WITH(zgss_msg_init_size(&d, SIZE_MAX), ENOMEM);
    FAILS_WITH(zgss_msg_init_size(&d, SIZE_MAX / 2), ENOMEM);
}

static void test_free_once(void) {
    freed = 0;
    char *buffer = malloc(1000);
    memset(buffer, 'q', 1000);
    zgss_msg_t copies[5];
    CHECK(zgss_msg_init_data(&copies[0], buffer, 1000, count_free, NULL) == 0, "init_data");
    for (int i = 1; i < 5; i++) {
        zgss_msg_init(&copies[i]);
        CHECK(zgss_msg_copy(&copies[i], &copies[i - 1]) == 0, "copy %d", i);
    }
    CHECK(zgss_msg_copy(&copies[2], &copies[2]) == 0 && zgss_msg_size(&copies[2]) == 1000, "copy onto itself");
    CHECK(zgss_msg_move(&copies[3], &copies[3]) == 0 && zgss_msg_size(&copies[3]) == 1000, "move onto itself");
    int order[5] = { 2, 0, 4, 1, 3 };
    for (int i = 0; i < 5; i++) {
        CHECK(freed == 0, "freed early (%d) before closing copy %d", freed, order[i]);
        CHECK(zgss_msg_close(&copies[order[i]]) == 0, "close %d", order[i]);
    }
    CHECK(freed == 1, "free function ran %d times after the last close", freed);

    /* A copy over a message that held another buffer releases that one. */
    freed = 0;
    zgss_msg_t a, b;
    zgss_msg_init_data(&a, calloc(1, 40), 40, count_free, NULL);
    zgss_msg_init_data(&b, calloc(1, 40), 40, count_free, NULL);
    CHECK(zgss_msg_copy(&b, &a) == 0 && freed == 1, "b's old buffer released (%d)", freed);
    CHECK(zgss_msg_move(&a, &b) == 0 && freed == 1, "move keeps the shared buffer (%d)", freed);
    zgss_msg_close(&a);
    CHECK(freed == 2, "both buffers released once (%d)", freed);
    zgss_msg_close(&b);
    CHECK(freed == 2, "closing the emptied source frees nothing (%d)", freed);

    /* A misaligned message (the caller's mistake) still works. */
    unsigned char raw[sizeof(zgss_msg_t) + 8];
    zgss_msg_t *odd = (zgss_msg_t *)(void *)(raw + 1);
    CHECK(zgss_msg_init_size(odd, 500) == 0 && zgss_msg_size(odd) == 500, "misaligned init_size");
    memset(zgss_msg_data(odd), 1, 500);
    CHECK(zgss_msg_close(odd) == 0, "misaligned close");
}

static void test_sockets(void) {
    void *ctx = zgss_ctx_new();
    void *pull = zgss_socket(ctx, ZMQ_PULL);
    void *push = zgss_socket(ctx, ZMQ_PUSH);
    int linger = 0, timeout = 10000;
    zgss_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zgss_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    zgss_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    CHECK(zgss_bind(pull, "tcp://127.0.0.1:*") == 0, "bind");
    char endpoint[256];
    size_t size = sizeof endpoint;
    zgss_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CHECK(zgss_connect(push, endpoint) == 0, "connect");

    zgss_msg_t m, garbage;
    memset(&garbage, 0xAB, sizeof garbage);
    zgss_msg_init_size(&m, 3);
    FAILS_WITH(zgss_msg_send(&m, NULL, 0), ENOTSOCK);
    FAILS_WITH(zgss_msg_send(&m, (void *)&m, 0), ENOTSOCK);
    FAILS_WITH(zgss_msg_send(NULL, push, 0), EFAULT);
    FAILS_WITH(zgss_msg_send(&garbage, push, 0), EFAULT);
    FAILS_WITH(zgss_msg_recv(NULL, pull, 0), EFAULT);
    FAILS_WITH(zgss_msg_recv(&garbage, pull, 0), EFAULT);
    FAILS_WITH(zgss_sendmsg(push, NULL, 0), EFAULT);
    FAILS_WITH(zgss_recvmsg(pull, NULL, 0), EFAULT);
    FAILS_WITH(zgss_msg_recv(&m, push, 0), ENOTSUP);
    CHECK(zgss_msg_size(&m) == 3, "ENOTSUP leaves the message (%zu)", zgss_msg_size(&m));
    zgss_msg_close(&m);
    FAILS_WITH(zgss_msg_send(&m, push, 0), EFAULT);

    /* A sent init_data message hands its buffer back once, at the send. */
    freed = 0;
    char *bytes = malloc(100);
    memset(bytes, 's', 100);
    zgss_msg_init_data(&m, bytes, 100, count_free, NULL);
    CHECK(zgss_msg_send(&m, push, 0) == 100 && zgss_msg_size(&m) == 0, "send empties the message");
    CHECK(freed == 1, "free ran %d times after the send", freed);
    CHECK(zgss_msg_close(&m) == 0 && freed == 1, "close after send frees nothing more");
    zgss_msg_init(&m);
    CHECK(zgss_msg_recv(&m, pull, 0) == 100 && ((char *)zgss_msg_data(&m))[99] == 's', "the sent bytes arrive");
    zgss_msg_close(&m);

    /* Receive large and small parts into one message without closing in
     * between: each receive releases the last (valgrind: no leak). */
    for (int i = 0; i < 20; i++) {
        zgss_msg_init_size(&m, i % 2 ? 5 : 5000);
        memset(zgss_msg_data(&m), 'a' + i, zgss_msg_size(&m));
        CHECK(zgss_msg_send(&m, push, 0) == (i % 2 ? 5 : 5000), "send %d", i);
        zgss_msg_close(&m);
    }
    zgss_msg_init(&m);
    int good = 1;
    for (int i = 0; i < 20; i++) {
        int n = zgss_msg_recv(&m, pull, 0);
        const unsigned char *d = zgss_msg_data(&m);
        if (n != (i % 2 ? 5 : 5000) || !d || d[0] != 'a' + i || d[n - 1] != 'a' + i) {
            fprintf(stderr, "part %d: %d bytes, first %d\n", i, n, d ? d[0] : -1);
            good = 0;
        }
    }
    CHECK(good, "twenty parts received in order into one message");
    /* A received part kept inside the struct is wiped by close (it may be
     * decrypted data; larger ones are wiped in their buffer). */
    CHECK(zgss_send(push, "secret-payload", 14, 0) == 14, "send secret");
    zgss_msg_t wiped;
    zgss_msg_init(&wiped);
    CHECK(zgss_msg_recv(&wiped, pull, 0) == 14, "recv secret");
    CHECK(memmem(&wiped, sizeof wiped, "secret", 6) != NULL, "the part is inside the struct");
    zgss_msg_close(&wiped);
    CHECK(memmem(&wiped, sizeof wiped, "secret", 6) == NULL, "close wiped the bytes inside the struct");
    zgss_msg_t keep;
    zgss_msg_init(&keep);
    CHECK(zgss_msg_copy(&keep, &m) == 0, "copy a received message");
    zgss_msg_close(&m);
    const char *type = zgss_msg_gets(&keep, "Socket-Type");
    CHECK(type && strcmp(type, "PUSH") == 0, "the copy keeps the properties (%s)", type ? type : "NULL");
    CHECK(zgss_msg_get(&keep, ZMQ_SRCFD) >= 0, "ZMQ_SRCFD");
    /* Closing the socket and the context first: the message still holds
     * its bytes and properties. */
    zgss_close(push);
    zgss_close(pull);
    zgss_ctx_term(ctx);
    type = zgss_msg_gets(&keep, "Socket-Type");
    CHECK(type && strcmp(type, "PUSH") == 0 && zgss_msg_size(&keep) == 5, "message outlives its socket");
    CHECK(zgss_msg_close(&keep) == 0, "close");
}

int main(void) {
    test_null_messages();
    test_garbage_and_closed();
    test_free_once();
    test_sockets();
    printf("c-msg: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
